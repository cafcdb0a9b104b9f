"""Charts of the 产业集群覆盖 page: alliances and members per cluster, and filings per cluster and year.

The taxonomy is the scope profile's: the page swaps in the taxonomy the user picks
(``with_taxonomy``), so one set of builders serves the page whichever taxonomy is chosen,
and the briefing with the profile's own. Every fetch names it explicitly.
"""
from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.graph_objects as go

from queries.policy import UNCLASSIFIED, load_taxonomy

from . import THEME, Fetch, Scope, chart, cluster_colors, needs_classified

UNIT_TYPES = (("enterprises", "企业"), ("universities", "高校"), ("institutes", "科研院所"))
OTHER_UNITS = "其他（金融、中介等）"


def list_height(n: int) -> int:
    """Figure height for n rows of categories, at most 520 px.

    styled() puts the footnote 20% of the plot height below the plot, inside a 90 px margin:
    a taller plot would push it out of the picture.
    """
    return max(380, min(520, 26 * n + 190))


def whole_numbers(top: float) -> dict:
    """Axis settings for counts: whole-number ticks (no 0.5 alliances), one per unit while the axis is short."""
    return dict(rangemode="tozero", tickformat="d", dtick=1 if float(top) <= 8 else None)


def with_taxonomy(scope: Scope, taxonomy_id: str) -> Scope:
    """The scope with its profile's taxonomy replaced (colours, queries and the entries' word follow it)."""
    profile = scope.profile
    if taxonomy_id == profile.taxonomy:
        return scope
    terms = dataclasses.replace(profile.terms, cluster=taxonomy_word(taxonomy_id))
    return dataclasses.replace(scope, profile=dataclasses.replace(profile, taxonomy=taxonomy_id, terms=terms),
                               taxonomy=taxonomy_id)


def taxonomy_word(taxonomy_id: str) -> str:
    """How a taxonomy's entries are called (its ``noun``): 产业集群, 领域, 重点领域 or 产业."""
    return load_taxonomy(taxonomy_id).noun if taxonomy_id else "产业集群"


def entry_word(scope: Scope) -> str:
    """How the scope's taxonomy entries are called: the profile's word (领域 under Heilongjiang, 产业集群 under Tianjin)."""
    return scope.profile.terms.cluster


def coverage_rows(fetch: Fetch, scope: Scope) -> pd.DataFrame:
    """coverage_by_cluster under the scope's taxonomy."""
    return fetch("coverage_by_cluster")


def uncovered(rows: pd.DataFrame) -> list[str]:
    """Taxonomy entries without an alliance in the registry (未归类 is not an entry)."""
    entries = rows[rows["cluster"] != UNCLASSIFIED]
    return entries.loc[~entries["covered"].astype(bool), "cluster"].tolist()


def _axis(rows: pd.DataFrame) -> list:
    """Cluster names, under their group (Heilongjiang's 5 domains) when the taxonomy has groups."""
    if rows["cluster_group"].notna().any():
        return [rows["cluster_group"].fillna("—").tolist(), rows["cluster"].tolist()]
    return rows["cluster"].tolist()


def _alliances_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = coverage_rows(fetch, scope)
    entries = rows[rows["cluster"] != UNCLASSIFIED]
    if entries.empty:
        return "当前未选分类体系，所有联盟都记为未归类。"
    word, empty = entry_word(scope), uncovered(rows)
    line = f"{len(entries)} 个{word}中 {len(entries) - len(empty)} 个已有在册联盟"
    line += f"，{'、'.join(empty)}尚为空白" if empty else "，已全部覆盖"
    unclassified = int(rows.loc[rows["cluster"] == UNCLASSIFIED, "alliances_active"].sum())
    return line + (f"；另有 {unclassified} 个在册联盟未归类。" if unclassified else "。")


@chart("coverage_alliances", "产业集群覆盖", "各{cluster}在册联盟数", ("coverage_by_cluster",), _alliances_takeaway,
       applies=needs_classified)
