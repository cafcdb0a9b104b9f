"""The named queries (queries/*.sql) on small registries built in code.

Every expected figure below was worked out by hand from the rows in tests/registries.py
(the comments there tell each alliance's story); none is computed by the SQL under test.
Values come through ``runner.fetch`` as Python values, so money is compared as exact Decimal.
"""
from __future__ import annotations

import dataclasses
import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from loaders.registry import connect_read_only
from queries import policy, runner
from queries.__main__ import main as cli
from queries.policy import Profile, Target, list_profiles, load_profile, load_taxonomy
from queries.scope import Scope, parse_filters
from registries import AS_OF, REGISTRY, D, build

ALL_PROFILES = list_profiles()
TIANJIN_CLUSTERS = load_taxonomy("tianjin-clusters").entry_names


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("registry") / "registry.duckdb", REGISTRY)


@pytest.fixture(scope="module")
def empty_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("empty") / "registry.duckdb", {})


@pytest.fixture
def con(registry: Path):
    c = connect_read_only(registry)
    yield c
    c.close()


def rows(con, name: str, profile: str | Profile = "tianjin-2018", as_of: date = AS_OF,
         filters: dict | None = None, **params) -> list[dict]:
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    columns, data = runner.fetch(con, name, Scope(profile, as_of, **(filters or {})), **params)
    return [dict(zip(columns, row)) for row in data]


def table(con, name: str, columns: str, **kw) -> list[tuple]:
    """The named columns of every row, as tuples (compact expected tables)."""
    names = columns.split()
    return [tuple(r[c] for c in names) for r in rows(con, name, **kw)]


def with_targets(*targets: Target, base: str = "tianjin-2018") -> Profile:
    return dataclasses.replace(load_profile(base), targets=targets)


W = Decimal  # 万元, exact


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


# ----------------------------------------------------------------------------- coverage_by_cluster


def test_coverage_by_cluster(con):
    got = table(con, "coverage_by_cluster",
                "cluster alliances_active members enterprises universities institutes subsidy_wan covered")
    expected = {
        "高端装备": (1, 10, 5, 2, 1, W("203.456789"), True),     # A1: 50 + 30 + 123.456789
        "新一代信息技术": (1, 5, 4, 0, 1, W("60"), True),         # A2: 40 + 20 (the 已收回 10 excluded)
        "生物医药与健康": (1, 2, 1, 1, 0, W("0"), True),          # A4, filed on AS_OF
        "新材料": (0, 0, 0, 0, 0, W("50"), False),               # A3 revoked; its money still counts
    }
    zero = (0, 0, 0, 0, 0, W("0"), False)
    assert got == [(c, *expected.get(c, zero)) for c in TIANJIN_CLUSTERS] + [("未归类", 1, 0, 0, 0, 0, W("0"), True)]


def test_coverage_without_taxonomy_has_only_unclassified(con):
    # taxonomy="" (the runner's "no taxonomy") puts every alliance in 未归类
    got = table(con, "coverage_by_cluster", "cluster alliances_active members subsidy_wan", profile="weinan-2015",
                taxonomy="")
    assert got == [("未归类", 4, 17, W("313.456789"))]
    # …unless a taxonomy is asked for
    got = table(con, "coverage_by_cluster", "cluster alliances_active", profile="weinan-2015",
                taxonomy="tianjin-clusters")
    assert [c for c, _ in got] == [*TIANJIN_CLUSTERS, "未归类"]


def test_classification_matches_policy_and_honours_overrides(con, tmp_path, monkeypatch):
    overrides = tmp_path / "taxonomy_overrides.csv"
    overrides.write_text("联盟名称,分类体系,归入\n空联盟,tianjin-clusters,新材料\n", encoding="utf-8")
    monkeypatch.setattr(policy, "OVERRIDES_PATH", overrides)
    tax = load_taxonomy("tianjin-clusters")
    alliances = [(a["alliance_id"], a["name"], a["field"]) for a in REGISTRY["alliances"]]
    expected = policy.classify_alliances(tax, alliances, overrides)
    got = runner._classify(tax, alliances)
    assert sorted(zip(got["alliance_id"], got["cluster"], got["reason"])) == \
        sorted(zip(expected["alliance_id"], expected["entry"], expected["reason"]))
    coverage = {r["cluster"]: r["alliances_active"] for r in rows(con, "coverage_by_cluster")}
    assert (coverage["新材料"], coverage["未归类"]) == (1, 0)   # 空联盟 pinned by hand (人工指定)


def test_coverage_heilongjiang_groups(con):
    got = rows(con, "coverage_by_cluster", profile="heilongjiang-2009")
    assert [r["cluster_group"] for r in got[:5]] == ["新材料"] * 5
    assert got[-1]["cluster"] == "未归类"
    assert got[-1]["alliances_active"] == 4   # none of the fixture's fields is a Heilongjiang field
    assert len(got) == 16


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
    with pytest.raises(runner.QueryError, match="group_by"):
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


# ----------------------------------------------------------------------------- eligibility_check


def test_eligibility_tianjin(con):
    got = table(con, "eligibility_check", "alliance member_count core_member_count has_enterprise "
                                          "has_univ_or_institute lead_registered_locally problems ok")
    assert got == [
        ("生物医药联盟", 2, 2, True, True, True, "成员单位2家，少于10家", False),
        ("空联盟", 0, 0, False, False, None,
         "成员单位0家，少于10家；缺少企业成员；缺少高校或科研院所成员；"
         "无法确认对外责任主体单位在本地注册（成员中找不到该单位或其注册地为空）；"
         "未标注核心成员，无法核对本地核心成员占比", False),
        # lead 天津芯公司（集团） is not a member name: the 理事长单位 天津芯公司 stands in
        ("芯片联盟", 5, 3, True, True, True, "成员单位5家，少于10家；本地核心成员占比33.3%，低于50.0%", False),
        ("机器人联盟", 10, 4, True, True, True, "", True),
    ]
    share = {r["alliance"]: r["local_core_share"] for r in rows(con, "eligibility_check")}
    assert share["机器人联盟"] == pytest.approx(0.75)   # 天津甲/乙/天津大学 of 4 core
    assert share["芯片联盟"] == pytest.approx(1 / 3)
    assert share["空联盟"] is None


def test_eligibility_weinan_counts_core_members_and_local_lead(con):
    got = {r["alliance"]: r["problems"] for r in rows(con, "eligibility_check", profile="weinan-2015")}
    assert got["机器人联盟"] == "核心成员4家，少于10家；对外责任主体单位未在本地注册"
    assert got["芯片联盟"] == "核心成员3家，少于10家；对外责任主体单位未在本地注册"


