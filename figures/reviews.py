"""Charts of the 评估与报告 page: evaluations falling due, from review_schedule."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import plotly.graph_objects as go

from queries.vocabulary import DUE_SOON, EVALUATION_STATUSES, ON_TIME, OVERDUE, OVERDUE_ITEM

from . import THEME, Fetch, Scope, chart, needs_agreement_term, needs_cycle
from .alliance import plain_text

PLAN_MONTHS = 18       # the monthly workload chart looks this far ahead
TIMELINE_MONTHS = 12   # the per-alliance timeline: one row per alliance, so a shorter window
TIMELINE_ROWS = 25     # ... and at most this many rows (the earliest due); the tables below list them all
STATUSES = EVALUATION_STATUSES
STATUS_COLORS = {OVERDUE: THEME["bad"], DUE_SOON: THEME["accent"], ON_TIME: THEME["primary"]}
OVERDUE_BAR = OVERDUE_ITEM


def horizon(scope: Scope, months: int) -> pd.Timestamp:
    """The last day a window of ``months`` from the as-of date covers."""
    return pd.Timestamp(scope.as_of) + pd.DateOffset(months=months)


def due_within(schedule: pd.DataFrame, scope: Scope, months: int) -> pd.DataFrame:
    """Rows of review_schedule whose next evaluation is overdue or due within ``months``, earliest first."""
    due = schedule[schedule["next_evaluation_due"].notna()]
    due = due[due["next_evaluation_due"] <= horizon(scope, months)]
    # Arrow's sort: pandas' two-key sort factorised tens of thousands of names on every call (7x slower at 84k rows)
    keys = pa.table({"due": pa.array(due["next_evaluation_due"]), "name": pa.array(due["alliance"])})
    return due.iloc[pc.sort_indices(keys, sort_keys=[("due", "ascending"), ("name", "ascending")]).to_numpy()]


def _date(value: pd.Timestamp | dt.date) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _month_label(period: pd.Period) -> str:
    return f"{period.year}年{period.month}月"


def _months(scope: Scope) -> pd.PeriodIndex:
    """The calendar months of the planning window, the as-of date's month first."""
    return pd.period_range(pd.Timestamp(scope.as_of).to_period("M"), horizon(scope, PLAN_MONTHS).to_period("M"),
                           freq="M")


