"""Figures: every chart the dashboard shows and the briefing exports, built in one place.

A chart is registered once with ``@chart``: its id, the page it belongs to, its title,
the named queries it reads, a builder that turns their results into a Plotly figure and a
takeaway — one Chinese sentence computed from the same data, for briefing slides. Pages
render charts by id; the briefing pack renders the same ids, so a slide always matches
the page. A title may name the profile's own words ({cluster}, {act}, {review},
{conditions}: 领域 under Heilongjiang, 认定 under Weinan). ``applies`` declares when a chart
means something under a profile (a review chart needs a review cycle): pages show the
reason instead of the chart, and the briefing catalogue leaves the chart out. Nothing here
imports Streamlit.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from queries.fetch import Fetch
from queries.policy import UNCLASSIFIED, Profile, load_taxonomy
from queries.scope import Scope

ROOT = Path(__file__).resolve().parent.parent
THEME = tomllib.loads((ROOT / "data" / "theme.toml").read_text(encoding="utf-8"))
# plotly_white's look, with defaults only for the trace types the charts draw: each figure deep-copies its
# template, and plotly_white's defaults for every trace type cost 10–20 ms a chart on screen and in packs.
TEMPLATE = "联盟看板"
pio.templates[TEMPLATE] = go.layout.Template(
    layout=pio.templates["plotly_white"].layout,
    data={kind: pio.templates["plotly_white"].data[kind] for kind in ("bar", "heatmap", "pie", "scatter")})


# Why a chart means nothing under a scope (Chinese, citing the clause), or None when it applies.
Applies = Callable[[Fetch, Scope], "str | None"]


def always(fetch: Fetch, scope: Scope) -> str | None:
    """Every profile has this chart."""
    return None


def needs_cycle(fetch: Fetch, scope: Scope) -> str | None:
    """Review charts: only under a profile with an evaluation (复审) cycle."""
    p = scope.profile
    return None if p.review.cycle_years else f"{p.name}未规定{p.terms.review}周期（{p.clauses.cycle}），本图不适用。"


def needs_targets(fetch: Fetch, scope: Scope) -> str | None:
    """Target charts: only under a profile with a count target."""
    p = scope.profile
    return None if p.targets else f"{p.name}未规定联盟数量目标（{p.clauses.target}），本图不适用。"


def needs_agreement_term(fetch: Fetch, scope: Scope) -> str | None:
    """Agreement charts: only under a profile with an agreement term (Heilongjiang: re-signed every 3–5 years)."""
    p = scope.profile
    return None if p.review.agreement_term_years else f"{p.name}未规定联盟协议期限（{p.clauses.agreement}），本图不适用。"


def needs_classified(fetch: Fetch, scope: Scope) -> str | None:
    """Charts by cluster: only with a taxonomy and at least one alliance in the registry classified under it."""
    p = scope.profile
    if not p.taxonomy:
        return f"{p.name}没有{p.terms.cluster}分类，本图不适用。"
    rows = fetch("coverage_by_cluster")
    classified = rows.loc[rows["cluster"] != UNCLASSIFIED, "alliances_active"].sum()
    if rows["alliances_active"].sum() and not classified:
        return (f"在册联盟全部未归入{p.terms.cluster}（100% 未归类），按{p.terms.cluster}画图没有意义；"
                "请先在覆盖页末的“未归类的联盟”中归类。")
    return None


@dataclass(frozen=True)
class Chart:
    """A registered chart: what it shows and how to build it from named queries."""

    id: str
    page: str                                       # the page title it appears on (总览, 目标进度 …)
    title: str                                      # may hold {cluster} {act} {review} {conditions}: title_for()
    build: Callable[[Fetch, Scope], go.Figure | None]  # None: nothing to draw (empty state)
    takeaway: Callable[[Fetch, Scope], str]
    queries: tuple[str, ...] = field(default=())    # named queries it reads, for the footnote and docs
    applies: Applies = always
    same_as: str = ""                               # id of the chart it repeats on another page (packs hold one)

    def title_for(self, profile: Profile) -> str:
        """The title in the profile's words: 各领域在册联盟数 under Heilongjiang."""
        return self.title.format(**asdict(profile.terms))

    def page_for(self, profile: Profile) -> str:
        """The page's title in the profile's words, as the page shows it: 领域覆盖, 复审与报告."""
        return profile.in_words(self.page)

    def why_not(self, fetch: Fetch, scope: Scope) -> str | None:
        """Why this chart does not apply under ``scope`` (shown instead of it), or None."""
        return self.applies(fetch, scope)


