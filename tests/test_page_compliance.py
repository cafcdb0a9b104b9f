"""合规检查: the profile's rules in words, the sample's failing alliances, the list's filters (kept in the URL).

Expected figures are worked out here from the registry's raw tables with plain Python, never by
running eligibility_check.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loaders.registry import connect_read_only
from app_pages import AS_OF, markdown, metrics, open_page, view_charts

PAGE = "compliance"


def member_counts(db: Path, as_of: dt.date) -> dict[str, int]:
    """Current members of every alliance in the registry on ``as_of``, by name."""
    con = connect_read_only(db)
    try:
        alliances = con.execute("select alliance_id, name, filed_date, revoked_date from alliances").fetchall()
        members = con.execute("select alliance_id, joined_date, left_date from members").fetchall()
    finally:
        con.close()
    active = {a: name for a, name, filed, revoked in alliances
              if filed and filed <= as_of and (revoked is None or revoked > as_of)}
    counts = dict.fromkeys(active.values(), 0)
    for a, joined, left in members:
        if a in active and (joined is None or joined <= as_of) and (left is None or left > as_of):
            counts[active[a]] += 1
    return counts


def test_sample_under_tianjin(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = member_counts(sample_db, AS_OF)
    short = {name: n for name, n in counts.items() if n < 10}
    assert short  # the sample has alliances below Tianjin's minimum of 10
    at = open_page(sample_db, monkeypatch, PAGE)
    rules = markdown(at)
    assert "成员单位不少于 10 家（计全部现有成员，不限核心成员）" in rules
    assert "至少 1 家企业；至少 1 家高校或科研院所" in rules
    assert "须在本地注册（注册地含：天津）" in rules and "核心成员中本地注册的不少于 50%" in rules
    # In the sample the only unmet condition is the minimum.
    assert metrics(at) == {"核对的在册联盟": f"{len(counts)} 个", "符合全部条件": f"{len(counts) - len(short)} 个",
                            "不符合至少一项": f"{len(short)} 个"}
    failing = at.dataframe[0].value
    assert dict(zip(failing["联盟名称"], failing["存在问题"])) == \
        {name: f"成员单位{n}家，少于10家" for name, n in short.items()}
    assert view_charts(at, "compliance_charts", ["按问题类型", "按成员数量"]) == [
        ["chart_compliance_problems"], ["chart_compliance_member_sizes"]]
    assert any(f"{len(short)} 个不符合至少一项条件" in c.value and "最多的问题是成员不足" in c.value for c in at.caption)

    at.radio(key="c_show").set_value("全部联盟").run()
    assert len(at.dataframe[0].value) == len(counts)
    assert at.query_params["show"] == "all"
    at.multiselect(key="c_problem").set_value(["成员不足"]).run()
    assert set(at.dataframe[0].value["联盟名称"]) == set(short)
    assert at.query_params["problem"] == "成员不足"


def test_filters_come_back_from_the_url(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(sample_db, monkeypatch, PAGE, profile="weinan-2015", show="all", problem="责任主体非本地")
    assert at.radio(key="c_show").value == "全部联盟"
    assert at.multiselect(key="c_problem").value == ["责任主体非本地"]
    rules = markdown(at)
    assert "核心成员不少于 10 家（只计核心成员）" in rules and "本地核心成员占比：未规定，不检查。" in rules
    # No lead unit of the Tianjin sample is registered in Weinan: every alliance fails that condition.
    n = len(member_counts(sample_db, AS_OF))
    assert metrics(at)["不符合至少一项"] == f"{n} 个"
    assert len(at.dataframe[0].value) == n


def test_a_profile_without_a_minimum(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(sample_db, monkeypatch, PAGE, profile="most-2009")
    rules = markdown(at)
    assert "成员数量：未规定下限，不检查。" in rules and "对外责任主体单位：未要求在本地注册，不检查。" in rules
    assert any(s.value == "当前筛选范围内的在册联盟都符合全部条件。" for s in at.success)


def test_empty_and_single(empty_db: Path, single_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(empty_db, monkeypatch, PAGE)
    assert any("没有在册联盟可核对" in i.value for i in at.info)
    # One alliance of three members (天津单一科技有限公司 leads, registered in Tianjin; 2 of 2 core local).
    at = open_page(single_db, monkeypatch, PAGE)
    assert metrics(at) == {"核对的在册联盟": "1 个", "符合全部条件": "0 个", "不符合至少一项": "1 个"}
    assert list(at.dataframe[0].value["存在问题"]) == ["成员单位3家，少于10家"]
