"""Charts of the 资金补贴 page: subsidies paid by year, by kind, by cluster and by region (万元).

All four read ``subsidy_totals`` (one ``group_by`` each), so they add up to the same total:
the money paid (not 已收回) in the sidebar's year range (never past the as_of year), for the
alliances in scope.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from queries.policy import UNCLASSIFIED

from . import THEME, Fetch, Scope, chart, cluster_colors, in_profile_words, needs_classified, top_rows
from .coverage import list_height

MONEY = "补贴金额（万元）"


def totals(fetch: Fetch, scope: Scope, group_by: str) -> pd.DataFrame:
    """subsidy_totals grouped by year, kind, cluster or region, in the scope's year range."""
    return fetch("subsidy_totals", group_by=group_by, **scope.year_params())


def wan(value: float) -> str:
    """1,234.50 万元 (two decimals: the unit of the programme's documents)."""
    return f"{float(value):,.2f} 万元"


def _share_line(rows: pd.DataFrame, column: str, what: str) -> str:
    """The largest group and its share of the total: 备案补贴最多，3,620.00 万元，占 48.8%."""
    total = float(rows["amount_wan"].sum())
    if rows.empty or not total:
        return "没有补贴记录。"
    top = rows.sort_values("amount_wan", ascending=False, kind="stable").iloc[0]
    return (f"按{what}：{top[column]}最多，{wan(top.amount_wan)}，占 {float(top.amount_wan) / total:.1%}"
            f"（共 {len(rows)} 个{what}有补贴）。")


def _bars(labels: list, amounts: pd.Series, counts: pd.Series, colors: list[str] | str, *,
          horizontal: bool) -> go.Figure:
    text = [f"{float(v):,.2f}" for v in amounts]
    hover = "%{customdata[0]}：%{" + ("x" if horizontal else "y") + ":,.2f} 万元，%{customdata[1]} 笔<extra></extra>"
    custom = list(zip([str(v) for v in labels], counts))
    bar = go.Bar(x=amounts if horizontal else labels, y=labels if horizontal else amounts,
                 orientation="h" if horizontal else "v", text=text, textposition="outside", cliponaxis=False,
                 marker_color=colors, customdata=custom, hovertemplate=hover, showlegend=False)
    fig = go.Figure(bar)
    if horizontal:
        # room on the right for the outside labels (two decimals are wide)
        fig.update_xaxes(title_text=MONEY, tickformat=",.0f", range=[0, float(amounts.max()) * 1.2])
        fig.update_yaxes(autorange="reversed", title_text=None)
        fig.update_layout(height=list_height(len(labels)))
    else:
        fig.update_yaxes(title_text=MONEY, tickformat=",.0f")
    return fig


def _year_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = totals(fetch, scope, "year")
    if rows.empty:
        return "所选年份内没有补贴记录。"
    peak = rows.sort_values(["amount_wan", "year"], ascending=[False, False]).iloc[0]
    span = f"{int(rows['year'].min())}–{int(rows['year'].max())}年"
    return (f"{span}共拨付 {wan(rows['amount_wan'].sum())}（{int(rows['count'].sum())} 笔），"
            f"{int(peak.year)}年最多（{wan(peak.amount_wan)}）。")


@chart("subsidies_by_year", "资金补贴", "历年补贴金额", ("subsidy_totals",), _year_takeaway)
def by_year(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = totals(fetch, scope, "year")
    if rows.empty:
        return None
    fig = _bars(rows["year"].tolist(), rows["amount_wan"], rows["count"], THEME["primary"], horizontal=False)
    span = int(rows["year"].max() - rows["year"].min())
    fig.update_xaxes(title_text="补贴所属年度", tickformat="d", dtick=1 if span <= 16 else 2)
    return fig


def _kinds(fetch: Fetch, scope: Scope) -> pd.DataFrame:
    """Totals by kind, the kinds named in the profile's words (备案补贴 reads 认定补贴 under Weinan)."""
    rows = totals(fetch, scope, "kind")
    rows["kind"] = rows["kind"].map(lambda kind: in_profile_words(kind, scope.profile))
    return rows


def _kind_takeaway(fetch: Fetch, scope: Scope) -> str:
    return _share_line(_kinds(fetch, scope), "kind", "补贴类型")


@chart("subsidies_by_kind", "资金补贴", "各类补贴金额", ("subsidy_totals",), _kind_takeaway)
def by_kind(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = _kinds(fetch, scope)
    if rows.empty:
        return None
    # one colour: the categorical palette belongs to clusters, a kind coloured like a cluster would mislead
    return _bars(rows["kind"].tolist(), rows["amount_wan"], rows["count"], THEME["primary"], horizontal=True)


def _cluster_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = totals(fetch, scope, "cluster")
    line = _share_line(rows, "cluster", scope.profile.terms.cluster)
    unclassified = rows.loc[rows["cluster"] == UNCLASSIFIED, "amount_wan"]
    if not unclassified.empty and scope.profile.taxonomy:
        line = line.removesuffix("。") + f"；未归类联盟 {wan(unclassified.iloc[0])}。"
    return line


@chart("subsidies_by_cluster", "资金补贴", "各{cluster}补贴金额", ("subsidy_totals",), _cluster_takeaway,
       applies=needs_classified)
def by_cluster(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = totals(fetch, scope, "cluster")
    if rows.empty:
        return None
    colors = cluster_colors(scope.profile.taxonomy)
    return _bars(rows["cluster"].tolist(), rows["amount_wan"], rows["count"],
                 [colors.get(c, THEME["muted"]) for c in rows["cluster"]], horizontal=True)


def _region_takeaway(fetch: Fetch, scope: Scope) -> str:
    return _share_line(totals(fetch, scope, "region"), "region", "区域")


@chart("subsidies_by_region", "资金补贴", "各区域补贴金额", ("subsidy_totals",), _region_takeaway)
def by_region(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = top_rows(totals(fetch, scope, "region"), "region", "amount_wan", "区域")
    if rows.empty:
        return None
    return _bars(rows["region"].tolist(), rows["amount_wan"], rows["count"], THEME["primary"], horizontal=True)
