"""The 联盟档案 and 合规检查 queries on a small registry built in code.

alliance_directory, alliance_detail, alliance_member_list, alliance_member_types,
alliance_events, alliance_subsidies, alliance_reports, eligibility_problems and
eligibility_summary. Every expected figure was worked out by hand from the rows below (the
comments tell each alliance's story); none is computed by the SQL under test.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from loaders.registry import connect_read_only
from queries.policy import load_profile
from registries import AS_OF, D, W, alliance_row, build, member_row, rows, table

HTML_NAME = "<script>alert(1)</script>**芯片**联盟"


def _alliance(alliance_id: str, name: str, field: str, **kw) -> dict:
    return alliance_row(alliance_id, name, field, **{"level": "市级", **kw})


# As of 2024-06-30 (AS_OF), under tianjin-2018 (cycle 3 years, reports due 12-31, ≥10 members, lead in
# Tianjin, core members at least half local):
#   B1 机器人联盟     高端装备   filed 2020-03-15, evaluated 2023-03-20; 8 current members (+1 left, +1 joining
#                                later); 4 subsidies up to 2024 (one recovered) and one for 2025; reports 2020
#                                (late), 2021, 2023, and 2024 submitted after AS_OF
#   B2 HTML_NAME      新一代信息技术 filed 2021-03-01, 2 members, both core and registered in Beijing
#                                (lead not local, local core share 0)
#   B3 新材料联盟     新材料     filed 2015-05-10, revoked 2023-12-31; 2 members, a 2016 subsidy
#   B4 申请中联盟     新能源     applied 2024-03-01, never filed
#   B5 国家试点联盟   未归类     国家级, filed 2022-01-01, no members at all
REGISTRY: dict[str, list[dict]] = {
    "alliances": [
        _alliance("B1", "机器人联盟", "高端装备", region="天津市滨海新区", lead_unit="天津甲公司",
                  founded_date=D("2019-10-01"), agreement_date=D("2019-12-01"), applied_date=D("2019-11-20"),
                  filed_date=D("2020-03-15"), division="高新处", recommender="滨海新区科技局", staff_count=3,
                  contact_person="张三", contact_phone="022-12345678"),
        _alliance("B2", HTML_NAME, "新一代信息技术", lead_unit="天津芯公司", filed_date=D("2021-03-01")),
        _alliance("B3", "新材料联盟", "新材料", region="东丽", filed_date=D("2015-05-10"),
                  revoked_date=D("2023-12-31"), status="已撤销"),
        _alliance("B4", "申请中联盟", "新能源", region="天津经开区", applied_date=D("2024-03-01"), status="申请中"),
        _alliance("B5", "国家试点联盟", "奇怪领域", region="武清区", level="国家级", filed_date=D("2022-01-01")),
    ],
    "members": [
        member_row("B1", "天津甲公司", "企业", "天津市滨海新区", True, "理事长单位", joined_date=D("2019-12-01")),
        member_row("B1", "天津乙公司", "企业", "天津市西青区", True),
        member_row("B1", "天津大学", "高校", "天津市南开区", True, "理事单位", credit_code="12100000401359321Q"),
        member_row("B1", "北京丙研究院", "科研院所", "北京市海淀区", True),
        member_row("B1", "天津丁银行", "金融机构", "天津市和平区"),
        member_row("B1", "天津戊中介", "中介机构", "天津市河西区"),
        member_row("B1", "天津己协会", "其他", "天津市"),
        member_row("B1", "天津庚公司", "企业", "天津市", left_date=D("2023-12-31")),
        member_row("B1", "天津辛公司", "企业", "天津市", joined_date=D("2024-07-15")),
        member_row("B1", "天津壬公司", "企业", "天津市", False, "副理事长单位", joined_date=D("2020-01-01")),
        member_row("B2", "天津芯公司", "企业", "北京市", True, "理事长单位"),
        member_row("B2", "北京芯研究所", "科研院所", "北京市", True),
        member_row("B3", "天津新材公司", "企业", "天津市", True, "理事长单位"),
        member_row("B3", "天津理工大学", "高校", "天津市"),
    ],
    "subsidies": [
        {"alliance_id": "B1", "year": 2020, "kind": "备案补贴", "amount_yuan": "500000", "status": "已拨付",
         "paid_date": D("2020-06-30"), "doc_no": "津科〔2020〕1号"},
        {"alliance_id": "B1", "year": 2020, "kind": "备案补贴", "amount_yuan": "100000", "status": "已收回",
         "paid_date": D("2020-08-01")},
        {"alliance_id": "B1", "year": 2023, "kind": "评估补贴", "amount_yuan": "300000", "status": "已拨付",
         "paid_date": D("2023-05-01")},
        {"alliance_id": "B1", "year": 2024, "kind": "项目经费", "amount_yuan": "1234567.89", "status": "已拨付"},
        {"alliance_id": "B1", "year": 2025, "kind": "评估补贴", "amount_yuan": "200000", "status": "已拨付"},
        {"alliance_id": "B3", "year": 2016, "kind": "备案补贴", "amount_yuan": "400000", "status": "已拨付"},
    ],
    "events": [
        {"alliance_id": "B1", "event_type": "申请", "event_date": D("2019-11-20")},
        {"alliance_id": "B1", "event_type": "形式审查", "event_date": D("2019-12-10"), "result": "通过"},
        {"alliance_id": "B1", "event_type": "技术审查", "event_date": D("2019-12-30"), "result": "不通过",
         "note": "补充材料后通过"},
        {"alliance_id": "B1", "event_type": "专家评审", "event_date": D("2020-01-20"), "result": "通过", "score": "88.5"},
        # filed on the day the publicity ended: listed after 公示 although entered first
        {"alliance_id": "B1", "event_type": "备案", "event_date": D("2020-03-15")},
        {"alliance_id": "B1", "event_type": "公示", "event_date": D("2020-03-15")},
        {"alliance_id": "B1", "event_type": "三年评估", "event_date": D("2023-03-20"), "result": "良好", "score": "85"},
        {"alliance_id": "B1", "event_type": "复审", "event_date": D("2024-08-01"), "result": "通过"},
        {"alliance_id": "B3", "event_type": "撤销", "event_date": D("2023-12-31")},
    ],
    "annual_reports": [
        {"alliance_id": "B1", "year": 2020, "submitted_date": D("2021-01-10"), "activities": 4, "patents": 2},
        {"alliance_id": "B1", "year": 2021, "submitted_date": D("2021-12-20"), "activities": 6, "joint_projects": 1},
        {"alliance_id": "B1", "year": 2023, "submitted_date": D("2023-12-31"), "activities": 9, "transfers": 3},
        {"alliance_id": "B1", "year": 2024, "submitted_date": D("2024-07-10")},
    ],
}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("alliance") / "registry.duckdb", REGISTRY)


@pytest.fixture(scope="module")
def con(registry: Path):
    c = connect_read_only(registry)
    yield c
    c.close()


# ----------------------------------------------------------------------------- alliance_directory


def test_directory_lists_every_alliance_whatever_its_status(con):
    # Binary order of the names: "<" before any Chinese character, then 国 < 新 < 机 < 申.
    assert table(con, "alliance_directory", "alliance_id alliance status in_registry cluster region level") == [
        ("B2", HTML_NAME, "已备案", True, "新一代信息技术", "未填", "市级"),
        ("B5", "国家试点联盟", "已备案", True, "未归类", "武清区", "国家级"),
        ("B3", "新材料联盟", "已撤销", False, "新材料", "东丽区", "市级"),        # revoked on 2023-12-31
        ("B1", "机器人联盟", "已备案", True, "高端装备", "滨海新区", "市级"),   # 天津市滨海新区 → 滨海新区
        ("B4", "申请中联盟", "申请中", False, "新能源", "天津经开区", "市级"),  # never filed; region outside the list
    ]


def test_directory_in_registry_follows_as_of(con):
    # The day before B3's revocation it is in the registry; B2 is not yet filed on 2021-02-28.
    got = {r["alliance_id"]: r["in_registry"] for r in rows(con, "alliance_directory", as_of=D("2021-02-28"))}
    assert got == {"B1": True, "B2": False, "B3": True, "B4": False, "B5": False}


def test_directory_respects_the_filters(con):
    assert [r["alliance_id"] for r in rows(con, "alliance_directory", filters=dict(levels=("国家级",)))] \
        == ["B5"]
    assert [r["alliance_id"] for r in rows(con, "alliance_directory", filters=dict(regions=("未填",)))] \
        == ["B2"]


# ----------------------------------------------------------------------------- alliance_detail


def test_detail_of_an_alliance_in_the_registry(con):
    [row] = rows(con, "alliance_detail", alliance_id="B1")
    assert row == {
        "alliance_id": "B1", "alliance": "机器人联盟", "lead_unit": "天津甲公司",
        "region": "滨海新区", "raw_region": "天津市滨海新区", "field": "高端装备", "cluster": "高端装备",
        "cluster_reason": "关键词「高端装备」", "level": "市级", "status": "已备案", "in_registry": True,
        "founded_date": D("2019-10-01"), "agreement_date": D("2019-12-01"), "applied_date": D("2019-11-20"),
        "filed_date": D("2020-03-15"), "national_pilot_date": None, "revoked_date": None,
        "division": "高新处", "recommender": "滨海新区科技局", "staff_count": 3,
        "contact_person": "张三", "contact_phone": "022-12345678",
        "member_count": 8,            # 10 rows − 庚 (left 2023-12-31) − 辛 (joins 2024-07-15)
        "core_member_count": 4,       # 甲 乙 天津大学 北京丙研究院
        "subsidy_total_wan": W("203.456789"),  # 50 + 30 + 123.456789; the recovered 10 and the 2025 20 do not count
        "subsidy_count": 3,
        "last_evaluation_date": D("2023-03-20"),   # the 2024-08-01 复审 is after AS_OF
        "next_evaluation_due": D("2026-03-20"),    # + 3 years
        "evaluation_status": "正常",               # 628 days ahead, beyond 180
        "days_to_due": (D("2026-03-20") - AS_OF).days,
        "last_report_year": 2023,                  # the 2024 report was submitted after AS_OF
        "report_year": 2023,                       # 2023-12-31 is the last due date before AS_OF
        "report_missing": False,
        "agreement_expiry": None,                  # Tianjin sets no agreement term
    }


def test_detail_under_a_profile_with_an_agreement_term_and_no_cycle(con):
    [row] = rows(con, "alliance_detail", profile="heilongjiang-2009", alliance_id="B1")
    assert (row["agreement_expiry"], row["next_evaluation_due"], row["evaluation_status"], row["report_year"],
            row["report_missing"]) == (D("2024-12-01"), None, "正常", None, False)  # 2019-12-01 + 5 years


def test_detail_of_a_revoked_alliance_keeps_its_history(con):
    [row] = rows(con, "alliance_detail", alliance_id="B3")
    assert (row["in_registry"], row["status"], row["revoked_date"], row["member_count"], row["core_member_count"],
            row["subsidy_total_wan"], row["subsidy_count"]) == (False, "已撤销", D("2023-12-31"), 2, 1, W("40"), 1)
    # not in review_schedule, so no review dates
    assert [row[c] for c in ("last_evaluation_date", "next_evaluation_due", "evaluation_status", "report_missing",
                             "agreement_expiry")] == [None] * 5


def test_detail_of_an_alliance_with_nothing(con):
    [row] = rows(con, "alliance_detail", alliance_id="B5")
    assert (row["member_count"], row["subsidy_total_wan"], row["subsidy_count"], row["cluster"], row["region"]) == \
        (0, W("0"), 0, "未归类", "武清区")
    # never evaluated: filing date + 3 years, 2025-01-01, is 185 days after AS_OF
    assert (row["next_evaluation_due"], row["evaluation_status"], row["days_to_due"]) == (D("2025-01-01"), "正常", 185)


def test_detail_unknown_or_filtered_out(con):
    assert rows(con, "alliance_detail", alliance_id="B9") == []
    assert rows(con, "alliance_detail", alliance_id="B1", filters=dict(levels=("国家级",))) == []
    assert len(rows(con, "alliance_detail", alliance_id="B1", filters=dict(regions=("滨海新区",)))) == 1


# ----------------------------------------------------------------------------- members


def test_member_list_current_first_then_role_type_and_name(con):
    got = table(con, "alliance_member_list", "unit_name unit_type pillar role is_core membership", alliance_id="B1")
    assert got == [
        ("天津甲公司", "企业", "产", "理事长单位", True, "在联盟"),
        ("天津壬公司", "企业", "产", "副理事长单位", False, "在联盟"),
        ("天津大学", "高校", "学", "理事单位", True, "在联盟"),
        ("天津乙公司", "企业", "产", "成员单位", True, "在联盟"),
        ("北京丙研究院", "科研院所", "研", "成员单位", True, "在联盟"),
        ("天津丁银行", "金融机构", "金", "成员单位", False, "在联盟"),
        ("天津戊中介", "中介机构", "介", "成员单位", False, "在联盟"),
        ("天津己协会", "其他", "其他", "成员单位", False, "在联盟"),
        ("天津辛公司", "企业", "产", "成员单位", False, "尚未加入"),   # joins 2024-07-15
        ("天津庚公司", "企业", "产", "成员单位", False, "已退出"),     # left 2023-12-31
    ]


def test_member_list_status_changes_with_as_of(con):
    got = {r["unit_name"]: r["membership"] for r in rows(con, "alliance_member_list", as_of=D("2024-07-15"),
                                                         alliance_id="B1")}
    assert (got["天津辛公司"], got["天津庚公司"]) == ("在联盟", "已退出")
    got = {r["unit_name"]: r["membership"] for r in rows(con, "alliance_member_list", as_of=D("2023-12-30"),
                                                         alliance_id="B1")}
    assert got["天津庚公司"] == "在联盟"  # leaves on 2023-12-31


def test_member_types_count_current_members_with_zero_rows(con):
    assert table(con, "alliance_member_types", "unit_type pillar members core_members", alliance_id="B1") == [
        ("企业", "产", 3, 2),       # 甲 乙 壬 (庚 left, 辛 not yet); core 甲 乙
        ("高校", "学", 1, 1),
        ("科研院所", "研", 1, 1),
        ("金融机构", "金", 1, 0),
        ("中介机构", "介", 1, 0),
        ("其他", "其他", 1, 0),
    ]
    # a revoked alliance's members are still counted; nobody is all zeros
    assert [r["members"] for r in rows(con, "alliance_member_types", alliance_id="B3")] == [1, 1, 0, 0, 0, 0]
    assert [r["members"] for r in rows(con, "alliance_member_types", alliance_id="B5")] == [0] * 6
    assert [r["members"] for r in rows(con, "alliance_member_types", alliance_id="B1",
                                       filters=dict(levels=("国家级",)))] == [0] * 6


# ----------------------------------------------------------------------------- events, subsidies, reports


def test_events_in_date_order_up_to_as_of(con):
    got = table(con, "alliance_events", "event_date event_type result passed score note stage_position",
                alliance_id="B1")
    assert got == [
        (D("2019-11-20"), "申请", None, None, None, None, 1),
        (D("2019-12-10"), "形式审查", "通过", True, None, None, 2),
        (D("2019-12-30"), "技术审查", "不通过", False, None, "补充材料后通过", 3),
        (D("2020-01-20"), "专家评审", "通过", True, W("88.5"), None, 4),
        (D("2020-03-15"), "公示", None, None, None, None, 5),
        (D("2020-03-15"), "备案", None, None, None, None, 6),
        (D("2023-03-20"), "三年评估", "良好", True, W("85"), None, 9),
    ]  # the 复审 of 2024-08-01 is after AS_OF
    assert len(rows(con, "alliance_events", as_of=D("2024-08-01"), alliance_id="B1")) == 8


def test_subsidies_list_recovered_ones_but_count_only_the_rest(con):
    got = table(con, "alliance_subsidies", "year kind amount_wan status counted paid_date cap_wan", alliance_id="B1")
    assert got == [
        (2020, "备案补贴", W("50"), "已拨付", True, D("2020-06-30"), W("50")),
        (2020, "备案补贴", W("10"), "已收回", False, D("2020-08-01"), W("50")),
        (2023, "评估补贴", W("30"), "已拨付", True, D("2023-05-01"), W("30")),
        (2024, "项目经费", W("123.456789"), "已拨付", True, None, None),   # Tianjin sets no cap for 项目经费
    ]  # the 2025 subsidy is after AS_OF's year
    assert len(rows(con, "alliance_subsidies", as_of=D("2025-01-01"), alliance_id="B1")) == 5
    assert [r["cap_wan"] for r in rows(con, "alliance_subsidies", profile="most-2009", alliance_id="B1")] == [None] * 4


def test_reports_latest_first_with_due_dates(con):
    got = table(con, "alliance_reports", "year submitted_date due_date on_time activities joint_projects patents "
                                        "transfers", alliance_id="B1")
    assert got == [
        (2023, D("2023-12-31"), D("2023-12-31"), True, 9, None, None, 3),   # on the due date itself
        (2021, D("2021-12-20"), D("2021-12-31"), True, 6, 1, None, None),
        (2020, D("2021-01-10"), D("2020-12-31"), False, 4, None, 2, None),
    ]  # 2024's report was submitted on 2024-07-10, after AS_OF
    # Weinan: due 11-30, so none was on time; the national profile sets no due date
    assert [r["on_time"] for r in rows(con, "alliance_reports", profile="weinan-2015", alliance_id="B1")] == [False] * 3
    assert [(r["due_date"], r["on_time"]) for r in rows(con, "alliance_reports", profile="most-2009",
                                                        alliance_id="B1")] == [(None, None)] * 3


def test_reports_due_date_of_29_february(tmp_path: Path):
    profile = load_profile("tianjin-2018")
    leap = dataclasses.replace(profile, review=dataclasses.replace(profile.review, report_due="02-29"))
    db = build(tmp_path / "leap.duckdb", {
        "alliances": [_alliance("C1", "闰年联盟", "新材料", filed_date=D("2020-01-01"))],
        "annual_reports": [{"alliance_id": "C1", "year": 2023, "submitted_date": D("2023-02-28")},
                           {"alliance_id": "C1", "year": 2024, "submitted_date": D("2024-03-01")}]})
    c = connect_read_only(db)
    try:
        got = table(c, "alliance_reports", "year due_date on_time", profile=leap, alliance_id="C1")
    finally:
        c.close()
    assert got == [(2024, D("2024-02-29"), False), (2023, D("2023-02-28"), True)]


# ----------------------------------------------------------------------------- eligibility_problems / summary


def test_eligibility_problems_one_row_per_reason(con):
    # In the registry on AS_OF: B1, B2, B5 (B3 revoked, B4 never filed).
    got = table(con, "eligibility_problems", "alliance_id problem_type reason")
    assert got == [
        ("B2", "成员不足", "成员单位2家，少于10家"),
        ("B5", "成员不足", "成员单位0家，少于10家"),
        ("B1", "成员不足", "成员单位8家，少于10家"),   # by name: HTML_NAME, 国家试点联盟, 机器人联盟
        ("B5", "缺少企业", "缺少企业成员"),
        ("B5", "缺少高校或科研院所", "缺少高校或科研院所成员"),
        ("B2", "责任主体非本地", "对外责任主体单位未在本地注册"),                 # 天津芯公司, registered in 北京市
        ("B5", "责任主体无法核实", "无法确认对外责任主体单位在本地注册（成员中找不到该单位或其注册地为空）"),
        ("B2", "本地核心成员不足", "本地核心成员占比0.0%，低于50.0%"),
        ("B5", "未标注核心成员", "未标注核心成员，无法核对本地核心成员占比"),
    ]


def test_eligibility_summary_lists_every_checked_condition(con):
    third = pytest.approx(1 / 3)
    assert [(r["problem_type"], r["alliances"], r["share"], r["checked"]) for r in rows(con, "eligibility_summary")] \
        == [("成员不足", 3, 1.0, 3), ("缺少企业", 1, third, 3), ("缺少高校或科研院所", 1, third, 3),
            ("责任主体非本地", 1, third, 3), ("责任主体无法核实", 1, third, 3), ("本地核心成员不足", 1, third, 3),
            ("未标注核心成员", 1, third, 3)]


def test_eligibility_summary_follows_the_profile(con):
    # Weinan: ≥10 core members, lead in the city (渭南…: nobody here), no share rule.
    assert table(con, "eligibility_summary", "problem_type alliances", profile="weinan-2015") == [
        ("成员不足", 3), ("缺少企业", 1), ("缺少高校或科研院所", 1), ("责任主体非本地", 2), ("责任主体无法核实", 1)]
    reasons = {r["alliance_id"]: r["reason"] for r in rows(con, "eligibility_problems", profile="weinan-2015")
               if r["problem_type"] == "成员不足"}
    assert reasons == {"B1": "核心成员4家，少于10家", "B2": "核心成员2家，少于10家", "B5": "核心成员0家，少于10家"}
    # The national profile checks member types only.
    assert table(con, "eligibility_summary", "problem_type alliances", profile="most-2009") == [
        ("缺少企业", 1), ("缺少高校或科研院所", 1)]


def test_eligibility_summary_under_filters_and_on_an_empty_registry(con, tmp_path: Path):
    got = table(con, "eligibility_summary", "problem_type alliances checked", filters=dict(levels=("国家级",)))
    assert got[0] == ("成员不足", 1, 1) and got[3] == ("责任主体非本地", 0, 1)
    empty = connect_read_only(build(tmp_path / "empty.duckdb", {}))
    try:
        got = table(empty, "eligibility_summary", "problem_type alliances share checked")
    finally:
        empty.close()
    assert got[0] == ("成员不足", 0, None, 0) and len(got) == 7