def test_eligibility_national_checks_types_only(con):
    got = {r["alliance"]: (r["problems"], r["ok"], r["lead_registered_locally"], r["local_core_share"])
           for r in rows(con, "eligibility_check", profile="most-2009")}
    assert got == {
        "机器人联盟": ("", True, None, None),
        "芯片联盟": ("", True, None, None),
        "生物医药联盟": ("", True, None, None),
        "空联盟": ("缺少企业成员；缺少高校或科研院所成员", False, None, None),
    }


# ----------------------------------------------------------------------------- pipeline_funnel


def test_pipeline_funnel(con):
    # 2024 applications: A6 (申请 03-01 → 形式 03-20 → 技术 04-10 不通过), A7 (01-10 → 02-01 → 03-01 → 04-01 →
    # 公示 05-01; 备案 07-01 is after AS_OF), A4 (applied_date 01-05 → 专家评审 05-10 → 备案 06-30).
    got = table(con, "pipeline_funnel", "stage entered passed median_days_in_stage")
    assert got == [
        ("申请", 3, 3, 22.0),        # 19 (A6), 22 (A7), 126 (A4 to 05-10)
        ("形式审查", 3, 3, 25.0),    # 21 (A6), 29 (A7; 2024 is a leap year)
        ("技术审查", 3, 2, 31.0),    # A6 failed; 31 (A7)
        ("专家评审", 2, 2, 40.5),    # 30 (A7), 51 (A4)
        ("公示", 2, 1, None),        # A7 not filed by AS_OF
        ("备案", 1, 1, None),
    ]


def test_pipeline_funnel_other_year_is_empty(con):
    got = table(con, "pipeline_funnel", "stage entered passed median_days_in_stage", year=2019)
    assert got == [(s, 0, 0, None) for s in ("申请", "形式审查", "技术审查", "专家评审", "公示", "备案")]


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


# ----------------------------------------------------------------------------- work_priorities


def test_work_priorities(con):
    got = table(con, "work_priorities", "category item count amount_wan detail")
    empty = [c for c in TIANJIN_CLUSTERS if c not in ("高端装备", "新一代信息技术", "生物医药与健康")]
    assert got == [
        *[("空白集群", c, 0, None, "") for c in empty],
        ("薄弱集群", "高端装备", 1, None, ""),
        ("薄弱集群", "新一代信息技术", 1, None, ""),
        ("薄弱集群", "生物医药与健康", 1, None, ""),
        ("评估到期", "已逾期", 1, None, "芯片联盟"),
        ("评估到期", "2025年内到期", 0, None, ""),          # A1 falls due in 2024, A5 in 2026
        ("年报未交", "2023年度报告", 1, None, "芯片联盟"),      # A5 (filed 2023) owes from 2024
        ("不符合条件", "不符合备案条件的在册联盟", 3, None, "生物医药联盟、空联盟、芯片联盟"),
        ("补贴预算", "评估补贴", 1, W("30"), "逾期及2025年内到期的评估1个 × 上限30万元"),
        # no target in 2025 or later: ceil(2 filings in 2021–2023 / 3) = 1
        ("补贴预算", "备案补贴", 1, W("50"), "无2025年及以后的数量目标，按近三个完整年度年均备案0.67个 × 上限50万元"),
        ("补贴预算", "合计", None, W("80"), "评估补贴与备案补贴之和（不含国家试点补贴、项目经费）"),
    ]


def test_work_priorities_budget_from_target(con):
    # 十四五 2026, 10 from 2021: 3 achieved (A2 A5 A4) → 7 left over 2025 and 2026 → 4 in 2025.
    profile = with_targets(Target("十四五", 2026, 10, 12, 2021))
    got = {r["item"]: r for r in rows(con, "work_priorities", profile=profile, year=2025, thin_max=0)}
    assert (got["备案补贴"]["count"], got["备案补贴"]["amount_wan"]) == (4, W("200"))
    assert got["备案补贴"]["detail"].startswith("按目标“十四五”（2026年不少于10个）：还差7个，分摊到2")
    assert got["合计"]["amount_wan"] == W("230")
    assert "高端装备" not in got   # thin_max = 0: no thin clusters


def test_work_priorities_evaluations_due_in_the_planning_year(con):
    # Planning 2026 on AS_OF: A2 overdue; A5 due 2026-01-15; A1 (2024-09-01) is done before 2026.
    got = {r["item"]: r for r in rows(con, "work_priorities", year=2026)}
    assert (got["已逾期"]["count"], got["2026年内到期"]["count"], got["2026年内到期"]["detail"]) == (1, 1, "空联盟")
    assert got["评估补贴"]["amount_wan"] == W("60")


def test_work_priorities_follows_as_of_on_one_connection(con):
    # eligibility_check is materialised for work_priorities; a new as_of must rebuild it.
    assert {r["item"]: r["count"] for r in rows(con, "work_priorities")}["不符合备案条件的在册联盟"] == 3
    # On 2022-12-31 only A1 (11 members with 天津壬公司, eligible) and A2 (5 members) are in the registry.
    got = {r["item"]: r for r in rows(con, "work_priorities", as_of=D("2022-12-31"))}
    assert (got["不符合备案条件的在册联盟"]["count"], got["不符合备案条件的在册联盟"]["detail"]) == (1, "芯片联盟")


def test_work_priorities_without_caps_cycle_or_taxonomy(con):
    got = table(con, "work_priorities", "category item count amount_wan", profile="zhejiang-2010", taxonomy="")
    assert got == [
        ("不符合条件", "不符合基本条件的在册联盟", 1, None),   # Zhejiang's word: 三（六）基本条件   # 空联盟 lacks both member types
        ("补贴预算", "备案补贴", 1, None),
        ("补贴预算", "合计", None, None),
    ]


# ----------------------------------------------------------------------------- filters (scope_alliances)
# Regions as region_distribution shows them, levels and clusters of each alliance: see the
# table at the top of REGISTRY in tests/registries.py.

F = dict   # a Scope's filters: regions=, levels=, clusters=
NOTHING = F(levels=("国家级",), clusters=("新材料",))   # each matches alone (A1 A7 / A3), never together


def scope_ids(con) -> list[str]:
    return [r[0] for r in con.execute("select alliance_id from scope_alliances order by alliance_id").fetchall()]


