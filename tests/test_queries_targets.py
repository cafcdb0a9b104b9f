"""target_progress, target_trajectory and target_outlook: the 目标进度 queries.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.

The filings: A3 2016 (新材料, revoked 2022-12-31), A1 2019 (高端装备), A2 2021 (新一代信息技术),
A5 2023 (未归类), A4 2024-06-30 (生物医药与健康); A7 is filed the day after, A6 never.
The last complete year is 2023; the pace is the filings of 2021–2023 ÷ 3 = 2/3.
"""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from queries.policy import Profile, Target, load_profile
from registries import D, rows, with_targets


# ----------------------------------------------------------------------------- target_progress


def test_target_progress(con):
    profile = with_targets(Target("累计", 2020, 2, 3, 0), Target("十四五", 2025, 6, 8, 2021))
    got = rows(con, "target_progress", profile=profile)
    cols = "year filed revoked active_end_of_year cumulative_filed target_label achieved gap".split()
    assert [tuple(r[k] for k in cols) for r in got] == [
        (2016, 1, 0, 1, 1, None, None, None),    # A3
        (2017, 0, 0, 1, 1, None, None, None),
        (2018, 0, 0, 1, 1, None, None, None),
        (2019, 1, 0, 2, 2, None, None, None),    # A1
        (2020, 0, 0, 2, 2, "累计", 2, 0),
        (2021, 1, 0, 3, 3, None, None, None),    # A2
        (2022, 0, 1, 2, 3, None, None, None),    # A3 revoked 2022-12-31
        (2023, 1, 0, 3, 4, None, None, None),    # A5
        (2024, 1, 0, 4, 5, None, None, None),    # A4 on AS_OF; A7 (07-01) after AS_OF
        (2025, None, None, None, None, "十四五", 3, 3),   # A2 A5 A4 since 2021
    ]
    # pace = filings in 2021–2023 (the last 3 complete years before 2024-06-30) / 3 = 2/3
    by_year = {r["year"]: r for r in got}
    assert by_year[2023]["pace"] is None
    assert by_year[2024]["pace"] == pytest.approx(2 / 3)
    assert by_year[2024]["projected_cumulative"] == pytest.approx(4 + 2 / 3)       # 4 at end of 2023
    assert by_year[2025]["projected_cumulative"] == pytest.approx(4 + 4 / 3)
    assert by_year[2020]["projected_achieved"] == 2 and by_year[2020]["on_track"] is True
    # 十四五: 2 achieved by end of 2023 (A2, A5) + 2/3 × 2 years = 10/3 < 6
    assert by_year[2025]["projected_achieved"] == pytest.approx(10 / 3)
    assert by_year[2025]["on_track"] is False
    assert (by_year[2025]["target_low"], by_year[2025]["target_high"], by_year[2025]["target_count_from"]) == (6, 8, 2021)


def test_target_progress_tianjin_thirteenth_plan(con):
    got = {r["year"]: r for r in rows(con, "target_progress")}
    assert list(got) == list(range(2016, 2025))
    # 十三五: filings 2016–2020 = A3 (2016), A1 (2019)
    assert (got[2020]["target_label"], got[2020]["achieved"], got[2020]["gap"], got[2020]["on_track"]) == \
        ("十三五", 2, 78, False)


def test_target_progress_projection_starts_after_last_complete_year(con):
    # On 12-31 the year itself is complete.
    got = {r["year"]: r for r in rows(con, "target_progress", as_of=D("2023-12-31"))}
    assert got[2023]["pace"] is None
    assert 2024 not in got


# Targets chosen to reach every branch (label, year, low, high, count_from):
TARGETS = (
    Target("远期", 2026, 10, 12, 0),     # open, cumulative since the start
    Target("明年", 2025, 3, 3, 2024),    # open, counting since the as_of year
    Target("今年", 2024, 1, 2, 2023),    # the as_of year: already at its upper bound
    Target("早期", 2019, 2, 3, 0),       # over and met exactly
    Target("后期", 2027, 3, 3, 2026),    # counting starts after the as_of year
    Target("同年", 2024, 4, 4, 2021),    # shares 2024 with 今年: target_progress repeats that year
)


@pytest.fixture(scope="module")
def many_targets() -> Profile:
    return dataclasses.replace(load_profile("tianjin-2018"), targets=TARGETS)


# ----------------------------------------------------------------------------- target_trajectory


def trajectory(con, profile, **kw) -> dict[str, list[tuple]]:
    got: dict[str, list[tuple]] = {}
    for r in rows(con, "target_trajectory", profile=profile, **kw):
        projected = None if r["projected"] is None else round(float(r["projected"]), 3)
        got.setdefault(r["target_label"], []).append((r["year"], r["filed"], r["counted"], projected))
    return got


def test_target_trajectory_tianjin(con):
    # 十三五: 2016–2020, filings A3 (2016) and A1 (2019); over by 2024, so no projection
    assert trajectory(con, "tianjin-2018") == {"十三五": [
        (2016, 1, 1, None), (2017, 0, 1, None), (2018, 0, 1, None), (2019, 1, 2, None), (2020, 0, 2, None)]}


