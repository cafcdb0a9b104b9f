"""alliance_members, region_distribution, member_composition and cross_region: members and regions.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

import pytest

from queries.policy import load_profile
from registries import W, rows, table


# ----------------------------------------------------------------------------- alliance_members


def test_alliance_members(con):
    got = table(con, "alliance_members", "alliance_id members enterprises universities institutes finance_bodies "
                                         "intermediaries other_units core_members local_core_members local_members "
                                         "neighbour_members other_place_members unknown_place_members "
                                         "neighbour_places_found")
    assert got == [
        # 天津壬公司 (left) and 天津癸公司 (joins later) are not counted; 北京丙研究院 is core but not local
        ("A1", 10, 5, 2, 1, 1, 1, 0, 4, 3, 7, 2, 1, 0, "北京、河北"),
        # 天津市河北区 is local (天津 wins over 河北); 无名公司 has no 注册地
        ("A2", 5, 4, 0, 1, 0, 0, 0, 3, 1, 1, 2, 1, 1, "北京"),
        ("A4", 2, 1, 1, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, ""),
        ("A5", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ""),   # no members: a row of zeros
    ]


# ----------------------------------------------------------------------------- regions, members


def test_region_distribution(con):
    got = table(con, "region_distribution", "region in_list alliances_active filed_total members subsidy_wan")
    listed = load_profile("tianjin-2018").regions
    expected = {
        "南开区": (True, 1, 1, 5, W("60")),            # 天津市南开区 contains 南开区
        "东丽区": (True, 1, 1, 0, W("0")),             # 东丽 + 区
        "滨海新区": (True, 1, 1, 10, W("203.456789")),
        "武清区": (True, 0, 0, 0, W("0")),             # A7 filed after AS_OF
    }
    assert got == [(r, *expected.get(r, (True, 0, 0, 0, W("0")))) for r in listed] + [
        ("天津经济技术开发区", False, 0, 1, 0, W("50")),  # outside the list: shown as written (A3, revoked)
        ("未填", False, 1, 1, 2, W("0")),                 # A4
    ]
    shares = {r["region"]: r["share"] for r in rows(con, "region_distribution")}
    assert shares["南开区"] == pytest.approx(0.25) and shares["和平区"] == 0


def test_member_composition(con):
    got = table(con, "member_composition", "unit_type pillar members alliances_with")
    assert got == [
        ("企业", "产", 10, 3), ("高校", "学", 3, 2), ("科研院所", "研", 2, 2),
        ("金融机构", "金", 1, 1), ("中介机构", "介", 1, 1), ("其他", "其他", 0, 0),
    ]
    assert [r["share"] for r in rows(con, "member_composition")] == pytest.approx(
        [10 / 17, 3 / 17, 2 / 17, 1 / 17, 1 / 17, 0])


def test_cross_region(con):
    got = table(con, "cross_region", "alliance members local_members neighbour_members other_members "
                                     "unknown_members neighbour_places_found neighbour_cooperation")
    assert got == [
        ("机器人联盟", 10, 7, 2, 1, 0, "北京、河北", True),   # 北京丙研究院, 河北丁公司; 上海己公司
        ("芯片联盟", 5, 1, 2, 1, 1, "北京", True),           # two 北京; 深圳; one blank 注册地
    ]
    assert rows(con, "cross_region", profile="most-2009") == []   # national: no "local"


def test_member_counts_reach_pandas_as_whole_numbers(con):
    """runner.run's contract: integers are Int64. Sums of counts are HUGEINT in DuckDB (DECIMAL(38, 0) in Arrow);
    they once arrived as float64 with the money columns, so a list showed 5.0 members."""
    from queries import runner
    from queries.scope import Scope
    from registries import AS_OF

    scope = Scope(load_profile("tianjin-2018"), AS_OF)
    counts = {"alliance_members": ["members", "enterprises", "core_members", "local_core_members", "unknown_place_members"],
              "eligibility_check": ["member_count", "core_member_count"],
              "cross_region": ["local_members", "neighbour_members", "other_members", "unknown_members"],
              "member_composition": ["members", "alliances_with"]}
    for name, columns in counts.items():
        frame = runner.run(con, name, scope)
        assert {c: str(frame[c].dtype) for c in columns} == dict.fromkeys(columns, "Int64"), name
    assert str(runner.run(con, "region_distribution", scope)["subsidy_wan"].dtype) == "float64"   # money: scaled
