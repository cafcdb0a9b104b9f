"""eligibility_check: the 合规检查 rules of each profile.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

import pytest

from registries import rows, table


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