def test_target_trajectory_every_branch(con, many_targets):
    got = trajectory(con, many_targets)
    third = round(2 / 3, 3)
    # cumulative: 1 1 1 2 2 3 3 4 5 (2024 counted once although two targets fall in it);
    # projected from the end of 2023 (4) at 2/3 a year
    assert got["远期"] == [
        (2016, 1, 1, None), (2017, 0, 1, None), (2018, 0, 1, None), (2019, 1, 2, None), (2020, 0, 2, None),
        (2021, 1, 3, None), (2022, 0, 3, None), (2023, 1, 4, 4.0), (2024, 1, 5, round(4 + 2 / 3, 3)),
        (2025, None, None, round(4 + 4 / 3, 3)), (2026, None, None, 6.0)]
    # since 2024: A4; nothing counted by the end of 2023, so the projection starts from 0 there
    assert got["明年"] == [(2024, 1, 1, third), (2025, None, None, round(4 / 3, 3))]
    # since 2023: A5 (2023) then A4
    assert got["今年"] == [(2023, 1, 1, 1.0), (2024, 1, 2, round(1 + 2 / 3, 3))]
    assert got["早期"] == [(2016, 1, 1, None), (2017, 0, 1, None), (2018, 0, 1, None), (2019, 1, 2, None)]
    # counting starts in 2026: projected from 0 at the end of 2025 (outside its rows)
    assert got["后期"] == [(2026, None, None, third), (2027, None, None, round(4 / 3, 3))]
    # since 2021: A2, A5, A4
    assert got["同年"] == [(2021, 1, 1, None), (2022, 0, 1, None), (2023, 1, 2, 2.0), (2024, 1, 3, round(2 + 2 / 3, 3))]


def test_target_trajectory_ends_agree_with_target_progress(con, many_targets):
    progress = {r["target_label"]: r for r in rows(con, "target_progress", profile=many_targets) if r["target_label"]}
    for label, points in trajectory(con, many_targets).items():
        year, _, counted, projected = points[-1]
        assert year == progress[label]["year"]
        if projected is not None:
            assert projected == pytest.approx(float(progress[label]["projected_achieved"]), abs=1e-3)
        else:
            assert counted == progress[label]["achieved"]


def test_target_trajectory_without_targets(con):
    assert rows(con, "target_trajectory", profile="heilongjiang-2009") == []


# ----------------------------------------------------------------------------- target_outlook

OUTLOOK = ("target_label status period_over achieved gap versus_low versus_high from_year years_left "
           "counted_recently needed_per_year needed_per_year_high on_track").split()


def outlook(con, profile, **kw) -> list[tuple]:
    return [tuple(r[c] for c in OUTLOOK) for r in rows(con, "target_outlook", profile=profile, **kw)]


def test_target_outlook_tianjin_past_target(con):
    # 十三五 (80–100 from 2016 by 2020): 2 filed (A3, A1) — 78 short of 80
    assert outlook(con, "tianjin-2018") == [
        ("十三五", "未达标", True, 2, 78, -78, -98, None, None, None, None, None, False)]


def test_target_outlook_every_branch(con, many_targets):
    assert outlook(con, many_targets) == [
        # over; 2 by 2019 (A3, A1) = the lower bound
        ("早期", "已达标", True, 2, 0, 0, -1, None, None, None, None, None, True),
        # 2024 only: 1 by the end of 2023 (A5) + A4 = 2 = the upper bound → nothing more needed
        ("今年", "已达标", False, 2, 0, 1, 0, 2024, 1, 1, 0, 0, True),
        # 2024: 2 by the end of 2023 (A2, A5), 1 this year (A4); 4 − 2 = 2 in one year
        ("同年", "进行中", False, 3, 1, -1, -1, 2024, 1, 1, 2, 2, False),
        # 2024–2025: 0 before 2024, A4 since; ⌈3 / 2⌉ = 2 a year
        ("明年", "进行中", False, 1, 2, -2, -2, 2024, 2, 1, 2, 2, False),
        # 2024–2026: 4 by the end of 2023; ⌈(10 − 4) / 3⌉ = 2, to the upper bound ⌈(12 − 4) / 3⌉ = 3
        ("远期", "进行中", False, 5, 5, -5, -7, 2024, 3, 1, 2, 3, False),
        # counting starts in 2026: two years for 3 → 2 a year
        ("后期", "进行中", False, 0, 3, -3, -3, 2026, 2, 0, 2, 2, False),
    ]


def test_target_outlook_pace_and_projection(con, many_targets):
    got = {r["target_label"]: r for r in rows(con, "target_outlook", profile=many_targets)}
    assert got["早期"]["pace"] is None                                   # over: no pace shown
    assert got["远期"]["pace"] == pytest.approx(2 / 3)
    assert got["远期"]["projected_achieved"] == pytest.approx(6)         # 4 + 2/3 × 3
    assert got["同年"]["projected_achieved"] == pytest.approx(2 + 2 / 3)


def test_target_outlook_on_the_last_day_of_a_year(con, many_targets):
    # 2023-12-31: 2023 is complete, so 2024 is the first year still to count.
    got = {r["target_label"]: r for r in rows(con, "target_outlook", profile=many_targets, as_of=date(2023, 12, 31))}
    # 远期: 4 by then; 2024–2026 → ⌈6 / 3⌉ = 2
    assert (got["远期"]["from_year"], got["远期"]["years_left"], got["远期"]["needed_per_year"]) == (2024, 3, 2)
    assert got["远期"]["counted_recently"] == 0


def test_target_outlook_filters_count_the_scope_against_the_whole_target(con):
    # 滨海新区 holds A1 only (filed 2019, within 十三五)
    got = rows(con, "target_outlook", filters=dict(regions=("滨海新区",)))
    assert [(r["achieved"], r["gap"], r["target_low"]) for r in got] == [(1, 79, 80)]
