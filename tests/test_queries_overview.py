"""overview_kpis: the 总览 page's key figures; who counts as active, and as a current member.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

import pytest

from queries.policy import Target
from registries import D, W, rows, with_targets


# ----------------------------------------------------------------------------- overview_kpis


def test_overview_kpis(con):
    [row] = rows(con, "overview_kpis")
    assert row == {
        "active_alliances": 4,            # A1 A2 A4 (filed on AS_OF) A5; A3 revoked, A6 never filed, A7 filed later
        "filed_this_year": 1,             # A4
        "members": 17,                    # A1 10 + A2 5 + A4 2 + A5 0
        "subsidy_this_year_wan": W("123.456789"),              # A1 2024 项目经费 1,234,567.89 元
        "subsidy_total_wan": W("313.456789"),                  # 50 + 30 + 123.456789 + 60 + 50 (A3's counts; 已收回 and 2025 do not)
        "evaluations_overdue": 1,         # A2: 2021-03-01 + 3 years < AS_OF
        "reports_missing": 1,             # A2's 2023 report; A5, filed in 2023, owes reports from 2024
        "agreements_expired": 0,          # Tianjin sets no agreement term
        "report_year": 2023,
        "next_target_label": None,        # 十三五 (2020) is past
        "next_target_year": None,
        "next_target_low": None,
        "next_target_high": None,
        "next_target_achieved": None,
        "next_target_gap": None,
        "next_target_progress": None,
    }


def test_overview_next_target(con):
    # A2 (2021), A5 (2023), A4 (2024-06-30) count from 2021; A7 filed after AS_OF does not.
    profile = with_targets(Target("十四五", 2025, 6, 8, 2021), Target("远期", 2030, 20, 30, 0))
    [row] = rows(con, "overview_kpis", profile=profile)
    assert (row["next_target_label"], row["next_target_year"], row["next_target_low"], row["next_target_high"],
            row["next_target_achieved"], row["next_target_gap"]) == ("十四五", 2025, 6, 8, 3, 3)
    assert row["next_target_progress"] == pytest.approx(0.5)


def test_active_means_filed_on_or_before_and_not_revoked_on_or_before(con):
    # A3 was revoked on 2022-12-31: in the registry the day before, not on that day.
    assert rows(con, "overview_kpis", as_of=D("2022-12-30"))[0]["active_alliances"] == 3  # A1 A2 A3
    assert rows(con, "overview_kpis", as_of=D("2022-12-31"))[0]["active_alliances"] == 2  # A1 A2
    # A4 is filed on 2024-06-30: not yet the day before.
    assert rows(con, "overview_kpis", as_of=D("2024-06-29"))[0]["active_alliances"] == 3


def test_current_members_respect_join_and_leave_dates(con):
    # 天津壬公司 left A1 on 2023-12-31: a member on 2023-12-30, not on 2023-12-31.
    # On those days A1 A2 A5 are active (A4 not yet): A1 10 (+壬) + A2 5.
    assert rows(con, "overview_kpis", as_of=D("2023-12-30"))[0]["members"] == 16
    assert rows(con, "overview_kpis", as_of=D("2023-12-31"))[0]["members"] == 15
    # 天津癸公司 joins A1 on 2024-07-15.
    assert rows(con, "overview_kpis", as_of=D("2024-07-15"))[0]["members"] == 18 + 0  # A7 (filed 07-01) has no members