CHARTS: dict[str, Chart] = {}


def chart(id: str, page: str, title: str, queries: tuple[str, ...],
          takeaway: Callable[[Fetch, Scope], str], *, applies: Applies = always, same_as: str = "") -> Callable:
    """Register a chart builder under ``id`` (a decorator); ``applies`` and ``same_as`` as on Chart."""
    def register(build: Callable[[Fetch, Scope], go.Figure | None]) -> Callable:
        if id in CHARTS:
            raise ValueError(f"chart id {id!r} registered twice")
        CHARTS[id] = Chart(id, page, title, build, takeaway, queries, applies, same_as)
        return build
    return register


def for_profile(c: Chart, profile: Profile) -> Chart:
    """The chart with its title in the profile's words."""
    return replace(c, title=c.title_for(profile))


def in_profile_words(text: str, profile: Profile) -> str:
    """A label written in Tianjin's words (备案, 产业集群, 评估) in the profile's: 认定日期 under Weinan."""
    t = profile.terms
    for word, own in (("产业集群", t.cluster), ("备案", t.act), ("评估", t.review)):
        text = text.replace(word, own)
    return text


def column_labels(query: str, profile: Profile) -> dict[str, str]:
    """A named query's column labels (its header) in the profile's words, for table headers and downloads."""
    from queries import catalogue

    return {name: in_profile_words(label, profile) for name, label in catalogue.get_query(query).labels.items()}


MAX_BARS = 20  # categories one bar chart shows; the rest become one 其余 bar, so no chart grows with the registry


def top_rows(rows: pd.DataFrame, label: str, value: str, what: str, n: int = MAX_BARS) -> pd.DataFrame:
    """At most ``n`` rows: the ``n - 1`` largest by ``value`` in their given order, then one row summing the rest.

    The summed row is labelled 其余 K 个{what}; every other numeric column is summed into it too, so
    the chart's total is unchanged.
    """
    if len(rows) <= n:
        return rows
    keep = rows[value].rank(method="first", ascending=False) <= n - 1
    rest = rows[~keep]
    other = rest.select_dtypes("number").sum().to_dict()
    other[label] = f"其余 {len(rest)} 个{what}"
    return pd.concat([rows[keep], pd.DataFrame([other])], ignore_index=True)


def footnote(scope: Scope, source: str = "联盟登记库") -> str:
    """数据来源：…；截至…年…月…日 — carried by every chart and table."""
    d = scope.as_of
    return f"数据来源：{source}；截至{d.year}年{d.month}月{d.day}日"


def cluster_colors(taxonomy_id: str) -> dict[str, str]:
    """One fixed colour per taxonomy entry (by its position), grey for 未归类."""
    colors: dict[str, str] = {UNCLASSIFIED: THEME["unclassified"]}
    if taxonomy_id:
        palette = THEME["categorical"]
        for i, entry in enumerate(load_taxonomy(taxonomy_id).entries):
            colors[entry.name] = palette[i % len(palette)]
    return colors


def styled(fig: go.Figure, title: str, scope: Scope, *, y_title: str | None = None, x_title: str | None = None,
           source: str = "联盟登记库") -> go.Figure:
    """Apply the theme, the title and the source/as-of footnote to a figure."""
    bottom = 100  # px kept below the plot for tick labels and the footnote
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=THEME["title_size"])),
        font=dict(family=THEME["font_family"], size=THEME["font_size"]),
        colorway=THEME["categorical"],
        margin=dict(l=70, r=30, t=70, b=bottom),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
        separators=".,",
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    # Placed in pixels below the plot area, so it stays inside the figure at any export size.
    fig.add_annotation(text=footnote(scope, source), xref="paper", yref="paper", x=0, y=0, yshift=-(bottom - 22),
                       xanchor="left", yanchor="top", showarrow=False, font=dict(size=11, color=THEME["muted"]))
    return fig


def _text_px(text: object, size: float) -> float:
    """A label's width in pixels, roughly: a CJK character is as wide as the font is high, others ~0.6 of it."""
    return sum(size if ord(ch) >= 0x2E80 else 0.62 * size for ch in str(text))