@pytest.mark.parametrize("filters, expected", [
    (F(), ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]),            # no filter: the whole registry, any status
    (F(regions=("南开区",)), ["A2"]),                               # 天津市南开区 contains 南开区
    (F(regions=("东丽区",)), ["A5"]),                               # 东丽 + 区
    (F(regions=("未填",)), ["A4"]),
    (F(regions=("天津经开区", "天津经济技术开发区")), ["A3", "A6"]),  # unlisted texts, as written
    (F(regions=("和平区",)), []),
    (F(levels=("市级",)), ["A2", "A3", "A4"]),                      # A6 has no level: no level filter matches it
    (F(levels=("国家级", "省级")), ["A1", "A5", "A7"]),
    (F(clusters=("未归类",)), ["A5"]),
    (F(clusters=("新能源", "航空航天")), ["A6", "A7"]),
    (F(regions=("滨海新区", "南开区"), levels=("市级",)), ["A2"]),   # AND across dimensions
    (F(regions=("滨海新区", "东丽区", "南开区"), levels=("国家级", "省级"), clusters=("高端装备", "未归类")),
     ["A1", "A5"]),
    (NOTHING, []),
])
def test_scope_alliances(con, filters, expected):
    rows(con, "overview_kpis", filters=filters)
    assert scope_ids(con) == expected


def test_filters_value_object():
    def S(**dims) -> Scope:
        return Scope(load_profile("tianjin-2018"), AS_OF, **dims)
    assert not S().filtered and S(levels=("市级",)).filtered and S(regions=["南开区"]).regions == ("南开区",)
    assert S(clusters="新材料").clusters == ("新材料",)                       # a lone string is one value
    assert S(regions=("南开区", "滨海新区")).filter_key == S(regions=("滨海新区", "南开区", "南开区")).filter_key
    assert S(regions=("南开区", "滨海新区")).key == S(regions=("滨海新区", "南开区")).key != S().key
    assert parse_filters(["region=滨海新区,西青区", "level=市级", "区域=南开区", "cluster=新材料，未归类"]) == \
        F(regions=("滨海新区", "西青区", "南开区"), levels=("市级",), clusters=("新材料", "未归类"))
    with pytest.raises(ValueError, match="筛选条件应写成"):
        parse_filters(["colour=red"])
    assert S(regions=("南开区",), levels=("市级",)).describe_filters() == "区域：南开区；级别：市级"


def test_scope_codec_url_and_command_line():
    """One URL form (the sidebar's keys) and one command-line form (--filter, both CLIs) of a Scope."""
    import argparse

    from figures.coverage import with_taxonomy
    from queries.scope import DEFAULT_YEAR_FROM, URL_KEYS, add_arguments, from_arguments

    tianjin = load_profile("tianjin-2018")
    scope = Scope(tianjin, AS_OF, 2016, 2020, regions=("滨海新区", "西青区"), levels=("市级",))
    assert scope.url_params() == {"profile": "tianjin-2018", "as_of": "2024-06-30", "from": "2016", "to": "2020",
                                  "region": "滨海新区,西青区", "level": "市级"}
    assert set(scope.url_params()) <= set(URL_KEYS)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--from", "2016", "--to", "2020", "--filter", "region=滨海新区，西青区", "--filter", "级别=市级"])
    assert from_arguments(args, tianjin, AS_OF) == scope
    plain = from_arguments(parser.parse_args([]), tianjin, AS_OF)      # the dashboard's default year range
    assert (plain.year_from, plain.year_to, plain.filtered) == (DEFAULT_YEAR_FROM, AS_OF.year, False)
    # The coverage page's taxonomy swap lives in the Scope: it keys the cache apart from the profile's own.
    other = next(t for t in policy.list_taxonomies() if t != tianjin.taxonomy)
    assert with_taxonomy(scope, other).key != scope.key


def test_one_fetcher_binds_scope_and_date(registry):
    """queries.fetch: the fetch pages and packs read through; as_of= is the same scope on another date."""
    from dataclasses import replace

    from queries.fetch import RegistryFetch

    scope = Scope(load_profile("tianjin-2018"), AS_OF, regions=("滨海新区",))
    year_ago = D("2023-06-30")
    with RegistryFetch(registry, scope) as fetch:
        con = connect_read_only(registry)
        try:
            for at in (scope, replace(scope, as_of=year_ago)):
                expected = runner.run(con, "overview_kpis", at)
                got = fetch("overview_kpis") if at is scope else fetch("overview_kpis", as_of=year_ago)
                assert got.equals(expected)
        finally:
            con.close()
        assert fetch("overview_kpis").iloc[0]["active_alliances"] == 1     # 滨海新区 = A1 alone


def test_region_filter_on_overview_kpis(con):
    # 滨海新区 = A1 alone: 10 members, its three payments; 复审 2021-09-01 → next due 2024-09-01, not overdue;
    # its 2023 report was submitted on 2024-01-10.
    [row] = rows(con, "overview_kpis", filters=F(regions=("滨海新区",)))
    assert (row["active_alliances"], row["filed_this_year"], row["members"], row["subsidy_this_year_wan"],
            row["subsidy_total_wan"], row["evaluations_overdue"], row["reports_missing"], row["report_year"]) == \
        (1, 0, 10, W("123.456789"), W("203.456789"), 0, 0, 2023)
    # 南开区 + 未填 = A2 + A4 (filed on AS_OF): 5 + 2 members, A2's 40 + 20; A2 overdue and missing its 2023 report.
    [row] = rows(con, "overview_kpis", filters=F(regions=("南开区", "未填")))
    assert (row["active_alliances"], row["filed_this_year"], row["members"], row["subsidy_this_year_wan"],
            row["subsidy_total_wan"], row["evaluations_overdue"], row["reports_missing"]) == \
        (2, 1, 7, W("0"), W("60"), 1, 1)
    # an unlisted text: A3, revoked, so nothing active, but its 2016 money still counts in the total
    [row] = rows(con, "overview_kpis", filters=F(regions=("天津经济技术开发区",)))
    assert (row["active_alliances"], row["members"], row["subsidy_total_wan"]) == (0, 0, W("50"))


def test_all_three_dimensions_on_overview_kpis(con):
    # A1 (滨海新区 国家级 高端装备) and A5 (东丽区 省级 未归类); A2 is 市级. A5 was filed in 2023 (no 2023 report owed,
    # evaluation due 2026).
    filters = F(regions=("滨海新区", "东丽区", "南开区"), levels=("国家级", "省级"), clusters=("高端装备", "未归类"))
    [row] = rows(con, "overview_kpis", filters=filters)
    assert (row["active_alliances"], row["filed_this_year"], row["members"], row["subsidy_this_year_wan"],
            row["subsidy_total_wan"], row["evaluations_overdue"], row["reports_missing"]) == \
        (2, 0, 10, W("123.456789"), W("203.456789"), 0, 0)


def test_targets_count_filings_in_scope(con):
    # 十四五 2025, 6 from 2021: programme-wide A2 A5 A4 (3); 市级 only A2 and A4 → the scope's contribution is 2.
    profile = with_targets(Target("十四五", 2025, 6, 8, 2021))
    [row] = rows(con, "overview_kpis", profile=profile, filters=F(levels=("市级",)))
    assert (row["next_target_low"], row["next_target_achieved"], row["next_target_gap"]) == (6, 2, 4)
    assert row["next_target_progress"] == pytest.approx(2 / 6)


