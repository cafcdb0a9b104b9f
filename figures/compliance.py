"""Charts of the 合规检查 page, and the profile's eligibility rules in words."""
from __future__ import annotations

import plotly.graph_objects as go

from queries.policy import Profile

from . import THEME, Fetch, Scope, chart


def _places(places: tuple[str, ...]) -> str:
    return "、".join(places) if places else "（政策配置未列本地地名）"


def rules_in_words(profile: Profile) -> list[str]:
    """What eligibility_check checks under ``profile``, one Chinese sentence per condition."""
    m = profile.members
    if m.minimum:
        counted = "核心成员" if m.counts_core_only else "成员单位"
        how = "只计核心成员" if m.counts_core_only else "计全部现有成员，不限核心成员"
        rules = [f"成员数量：{counted}不少于 {m.minimum} 家（{how}）。"]
    else:
        rules = ["成员数量：未规定下限，不检查。"]
    if m.required_types:
        groups = "；".join(f"至少 1 家{'或'.join(group)}" for group in m.required_types)
        rules.append(f"成员类型：{groups}。")
    else:
        rules.append("成员类型：未规定，不检查。")
    if m.lead_registered_locally:
        rules.append(f"对外责任主体单位：须在本地注册（注册地含：{_places(m.local_places)}）；"
                     "在成员中找不到该单位或其注册地为空时，记为“无法核实”。")
    else:
        rules.append("对外责任主体单位：未要求在本地注册，不检查。")
    if m.core_local_share_min:
        rules.append(f"本地核心成员：核心成员中本地注册的不少于 {m.core_local_share_min:.0%}"
                     f"（注册地含：{_places(m.local_places)}）。")
    else:
        rules.append("本地核心成员占比：未规定，不检查。")
    quota = profile.recommendation
    if quota.max_per_recommender:   # only Zhejiang's notice caps recommendations; others never mention it
        rules.append(f"推荐限额：每个推荐单位每年最多推荐 {quota.max_per_recommender} 个（{quota.clause}），见页末。")
    return rules


def _problems_takeaway(fetch: Fetch, scope: Scope) -> str:
    checked = fetch("eligibility_check")
    if checked.empty:
        return "截至统计日没有在册联盟可核对。"
    failing = int((~checked["ok"].fillna(False).astype(bool)).sum())
    line = f"核对在册联盟 {len(checked)} 个，{failing} 个不符合至少一项条件（{failing / len(checked):.0%}）"
    summary = fetch("eligibility_summary")
    summary = summary[summary["alliances"] > 0]
    if summary.empty:
        return line + "。"
    top = summary[summary["alliances"] == summary["alliances"].max()]
    return line + f"；最多的问题是{'、'.join(top['problem_type'])}（{int(top['alliances'].iloc[0])} 个）。"


@chart("compliance_problems", "合规检查", "不符合各项{conditions}的联盟数", ("eligibility_summary", "eligibility_check"),
       _problems_takeaway)
def problems(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = fetch("eligibility_summary")
    if rows.empty or not int(rows["checked"].iloc[0]):
        return None
    labels = [f"{int(n)} 个（{float(s):.0%}）" for n, s in zip(rows["alliances"], rows["share"])]
    colors = [THEME["bad"] if n else THEME["muted"] for n in rows["alliances"]]
    fig = go.Figure(go.Bar(x=rows["alliances"], y=rows["problem_type"], orientation="h", text=labels,
                           textposition="outside", cliponaxis=False, marker_color=colors,
                           hovertemplate="%{y}：%{x} 个联盟<extra></extra>"))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(rows["problem_type"].tolist())),
                     title_text=None, automargin=True)
    # Room on the right for the labels outside the longest bar.
    fig.update_xaxes(title_text="联盟（个）", range=[0, max(1, int(rows["alliances"].max())) * 1.6])
    fig.update_layout(height=max(320, 46 * len(rows) + 180), showlegend=False)
    return fig


def _counted(scope: Scope) -> tuple[str, str]:
    """(column of eligibility_check, its Chinese name) that the profile's minimum counts."""
    if scope.profile.members.counts_core_only:
        return "core_member_count", "核心成员"
    return "member_count", "成员单位"


def _sizes_takeaway(fetch: Fetch, scope: Scope) -> str:
    checked = fetch("eligibility_check")
    if checked.empty:
        return "截至统计日没有在册联盟。"
    column, noun = _counted(scope)
    counts = checked[column].astype(int)
    line = f"在册联盟{noun}数中位数 {counts.median():g} 家，最少 {counts.min()} 家、最多 {counts.max()} 家"
    minimum = scope.profile.members.minimum
    if not minimum:
        return line + "；政策未规定数量下限。"
    below = int((counts < minimum).sum())
    at = int((counts == minimum).sum())
    line += f"；{below} 个少于下限 {minimum} 家" if below else f"；都不少于下限 {minimum} 家"
    return line + (f"，另有 {at} 个恰为 {minimum} 家，再少一家即不达标。" if at else "。")


@chart("compliance_member_sizes", "合规检查", "在册联盟的成员数量分布", ("eligibility_check",), _sizes_takeaway)
def member_sizes(fetch: Fetch, scope: Scope) -> go.Figure | None:
    checked = fetch("eligibility_check")
    if checked.empty:
        return None
    column, noun = _counted(scope)
    sizes = checked[column].astype(int).value_counts().sort_index()
    minimum = scope.profile.members.minimum
    colors = [THEME["bad"] if minimum and size < minimum else THEME["primary"] for size in sizes.index]
    fig = go.Figure(go.Bar(x=sizes.index, y=sizes.values, marker_color=colors,
                           hovertemplate=f"{noun} %{{x}} 家：%{{y}} 个联盟<extra></extra>"))
    if minimum:
        fig.add_vline(x=minimum - 0.5, line=dict(color=THEME["accent"], dash="dash", width=2))
        fig.add_annotation(x=minimum - 0.5, y=1, yref="paper", yanchor="bottom", xanchor="left", showarrow=False,
                           text=f"下限 {minimum} 家", font=dict(color=THEME["accent"], size=12))
    fig.update_layout(title_text=f"在册联盟的{noun}数分布", showlegend=False, bargap=0.15)
    fig.update_xaxes(title_text=f"{noun}数（家）", dtick=5 if sizes.index.max() > 20 else 1)
    fig.update_yaxes(title_text="联盟（个）", rangemode="tozero")
    return fig
