"""评估与报告: the sample's evaluations, reports and agreements, profiles without rules, empty states.

Expected figures are worked out here from the registry's raw tables with plain Python, never by
running review_schedule.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loaders.registry import connect_read_only
from app_pages import AS_OF, metrics, open_page, view_charts

PAGE = "reviews"


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _plus_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError


def by_hand(db: Path, as_of: dt.date) -> dict:
    """Under Tianjin's rules (3-year cycle, reports due 12-31) and Heilongjiang's 5-year agreements."""
    con = connect_read_only(db)
    try:
        alliances = con.execute("select alliance_id, name, filed_date, revoked_date, agreement_date "
                                "from alliances").fetchall()
        evaluations = con.execute("select alliance_id, event_date from events "
                                  "where event_type in ('三年评估', '复审')").fetchall()
        reports = con.execute("select alliance_id, year, submitted_date from annual_reports").fetchall()
    finally:
        con.close()
    active = {a: (name, filed, agreed) for a, name, filed, revoked, agreed in alliances
              if filed and filed <= as_of and (revoked is None or revoked > as_of)}
    last: dict[str, dt.date] = {}
    for a, day in evaluations:
        if day <= as_of and day > last.get(a, dt.date.min):
            last[a] = day
    due = {a: _plus_years(last.get(a, filed), 3) for a, (_, filed, _) in active.items()}
    overdue = sorted((d, active[a][0]) for a, d in due.items() if d < as_of)
    report_year = as_of.year - 1  # the 12-31 deadline of this year has not passed yet
    delivered = {a for a, y, submitted in reports if y == report_year and (submitted is None or submitted <= as_of)}
    expiry = [_plus_years(agreed, 5) for _, _, agreed in active.values() if agreed]
    return {
        "overdue": len(overdue),
        "most_overdue": overdue[0][1],
        "soon": sum(as_of <= d <= as_of + dt.timedelta(days=180) for d in due.values()),
        "coming": sum(as_of <= d <= _plus_months(as_of, 18) for d in due.values()),
        "reports_missing": sum(1 for a, (_, filed, _) in active.items()
                               if filed.year < report_year and a not in delivered),
        "report_year": report_year,
        "agreements_expired": sum(e <= as_of for e in expiry),
        "agreements_expiring": sum(as_of < e <= _plus_months(as_of, 18) for e in expiry),
    }


def test_sample_under_tianjin(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = by_hand(sample_db, AS_OF)
    at = open_page(sample_db, monkeypatch, PAGE)
    assert metrics(at) == {
        "评估逾期": f"{expected['overdue']} 个",
        "180 天内到期": f"{expected['soon']} 个",
        "未来18个月到期": f"{expected['coming']} 个",
        f"{expected['report_year']}年度报告未交": f"{expected['reports_missing']} 个",
        "协议到期": "未规定",
    }
    assert expected["overdue"] > 0 and expected["reports_missing"] > 0  # the sample exercises both lists
    assert view_charts(at, "reviews_charts", ["按月", "逐个联盟"]) == [
        ["chart_reviews_due_by_month"], ["chart_reviews_timeline"]]
    overdue = at.dataframe[0].value
    assert len(overdue) == expected["overdue"]
    assert overdue.iloc[0]["联盟名称"] == expected["most_overdue"]       # most overdue first
    assert list(overdue["距到期天数"]) == sorted(overdue["距到期天数"])
    assert len(at.dataframe[1].value) == expected["coming"]
    assert len(at.dataframe[2].value) == expected["reports_missing"]
    # Silent on agreements: says so with the clause, and names no other bureau's rule.
    assert any("未规定联盟协议期限（第九条（二）" in i.value for i in at.info)
    assert not any("黑龙江" in i.value for i in at.info)
    captions = " ".join(c.value for c in at.caption)
    assert f"另有 {expected['overdue']} 个已逾期" in captions


def test_agreements_under_heilongjiang(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = by_hand(sample_db, AS_OF)
    at = open_page(sample_db, monkeypatch, PAGE, profile="heilongjiang-2009")
    assert metrics(at) == {"评估逾期": "未规定", "年度报告未交": "未规定",
                            "协议已到期": f"{expected['agreements_expired']} 个",
                            "协议未来18个月到期": f"{expected['agreements_expiring']} 个"}
    info = " ".join(i.value for i in at.info)
    assert "未规定评估周期（第10条" in info and "未规定年度报告（意见未规定" in info
    assert "天津" not in info and "复审" not in info
    assert len(at.get("plotly_chart")) == 1   # agreements by expiry year
    assert len(at.dataframe[0].value) == expected["agreements_expired"] + expected["agreements_expiring"]


def test_empty_registry(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(empty_db, monkeypatch, PAGE)
    assert any("没有在册联盟" in i.value for i in at.info)


def test_single_alliance_due_on_the_as_of_date(single_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Filed 2019-06-28, evaluated 2022-06-30: due 2025-06-30, the as-of date itself — not yet overdue.
    # Its 2024 report came in on 2024-11-20.
    at = open_page(single_db, monkeypatch, PAGE, as_of="2025-06-30")
    assert metrics(at) == {"评估逾期": "0 个", "180 天内到期": "1 个", "未来18个月到期": "1 个",
                            "2024年度报告未交": "0 个", "协议到期": "未规定"}
    assert any(s.value == "没有逾期的评估。" for s in at.success)
    assert any("2024年度报告应交的联盟都已提交" in s.value for s in at.success)
    assert view_charts(at, "reviews_charts", ["按月", "逐个联盟"]) == [
        ["chart_reviews_due_by_month"], ["chart_reviews_timeline"]]