@pytest.mark.parametrize("filters, expected", [
    (F(clusters=("高端装备",)), [("备案补贴", W("50"), 1), ("评估补贴", W("30"), 1), ("项目经费", W("123.456789"), 1)]),
    # A2 40 + 20 (its 已收回 10 excluded) and A3's 50
    (F(clusters=("新材料", "新一代信息技术")), [("备案补贴", W("110"), 3)]),
    (F(clusters=("未归类",)), []),                                   # A5 was never paid
    (F(clusters=("航空航天",)), []),                                  # A7's 2025 money is after the as_of year
])
def test_cluster_filter_on_subsidy_totals_by_kind(con, filters, expected):
    assert table(con, "subsidy_totals", "kind amount_wan count", group_by="kind", filters=filters) == expected


def test_filtered_subsidy_totals_by_cluster_and_region(con):
    filters = F(clusters=("新材料", "新一代信息技术"))
    assert table(con, "subsidy_totals", "cluster amount_wan count", group_by="cluster", filters=filters) == [
        ("新一代信息技术", W("60"), 2), ("新材料", W("50"), 1)]               # taxonomy order
    filters = F(regions=("天津经济技术开发区", "南开区"))
    assert table(con, "subsidy_totals", "region amount_wan count", group_by="region", filters=filters) == [
        ("南开区", W("60"), 2), ("天津经济技术开发区", W("50"), 1)]           # listed first, then as written


def test_level_filter_on_review_schedule(con):
    # 市级 in the registry on AS_OF: A2 (due 2024-03-01, overdue) and A4 (filed on AS_OF, due 2027-06-30).
    assert table(con, "review_schedule", "alliance next_evaluation_due status", filters=F(levels=("市级",))) == [
        ("芯片联盟", D("2024-03-01"), "逾期"), ("生物医药联盟", D("2027-06-30"), "正常")]
    # 国家级 or 省级: A1 (due 2024-09-01, within 180 days) and A5 (due 2026-01-15); A7 is filed after AS_OF.
    assert table(con, "review_schedule", "alliance next_evaluation_due status",
                 filters=F(levels=("国家级", "省级"))) == [
        ("机器人联盟", D("2024-09-01"), "即将到期"), ("空联盟", D("2026-01-15"), "正常")]


def test_coverage_by_cluster_keeps_every_entry(con):
    zero = (0, 0, 0, 0, 0, W("0"), False)
    # region and level together: only A2 (南开区, 市级) is in scope
    got = table(con, "coverage_by_cluster",
                "cluster alliances_active members enterprises universities institutes subsidy_wan covered",
                filters=F(regions=("滨海新区", "南开区"), levels=("市级",)))
    assert got == [(c, *((1, 5, 4, 0, 1, W("60"), True) if c == "新一代信息技术" else zero))
                   for c in [*TIANJIN_CLUSTERS, "未归类"]]
    # a cluster filter leaves the other entries at zero: 新材料 has only A3 (revoked) and its 50
    got = table(con, "coverage_by_cluster", "cluster alliances_active subsidy_wan covered",
                filters=F(clusters=("新材料",)))
    assert got == [(c, 0, W("50") if c == "新材料" else W("0"), False) for c in [*TIANJIN_CLUSTERS, "未归类"]]


def test_region_distribution_keeps_the_profile_list(con):
    got = table(con, "region_distribution", "region in_list alliances_active filed_total members subsidy_wan share",
                filters=F(regions=("南开区",)))
    listed = load_profile("tianjin-2018").regions
    assert got == [(r, True, *((1, 1, 5, W("60"), 1.0) if r == "南开区" else (0, 0, 0, W("0"), 0.0)))
                   for r in listed] + [("未填", False, 0, 0, 0, W("0"), 0.0)]   # 天津经济技术开发区 is out of scope


def test_each_region_and_cluster_filter_selects_its_own_row(con):
    """Filtering on a value region_distribution / coverage_by_cluster shows reproduces that row, zeros elsewhere."""
    columns = "alliances_active filed_total members subsidy_wan"
    whole = {r["region"]: r for r in rows(con, "region_distribution")}
    for region, row in whole.items():
        got = {r["region"]: r for r in rows(con, "region_distribution", filters=F(regions=(region,)))}
        assert [got[region][c] for c in columns.split()] == [row[c] for c in columns.split()], region
        assert all(r["alliances_active"] == r["filed_total"] == 0 and r["subsidy_wan"] == 0
                   for name, r in got.items() if name != region), region
    columns = "alliances_active members subsidy_wan"
    whole = {r["cluster"]: r for r in rows(con, "coverage_by_cluster")}
    for cluster, row in whole.items():
        got = {r["cluster"]: r for r in rows(con, "coverage_by_cluster", filters=F(clusters=(cluster,)))}
        assert list(got) == list(whole)
        assert [got[cluster][c] for c in columns.split()] == [row[c] for c in columns.split()], cluster
        assert all(r["alliances_active"] == 0 and r["subsidy_wan"] == 0 for n, r in got.items() if n != cluster)


def test_filters_on_member_queries(con):
    got = table(con, "member_composition", "unit_type members alliances_with", filters=F(regions=("滨海新区",)))
    assert got == [("企业", 5, 1), ("高校", 2, 1), ("科研院所", 1, 1), ("金融机构", 1, 1), ("中介机构", 1, 1), ("其他", 0, 0)]
    assert table(con, "cross_region", "alliance neighbour_members other_members", filters=F(levels=("市级",))) == [
        ("芯片联盟", 2, 1)]
    assert table(con, "eligibility_check", "alliance ok", filters=F(clusters=("生物医药与健康", "未归类"))) == [
        ("生物医药联盟", False), ("空联盟", False)]
    assert table(con, "alliance_members", "alliance_id members", filters=F(levels=("省级",))) == [("A5", 0)]
    assert {r["alliance_id"] for r in rows(con, "subsidy_cap_check", filters=F(levels=("国家级",)))} == {"A1"}


def test_filters_on_target_progress(con):
    # 南开区 = A2, filed 2021. Years from the 十三五 target year (2020) to 2024; 十三五 counts from 2016: 0 of 80.
    got = table(con, "target_progress", "year filed revoked active_end_of_year cumulative_filed target_low gap "
                                        "achieved on_track", filters=F(regions=("南开区",)))
    assert got == [
        (2020, 0, 0, 0, 0, 80, 80, 0, False),
        (2021, 1, 0, 1, 1, None, None, None, None),
        (2022, 0, 0, 1, 1, None, None, None, None),
        (2023, 0, 0, 1, 1, None, None, None, None),
        (2024, 0, 0, 1, 1, None, None, None, None),
    ]
    last = rows(con, "target_progress", filters=F(regions=("南开区",)))[-1]
    assert last["pace"] == pytest.approx(1 / 3)                      # 1 filing in 2021–2023
    assert last["projected_cumulative"] == pytest.approx(4 / 3)      # 1 at the end of 2023 + 1/3


