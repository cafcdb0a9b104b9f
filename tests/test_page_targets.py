"""目标进度: the target's numbers on the sample, open and past targets, profiles without targets, empty states.

Expected figures are counted here from the registry's raw ``alliances`` table with plain Python
(filings by 备案日期), never by running target_progress / target_outlook / target_trajectory.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import figures
from figures import Scope
from loaders.registry import connect_read_only
from queries.policy import load_profile
from app_pages import AS_OF, metrics, open_page, render_chart, view_charts

PAGE = "targets"


def filed_dates(db: Path) -> list[dt.date]:
    con = connect_read_only(db)
    try:
        return [d for (d,) in con.execute("select filed_date from alliances where filed_date is not null").fetchall()]
    finally:
        con.close()


def test_past_target_on_the_sample(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dates = filed_dates(sample_db)
    achieved = sum(dt.date(2016, 1, 1) <= d <= dt.date(2020, 12, 31) for d in dates)   # 十三五: 2016–2020
    assert achieved == 58                                                               # the sample's story
    at = open_page(sample_db, monkeypatch, PAGE)
    got = metrics(at)
    assert got["“十三五”目标"] == "80–100 个"
    assert got["已完成"] == f"{achieved} 个"
    assert got["结果"] == "未完成"
    assert got["与下限相比"] == f"少 {80 - achieved} 个"
    assert at.warning[0].value == (f"“十三五”目标（2016–2020年备案 80–100 个）未完成：实际 {achieved} 个，"
                                   f"比下限少 {80 - achieved} 个（完成下限的 {achieved / 80:.0%}）。")
    assert view_charts(at, "targets_charts", ["目标进度", "历年备案"]) == [["chart_targets_progress"],
                                                                       ["chart_targets_filings"]]


def test_open_target_says_what_each_year_needs(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_of = dt.date(2018, 6, 30)
    dates = [d for d in filed_dates(sample_db) if d <= as_of]
    achieved = sum(d >= dt.date(2016, 1, 1) for d in dates)
    by_2017 = sum(dt.date(2016, 1, 1) <= d <= dt.date(2017, 12, 31) for d in dates)
    per_year = Counter(d.year for d in dates)
    needed = math.ceil((80 - by_2017) / 3)        # 2018, 2019 and 2020 left
    pace = sum(per_year[y] for y in (2015, 2016, 2017)) / 3
    at = open_page(sample_db, monkeypatch, PAGE, as_of=as_of.isoformat())
    got = metrics(at)
    assert (got["已完成"], got["还差（至下限）"], got["每年需新增"]) == (f"{achieved} 个", f"{80 - achieved} 个",
                                                                  f"{needed} 个")
    assert (achieved, needed, pace) == (28, 19, 10)   # the sample's story: 10 a year will not reach 80
    assert at.info[0].value == (f"“十三五”目标（2016–2020年备案 80–100 个）：已完成 {achieved} 个，还差 {80 - achieved} 个；"
                                f"2018–2020年每年需新增 {needed} 个，近三年年均 {pace:.1f} 个，按此速度难以达标。")


def test_profile_with_two_targets(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Zhejiang: 10 by 2010 and 50 by 2015, both cumulative
    dates = filed_dates(sample_db)
    by_2010, by_2015 = sum(d.year <= 2010 for d in dates), sum(d.year <= 2015 for d in dates)
    at = open_page(sample_db, monkeypatch, PAGE, profile="zhejiang-2010")
    assert [m.value for m in at.metric if m.label == "已完成"] == [f"{by_2010} 个", f"{by_2015} 个"]
    assert [w.value.split("：")[0] for w in at.warning] == ["“2010年”目标（累计确定 10 个）未完成",
                                                           "“2015年”目标（累计确定 50 个）未完成"]


@pytest.mark.parametrize("profile", ["heilongjiang-2009", "most-2009"])
def test_profile_without_targets_still_shows_filings(sample_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                     profile: str) -> None:
    at = open_page(sample_db, monkeypatch, PAGE, profile=profile)
    assert f"未规定联盟数量目标（{load_profile(profile).clauses.target}）" in at.info[0].value
    assert f"data/profiles/{profile}.toml" in at.info[0].value
    assert not at.metric
    assert len(at.get("plotly_chart")) == 1   # filings per year


def test_filings_chart_follows_the_year_range(sample_db: Path) -> None:
    per_year = Counter(d.year for d in filed_dates(sample_db) if d <= AS_OF)
    scope = Scope(load_profile("tianjin-2018"), AS_OF, 2016, 2020)
    fig, line = render_chart(sample_db, "targets_filings", scope)
    bars = fig.data[0]
    assert list(bars.x) == [2016, 2017, 2018, 2019, 2020]
    assert list(bars.y) == [per_year[y] for y in range(2016, 2021)]
    assert line.startswith(f"2016–2020年共备案 {sum(per_year[y] for y in range(2016, 2021))} 个")
    # the counted line: filings since 2016, cumulative; the band 80–100 over 2016–2020
    progress, _ = render_chart(sample_db, "targets_progress", scope)
    counted = next(t for t in progress.data if t.name == "2016–2020年备案")
    assert list(counted.y) == list(pd.Series([per_year[y] for y in range(2016, 2021)]).cumsum())
    assert sorted({y for t in progress.data if t.name.startswith("“十三五”目标") for y in t.y}) == [80, 100]


def test_projection_runs_to_the_target_year(sample_db: Path) -> None:
    # a range ending in the as_of year still shows the projection up to the target year
    scope = Scope(load_profile("tianjin-2018"), dt.date(2018, 6, 30), 2010, 2018)
    fig, _ = render_chart(sample_db, "targets_progress", scope)
    projected = next(t for t in fig.data if t.name == "预测（近三年年均）")
    assert list(projected.x) == [2017, 2018, 2019, 2020]
    assert projected.y[-1] == pytest.approx(24 + 10 * 3)   # 24 by the end of 2017 + 10 a year × 3


def test_single_alliance(single_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # filed 2019-06-28: one filing toward 十三五
    at = open_page(single_db, monkeypatch, PAGE)
    assert metrics(at)["已完成"] == "1 个"
    assert "比下限少 79 个" in at.warning[0].value


def test_empty_registry(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(empty_db, monkeypatch, PAGE)
    assert "还没有备案的联盟" in at.info[0].value
    assert "“十三五”目标（2016–2020年备案 80–100 个）" in at.info[0].value
    assert not at.get("plotly_chart")


def test_chart_ids_belong_to_the_page() -> None:
    mine = {c.id for c in figures.all_charts().values() if c.page == "目标进度"}
    assert mine == {"targets_progress", "targets_filings"}


def test_filters_set_in_the_box_hold_once_it_is_folded(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sidebar's 筛选条件 box draws its widgets only while open: what was chosen there holds when it is
    folded again, on this page and the next, in the sidebar's words, in the URL and in the figures."""
    at = open_page(sample_db, monkeypatch, PAGE)
    assert not at.date_input and not at.multiselect                       # folded: no widget drawn
    at.session_state["filters_box"] = True
    at.run()
    at.multiselect(key="f_level").set_value(["市级"]).run()
    at.date_input(key="f_as_of").set_value(dt.date(2016, 6, 30)).run()
    at.slider(key="f_years").set_value((2012, 2016)).run()
    wanted = {"as_of": "2016-06-30", "level": "市级", "from": "2012", "to": "2016"}
    chosen = (metrics(at), dict(at.query_params))
    assert {k: chosen[1].get(k) for k in wanted} == wanted
    at.session_state["filters_box"] = False
    at.run()
    assert not at.date_input and (metrics(at), dict(at.query_params)) == chosen
    at.run()
    assert (metrics(at), dict(at.query_params)) == chosen
    assert [t.value for t in at.sidebar.text] == ["天津市（2018）\n截至 2016-06-30，2012–2016年\n级别：市级"]
    at.switch_page("pages/reviews.py").run()
    assert not at.exception and {k: at.query_params.get(k) for k in wanted} == wanted
