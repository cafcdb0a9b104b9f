"""subsidy_totals and subsidy_cap_check: money by year, kind, cluster and region, and the caps.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

import pytest

from queries import catalogue
from registries import W, rows, table


# ----------------------------------------------------------------------------- subsidies


@pytest.mark.parametrize("group_by, expected", [
    ("year", [(2016, W("50"), 1), (2019, W("50"), 1), (2021, W("60"), 2), (2022, W("30"), 1),
              (2024, W("123.456789"), 1)]),
    ("kind", [("备案补贴", W("160"), 4), ("评估补贴", W("30"), 1), ("项目经费", W("123.456789"), 1)]),
    ("cluster", [("高端装备", W("203.456789"), 3), ("新一代信息技术", W("60"), 2), ("新材料", W("50"), 1)]),
    # list order (南开区 4th, 滨海新区 16th), then text outside the list
    ("region", [("南开区", W("60"), 2), ("滨海新区", W("203.456789"), 3), ("天津经济技术开发区", W("50"), 1)]),
])
def test_subsidy_totals(con, group_by, expected):
    got = rows(con, "subsidy_totals", group_by=group_by)
    assert [list(r) for r in got] == [[group_by, "amount_wan", "count"]] * len(expected)
    assert [tuple(r.values()) for r in got] == expected


@pytest.mark.parametrize("years, expected", [
    # 2019–2022 of the fixture's years: 2019 备案 50, 2021 备案 60 (2 payments), 2022 评估 30
    ({"year_from": 2019, "year_to": 2022}, [("备案补贴", W("110"), 3), ("评估补贴", W("30"), 1)]),
    ({"year_from": 2023}, [("项目经费", W("123.456789"), 1)]),     # up to the as_of year (2024)
    ({"year_to": 2016}, [("备案补贴", W("50"), 1)]),
    ({"year_from": 2017, "year_to": 2018}, []),
])
def test_year_range_narrows_subsidy_totals_and_cap_check(con, years, expected):
    assert table(con, "subsidy_totals", "kind amount_wan count", group_by="kind", **years) == expected
    checked = table(con, "subsidy_cap_check", "kind amount_wan payments", **years)
    by_kind: dict[str, list] = {}
    for kind, amount, payments in checked:
        by_kind.setdefault(kind, [W("0"), 0])
        by_kind[kind][0] += amount
        by_kind[kind][1] += payments
    assert sorted((k, a, n) for k, (a, n) in by_kind.items()) == sorted(expected)


def test_subsidy_totals_rejects_unknown_grouping(con):
    with pytest.raises(catalogue.QueryError, match="group_by"):
        rows(con, "subsidy_totals", group_by="alliance")


def test_subsidy_cap_check(con):
    got = table(con, "subsidy_cap_check", "alliance kind year amount_wan payments cap_wan over_cap excess_wan")
    assert got == [
        ("芯片联盟", "备案补贴", 2021, W("60"), 2, W("50"), True, W("10")),
        ("新材料联盟", "备案补贴", 2016, W("50"), 1, W("50"), False, W("0")),
        ("机器人联盟", "备案补贴", 2019, W("50"), 1, W("50"), False, W("0")),   # equal to the cap is not over
        ("机器人联盟", "评估补贴", 2022, W("30"), 1, W("30"), False, W("0")),
        ("机器人联盟", "项目经费", 2024, W("123.456789"), 1, None, False, None),  # no cap for 项目经费
    ]


def test_subsidy_cap_check_without_caps(con):
    got = table(con, "subsidy_cap_check", "alliance kind cap_wan over_cap", profile="zhejiang-2010")
    assert len(got) == 5 and all(cap is None and over is False for _, _, cap, over in got)
