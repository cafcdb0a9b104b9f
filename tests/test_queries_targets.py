"""The queries added for the 目标进度 and 产业集群覆盖 pages, on the registry of tests/registries.py.

Every expected figure was worked out by hand from the fixture's story (as of 2024-06-30):
filings A3 2016 (新材料, revoked 2022-12-31), A1 2019 (高端装备), A2 2021 (新一代信息技术),
A5 2023 (未归类), A4 2024-06-30 (生物医药与健康); A7 is filed the day after, A6 never.
The last complete year is 2023; the pace is the filings of 2021–2023 ÷ 3 = 2/3.
"""
from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from loaders.registry import connect_read_only
from queries import policy, runner
from queries.policy import Profile, Target, load_profile, load_taxonomy
from queries.scope import Scope
from registries import AS_OF, REGISTRY, build

TIANJIN = load_taxonomy("tianjin-clusters").entry_names


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("registry") / "registry.duckdb", REGISTRY)


@pytest.fixture(scope="module")
def con(registry: Path):
    # one connection for the module: the runner rebuilds its context tables when the profile,
    # taxonomy, overrides file or filters change, which these tests rely on
    c = connect_read_only(registry)
    yield c
    c.close()


def rows(con, name: str, profile: str | Profile = "tianjin-2018", as_of: date = AS_OF,
         filters: dict | None = None, **params) -> list[dict]:
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    columns, data = runner.fetch(con, name, Scope(profile, as_of, **(filters or {})), **params)
    return [dict(zip(columns, row)) for row in data]


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


# ----------------------------------------------------------------------------- cluster_filings_by_year


def test_cluster_filings_by_year(con):
    got = rows(con, "cluster_filings_by_year")
    years = list(range(2016, 2025))        # first filing (A3, 2016) to the as_of year
    assert [(r["cluster"], r["year"]) for r in got] == [(c, y) for c in (*TIANJIN, "未归类") for y in years]
    nonzero = {(r["cluster"], r["year"]): r["filed"] for r in got if r["filed"]}
    assert nonzero == {("新材料", 2016): 1, ("高端装备", 2019): 1, ("新一代信息技术", 2021): 1,
                       ("未归类", 2023): 1, ("生物医药与健康", 2024): 1}   # A7 (航空航天) is filed after AS_OF


def test_cluster_filings_by_year_sums_to_target_progress(con):
    per_year: dict[int, int] = {}
    for r in rows(con, "cluster_filings_by_year"):
        per_year[r["year"]] = per_year.get(r["year"], 0) + r["filed"]
    assert per_year == {2016: 1, 2017: 0, 2018: 0, 2019: 1, 2020: 0, 2021: 1, 2022: 0, 2023: 1, 2024: 1}


def test_cluster_filings_by_year_other_taxonomy_and_filters(con):
    got = rows(con, "cluster_filings_by_year", taxonomy="heilongjiang-fields")
    assert len(got) == 16 * 9                                       # 15 fields + 未归类, 2016–2024
    assert got[0]["cluster_group"] == "新材料"
    assert sum(r["filed"] for r in got if r["cluster"] == "未归类") == 5   # none of the fields matches
    # a cluster filter keeps every row, counts only its alliances, and starts at their first filing
    got = rows(con, "cluster_filings_by_year", filters=dict(clusters=("高端装备",)))
    assert {r["year"] for r in got} == set(range(2019, 2025))
    assert [(r["cluster"], r["year"]) for r in got if r["filed"]] == [("高端装备", 2019)]


def test_cluster_filings_by_year_without_filings(con):
    assert rows(con, "cluster_filings_by_year", as_of=date(2015, 12, 31)) == []


# ----------------------------------------------------------------------------- cluster_assignments

ASSIGNED = "alliance cluster raw_field reason active".split()


def test_cluster_assignments(con):
    got = [tuple(r[c] for c in ASSIGNED) for r in rows(con, "cluster_assignments")]
    assert got == [
        ("空联盟", "未归类", "奇怪领域", "未匹配任何关键词", True),          # 未归类 first
        ("机器人联盟", "高端装备", "高端装备制造（机器人）", "关键词「高端装备制造」", True),  # longest keyword wins
        ("芯片联盟", "新一代信息技术", "集成电路", "关键词「集成电路」", True),
        ("未来联盟", "航空航天", "航空航天", "关键词「航空航天」", False),        # filed after AS_OF
        ("生物医药联盟", "生物医药与健康", "生物医药", "关键词「生物医药」", True),  # filed on AS_OF
        ("申请中联盟", "新能源", "新能源", "关键词「新能源」", False),            # never filed
        ("新材料联盟", "新材料", "稀土永磁材料", "关键词「稀土永磁」", False),      # revoked
    ]


def test_cluster_assignments_honour_overrides(con, tmp_path, monkeypatch):
    overrides = tmp_path / "taxonomy_overrides.csv"
    overrides.write_text("联盟名称,分类体系,归入\n空联盟,tianjin-clusters,节能环保\n", encoding="utf-8")
    monkeypatch.setattr(policy, "OVERRIDES_PATH", overrides)
    got = {r["alliance"]: (r["cluster"], r["reason"]) for r in rows(con, "cluster_assignments")}
    assert got["空联盟"] == ("节能环保", "人工指定")
    assert all(cluster != "未归类" for cluster, _ in got.values())


def test_cluster_assignments_active_rows_match_coverage(con):
    # the 在册 rows of each cluster are coverage_by_cluster's alliances_active
    active: dict[str, int] = {}
    for r in rows(con, "cluster_assignments"):
        active[r["cluster"]] = active.get(r["cluster"], 0) + int(r["active"])
    coverage = {r["cluster"]: r["alliances_active"] for r in rows(con, "coverage_by_cluster")}
    assert {c: n for c, n in coverage.items() if n} == {c: n for c, n in active.items() if n}


def test_cluster_assignments_other_taxonomy_and_filters(con):
    got = rows(con, "cluster_assignments", taxonomy="heilongjiang-fields")
    assert {r["cluster"] for r in got} == {"未归类"} and len(got) == 7
    got = rows(con, "cluster_assignments", filters=dict(regions=("滨海新区",)))
    assert [r["alliance"] for r in got] == ["机器人联盟"]