def _by_month(due: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Counts by (month bucket, status); overdue evaluations form one bucket before the months."""
    as_of = pd.Timestamp(scope.as_of)
    buckets = [OVERDUE_BAR] + [_month_label(p) for p in _months(scope)]
    dates = due["next_evaluation_due"]
    # vectorised: a national registry has tens of thousands of rows here (a per-row lambda was most of the page)
    month = dates.dt.year.astype(str) + "年" + dates.dt.month.astype(str) + "月"
    bucket = month.where(dates >= as_of, OVERDUE_BAR)
    counts = (pd.DataFrame({"bucket": bucket, "status": due["status"]})
              .value_counts().rename("alliances").reset_index())
    grid = pd.MultiIndex.from_product([buckets, STATUSES], names=["bucket", "status"]).to_frame(index=False)
    return grid.merge(counts, how="left", on=["bucket", "status"]).fillna({"alliances": 0})


def _tick_texts(scope: Scope) -> list[str]:
    """Short month labels for the month buckets: the year only under the first month and each January."""
    return [OVERDUE_BAR] + [f"{p.month}月<br>{p.year}" if i == 0 or p.month == 1 else f"{p.month}月"
                            for i, p in enumerate(_months(scope))]


def _no_cycle(scope: Scope) -> str:
    p = scope.profile
    return f"{p.name}未规定{p.terms.review}周期（{p.clauses.cycle}），不排{p.terms.review}日程。"


def overdue_action(scope: Scope) -> str:
    """What the text does to overdue alliances, with its clause (Weinan: ，应撤销（第15条……））; "" elsewhere."""
    p = scope.profile
    return f"，{p.review.overdue_action}（{p.clauses.cycle}）" if p.review.overdue_action else ""


def _by_month_takeaway(fetch: Fetch, scope: Scope) -> str:
    if not scope.profile.review.cycle_years:
        return _no_cycle(scope)
    noun = scope.profile.terms.review
    due = due_within(fetch("review_schedule"), scope, PLAN_MONTHS)
    overdue = int((due["status"] == OVERDUE).sum())
    coming = due[due["status"] != OVERDUE]
    line = f"未来{PLAN_MONTHS}个月（至 {_date(horizon(scope, PLAN_MONTHS))}）有 {len(coming)} 个联盟{noun}到期"
    if len(coming):
        busiest = coming["next_evaluation_due"].dt.to_period("M").value_counts()
        top = busiest[busiest == busiest.max()].sort_index()
        line += f"，最集中在{'、'.join(_month_label(p) for p in top.index)}（{int(busiest.max())} 个）"
    return line + (f"；另有 {overdue} 个已逾期{overdue_action(scope)}。" if overdue else f"；没有逾期的{noun}。")


@chart("reviews_due_by_month", "评估与报告", f"未来{PLAN_MONTHS}个月每月到期的{{review}}", ("review_schedule",),
       _by_month_takeaway, applies=needs_cycle)
def due_by_month(fetch: Fetch, scope: Scope) -> go.Figure | None:
    if not scope.profile.review.cycle_years:
        return None
    due = due_within(fetch("review_schedule"), scope, PLAN_MONTHS)
    if due.empty:
        return None
    counts = _by_month(due, scope)
    fig = go.Figure()
    for status in STATUSES:
        part = counts[counts["status"] == status]
        fig.add_bar(x=part["bucket"], y=part["alliances"], name=status, marker_color=STATUS_COLORS[status],
                    hovertemplate="%{x}：%{y} 个" + f"（{status}）<extra></extra>")
    totals = counts.groupby("bucket", sort=False)["alliances"].sum()
    fig.add_scatter(x=totals.index, y=totals.values, mode="text", text=[f"{int(v)}" if v else "" for v in totals],
                    textposition="top center", showlegend=False, hoverinfo="skip")
    fig.update_layout(barmode="stack", yaxis_title="到期联盟（个）", xaxis_title=None, bargap=0.25,
                      legend_traceorder="normal")
    fig.update_xaxes(tickangle=0, tickmode="array", tickvals=list(totals.index), ticktext=_tick_texts(scope))
    fig.update_yaxes(rangemode="tozero", dtick=max(1, int(totals.max()) // 6))
    return fig


def _timeline_takeaway(fetch: Fetch, scope: Scope) -> str:
    if not scope.profile.review.cycle_years:
        return _no_cycle(scope)
    noun = scope.profile.terms.review
    due = due_within(fetch("review_schedule"), scope, TIMELINE_MONTHS)
    overdue = due[due["status"] == OVERDUE]
    soon = int((due["status"] == DUE_SOON).sum())
    line = (f"未来{TIMELINE_MONTHS}个月内 {len(due) - len(overdue)} 个联盟{noun}到期，"
            f"其中 180 天内 {soon} 个")
    if overdue.empty:
        return line + f"；没有逾期的{noun}。"
    worst = overdue.sort_values("days_to_due").iloc[0]
    return (line + f"；已逾期 {len(overdue)} 个{overdue_action(scope)}；逾期最久的是{worst['alliance']}"
            f"（应于 {_date(worst['next_evaluation_due'])} {noun}，已逾期 {-int(worst['days_to_due'])} 天）。")


TIMELINE_TITLE = f"逾期及未来{TIMELINE_MONTHS}个月到期的{{review}}（逐个联盟）"   # {review}: 复审 under Weinan


@chart("reviews_timeline", "评估与报告", TIMELINE_TITLE,
       ("review_schedule",), _timeline_takeaway, applies=needs_cycle)
def timeline(fetch: Fetch, scope: Scope) -> go.Figure | None:
    if not scope.profile.review.cycle_years:
        return None
    due = due_within(fetch("review_schedule"), scope, TIMELINE_MONTHS)
    if due.empty:
        return None
    # A chart's size must not grow with the registry: the earliest due (most overdue first), the rest counted.
    rest = len(due) - TIMELINE_ROWS
    due = due.head(TIMELINE_ROWS)
    # The evaluation it counts from: the last one, else the filing.
    base = due["last_evaluation_date"].fillna(due["filed_date"])
    noun, act = scope.profile.terms.review, scope.profile.terms.act
    base_label = due["last_evaluation_date"].notna().map({True: f"最近{noun}", False: act})
    fig = go.Figure()
    for status in STATUSES:
        part = due["status"] == status
        if not part.any():
            continue
        rows = due[part]
        fig.add_scatter(
            x=rows["next_evaluation_due"], y=rows["alliance"].map(plain_text), mode="markers", name=status,
            marker=dict(color=STATUS_COLORS[status], size=11, symbol="diamond"),
            customdata=list(zip(base_label[part], base[part].dt.strftime("%Y-%m-%d"), rows["days_to_due"])),
            hovertemplate=f"%{{y}}<br>下次{noun}：%{{x|%Y-%m-%d}}"
                          "<br>%{customdata[0]}：%{customdata[1]}"
                          "<br>距到期：%{customdata[2]} 天<extra></extra>")
    as_of = pd.Timestamp(scope.as_of)
    fig.add_vline(x=as_of, line=dict(color=THEME["muted"], dash="dash", width=1))
    # Inside the plot, right of the line: the top rows are the earliest dates, left of it.
    fig.add_annotation(x=as_of, y=1, yref="paper", xanchor="left", yanchor="top", text=f" 统计截止日 {_date(as_of)}",
                       showarrow=False, font=dict(size=11, color=THEME["muted"]))
    if rest > 0:
        fig.update_layout(title_text=f"{TIMELINE_TITLE.format(review=noun)}：最早到期的 {TIMELINE_ROWS} 个")
        fig.add_annotation(x=1, y=0, xref="paper", yref="paper", xanchor="right", yanchor="bottom",
                           text=f"另有 {rest} 个联盟未逐个列出，见下方“{noun}逾期”“未来{PLAN_MONTHS}个月到期”两表",
                           showarrow=False, bgcolor="rgba(255,255,255,0.85)",
                           font=dict(size=11, color=THEME["muted"]))
    left = min(due["next_evaluation_due"].min(), as_of) - pd.DateOffset(months=1)
    fig.update_xaxes(range=[left, horizon(scope, TIMELINE_MONTHS) + pd.DateOffset(days=15)],
                     tickformat="%Y-%m", dtick="M6", title_text=f"下次{noun}日期")
    # Every name labelled (dtick=1), so a 720-pixel slide still names each row.
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(due["alliance"].map(plain_text).tolist())),
                     title_text=None, automargin=True, dtick=1, tickfont=dict(size=11 if len(due) > 16 else 13))
    fig.update_layout(height=max(380, 24 * len(due) + 200))
    return fig


def agreement_years(schedule: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Agreements by the year they expire: already expired (one bar), then each year up to the window's end."""
    dated = schedule[schedule["agreement_expiry"].notna()]
    as_of, end = pd.Timestamp(scope.as_of), horizon(scope, PLAN_MONTHS)
    expired = int((dated["agreement_expiry"] <= as_of).sum())
    ahead = dated[(dated["agreement_expiry"] > as_of) & (dated["agreement_expiry"] <= end)]
    years = list(range(as_of.year, end.year + 1))
    counts = ahead["agreement_expiry"].dt.year.value_counts()
    return pd.DataFrame({"bucket": [OVERDUE_BAR] + [f"{y}年" for y in years],
                         "alliances": [expired] + [int(counts.get(y, 0)) for y in years]})


def _agreements_takeaway(fetch: Fetch, scope: Scope) -> str:
    p = scope.profile
    schedule = fetch("review_schedule")
    rows = agreement_years(schedule, scope)
    expired, coming = int(rows["alliances"].iloc[0]), int(rows["alliances"].iloc[1:].sum())
    undated = int(schedule["agreement_expiry"].isna().sum())
    line = (f"按{p.review.agreement_term_years}年协议期限（{p.clauses.agreement}），在册联盟中协议已到期 {expired} 个、"
            f"须重新签署，未来{PLAN_MONTHS}个月到期 {coming} 个")
    return line + (f"；{undated} 个未填协议签署日期。" if undated else "。")


@chart("reviews_agreements", "评估与报告", "联盟协议到期（须重新签署）", ("review_schedule",), _agreements_takeaway,
       applies=needs_agreement_term)
def agreements(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = agreement_years(fetch("review_schedule"), scope)
    if not rows["alliances"].sum():
        return None
    colors = [THEME["bad"]] + [THEME["accent"]] * (len(rows) - 1)
    fig = go.Figure(go.Bar(x=rows["bucket"], y=rows["alliances"], text=rows["alliances"], textposition="outside",
                           cliponaxis=False, marker_color=colors, hovertemplate="%{x}：%{y} 个<extra></extra>"))
    fig.update_layout(showlegend=False, xaxis_title=f"协议到期（未来{PLAN_MONTHS}个月内按年）",
                      yaxis_title="联盟（个）")
    fig.update_yaxes(rangemode="tozero")
    return fig
