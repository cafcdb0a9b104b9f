"""Charts of the 目标进度 page: filings counted toward the profile's targets, and filings per year.

The target lines are data (``target_trajectory``: the profile's targets with the counts and
projections on each target's own basis), never numbers in chart code; the sentences come from
``target_outlook``, one per target, shared by the page and the takeaway.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from . import THEME, Fetch, Scope, chart, needs_targets
from .coverage import whole_numbers


def band(low: int, high: int) -> str:
    """80–100, or 50 when the target is one number."""
    return f"{low}" if low == high else f"{low}–{high}"


def basis(count_from: int, target_year: int, act: str) -> str:
    """What a target counts, in the profile's word ``act``: 2016–2020年备案 or 累计确定."""
    return f"{count_from}–{target_year}年{act}" if count_from else f"累计{act}"


def target_name(row: Any, act: str) -> str:
    """“十三五”目标（2016–2020年备案 80–100 个）."""
    return (f"“{row.target_label}”目标（{basis(int(row.count_from), int(row.target_year), act)} "
            f"{band(int(row.target_low), int(row.target_high))} 个）")


def target_sentence(row: Any, act: str) -> str:
    """One Chinese sentence on a ``target_outlook`` row: met or not and by how much, or what each year needs."""
    name, achieved, low = target_name(row, act), int(row.achieved), int(row.target_low)
    if bool(row.period_over):
        if achieved >= low:
            above = int(row.versus_high)
            extra = f"，超出上限 {above:,} 个" if above > 0 else ""
            return f"{name}已完成：实际 {achieved:,} 个，超出下限 {achieved - low:,} 个{extra}。"
        share = f"（完成下限的 {achieved / low:.0%}）" if low else ""
        return f"{name}未完成：实际 {achieved:,} 个，比下限少 {int(row.gap):,} 个{share}。"
    if achieved >= low:
        return f"{name}已提前达到下限：已完成 {achieved:,} 个，距目标年末还有 {int(row.years_left)} 个年度。"
    years = (f"{int(row.from_year)}年" if int(row.years_left) == 1
             else f"{int(row.from_year)}–{int(row.target_year)}年")
    pace = "" if pd.isna(row.pace) else f"，近三年年均 {float(row.pace):.1f} 个"
    outlook = "" if pd.isna(row.on_track) else ("，按此速度可以达标" if bool(row.on_track) else "，按此速度难以达标")
    return (f"{name}：已完成 {achieved:,} 个，还差 {int(row.gap):,} 个；{years}每年需新增 "
            f"{int(row.needed_per_year)} 个{pace}{outlook}。")


def target_result(row: Any) -> str:
    """The state of a ``target_outlook`` row in a few words: 未完成，比下限少 22 个（完成率 73%）."""
    achieved, low = int(row.achieved), int(row.target_low)
    rate = f"（完成率 {achieved / low:.0%}）" if low else ""
    if bool(row.period_over):
        return (f"已完成，超出下限 {achieved - low:,} 个{rate}" if achieved >= low
                else f"未完成，比下限少 {int(row.gap):,} 个{rate}")
    return f"进行中，距下限还差 {int(row.gap):,} 个{rate}" if achieved < low else f"已提前达到下限{rate}"


def headline_target(outlook: pd.DataFrame) -> Any | None:
    """The target leadership asks about: the first still open, else the latest; None without targets."""
    if outlook.empty:
        return None
    open_rows = outlook[~outlook["period_over"].astype(bool)]
    return next((open_rows if not open_rows.empty else outlook.iloc[::-1]).itertuples())


def _progress_takeaway(fetch: Fetch, scope: Scope) -> str:
    row = headline_target(fetch("target_outlook"))
    return "当前政策配置没有设定数量目标。" if row is None else target_sentence(row, scope.profile.terms.act)


def _year_axis(fig: go.Figure, years: pd.Series) -> None:
    span = int(years.max() - years.min()) if len(years) else 0
    fig.update_xaxes(tickformat="d", dtick=1 if span <= 16 else 2, title_text="年份")


@chart("targets_progress", "目标进度", "累计{act}与目标", ("target_trajectory", "target_outlook"),
       _progress_takeaway, applies=needs_targets)