def alliances(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = coverage_rows(fetch, scope)
    if rows.empty or rows["alliances_active"].sum() == 0:
        return None
    colors = cluster_colors(scope.profile.taxonomy)
    y = _axis(rows)
    fig = go.Figure(go.Bar(y=y, x=rows["alliances_active"], orientation="h", text=rows["alliances_active"],
                           textposition="outside", cliponaxis=False,
                           marker_color=[colors.get(c, THEME["muted"]) for c in rows["cluster"]],
                           customdata=rows["cluster"], hovertemplate="%{customdata}：%{x} 个<extra></extra>",
                           showlegend=False))
    gaps = rows["cluster"].isin(uncovered(rows)).tolist()
    if any(gaps):
        pick = (lambda values: [v for v, g in zip(values, gaps) if g])
        gap_y = [pick(level) for level in y] if isinstance(y[0], list) else pick(y)
        fig.add_trace(go.Scatter(y=gap_y, x=[0] * sum(gaps), mode="text", text=["空白（无在册联盟）"] * sum(gaps),
                                 textposition="middle right", textfont=dict(color=THEME["bad"]),
                                 hoverinfo="skip", showlegend=False))
    word = entry_word(scope)
    fig.update_layout(title_text=f"各{word}在册联盟数", xaxis_title="在册联盟（个）", yaxis_title=None)
    fig.update_xaxes(**whole_numbers(rows["alliances_active"].max()))
    _cluster_axis(fig, len(rows))
    return fig


def _cluster_axis(fig: go.Figure, n: int) -> None:
    """Clusters down the side, in taxonomy order from the top; the height grows with their number."""
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_layout(height=list_height(n))


def _members_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = coverage_rows(fetch, scope)
    total = int(rows["members"].sum())
    if not total:
        return "在册联盟暂无成员单位记录。"
    shares = "、".join(f"{label} {int(rows[col].sum()) / total:.0%}" for col, label in UNIT_TYPES)
    line = f"在册联盟共有成员单位 {total:,} 家次，其中{shares}"
    covered = rows[(rows["alliances_active"] > 0) & (rows["cluster"] != UNCLASSIFIED)]
    lacking = covered.loc[covered["universities"] + covered["institutes"] == 0, "cluster"].tolist()
    return line + (f"；{'、'.join(lacking)}的在册联盟没有高校或科研院所成员。" if lacking else "。")


@chart("coverage_members", "产业集群覆盖", "各{cluster}成员单位构成", ("coverage_by_cluster",), _members_takeaway,
       applies=needs_classified)
def members(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = coverage_rows(fetch, scope)
    if rows.empty or rows["members"].sum() == 0:
        return None
    y = _axis(rows)
    fig = go.Figure()
    parts = [(rows[col], label, THEME["categorical"][i]) for i, (col, label) in enumerate(UNIT_TYPES)]
    other = rows["members"] - sum(rows[col] for col, _ in UNIT_TYPES)
    parts.append((other, OTHER_UNITS, THEME["muted"]))
    for values, label, color in parts:
        fig.add_trace(go.Bar(y=y, x=values, orientation="h", name=label, marker_color=color,
                             customdata=rows["cluster"],
                             hovertemplate=f"%{{customdata}}，{label}：%{{x}} 家次<extra></extra>"))
    word = entry_word(scope)
    fig.update_layout(barmode="stack", title_text=f"各{word}成员单位构成", xaxis_title="成员单位（家次）",
                      legend=dict(traceorder="normal"))
    fig.update_xaxes(**whole_numbers(rows["members"].max()))
    _cluster_axis(fig, len(rows))
    return fig


def _heatmap_rows(fetch: Fetch, scope: Scope) -> pd.DataFrame:
    return scope.in_years(fetch("cluster_filings_by_year"))


def _heatmap_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = _heatmap_rows(fetch, scope)
    if rows.empty or rows["filed"].sum() == 0:
        return f"所选年份内没有新{scope.profile.terms.act}的联盟。"
    last = int(rows["year"].max())
    first = max(int(rows["year"].min()), last - 2)
    recent = rows[rows["year"] >= first].groupby("cluster", sort=False)["filed"].sum()
    top = recent.idxmax()
    span = f"{first}–{last}年" if first < last else f"{last}年"
    if recent[top] == 0:
        return f"{span}没有新{scope.profile.terms.act}的联盟。"
    line = f"{span}新{scope.profile.terms.act}最多的是{top}（{int(recent[top])} 个）"
    idle = [c for c, n in recent.items() if n == 0 and c != UNCLASSIFIED]
    return line + (f"；{'、'.join(idle)}在此期间没有新{scope.profile.terms.act}。" if idle else "。")


@chart("coverage_heatmap", "产业集群覆盖", "各{cluster}历年{act}数", ("cluster_filings_by_year",), _heatmap_takeaway,
       applies=needs_classified)
def heatmap(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = _heatmap_rows(fetch, scope)
    if rows.empty or rows["filed"].sum() == 0:
        return None
    grid = rows.pivot(index="cluster", columns="year", values="filed")
    grid = grid.loc[list(dict.fromkeys(rows["cluster"]))]  # taxonomy order, 未归类 last
    text = grid.map(lambda n: "" if n == 0 else str(int(n)))
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=grid.columns.tolist(), y=grid.index.tolist(), text=text.values, texttemplate="%{text}",
        colorscale=[[0, "#FFFFFF"], [1, THEME["primary"]]], xgap=2, ygap=2, zmin=0,
        colorbar=dict(title=dict(text=f"{scope.profile.terms.act}（个）"), thickness=12, tickformat="d",
                      dtick=1 if grid.values.max() <= 8 else None),
        hovertemplate="%{y}，%{x}年：%{z} 个<extra></extra>"))
    word = entry_word(scope)
    fig.update_layout(title_text=f"各{word}历年{scope.profile.terms.act}数", height=list_height(len(grid)))
    fig.update_xaxes(title_text="年份", tickformat="d", dtick=1 if len(grid.columns) <= 16 else 2)
    fig.update_yaxes(autorange="reversed", title_text=None)
    return fig
