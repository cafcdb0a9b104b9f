"""Every chart stays the same size whatever the registry's size: bounded marks, categories and pixels.

A chart that gives each alliance its own row grows with the registry (评估与报告 once drew
8,882 labelled rows, 213,368 px tall, on the national set). Here every registered chart is
built on a generated registry of 4,000 alliances (``data/generate_sample.py --scale``) under
every policy profile, and must stay within the limits below.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import figures
from figures import Scope
from loaders.registry import connect_read_only
from queries import runner
from queries.policy import list_profiles, load_profile
from registries import national_scale

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 21)
MAX_HEIGHT = 900          # px: a slide or a screen, never a scroll of its own
MAX_CATEGORIES = 40       # labelled rows or columns on one axis
MAX_POINTS = 400          # marks in one trace (a month grid of 18 × 3 statuses is far below)
MAX_MARGIN = 460          # px beside the plot for labels: the longest alliance name at the timeline's font


@pytest.fixture(scope="module")
def large_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4,000 alliances, ~80k members, written by the national-scale generator and loaded by the CLI."""
    return national_scale(tmp_path_factory.mktemp("large"), 4000)


def _categories(values) -> int:
    return len({str(v) for v in values}) if values is not None else 0


@pytest.mark.parametrize("profile_id", list_profiles())
def test_every_programme_chart_is_bounded_on_a_large_registry(large_db: Path, profile_id: str) -> None:
    scope = Scope(load_profile(profile_id), AS_OF, 2010, AS_OF.year)
    con = connect_read_only(large_db)

    def fetch(name: str, as_of: dt.date | None = None, **params) -> pd.DataFrame:
        return runner.run(con, name, Scope(scope.profile, as_of or scope.as_of), **params)

    drawn = 0
    try:
        for chart in figures.all_charts().values():
            if chart.id.startswith("alliance_"):
                continue                          # one alliance's file: bounded by that alliance, tested below
            fig, _ = figures.render(chart.id, fetch, scope)
            if fig is None:
                continue
            drawn += 1
            height = fig.layout.height or 450
            assert height <= MAX_HEIGHT, (chart.id, height)
            for trace in fig.data:
                x, y = getattr(trace, "x", None), getattr(trace, "y", None)
                horizontal = getattr(trace, "orientation", None) == "h"
                labels = getattr(trace, "labels", None)
                if labels is not None:
                    assert _categories(labels) <= MAX_CATEGORIES, (chart.id, trace.name)
                    continue
                if x is None and y is None:
                    continue
                axis = y if (horizontal or trace.type == "scatter" and y is not None and
                             isinstance(next(iter(y), None), str)) else x
                assert _categories(axis) <= MAX_CATEGORIES, (chart.id, trace.type, trace.name)
                assert len(x if x is not None else y) <= MAX_POINTS, (chart.id, trace.type, trace.name)
            # the margins a page gives it (figures.fit_margins, from its labels) are bounded too
            margin = figures.fit_margins(fig).layout.margin
            assert max(margin.l, margin.r, margin.b) <= MAX_MARGIN, (chart.id, margin)
    finally:
        con.close()
    assert drawn >= 5


def test_timeline_names_the_rest(large_db: Path) -> None:
    """The per-alliance timeline lists the earliest due and says how many more there are."""
    scope = Scope(load_profile("tianjin-2018"), AS_OF, 2010, AS_OF.year)
    con = connect_read_only(large_db)
    try:
        schedule = runner.run(con, "review_schedule", Scope(scope.profile, AS_OF))

        def fetch(name: str, as_of: dt.date | None = None, **params) -> pd.DataFrame:
            return runner.run(con, name, Scope(scope.profile, as_of or AS_OF), **params)

        fig, _ = figures.render("reviews_timeline", fetch, scope)
    finally:
        con.close()
    from figures.alliance import plain_text
    from figures.reviews import TIMELINE_MONTHS, TIMELINE_ROWS, due_within

    due = due_within(schedule, scope, TIMELINE_MONTHS)
    assert len(due) > TIMELINE_ROWS                  # the large registry has more than fit
    shown = [name for trace in fig.data for name in trace.y]
    assert len(shown) == TIMELINE_ROWS
    first = due.head(TIMELINE_ROWS)["alliance"].map(plain_text).tolist()
    assert sorted(shown) == sorted(first)          # the earliest due (most overdue) are the ones shown
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert f"另有 {len(due) - TIMELINE_ROWS} 个" in notes


def test_top_rows_by_hand() -> None:
    rows = pd.DataFrame({"region": [f"区{i}" for i in range(25)], "amount_wan": [float(i) for i in range(25)],
                         "count": [1] * 25})
    got = figures.top_rows(rows, "region", "amount_wan", "区域")
    assert len(got) == figures.MAX_BARS
    assert got["region"].tolist()[:-1] == [f"区{i}" for i in range(6, 25)]     # the 19 largest, order kept
    assert got.iloc[-1].tolist() == ["其余 6 个区域", float(sum(range(6))), 6]  # 区0–区5 summed
    assert got["amount_wan"].sum() == rows["amount_wan"].sum()
    assert figures.top_rows(rows.head(20), "region", "amount_wan", "区域").equals(rows.head(20))


def test_one_alliance_charts_are_bounded_for_the_largest_alliance(large_db: Path) -> None:
    from figures.alliance import for_alliance

    scope = Scope(load_profile("tianjin-2018"), AS_OF)
    con = connect_read_only(large_db)
    try:
        biggest = con.execute("select alliance_id from members group by 1 order by count(*) desc limit 1").fetchone()[0]

        def fetch(name: str, as_of: dt.date | None = None, **params) -> pd.DataFrame:
            return runner.run(con, name, Scope(scope.profile, as_of or AS_OF), **params)

        one = for_alliance(fetch, biggest)
        for chart in figures.all_charts().values():
            if not chart.id.startswith("alliance_"):
                continue
            fig, _ = figures.render(chart.id, one, scope)
            if fig is not None:
                assert (fig.layout.height or 450) <= MAX_HEIGHT, chart.id
                for trace in fig.data:
                    assert len(trace.x if trace.x is not None else trace.y or ()) <= MAX_POINTS, chart.id
    finally:
        con.close()