def _axis_labels(fig: go.Figure, letter: str) -> list[str]:
    """The tick labels an axis will show, as far as the data says: its categories, or its largest number."""
    axis = fig.layout[f"{letter}axis"]
    if axis.ticktext:
        return [str(t) for t in axis.ticktext]
    data = [trace[letter] for trace in fig.data if trace[letter] is not None and len(trace[letter])]
    if levels := [d for d in data if isinstance(d[0], (list, tuple))]:
        # a two-level axis (cluster group, cluster), one list per level: the longest label of each, side by side
        return ["　".join(max(map(str, (v for d in levels for v in d[i])), key=len) for i in range(len(levels[0])))]
    values = [v for d in data for v in d]
    words = [v for v in values if isinstance(v, str)]
    if words:
        return words
    if any(isinstance(v, (dt.date, np.datetime64)) for v in values):
        return ["12月<br>2026"]             # a date axis: month, and the year under a year's first month
    numbers = [abs(float(v)) for v in values if isinstance(v, (int, float, np.number)) and not pd.isna(v)]
    return [f"{10 * max(numbers, default=0):,.0f}"]       # a digit to spare: the top tick can pass the largest value


def fit_margins(fig: go.Figure, size: float = THEME["font_size"]) -> go.Figure:
    """Margins wide enough for the tick labels, axis titles, legend and colour bar, worked out from the data.

    Plotly's automargin measures the drawn labels and, when they do not fit, draws the chart again: on a
    page of four charts that second drawing was ~0.15 s of the browser's time. Margins set here to what the
    labels need leave it nothing to do (it stays on, and corrects an estimate that falls short).
    """
    if any(trace.type == "pie" for trace in fig.data):     # no axes; its labels sit inside the ring
        return fig
    line = 1.6 * size

    def widest(labels: list[str], letter: str) -> float:
        tick = fig.layout[f"{letter}axis"].tickfont.size or size
        return max((_text_px(t, tick) for t in labels), default=0)

    left = widest(_axis_labels(fig, "y"), "y") + 22
    if fig.layout.yaxis.title.text:
        left += line + 8
    xs = _axis_labels(fig, "x")
    bottom = 18 + line * max((str(t).count("<br>") + 1 for t in xs), default=1)
    if sum(_text_px(t, size) + 8 for t in xs) > 420:      # crowded categories: Plotly turns them 30° or more
        bottom = 18 + 0.5 * widest(xs, "x") + line
    if fig.layout.xaxis.title.text:
        bottom += line + 4
    named = [t for t in fig.data if t.showlegend is not False and t.name]
    if len(named) > 1 and fig.layout.showlegend is not False:
        bottom += (line + 8) * (1 + sum(_text_px(t.name, size) + 40 for t in named) // 700)
    # a colour bar and its title; else room for a value label or a turned category label at the right end
    bars = [t for t in fig.data if t.type == "heatmap" and t.showscale is not False]
    right = max((70 + max(_text_px(t.colorbar.title.text or "", size), 40) for t in bars), default=40)
    fig.update_layout(margin=dict(l=max(70, round(left)), r=round(right), b=round(bottom)))
    return fig


def render(chart_id: str, fetch: Fetch, scope: Scope) -> tuple[go.Figure | None, str]:
    """A registered chart's figure (None when there is nothing to draw) and its takeaway."""
    c = all_charts()[chart_id]
    fig = c.build(fetch, scope)
    if fig is not None:
        styled(fig, fig.layout.title.text or c.title_for(scope.profile), scope)
    return fig, c.takeaway(fetch, scope)


@cache
def _load_all() -> None:
    """Import every figures module so its charts register (pages and briefings see them all); once per
    process, not a directory listing on every chart a page shows."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


def all_charts() -> dict[str, Chart]:
    _load_all()
    return CHARTS


__all__ = ["CHARTS", "MAX_BARS", "Chart", "Fetch", "Scope", "THEME", "all_charts", "always", "chart", "cluster_colors",
           "column_labels", "fit_margins", "footnote", "for_profile", "in_profile_words", "needs_agreement_term",
           "needs_classified", "needs_cycle", "needs_targets", "render", "styled", "top_rows"]