def progress(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = _in_view(fetch("target_trajectory"), scope)
    if rows.empty:
        return None
    fig = go.Figure()
    for _, target in rows.groupby(["target_year", "target_label"], sort=True):
        _add_band(fig, target)
    # Targets on one basis (same 起算年份) share their counts: draw each basis once, to its last target year.
    for count_from, same in rows.groupby("count_from", sort=True):
        last = same[same["target_year"] == same["target_year"].max()]
        _add_counts(fig, last, basis(int(count_from), int(last["target_year"].iloc[0]), scope.profile.terms.act))
    _year_axis(fig, rows["year"])
    top = rows[["counted", "projected", "target_high"]].max().max()
    fig.update_yaxes(title_text=f"{scope.profile.terms.act}联盟（个）", **whole_numbers(top))
    fig.update_layout(hovermode="x unified")
    return fig


def _in_view(rows: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Rows in the year range; a range that reaches the as_of year goes on to the target years (the projection)."""
    keep = pd.Series(True, index=rows.index)
    if scope.year_from:
        keep &= rows["year"] >= scope.year_from
    if scope.year_to and scope.year_to < scope.as_of.year:
        keep &= rows["year"] <= scope.year_to
    elif scope.year_to:
        keep &= (rows["year"] <= scope.year_to) | (rows["year"] > scope.as_of.year)
    return rows[keep]


def _add_band(fig: go.Figure, target: pd.DataFrame) -> None:
    """The target as a shaded band (or a line when low = high) over its counting years."""
    first = target.iloc[0]
    x = [int(target["year"].min()) - 0.4, int(target["year"].max()) + 0.4]
    low, high = int(first.target_low), int(first.target_high)
    name = f"“{first.target_label}”目标 {band(low, high)} 个"
    line = dict(color=THEME["accent"], width=1.5 if low != high else 2.5, dash="dot" if low == high else "solid")
    fig.add_trace(go.Scatter(x=x, y=[low, low], mode="lines", line=line, name=name, legendgroup=name,
                             showlegend=low == high, hoverinfo="skip"))
    if low != high:
        fig.add_trace(go.Scatter(x=x, y=[high, high], mode="lines", line=line, fill="tonexty",
                                 fillcolor=_tint(THEME["accent"], 0.15), name=name, legendgroup=name,
                                 hoverinfo="skip"))


def _tint(hex_color: str, alpha: float) -> str:
    """A theme colour (#RRGGBB) made transparent, for the band between a target's bounds."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _add_counts(fig: go.Figure, rows: pd.DataFrame, label: str) -> None:
    """The counted line (solid, labelled at its end) and the projection from the last complete year (dashed)."""
    done = rows[rows["counted"].notna()]
    if not done.empty:
        text = [""] * (len(done) - 1) + [f"{int(done['counted'].iloc[-1])}"]
        fig.add_trace(go.Scatter(x=done["year"], y=done["counted"], mode="lines+markers+text", text=text,
                                 textposition="bottom right", name=label, line=dict(color=THEME["primary"], width=3),
                                 hovertemplate=f"{label}：%{{y}} 个<extra></extra>"))
    ahead = rows[rows["projected"].notna()]
    if len(ahead) > 1 or (len(ahead) == 1 and done.empty):
        end = ahead.iloc[-1]
        text = [""] * (len(ahead) - 1) + [f"预计 {float(end.projected):.0f}"]
        fig.add_trace(go.Scatter(x=ahead["year"], y=ahead["projected"], mode="lines+markers+text", text=text,
                                 textposition="top left", name="预测（近三年年均）",
                                 line=dict(color=THEME["primary"], width=2, dash="dash"),
                                 marker=dict(symbol="circle-open"),
                                 hovertemplate="预测：%{y:.1f} 个<extra></extra>"))


def _filings(fetch: Fetch, scope: Scope) -> pd.DataFrame:
    """Filings per year up to the as_of year, inside the year range (target_progress repeats a shared target year)."""
    rows = fetch("target_progress").drop_duplicates("year")
    return scope.in_years(rows[rows["filed"].notna()])


def _filings_takeaway(fetch: Fetch, scope: Scope) -> str:
    rows = _filings(fetch, scope)
    total = int(rows["filed"].sum()) if not rows.empty else 0
    if not total:
        return f"所选年份内没有新{scope.profile.terms.act}的联盟。"
    peak = rows.sort_values(["filed", "year"], ascending=[False, False]).iloc[0]
    line = (f"{int(rows['year'].min())}–{int(rows['year'].max())}年共{scope.profile.terms.act} {total} 个，"
            f"{int(peak.year)}年最多（{int(peak.filed)} 个）")
    pace = fetch("target_progress")["pace"].dropna()
    if not pace.empty:
        line += f"；近三年年均 {float(pace.iloc[0]):.1f} 个"
    if _partial(scope) and scope.as_of.year in set(rows["year"]):
        so_far = int(rows.loc[rows["year"] == scope.as_of.year, "filed"].iloc[0])
        line += f"；{scope.as_of.year}年截至{scope.as_of.month}月{scope.as_of.day}日 {so_far} 个（灰色柱）"
    return line + "。"


def _partial(scope: Scope) -> bool:
    """The as_of year is not over yet: its bar is drawn grey."""
    return not (scope.as_of.month == 12 and scope.as_of.day == 31)


@chart("targets_filings", "目标进度", "历年{act}联盟数", ("target_progress",), _filings_takeaway)
def filings(fetch: Fetch, scope: Scope) -> go.Figure | None:
    rows = _filings(fetch, scope)
    if rows.empty or rows["filed"].sum() == 0:
        return None
    partial = _partial(scope)
    colors = [THEME["muted"] if partial and int(y) == scope.as_of.year else THEME["primary"] for y in rows["year"]]
    names = [f"{int(y)}年（截至{scope.as_of.month}月{scope.as_of.day}日）" if partial and int(y) == scope.as_of.year
             else f"{int(y)}年" for y in rows["year"]]
    fig = go.Figure(go.Bar(x=rows["year"], y=rows["filed"], text=rows["filed"], textposition="outside",
                           cliponaxis=False, marker_color=colors, customdata=names,
                           hovertemplate="%{customdata}：%{y} 个<extra></extra>"))
    _year_axis(fig, rows["year"])
    fig.update_yaxes(title_text=f"当年{scope.profile.terms.act}（个）", **whole_numbers(rows["filed"].max()))
    fig.update_layout(showlegend=False)
    return fig
