"""Charts of the 总览 page."""
from __future__ import annotations

import plotly.graph_objects as go

from queries.policy import UNCLASSIFIED

from . import THEME, Fetch, Scope, chart, cluster_colors, needs_classified


def _coverage_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = fetch("coverage_by_cluster")
    entries = rows[rows["cluster"] != UNCLASSIFIED]
    if entries.empty:
        return f"当前政策配置未设{scope.profile.terms.cluster}分类。"
    covered = int(entries["covered"].astype(bool).sum())
    empty = entries.loc[~entries["covered"].astype(bool), "cluster"].tolist()
    line = f"{len(entries)} 个{scope.profile.terms.cluster}中 {covered} 个已有在册联盟"
    return line + (f"，{'、'.join(empty)}尚为空白。" if empty else "，已全部覆盖。")


# The same figure as coverage_alliances: a briefing pack holds that one.
@chart("overview_coverage", "总览", "各{cluster}在册联盟数", ("coverage_by_cluster",), _coverage_takeaway,
       applies=needs_classified, same_as="coverage_alliances")
def coverage(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = fetch("coverage_by_cluster")
    if rows.empty or rows["alliances_active"].sum() == 0:
        return None
    colors = cluster_colors(scope.profile.taxonomy)
    # one trace, a colour per bar: px.bar(color=…) made a trace per cluster, ten times the work to build and draw
    fig = go.Figure(go.Bar(x=rows["cluster"].tolist(), y=rows["alliances_active"], text=rows["alliances_active"],
                           marker_color=[colors.get(c, THEME["muted"]) for c in rows["cluster"]],
                           textposition="outside", cliponaxis=False, showlegend=False,
                           hovertemplate="%{x}：%{y} 个<extra></extra>"))
    fig.update_layout(xaxis_title=None, yaxis_title="在册联盟（个）")
    return fig


def _composition_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = fetch("member_composition")
    total = int(rows["members"].sum())
    if not total:
        return "在册联盟暂无成员单位记录。"
    top = rows.sort_values("members", ascending=False).iloc[0]
    return f"在册联盟共有成员单位 {total:,} 家次，其中{top['unit_type']}占 {float(top['share']):.0%}。"


@chart("overview_composition", "总览", "成员单位构成（产·学·研·金·介）", ("member_composition",), _composition_takeaway)
def composition(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = fetch("member_composition")
    if rows.empty or rows["members"].sum() == 0:
        return None
    labels = [f"{t}（{p}）" if p and p != t else t for t, p in zip(rows["unit_type"], rows["pillar"])]
    fig = go.Figure(go.Pie(labels=labels, values=rows["members"], hole=0.5, sort=False,
                           marker=dict(colors=THEME["categorical"]), textinfo="label+percent",
                           hovertemplate="%{label}：%{value} 家次<extra></extra>"))
    fig.update_layout(showlegend=False)
    return fig