def test_filters_on_pipeline_funnel(con):
    # A6 (天津经开区, never filed, no level): 申请 03-01 → 形式审查 03-20 → 技术审查 04-10 不通过
    got = table(con, "pipeline_funnel", "stage entered passed median_days_in_stage", filters=F(regions=("天津经开区",)))
    assert got == [("申请", 1, 1, 19.0), ("形式审查", 1, 1, 21.0), ("技术审查", 1, 0, None),
                   ("专家评审", 0, 0, None), ("公示", 0, 0, None), ("备案", 0, 0, None)]
    # 国家级 = A1 (no application recorded: in no cohort) and A7 (01-10 → 02-01 → 03-01 → 04-01 → 公示 05-01)
    got = table(con, "pipeline_funnel", "stage entered passed median_days_in_stage", filters=F(levels=("国家级",)))
    assert got == [("申请", 1, 1, 22.0), ("形式审查", 1, 1, 29.0), ("技术审查", 1, 1, 31.0),
                   ("专家评审", 1, 1, 30.0), ("公示", 1, 0, None), ("备案", 0, 0, None)]


def test_filters_on_work_priorities(con):
    # A cluster filter judges only the chosen clusters: 新材料 (A3 revoked → 空白), 高端装备 (A1 → 薄弱).
    # A1 is not due in 2025, has its 2023 report, is eligible; no filing in scope in 2021–2023 → pace 0.
    got = table(con, "work_priorities", "category item count amount_wan detail", filters=F(clusters=("新材料", "高端装备")))
    assert got == [
        ("空白集群", "新材料", 0, None, ""),
        ("薄弱集群", "高端装备", 1, None, ""),
        ("评估到期", "已逾期", 0, None, ""),
        ("评估到期", "2025年内到期", 0, None, ""),
        ("年报未交", "2023年度报告", 0, None, ""),
        ("不符合条件", "不符合备案条件的在册联盟", 0, None, ""),
        ("补贴预算", "评估补贴", 0, W("0"), "逾期及2025年内到期的评估0个 × 上限30万元"),
        ("补贴预算", "备案补贴", 0, W("0"),
         "按筛选范围近三个完整年度年均备案0.0个（数量目标为全局目标，不分摊到筛选范围） × 上限50万元"),
        ("补贴预算", "合计", None, W("0"), "评估补贴与备案补贴之和（不含国家试点补贴、项目经费）"),
    ]
    # A region filter judges every cluster by its alliances in scope: 南开区 = A2 only.
    got = {(r["category"], r["item"]): (r["count"], r["amount_wan"]) for r in
           rows(con, "work_priorities", filters=F(regions=("南开区",)))}
    assert [item for (category, item) in got if category == "空白集群"] == \
        [c for c in TIANJIN_CLUSTERS if c != "新一代信息技术"]
    assert got[("薄弱集群", "新一代信息技术")] == (1, None)
    assert got[("评估到期", "已逾期")] == got[("年报未交", "2023年度报告")] == (1, None)
    assert got[("不符合条件", "不符合备案条件的在册联盟")] == (1, None)
    # a target is never budgeted for a scope: even with one ahead, the scope's own pace (1 in 2021–2023 → 1)
    profile = with_targets(Target("十四五", 2026, 10, 12, 2021))
    got = {r["item"]: r for r in rows(con, "work_priorities", profile=profile, year=2025,
                                      filters=F(regions=("南开区",)))}
    assert (got["备案补贴"]["count"], got["备案补贴"]["amount_wan"]) == (1, W("50"))
    assert got["备案补贴"]["detail"].startswith("按筛选范围近三个完整年度年均备案0.33个")


@pytest.mark.parametrize("filters", [NOTHING, F(regions=("火星区",)), F(levels=("部级",))],
                         ids=["disjoint", "unknown-region", "unknown-level"])
def test_a_filter_that_matches_nothing(con, filters):
    [kpi] = rows(con, "overview_kpis", filters=filters)
    assert {k: kpi[k] for k in ("active_alliances", "filed_this_year", "members", "subsidy_this_year_wan",
                                "subsidy_total_wan", "evaluations_overdue", "reports_missing")} == \
        dict.fromkeys(("active_alliances", "filed_this_year", "members", "subsidy_this_year_wan",
                       "subsidy_total_wan", "evaluations_overdue", "reports_missing"), 0)
    coverage = rows(con, "coverage_by_cluster", filters=filters)
    assert [r["cluster"] for r in coverage] == [*TIANJIN_CLUSTERS, "未归类"]
    assert all(r["alliances_active"] == r["members"] == 0 and r["subsidy_wan"] == 0 and not r["covered"]
               for r in coverage)
    regions = rows(con, "region_distribution", filters=filters)
    assert [r["region"] for r in regions] == [*load_profile("tianjin-2018").regions, "未填"]
    assert all(r["alliances_active"] == r["filed_total"] == r["members"] == 0 and r["share"] is None
               for r in regions)
    assert [(r["members"], r["share"]) for r in rows(con, "member_composition", filters=filters)] == [(0, None)] * 6
    for name in ("alliance_members", "review_schedule", "eligibility_check", "cross_region", "subsidy_cap_check"):
        assert rows(con, name, filters=filters) == [], name
    for group_by in ("year", "kind", "cluster", "region"):
        assert rows(con, "subsidy_totals", group_by=group_by, filters=filters) == []
    progress = table(con, "target_progress", "year filed cumulative_filed achieved", filters=filters)
    assert progress == [(2020, 0, 0, 0), *((y, 0, 0, None) for y in range(2021, 2025))]
    assert [(r["entered"], r["passed"]) for r in rows(con, "pipeline_funnel", filters=filters)] == [(0, 0)] * 6
    work = {r["item"]: r for r in rows(con, "work_priorities", filters=filters)}
    assert (work["已逾期"]["count"], work["不符合备案条件的在册联盟"]["count"], work["合计"]["amount_wan"]) == (0, 0, W("0"))


# values for parameters a query declares without a default (per-alliance queries)
REQUIRED_SAMPLES = {"alliance_id": "A1"}


def every_query() -> list[tuple[str, dict]]:
    """(name, required parameters) of every query whose required parameters have a sample value."""
    out = []
    for doc in runner.list_queries():
        required = {p.name for p in doc.user_params if p.default is None}
        if required <= set(REQUIRED_SAMPLES):
            out.append((doc.name, {n: REQUIRED_SAMPLES[n] for n in required}))
    return out


