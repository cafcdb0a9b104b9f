"""资金补贴: one total that every view adds up to, the year range, the cap check, empty states.

Expected figures are summed here from the registry's raw ``subsidies`` table (exact Decimal 元)
and the profile's caps, never by running subsidy_totals or subsidy_cap_check.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import figures
from figures import Scope
from loaders.registry import connect_read_only
from queries.policy import load_profile
from app_pages import AS_OF, open_page, render_chart, view_charts

PAGE = "subsidies"


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def paid(db: Path) -> list[tuple[str, int, str, Decimal]]:
    """(alliance_id, year, kind, 万元) of the money counted: not 已收回, 年度 up to the as_of year."""
    con = connect_read_only(db)
    try:
        rows = con.execute("select alliance_id, year, kind, amount_yuan, status from subsidies").fetchall()
    finally:
        con.close()
    return [(a, y, k, amount / 10000) for a, y, k, amount, status in rows if status != "已收回" and y <= AS_OF.year]


def test_one_total_on_the_sample(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    money = paid(sample_db)
    total = sum(m for *_, m in money)
    assert total == Decimal("7414.70")                              # the sample's story
    at = open_page(sample_db, monkeypatch, PAGE)
    got = _metrics(at)
    years = sorted({y for _, y, _, _ in money})
    assert got["累计拨付"] == (f"{total:,.2f} 万元", f"{years[0]}–{years[-1]}年，{len(money):,} 笔")
    # by year, kind, cluster or region: one view at a time (only the open tab runs)
    assert view_charts(at, "subsidies_charts", ["按年度", "按类型", "按产业集群", "按区域"]) == [
        ["chart_subsidies_by_year"], ["chart_subsidies_by_kind"], ["chart_subsidies_by_cluster"],
        ["chart_subsidies_by_region"]]


def test_every_view_adds_up_to_the_total(sample_db: Path) -> None:
    total = float(sum(m for *_, m in paid(sample_db)))
    scope = Scope(load_profile("tianjin-2018"), AS_OF)      # no year range: the year view is whole too
    for chart_id in ("subsidies_by_year", "subsidies_by_kind", "subsidies_by_cluster", "subsidies_by_region"):
        bars = render_chart(sample_db, chart_id, scope)[0].data[0]
        values = bars.x if bars.orientation == "h" else bars.y
        assert float(sum(values)) == pytest.approx(total, abs=0.005), chart_id
        assert all(t == f"{float(v):,.2f}" for t, v in zip(bars.text, values))   # two decimals on every bar


def test_kind_view_by_hand(sample_db: Path) -> None:
    by_kind: dict[str, Decimal] = defaultdict(Decimal)
    for _, _, kind, m in paid(sample_db):
        by_kind[kind] += m
    fig, line = render_chart(sample_db, "subsidies_by_kind", Scope(load_profile("tianjin-2018"), AS_OF))
    got = dict(zip(fig.data[0].y, fig.data[0].x))
    assert got == pytest.approx({k: float(v) for k, v in by_kind.items()})
    top = max(by_kind, key=by_kind.get)
    assert line.startswith(f"按补贴类型：{top}最多，{by_kind[top]:,.2f} 万元，占 {by_kind[top] / sum(by_kind.values()):.1%}")


def test_year_range_narrows_every_view(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    money = paid(sample_db)
    in_range = [(a, y, k, m) for a, y, k, m in money if 2016 <= y <= 2020]
    at = open_page(sample_db, monkeypatch, PAGE, **{"from": "2016", "to": "2020"})
    got = _metrics(at)
    assert got["其中 2016–2020年"] == (f"{sum(m for *_, m in in_range):,.2f} 万元", f"{len(in_range):,} 笔")
    assert got["累计拨付"][0] == f"{sum(m for *_, m in money):,.2f} 万元"
    assert any("按左侧年份范围（2016–2020年）统计" in c.value for c in at.caption)
    scope = Scope(load_profile("tianjin-2018"), AS_OF, 2016, 2020)
    for chart_id in ("subsidies_by_year", "subsidies_by_kind", "subsidies_by_cluster", "subsidies_by_region"):
        bars = render_chart(sample_db, chart_id, scope)[0].data[0]
        values = bars.x if bars.orientation == "h" else bars.y
        assert float(sum(values)) == pytest.approx(float(sum(m for *_, m in in_range)), abs=0.005), chart_id
    at.session_state["tbl_cap_check_open"] = True              # the folded full check runs once opened
    every = at.run().dataframe[-1].value                        # the cap check: only the range's years
    assert set(every["年度"]) == {y for _, y, _, _ in in_range}
    assert len(every) == len({(a, k, y) for a, y, k, _ in in_range})


def test_cap_check_lists_over_cap_first(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    caps = load_profile("tianjin-2018").subsidy_caps
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    for alliance, year, kind, m in paid(sample_db):
        sums[alliance, kind, year] += m
    over = {key: v - Decimal(str(caps[key[1]])) for key, v in sums.items() if key[1] in caps and v > caps[key[1]]}
    assert len(over) == 2 and sum(over.values()) == Decimal("15")   # the sample's two over-cap items
    at = open_page(sample_db, monkeypatch, PAGE)
    assert _metrics(at)["超过政策上限"] == (f"{len(over)} 项", f"{sum(over.values()):,.2f} 万元 超出")
    assert at.error[0].value == f"以下 {len(over)} 项超过政策上限，合计超出 {sum(over.values()):,.2f} 万元："
    table = at.dataframe[0].value
    assert sorted(zip(table["补贴类型"], table["年度"], table["超出（万元）"])) == \
        sorted((kind, year, float(v)) for (_, kind, year), v in over.items())
    at.session_state["tbl_cap_check_open"] = True              # the folded full check runs once opened
    at.run().selectbox(key="tbl_cap_check_size").set_value(500).run()   # the whole list on one page (279 rows)
    every = at.dataframe[1].value                               # the full check: over-cap rows first
    assert len(every) == len(sums)
    assert list(every["超上限"][:len(over)]) == [True] * len(over) and not every["超上限"][len(over):].any()


def test_profile_without_caps(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(sample_db, monkeypatch, PAGE, profile="zhejiang-2010")
    assert any("没有规定补贴上限" in i.value for i in at.info)
    assert _metrics(at)["超过政策上限"][0] == "未规定上限"
    # its own taxonomy (浙江省九大战略性新兴产业) still counts money by industry, in its word
    assert view_charts(at, "subsidies_charts", ["按年度", "按类型", "按产业", "按区域"])[2] == ["chart_subsidies_by_cluster"]
    assert not any("不按集群统计补贴" in c.value for c in at.caption)


def test_single_alliance(single_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one 备案补贴 of 50 万元 in 2019: exactly at the cap
    at = open_page(single_db, monkeypatch, PAGE)
    assert _metrics(at)["累计拨付"] == ("50.00 万元", "2019年，1 笔")
    assert any("没有超过政策上限" in s.value for s in at.success)


def test_empty_registry(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(empty_db, monkeypatch, PAGE)
    assert "没有已拨付的补贴记录" in at.info[0].value
    assert not at.get("plotly_chart")


def test_chart_ids_belong_to_the_page() -> None:
    mine = {c.id for c in figures.all_charts().values() if c.page == "资金补贴"}
    assert mine == {"subsidies_by_year", "subsidies_by_kind", "subsidies_by_cluster", "subsidies_by_region"}
