"""What a chart costs to build and draw: one trace where one series is shown, and the PPTX keeps its colours.

总览's 各产业集群在册联盟数 was drawn with px.bar(color=cluster): a trace per cluster (11 on the
sample), each built, validated, styled and serialised by the server and drawn by plotly.js in the
browser — the slowest chart to build in the 10-chart briefing (1.4 s of figure building under load
on the 120k registry, against ~0.1 s for coverage_alliances, the same data as horizontal bars).
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor

import figures
from briefing import pack
from figures import Scope
from queries.fetch import RegistryFetch
from queries.policy import load_profile
from queries.scope import DEFAULT_YEAR_FROM

AS_OF = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def fetch_scope(sample_db: Path):
    scope = Scope(load_profile("tianjin-2018"), AS_OF, DEFAULT_YEAR_FROM, AS_OF.year)
    with RegistryFetch(sample_db, scope) as fetch:
        yield fetch, scope


def test_overview_coverage_is_one_trace_with_a_colour_per_cluster(fetch_scope) -> None:
    fetch, scope = fetch_scope
    fig, _ = figures.render("overview_coverage", fetch, scope)
    rows = fetch("coverage_by_cluster")
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(fig.data) == len(bars) == 1
    bar = bars[0]
    assert list(bar.x) == rows["cluster"].tolist()                      # taxonomy order, 未归类 included
    assert [int(v) for v in bar.y] == rows["alliances_active"].astype(int).tolist()
    colors = figures.cluster_colors(scope.profile.taxonomy)
    assert list(bar.marker.color) == [colors[c] for c in rows["cluster"]]
    assert bar.showlegend is False and "%{x}：%{y} 个" in bar.hovertemplate
    assert len(rows) > 5                                                  # the sample has every cluster and 未归类


def test_native_slide_keeps_one_series_and_each_bars_colour(fetch_scope) -> None:
    fetch, scope = fetch_scope
    rows = fetch("coverage_by_cluster")
    built = pack.build("pptx", ["overview_coverage"], fetch, scope)
    deck = Presentation(io.BytesIO(built.data))
    charts = [s.chart for slide in deck.slides for s in slide.shapes if s.has_chart]
    assert len(charts) == 1
    plot = charts[0].plots[0]
    assert len(plot.series) == 1 and not charts[0].has_legend
    series = plot.series[0]
    assert list(plot.categories) == rows["cluster"].tolist()
    assert [int(v) for v in series.values] == rows["alliances_active"].astype(int).tolist()
    colors = figures.cluster_colors(scope.profile.taxonomy)
    for i, cluster in enumerate(rows["cluster"]):
        assert series.points[i].format.fill.fore_color.rgb == RGBColor.from_string(colors[cluster].lstrip("#").upper())