@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_filters_under_every_profile(con, profile):
    for filters in (NOTHING, F(levels=("市级",)), F(clusters=("未归类",))):
        for name, params in every_query():
            rows(con, name, profile=profile, filters=filters, **params)
    # 市级 = A2 A3 A4; A2 and A4 are in the registry on AS_OF with 5 + 2 members, whatever the profile
    [kpi] = rows(con, "overview_kpis", profile=profile, filters=F(levels=("市级",)))
    assert (kpi["active_alliances"], kpi["members"]) == (2, 7)
    assert sum(r["members"] for r in rows(con, "coverage_by_cluster", profile=profile,
                                          filters=F(levels=("市级",)))) == 7


def test_materialised_queries_follow_the_filters(con):
    # alliance_members (for overview_kpis) and eligibility_check (for work_priorities) are materialised per
    # filters: switching back and forth on one connection must never reuse the other scope's rows.
    for filters, members, failing in ((F(regions=("滨海新区",)), 10, 0), (F(), 17, 3),
                                      (F(regions=("滨海新区",)), 10, 0), (F(levels=("市级",)), 7, 2)):
        assert rows(con, "overview_kpis", filters=filters)[0]["members"] == members
        got = {r["item"]: r["count"] for r in rows(con, "work_priorities", filters=filters)}
        assert got["不符合备案条件的在册联盟"] == failing


class Spy:
    """A connection that records the SQL it executes (the runner caches per connection object)."""

    def __init__(self, inner):
        self.inner, self.sql = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def execute(self, sql, *args):
        self.sql.append(sql)
        return self.inner.execute(sql, *args)

    def count(self, text: str) -> int:
        return sum(text in sql for sql in self.sql)


def test_scope_is_rebuilt_only_when_the_filters_change(con):
    spy = Spy(con)
    tianjin = load_profile("tianjin-2018")
    for filters in (F(), F(), F(levels=("市级",)), F(levels=("市级",)), F(regions=("南开区",)), F()):
        runner.run(spy, "review_schedule", Scope(tianjin, AS_OF, **(filters or {})))
    assert spy.count("create or replace temp table scope_alliances") == 4


def test_materialised_versions_are_reused(con):
    # a page comparing with last year alternates two dates: each date's alliance_members is built once
    spy = Spy(con)
    tianjin = load_profile("tianjin-2018")
    year_ago = D("2023-06-30")
    got = [runner.fetch(spy, "overview_kpis", Scope(tianjin, d))[1][0][2]
           for d in (AS_OF, year_ago, AS_OF, year_ago)]
    assert got == [17, 16, 17, 16]      # members: on 2023-06-30 A1 has 11 (with 天津壬公司), A2 5
    assert spy.count("create temp table _materialised_alliance_members") == 2
    # …and so are scopes; only KEEP_VERSIONS are kept
    for i in range(runner.KEEP_VERSIONS + 2):
        runner.fetch(spy, "overview_kpis", Scope(tianjin, AS_OF, regions=(f"区{i}",)))
    kept = con.execute("select count(*) from duckdb_tables() where table_name like '_materialised_alliance_members%'")
    assert kept.fetchall()[0][0] == runner.KEEP_VERSIONS


def test_a_materialised_query_is_read_back_not_recomputed(con, registry):
    # overview_kpis requires review_schedule; run next on the same connection, review_schedule is read back
    # from that table: the same rows in the same order as computed on a fresh connection.
    fresh = connect_read_only(registry)
    try:
        for filters in (F(), F(levels=("市级",)), NOTHING):
            spy = Spy(con)
            rows(spy, "overview_kpis", filters=filters)
            assert rows(spy, "review_schedule", filters=filters) == rows(fresh, "review_schedule", filters=filters)
            assert sum(sql.startswith("select * from _materialised_review_schedule") for sql in spy.sql) == 1
        # a query with parameters of its own is always computed (its materialised rows use the defaults)
        assert rows(con, "pipeline_funnel", year=2019) == rows(fresh, "pipeline_funnel", year=2019)
    finally:
        fresh.close()


def test_every_query_reads_alliance_data_through_the_scope():
    """Any query reading registry tables directly restricts them with scope_alliances."""
    registry = {"alliances", "members", "subsidies", "events", "annual_reports", "lead_units"}
    for doc in runner.list_queries():
        read = set(re.findall(r"\b(?:from|join)\s+([a-z_]+)", runner.strip_comments(doc.sql)))
        if read & registry:
            assert "scope_alliances" in runner.strip_comments(doc.sql), doc.name
        else:
            assert set(doc.requires), doc.name   # reads only materialised (scoped) queries and context tables


def test_overview_set_is_what_the_overview_page_runs():
    """OVERVIEW_SET = the queries pages/overview.py fetches and those of the charts it shows, in page order."""
    figures = pytest.importorskip("figures")
    page = (runner.QUERIES_DIR.parent / "pages" / "overview.py").read_text(encoding="utf-8")
    charts = figures.all_charts()
    used: list[str] = []
    for match in re.finditer(r'fetch\("(\w+)"|show_chart\("(\w+)"', page):
        used += [match[1]] if match[1] else list(charts[match[2]].queries)
    assert runner.OVERVIEW_SET == tuple(dict.fromkeys(used))


# ----------------------------------------------------------------------------- through the real loader


def test_queries_on_a_registry_written_by_the_loader(tmp_path, db):
    from loaders.pipeline import prepare
    from loaders.store import import_batch

    (tmp_path / "联盟名录.csv").write_text(
        "联盟名称,对外责任主体单位,产业领域,所属区域,状态,备案日期,撤销日期\n"
        "甲联盟,甲公司,工业机器人,滨海新区,,2020-01-01,\n"
        "乙联盟（天津）,乙公司,集成电路,南开区,已撤销,2021/5/1,2023年1月1日\n", encoding="utf-8-sig")
    (tmp_path / "成员单位.csv").write_text(
        "联盟名称,单位名称,单位类型,注册地,是否核心成员\n"
        "甲联盟,甲公司,企业,天津市,是\n甲联盟,天津大学,高校,天津市南开区,是\n甲联盟,北京某所,科研院所,北京市,否\n"
        "乙联盟(天津),乙公司,企业,天津市,是\n乙联盟(天津),某大学,高校,河北省,否\n", encoding="utf-8-sig")
    (tmp_path / "资金补贴.csv").write_text(
        "联盟名称,年度,补贴类型,金额\n甲联盟,2020,备案补贴,50万元\n乙联盟（天津）,2021,备案补贴,\"300,000元\"\n",
        encoding="utf-8-sig")
    batch = prepare(sorted(tmp_path.glob("*.csv")))
    assert batch.ok, [str(p) for p in batch.errors]
    import_batch(db, batch)
    c = connect_read_only(db)
    try:
        [kpi] = rows(c, "overview_kpis")
        assert (kpi["active_alliances"], kpi["members"], kpi["subsidy_total_wan"]) == (1, 3, W("80"))
        assert table(c, "subsidy_totals", "region amount_wan count", group_by="region") == [
            ("南开区", W("30"), 1), ("滨海新区", W("50"), 1)]
        assert table(c, "cross_region", "alliance neighbour_members neighbour_places_found") == [("甲联盟", 1, "北京")]
    finally:
        c.close()


