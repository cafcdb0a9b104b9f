"""联盟档案: finding an alliance, the URL, its figures, contacts for editors only, names with markup, empty states.

Expected figures are worked out here from the registry's raw tables with plain Python, never by
running the alliance_* queries.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import auth
from loaders.registry import connect_read_only
from registries import D, build
from app_pages import AS_OF, open_page

PAGE = "alliance"
ANTIBODY = "天津市抗体药物产业技术创新战略联盟"
SIC = "天津市第三代半导体(碳化硅)产业技术创新战略联盟"   # half-width brackets in the sample


def _text(at: AppTest) -> str:
    return "\n".join(e.value for e in (*at.markdown, *at.caption, *at.header))


def by_hand(db: Path, name: str, as_of: dt.date) -> dict:
    """One alliance's id, contact, current members and subsidies (year ≤ as_of's, not recovered)."""
    con = connect_read_only(db)
    try:
        [(alliance_id, person, phone)] = con.execute(
            "select alliance_id, contact_person, contact_phone from alliances where name = ?", [name]).fetchall()
        members = con.execute("select joined_date, left_date, is_core from members where alliance_id = ?",
                              [alliance_id]).fetchall()
        money = con.execute("select year, amount_yuan, status from subsidies where alliance_id = ?",
                            [alliance_id]).fetchall()
    finally:
        con.close()
    current = [core for joined, left, core in members
               if (joined is None or joined <= as_of) and (left is None or left > as_of)]
    paid = [amount for year, amount, status in money if year <= as_of.year and status != "已收回"]
    return {"id": alliance_id, "person": person, "phone": phone, "members": len(current),
            "core": sum(bool(c) for c in current), "subsidy_wan": sum(paid, Decimal(0)) / 10000, "payments": len(paid)}


def test_one_alliance_from_the_url(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = by_hand(sample_db, ANTIBODY, AS_OF)
    at = open_page(sample_db, monkeypatch, PAGE, alliance=expected["id"])
    assert at.selectbox(key="a_pick").value == expected["id"]
    assert at.header[0].value == ANTIBODY
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["成员单位"] == f"{expected['members']} 家"
    assert metrics["累计补贴"] == f"{expected['subsidy_wan']:,.2f} 万元"
    text = _text(at)
    assert f"现有成员单位 {expected['members']} 家（核心成员 {expected['core']} 家）" in text
    assert f"（{expected['payments']} 笔，不含已收回）" in text
    # contacts are personal data: not for viewers
    assert "联系人、联系电话为个人信息，仅编辑可见。" in text
    assert expected["person"] not in text and expected["phone"].replace("-", "\\-") not in text
    assert len(at.get("plotly_chart")) == 4
    members = at.dataframe[0].value
    assert (members["成员状态"] == "在联盟").sum() == expected["members"]


def test_editors_see_the_contact(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = by_hand(sample_db, ANTIBODY, AS_OF)
    at = open_page(sample_db, monkeypatch, PAGE, alliance=expected["id"], editor="编辑甲",
                   secrets={"editors": {"编辑甲": auth.hash_password("一个足够长的口令123")}})
    text = _text(at).replace("\\", "")
    assert f"**联系人**  \n{expected['person']}" in text and expected["phone"] in text
    assert "仅编辑可见" not in text


def test_search_ignores_bracket_width_and_the_choice_goes_to_the_url(sample_db: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(sample_db, monkeypatch, PAGE)
    assert at.selectbox(key="a_pick").value is None
    assert len(at.dataframe[0].value) == 120          # no alliance chosen: the whole directory
    at.text_input(key="a_search").input("（碳化硅）").run()
    pick = at.selectbox(key="a_pick")
    assert pick.label == "选择联盟（找到 1 个）" and len(at.dataframe[0].value) == 1
    sic = by_hand(sample_db, SIC, AS_OF)["id"]
    pick.select(sic).run()
    assert at.query_params["alliance"] == sic
    assert at.header[0].value == SIC.replace("(", "\\(").replace(")", "\\)")   # shown as written
    # searching again keeps the open alliance selectable
    at.text_input(key="a_search").input("抗体").run()
    assert at.selectbox(key="a_pick").value == sic and at.query_params["alliance"] == sic


def test_an_alliance_outside_the_filters(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alliance_id = by_hand(sample_db, ANTIBODY, AS_OF)["id"]   # a 市级 alliance
    at = open_page(sample_db, monkeypatch, PAGE, alliance=alliance_id, level="国家级")
    assert any(alliance_id.replace("-", "\\-") in w.value and "找不到" in w.value for w in at.warning)
    assert "alliance" not in at.query_params
    at = open_page(sample_db, monkeypatch, PAGE, alliance="L-不存在")
    assert any("「L\\-不存在」" in w.value for w in at.warning)   # shown as written (Markdown-escaped)


def test_names_with_markup_show_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "<b>芯片</b>**联盟** $x$ :red[注意] [链接](http://例.cn)"
    db = build(tmp_path / "registry.duckdb", {
        "alliances": [{"alliance_id": "X1", "name": name, "field": "集成电路", "lead_unit": "<i>天津</i>公司",
                       "status": "已备案", "filed_date": D("2021-03-01")}],
        "members": [{"alliance_id": "X1", "unit_name": "<i>天津</i>公司", "unit_type": "企业", "is_core": True}]})
    at = open_page(db, monkeypatch, PAGE, alliance="X1")
    header = at.header[0].value
    for sign in ("<", "*", "$", ":", "[", "("):
        assert f"\\{sign}" in header
    assert header.replace("\\", "") == name
    assert "**对外责任主体单位**  \n\\<i\\>天津\\</i\\>公司" in _text(at)
    assert not at.get("html")


def test_empty_and_single(empty_db: Path, single_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(empty_db, monkeypatch, PAGE)
    assert any("没有联盟记录" in i.value for i in at.info)
    at = open_page(single_db, monkeypatch, PAGE, as_of="2025-06-30")
    assert len(at.dataframe[0].value) == 1
    at.selectbox(key="a_pick").select_index(0).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # 3 members (2 core), a 50 万元 filing subsidy, evaluated 2022-06-30 so due on 2025-06-30, report 2024 in
    assert metrics == {"成员单位": "3 家", "累计补贴": "50.00 万元", "下次评估": "2025-06-30",
                       "最近年度报告": "2024 年度"}
    assert len(at.get("plotly_chart")) == 4
