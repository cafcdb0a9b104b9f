"""review_schedule: evaluations and annual reports due, under each profile's cycle.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

from registries import D, rows, table


# ----------------------------------------------------------------------------- review_schedule


def test_review_schedule(con):
    got = table(con, "review_schedule", "alliance filed_date last_evaluation_date next_evaluation_due days_to_due "
                                        "status last_report_year report_year report_missing agreement_expiry")
    assert got == [
        ("芯片联盟", D("2021-03-01"), None, D("2024-03-01"), -121, "逾期", 2022, 2023, True, None),
        # 复审 2021-09-01 + 3 years; the 三年评估 of 2024-07-05 is after AS_OF
        ("机器人联盟", D("2019-06-28"), D("2021-09-01"), D("2024-09-01"), 63, "即将到期", 2023, 2023, False, None),
        # filed during 2023: its first report is for 2024
        ("空联盟", D("2023-01-15"), None, D("2026-01-15"), 564, "正常", None, None, False, None),
        ("生物医药联盟", D("2024-06-30"), None, D("2027-06-30"), 1095, "正常", None, None, False, None),
    ]


def test_review_schedule_180_day_boundary(con):
    # A1 falls due on 2024-09-01: 180 days before is 2024-03-05.
    status = {r["alliance"]: r["status"] for r in rows(con, "review_schedule", as_of=D("2024-03-05"))}
    assert status["机器人联盟"] == "即将到期"
    status = {r["alliance"]: r["status"] for r in rows(con, "review_schedule", as_of=D("2024-03-04"))}
    assert status["机器人联盟"] == "正常"
    # A2 falls due on 2024-03-01: not overdue on that day, overdue the day after
    status = {r["alliance"]: r["status"] for r in rows(con, "review_schedule", as_of=D("2024-03-01"))}
    assert status["芯片联盟"] == "即将到期"
    status = {r["alliance"]: r["status"] for r in rows(con, "review_schedule", as_of=D("2024-03-02"))}
    assert status["芯片联盟"] == "逾期"


def test_report_year_turns_after_the_due_date(con):
    # Tianjin: due 12-31. On 2023-12-31 the latest year past due is 2022; on 2024-01-01 it is 2023.
    got = {r["alliance"]: (r["report_year"], r["report_missing"])
           for r in rows(con, "review_schedule", as_of=D("2023-12-31"))}
    assert got == {"芯片联盟": (2022, False), "机器人联盟": (2022, False), "空联盟": (None, False)}
    got = {r["alliance"]: (r["report_year"], r["report_missing"])
           for r in rows(con, "review_schedule", as_of=D("2024-01-01"))}
    # A1's 2023 report was submitted on 2024-01-10: not there yet on 2024-01-01; A5 was filed in 2023
    assert got == {"芯片联盟": (2023, True), "机器人联盟": (2023, True), "空联盟": (None, False)}


def test_review_schedule_weinan_due_november(con):
    # Weinan: reports due 11-30; on 2023-12-15 the 2023 report is already due (Tianjin: not yet).
    got = {r["alliance"]: (r["report_year"], r["report_missing"])
           for r in rows(con, "review_schedule", profile="weinan-2015", as_of=D("2023-12-15"))}
    assert got == {"芯片联盟": (2023, True), "机器人联盟": (2023, True), "空联盟": (None, False)}
    got = {r["alliance"]: r["report_year"] for r in rows(con, "review_schedule", as_of=D("2023-12-15"))}
    assert got == {"芯片联盟": 2022, "机器人联盟": 2022, "空联盟": None}


def test_review_schedule_without_cycle_or_reports(con):
    # Heilongjiang: no evaluation cycle, no annual report, agreement re-signed every 5 years.
    got = table(con, "review_schedule", "alliance next_evaluation_due status report_year report_missing "
                                        "agreement_expiry", profile="heilongjiang-2009")
    assert sorted(got) == sorted([
        ("机器人联盟", None, "正常", None, False, D("2024-03-05")),   # agreement 2019-03-05 + 5 years
        ("芯片联盟", None, "正常", None, False, None),
        ("空联盟", None, "正常", None, False, None),
        ("生物医药联盟", None, "正常", None, False, None),
    ])