def test_cli_as_a_module(registry):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "queries", "run", "member_composition", "--db", str(registry),
                          "--as-of", "2024-06-30", "--format", "csv"], capture_output=True, text=True,
                         cwd=runner.QUERIES_DIR.parent, check=True).stdout
    assert out.splitlines()[:2] == ["unit_type,pillar,members,share,alliances_with",
                                    "企业,产,10,0.5882352941176471,3"]


# ----------------------------------------------------------------------------- every profile, empty registry


@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_every_query_under_every_profile_agrees_with_itself(con, profile):
    [kpi] = rows(con, "overview_kpis", profile=profile)
    coverage = rows(con, "coverage_by_cluster", profile=profile)
    assert sum(r["alliances_active"] for r in coverage) == kpi["active_alliances"] == 4
    assert sum(r["members"] for r in coverage) == kpi["members"] == 17
    assert coverage[-1]["cluster"] == "未归类"
    regions = rows(con, "region_distribution", profile=profile)
    assert sum(r["alliances_active"] for r in regions) == 4
    assert sum(r["members"] for r in rows(con, "member_composition", profile=profile)) == 17
    schedule = rows(con, "review_schedule", profile=profile)
    assert len(schedule) == 4
    assert sum(r["status"] == "逾期" for r in schedule) == kpi["evaluations_overdue"]
    assert sum(r["report_missing"] for r in schedule) == kpi["reports_missing"]
    assert len(rows(con, "eligibility_check", profile=profile)) == 4
    for group_by in ("year", "kind", "cluster", "region"):
        assert sum(r["amount_wan"] for r in rows(con, "subsidy_totals", profile=profile, group_by=group_by)) \
            == kpi["subsidy_total_wan"]
    for name, params in every_query():
        rows(con, name, profile=profile, **params)


@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_empty_registry(empty_registry, profile):
    c = connect_read_only(empty_registry)
    try:
        [kpi] = rows(c, "overview_kpis", profile=profile)
        assert {k: kpi[k] for k in ("active_alliances", "filed_this_year", "members", "subsidy_this_year_wan",
                                    "subsidy_total_wan", "evaluations_overdue", "reports_missing")} == \
            {"active_alliances": 0, "filed_this_year": 0, "members": 0, "subsidy_this_year_wan": 0,
             "subsidy_total_wan": 0, "evaluations_overdue": 0, "reports_missing": 0}
        p = load_profile(profile)
        coverage = rows(c, "coverage_by_cluster", profile=profile)
        entries = load_taxonomy(p.taxonomy).entry_names if p.taxonomy else ()
        assert [r["cluster"] for r in coverage] == [*entries, "未归类"]
        assert all(r["alliances_active"] == 0 and r["subsidy_wan"] == 0 and not r["covered"] for r in coverage)
        assert [r["region"] for r in rows(c, "region_distribution", profile=profile)] == [*p.regions, "未填"]
        assert [r["members"] for r in rows(c, "member_composition", profile=profile)] == [0] * 6
        for name in ("review_schedule", "eligibility_check", "cross_region", "subsidy_cap_check", "subsidy_totals"):
            assert rows(c, name, profile=profile) == []
        years = [r["year"] for r in rows(c, "target_progress", profile=profile)]
        first = min([AS_OF.year, *(t.year for t in p.targets)])
        assert years == list(range(first, max([AS_OF.year, *(t.year for t in p.targets)]) + 1))
        funnel = rows(c, "pipeline_funnel", profile=profile)
        assert [(r["entered"], r["passed"]) for r in funnel] == [(0, 0)] * 6
        rows(c, "work_priorities", profile=profile)
    finally:
        c.close()


# ----------------------------------------------------------------------------- documentation


def test_every_query_file_has_its_header():
    docs = runner.list_queries()
    assert {d.name for d in docs} == {p.stem for p in runner.QUERIES_DIR.glob("*.sql")}
    for doc in docs:
        assert doc.title and doc.what, doc.name
        assert doc.columns and doc.caveats, doc.name
        assert all(c.label and c.doc for c in doc.columns), doc.name
        # every $name the SQL binds is documented, and nothing else is
        assert sorted(p.name for p in doc.params) == sorted(doc.bound_names), doc.name
        for p in doc.user_params:
            # only the per-alliance queries' $alliance_id has no default (the page always gives one)
            assert p.default is not None or p.name in REQUIRED_SAMPLES, f"{doc.name}: ${p.name} needs a default"


@pytest.mark.parametrize("doc", runner.list_queries(), ids=lambda d: d.name)
def test_every_column_is_documented(con, doc):
    documented = [c.name for c in doc.columns]
    required = {p.name: REQUIRED_SAMPLES[p.name] for p in doc.user_params if p.default is None}
    variants = [{"group_by": g} for g in ("year", "kind", "cluster", "region")] if doc.name == "subsidy_totals" \
        else [required]
    seen: set[str] = set()
    for params in variants:
        columns, _ = runner.fetch(con, doc.name, Scope(load_profile("tianjin-2018"), AS_OF), **params)
        assert set(columns) <= set(documented), f"{doc.name}: undocumented {set(columns) - set(documented)}"
        seen |= set(columns)
        assert [c for c in documented if c in columns] == columns, f"{doc.name}: header order differs"
    assert seen == set(documented), f"{doc.name}: documented but never returned {set(documented) - seen}"


# The issue fixes these names and columns (in this order); more columns may follow them.
CONTRACT = {
    "overview_kpis": "active_alliances filed_this_year members subsidy_this_year_wan subsidy_total_wan "
                     "evaluations_overdue reports_missing",
    "coverage_by_cluster": "cluster alliances_active members enterprises universities institutes subsidy_wan covered",
    "target_progress": "year filed revoked active_end_of_year cumulative_filed target_low target_high gap",
    "subsidy_cap_check": "alliance kind year amount_wan cap_wan over_cap",
    "review_schedule": "alliance filed_date last_evaluation_date next_evaluation_due status last_report_year "
                       "report_missing agreement_expiry",
    "eligibility_check": "alliance member_count core_member_count has_enterprise has_univ_or_institute "
                         "lead_registered_locally local_core_share problems ok",
    "pipeline_funnel": "stage entered passed median_days_in_stage",
    "region_distribution": "region", "member_composition": "unit_type", "cross_region": "alliance",
    "work_priorities": "category item",
}


