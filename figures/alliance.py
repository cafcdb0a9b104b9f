"""Charts of the 联盟档案 page: one alliance's members, events, subsidies and reports.

These charts read queries that take ``$alliance_id``; give them a fetch bound to one
alliance with ``for_alliance(fetch, alliance_id)``.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from queries import catalogue
from queries.policy import SUBSIDY_KINDS
from queries.vocabulary import DUE_SOON, OVERDUE

from . import THEME, Fetch, Scope, chart

PARAM = "alliance_id"
OUTCOME_COLORS = {"通过": THEME["good"], "未通过": THEME["bad"], "无评审结论": THEME["muted"]}
REPORT_OUTPUTS = {"activities": "开展活动", "joint_projects": "联合攻关项目", "patents": "专利", "transfers": "成果转化"}


def plain_text(value: object) -> str:
    """Text for Plotly labels: names may hold HTML, which Plotly would partly render."""
    return html.escape(str(value), quote=False)


def for_alliance(fetch: Fetch, alliance_id: str) -> Fetch:
    """A fetch that passes ``alliance_id`` to the queries whose header declares that parameter."""
    def bound(name: str, as_of=None, **params):
        if any(p.name == PARAM for p in catalogue.get_query(name).user_params):
            params.setdefault(PARAM, alliance_id)
        return fetch(name, as_of=as_of, **params)
    return bound


def _fact(fetch: Fetch) -> pd.Series | None:
    detail = fetch("alliance_detail")
    return None if detail.empty else detail.iloc[0]


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


# ---- members ----------------------------------------------------------------------------------

def _members_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = fetch("alliance_member_types")
    total = int(rows["members"].sum())
    if not total:
        return "截至统计日没有成员单位记录。"
    core = int(rows["core_members"].sum())
    parts = [f"{t} {int(n)} 家" for t, n in zip(rows["unit_type"], rows["members"]) if n]
    return f"现有成员单位 {total} 家（核心成员 {core} 家）：{'、'.join(parts)}。"


@chart("alliance_members", "联盟档案", "成员构成（产·学·研·金·介）", ("alliance_member_types",), _members_takeaway)
def members(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = fetch("alliance_member_types")
    if rows.empty or not int(rows["members"].sum()):
        return None
    labels = [t if p == t else f"{t}（{p}）" for t, p in zip(rows["unit_type"], rows["pillar"])]
    other = rows["members"] - rows["core_members"]
    fig = go.Figure()
    fig.add_bar(x=labels, y=rows["core_members"], name="核心成员", marker_color=THEME["primary"],
                hovertemplate="%{x}：核心成员 %{y} 家<extra></extra>")
    fig.add_bar(x=labels, y=other, name="其他成员", marker_color=THEME["muted"],
                hovertemplate="%{x}：其他成员 %{y} 家<extra></extra>")
    fig.add_scatter(x=labels, y=rows["members"], mode="text", text=rows["members"], textposition="top center",
                    showlegend=False, hoverinfo="skip")
    fig.update_layout(barmode="stack", yaxis_title="成员单位（家）", xaxis_title=None, legend_traceorder="normal")
    fig.update_yaxes(rangemode="tozero")
    return fig


# ---- events -----------------------------------------------------------------------------------

def _timeline_takeaway(fetch: Fetch, scope: Scope) -> str:
    fact = _fact(fetch)
    if fact is None:
        return "没有这个联盟的记录。"
    events = fetch("alliance_events")
    parts = []
    if pd.notna(fact["filed_date"]):
        parts.append(f"{_day(fact['filed_date'])} {scope.profile.terms.act}")
    evaluations = events[events["event_type"].isin(["三年评估", "复审"])]
    if len(evaluations):
        last = evaluations.iloc[-1]
        result = f"（{last['result']}）" if isinstance(last["result"], str) else ""
        parts.append(f"已{scope.profile.terms.review} {len(evaluations)} 次，最近一次 {_day(last['event_date'])}{result}")
    if pd.notna(fact["next_evaluation_due"]):
        state = {OVERDUE: "，已逾期", DUE_SOON: "，180 天内到期"}.get(fact["evaluation_status"], "")
        parts.append(f"下次{scope.profile.terms.review}应于 {_day(fact['next_evaluation_due'])}{state}")
    if pd.notna(fact["revoked_date"]):
        parts.append(f"{_day(fact['revoked_date'])} 撤销")
    if not parts:
        return f"截至统计日共有评审记录 {len(events)} 条。"
    return "；".join(parts) + "。"


def _milestones(fact: pd.Series) -> list[tuple[str, pd.Timestamp]]:
    """Dates ahead that the registry implies: next evaluation, agreement expiry."""
    found = []
    for column, label in (("next_evaluation_due", "下次评估（应于）"), ("agreement_expiry", "协议到期")):
        if pd.notna(fact[column]):
            found.append((label, pd.Timestamp(fact[column])))
    return found


@chart("alliance_timeline", "联盟档案", "评审记录时间线", ("alliance_events", "alliance_detail"), _timeline_takeaway)
def timeline(fetch: Fetch, scope: Scope) -> go.Figure | None:
    events = fetch("alliance_events")
    fact = _fact(fetch)
    ahead = _milestones(fact) if fact is not None else []
    if events.empty and not ahead:
        return None
    lanes = list(dict.fromkeys(events.sort_values("stage_position", na_position="last")["event_type"]))
    lanes += [label for label, _ in ahead if label not in lanes]
    fig = go.Figure()
    outcome = events["passed"].map({True: "通过", False: "未通过"}).fillna("无评审结论")
    for name, color in OUTCOME_COLORS.items():
        rows = events[outcome == name]
        if rows.empty:
            continue
        detail = [" ".join(str(v) for v in (r, s) if pd.notna(v)) for r, s in zip(rows["result"], rows["score"])]
        fig.add_scatter(x=rows["event_date"], y=rows["event_type"], mode="markers", name=name,
                        marker=dict(color=color, size=12), customdata=[plain_text(d) for d in detail],
                        hovertemplate="%{y}：%{x|%Y-%m-%d}<br>%{customdata}<extra></extra>")
    for label, when in ahead:
        fig.add_scatter(x=[when], y=[label], mode="markers", name=label, showlegend=False,
                        marker=dict(color=THEME["accent"], size=13, symbol="diamond-open", line=dict(width=2)),
                        hovertemplate=f"{label}：%{{x|%Y-%m-%d}}<extra></extra>")
    as_of = pd.Timestamp(scope.as_of)
    fig.add_vline(x=as_of, line=dict(color=THEME["muted"], dash="dash", width=1))
    # Inside the plot, right of the line: the top lanes (application, review) lie in the past.
    fig.add_annotation(x=as_of, y=1, yref="paper", xanchor="left", yanchor="top", showarrow=False,
                       text=f" 统计截止日 {_day(as_of)}", font=dict(size=11, color=THEME["muted"]))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(lanes)), title_text=None, automargin=True)
    fig.update_xaxes(title_text="日期", tickformat="%Y")
    fig.update_layout(height=max(320, 34 * len(lanes) + 200))
    return fig


# ---- subsidies --------------------------------------------------------------------------------

def _subsidies_takeaway(fetch: Fetch, scope: Scope) -> str:
    fact = _fact(fetch)
    if fact is None or not int(fact["subsidy_count"]):
        return "截至统计年度没有补贴记录。"
    rows = fetch("alliance_subsidies")
    paid = rows[rows["counted"].fillna(False).astype(bool)]
    by_kind = paid.groupby("kind")["amount_wan"].sum()
    parts = [f"{k} {by_kind[k]:,.2f} 万元" for k in SUBSIDY_KINDS if k in by_kind.index]
    return (f"累计获得补贴 {float(fact['subsidy_total_wan']):,.2f} 万元（{int(fact['subsidy_count'])} 笔，不含已收回）："
            f"{'、'.join(parts)}。")


@chart("alliance_subsidies", "联盟档案", "历年补贴（万元）", ("alliance_subsidies", "alliance_detail"),
       _subsidies_takeaway)
def subsidies(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = fetch("alliance_subsidies")
    paid = rows[rows["counted"].fillna(False).astype(bool)]
    if paid.empty:
        return None
    years = list(range(int(paid["year"].min()), int(paid["year"].max()) + 1))
    fig = go.Figure()
    kinds = [k for k in SUBSIDY_KINDS if k in set(paid["kind"])] + sorted(set(paid["kind"]) - set(SUBSIDY_KINDS))
    for kind in kinds:
        by_year = paid[paid["kind"] == kind].groupby("year")["amount_wan"].sum().reindex(years, fill_value=0)
        position = SUBSIDY_KINDS.index(kind) if kind in SUBSIDY_KINDS else len(SUBSIDY_KINDS)
        fig.add_bar(x=years, y=by_year.values, name=kind,
                    marker_color=THEME["categorical"][position % len(THEME["categorical"])],
                    hovertemplate="%{x}年 " + kind + "：%{y:,.2f} 万元<extra></extra>")
    fig.update_layout(barmode="stack", yaxis_title="金额（万元）", xaxis_title="年度", legend_traceorder="normal")
    fig.update_xaxes(dtick=1, tickformat="d")
    return fig


# ---- annual reports ---------------------------------------------------------------------------

def _reports_takeaway(fetch: Fetch, scope: Scope) -> str:
    reports = fetch("alliance_reports")
    if reports.empty:
        return "截至统计日没有提交过年度报告。"
    latest = reports.iloc[0]
    outputs = "、".join(f"{label} {int(latest[c])}" for c, label in REPORT_OUTPUTS.items() if pd.notna(latest[c]))
    late = int(reports["on_time"].eq(False).sum())  # NA (no due date, or no submission date) is not late
    line = f"已提交年度报告 {len(reports)} 份，最近为 {int(latest['year'])} 年度"
    line += f"（{outputs}）" if outputs else ""
    return line + (f"；其中 {late} 份晚于截止日期提交。" if late else "。")


@chart("alliance_report_outputs", "联盟档案", "年度报告中的工作成效", ("alliance_reports",), _reports_takeaway)
def report_outputs(fetch: Fetch, scope: Scope) -> go.Figure | None:
    reports = fetch("alliance_reports").sort_values("year")
    if reports.empty or reports[list(REPORT_OUTPUTS)].isna().all().all():
        return None
    fig = go.Figure()
    for i, (column, label) in enumerate(REPORT_OUTPUTS.items()):
        fig.add_scatter(x=reports["year"], y=reports[column], mode="lines+markers", name=label,
                        line=dict(color=THEME["categorical"][i]),
                        hovertemplate="%{x}年 " + label + "：%{y}<extra></extra>")
    fig.update_layout(yaxis_title="数量（次、项、件）", xaxis_title="报告年度")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(rangemode="tozero")
    return fig