@pytest.mark.parametrize("name", CONTRACT)
def test_required_columns_lead_in_order(con, name):
    columns, _ = runner.fetch(con, name, Scope(load_profile("tianjin-2018"), AS_OF))
    assert columns[:len(CONTRACT[name].split())] == CONTRACT[name].split()


def test_subsidy_totals_columns_follow_the_grouping(con):
    for group_by in ("year", "kind", "cluster", "region"):
        columns, _ = runner.fetch(con, "subsidy_totals", Scope(load_profile("tianjin-2018"), AS_OF),
                                  group_by=group_by)
        assert columns == [group_by, "amount_wan", "count"]


def test_required_queries_exist():
    names = {d.name for d in runner.list_queries()}
    for doc in runner.list_queries():
        assert set(doc.requires) <= names, doc.name
    assert set(runner.OVERVIEW_SET) <= names


# ----------------------------------------------------------------------------- runner


def test_context_is_registered_once_per_connection_and_profile(con, monkeypatch):
    calls = []
    real = runner._build_context
    monkeypatch.setattr(runner, "_build_context", lambda *a: (calls.append(a[1].id), real(*a))[1])
    tianjin = load_profile("tianjin-2018")
    for name in runner.OVERVIEW_SET:
        runner.run(con, name, Scope(tianjin, AS_OF))
    assert calls == ["tianjin-2018"]
    runner.run(con, "coverage_by_cluster", Scope(load_profile("weinan-2015"), AS_OF))
    runner.run(con, "coverage_by_cluster", Scope(tianjin, AS_OF))
    assert calls == ["tianjin-2018", "weinan-2015", "tianjin-2018"]


def test_parameters_are_bound_not_formatted(con):
    # quotes and $ in profile values reach the SQL as data
    profile = dataclasses.replace(load_profile("tianjin-2018"), regions=("南开区", "O'Brien区", "$as_of"))
    got = [r["region"] for r in rows(con, "region_distribution", profile=profile)]
    assert got[:3] == ["南开区", "O'Brien区", "$as_of"]


def test_run_returns_a_dataframe_with_labels(con):
    df = runner.run(con, "coverage_by_cluster", Scope(load_profile("tianjin-2018"), AS_OF))
    assert list(df.columns)[:3] == ["cluster", "alliances_active", "members"]
    assert df["subsidy_wan"].sum() == pytest.approx(313.456789)
    labels = runner.get_query("coverage_by_cluster").labels
    assert labels["alliances_active"] == "在册联盟数" and labels["subsidy_wan"] == "补贴（万元）"


def test_unknown_query_and_parameter(con):
    with pytest.raises(runner.QueryError, match="没有名为"):
        runner.get_query("nope")
    with pytest.raises(runner.QueryError, match="没有参数"):
        rows(con, "overview_kpis", year=2020)
    with pytest.raises(runner.QueryError, match="应为 integer"):
        rows(con, "pipeline_funnel", year="二〇二四")


# ----------------------------------------------------------------------------- CLI


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_json(registry):
    code, out, _ = run_cli("run", "overview_kpis", "--db", str(registry), "--as-of", "2024-06-30", "--format", "json")
    assert code == 0
    [row] = json.loads(out)
    assert row["active_alliances"] == 4 and row["subsidy_total_wan"] == 313.456789 and row["report_year"] == 2023
    code, out, _ = run_cli("run", "review_schedule", "--db", str(registry), "--as-of", "2024-06-30", "--format", "json")
    first = json.loads(out)[0]
    assert (first["alliance"], first["next_evaluation_due"], first["status"]) == ("芯片联盟", "2024-03-01", "逾期")


def test_cli_csv_keeps_exact_money(registry):
    code, out, _ = run_cli("run", "subsidy_totals", "--db", str(registry), "--as-of", "2024-06-30",
                           "--param", "group_by=kind", "--format", "csv")
    assert code == 0
    assert out.splitlines() == ["kind,amount_wan,count", "备案补贴,160,4", "评估补贴,30,1", "项目经费,123.456789,1"]


def test_cli_table_uses_chinese_labels_and_rounds_money(registry):
    code, out, _ = run_cli("run", "coverage_by_cluster", "--db", str(registry), "--as-of", "2024-06-30")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["产业集群", "在册联盟数", "成员单位数"]
    assert "203.46" in lines[2] and lines[-1] == "（共 11 行）"


def test_cli_profile_and_taxonomy_params(registry):
    code, out, _ = run_cli("run", "coverage_by_cluster", "--db", str(registry), "--as-of", "2024-06-30",
                           "--profile", "weinan-2015", "--param", "taxonomy=tianjin-clusters", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 11


def test_cli_filters(registry):
    code, out, _ = run_cli("run", "overview_kpis", "--db", str(registry), "--as-of", "2024-06-30", "--format", "json",
                           "--filter", "region=滨海新区,南开区", "--filter", "level=市级")
    assert code == 0
    [row] = json.loads(out)
    assert (row["active_alliances"], row["members"], row["subsidy_total_wan"]) == (1, 5, 60)   # A2 only
    code, out, _ = run_cli("run", "subsidy_totals", "--db", str(registry), "--as-of", "2024-06-30", "--format", "csv",
                           "--param", "group_by=kind", "--filter", "cluster=新材料,新一代信息技术")
    assert code == 0 and out.splitlines() == ["kind,amount_wan,count", "备案补贴,110,3"]
    code, out, _ = run_cli("run", "review_schedule", "--db", str(registry), "--as-of", "2024-06-30",
                           "--filter", "级别=省级")
    assert code == 0
    assert out.splitlines()[-2:] == ["（共 1 行）", "（筛选：级别：省级）"]
    code, _, err = run_cli("run", "overview_kpis", "--db", str(registry), "--filter", "colour=red")
    assert code == 1 and "筛选条件应写成" in err


def test_cli_errors_are_chinese(registry, tmp_path):
    code, _, err = run_cli("run", "nope", "--db", str(registry))
    assert code == 1 and "没有名为「nope」的查询" in err
    code, _, err = run_cli("run", "overview_kpis", "--db", str(tmp_path / "missing.duckdb"))
    assert code == 1 and "数据库文件不存在" in err
    code, _, err = run_cli("run", "subsidy_totals", "--db", str(registry), "--param", "group_by")
    assert code == 1 and "k=v" in err


def test_cli_list_names_every_query():
    code, out, _ = run_cli("list")
    assert code == 0
    for doc in runner.list_queries():
        assert f"{doc.name}：{doc.title}" in out
