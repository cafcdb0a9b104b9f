"""产业集群覆盖: clusters covered and empty on the sample, the taxonomy switch (?taxonomy=), 未归类, empty states.

Expected figures come from the registry's raw tables and ``policy.classify`` (the keyword rule
itself), never from coverage_by_cluster, cluster_filings_by_year or cluster_assignments.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import figures
from figures import Scope
from loaders.registry import connect_read_only
from queries.policy import UNCLASSIFIED, classify, list_taxonomies, load_profile, load_taxonomy
from app_pages import AS_OF, folded_lists, metrics, open_lists, open_page, render_chart, view_charts

PAGE = "coverage"


def by_hand(db: Path, taxonomy_id: str) -> dict:
    """Every alliance classified by the keyword rule; the active ones counted per entry."""
    con = connect_read_only(db)
    try:
        alliances = con.execute("select name, field, filed_date, revoked_date from alliances").fetchall()
    finally:
        con.close()
    tax = load_taxonomy(taxonomy_id)
    cluster = {name: classify(tax, field)[0] for name, field, _, _ in alliances}
    active = Counter(cluster[name] for name, _, filed, revoked in alliances
                     if filed and filed <= AS_OF and (revoked is None or revoked > AS_OF))
    return {
        "entries": tax.entry_names,
        "active": active,
        "empty": [e for e in tax.entry_names if not active[e]],
        "unclassified": sorted(name for name, c in cluster.items() if c == UNCLASSIFIED),
    }


def test_tianjin_clusters_on_the_sample(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    want = by_hand(sample_db, "tianjin-clusters")
    assert want["empty"] == ["现代冶金"] and want["active"][UNCLASSIFIED] == 6   # the sample's story
    at = open_page(sample_db, monkeypatch, PAGE, lists=False)
    got = metrics(at)
    assert got == {"产业集群": "10 个", "已覆盖": "9 个", "空白": "1 个",
                   "未归类的在册联盟": f"{want['active'][UNCLASSIFIED]} 个"}
    # the page opens with its figures and charts; its lists are folded under their titles and counts
    assert not at.dataframe and folded_lists(at) == ["tbl_coverage_by_cluster_box", "tbl_assignments_box"]
    assert [e.label for e in at.main.get("expander")] == ["对照其他分类体系", "各产业集群覆盖情况（11 条）", "查看并归类（6 个）",
                                                          "全部联盟的归类结果（120 条）"]
    open_lists(at)
    assert at.warning[0].value.startswith("尚无在册联盟的产业集群（1 个）：现代冶金。")
    assert "taxonomy" not in at.query_params                  # the profile's own taxonomy needs no parameter
    # alliances per cluster, members or filings over the years: one tab at a time (only the open one runs)
    assert view_charts(at, "coverage_charts", ["在册联盟数", "成员单位构成", "历年备案"]) == [
        ["chart_coverage_alliances"], ["chart_coverage_members"], ["chart_coverage_heatmap"]]
    # the coverage table: every cluster with its active alliances
    table = next(d.value for d in at.dataframe if "在册联盟数" in d.value.columns)
    assert dict(zip(table["产业集群"], table["在册联盟数"])) == {c: want["active"][c] for c in
                                                           (*want["entries"], UNCLASSIFIED)}
    # the 未归类 list, folded until opened: every alliance the keywords cannot place, its raw field and the reason
    assert "table_unclassified" not in [d.key for d in at.dataframe]
    at.session_state["unclassified_box"] = True
    unclassified = next(d.value for d in at.run().dataframe if d.key == "table_unclassified")
    assert sorted(unclassified["联盟名称"]) == want["unclassified"]
    assert set(unclassified["归类依据"]) == {"未匹配任何关键词"}
    assert "如何归类" in "".join(m.value for m in at.markdown)
    assert at.code[0].value.split(",")[1] == "tianjin-clusters"
    assert "下载待填的归类表（CSV）" in [b.label for b in at.get("download_button")]


def test_switch_to_heilongjiang_fields(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    want = by_hand(sample_db, "heilongjiang-fields")
    at = open_page(sample_db, monkeypatch, PAGE)
    # the choice is folded (a comparison): no selectbox until the box is opened
    assert not [s for s in at.selectbox if s.key == "coverage_taxonomy_tianjin-2018"]
    at.session_state["coverage_taxonomy_box"] = True
    at.run()
    at.selectbox(key="coverage_taxonomy_tianjin-2018").set_value("heilongjiang-fields").run()
    assert not at.exception
    assert at.query_params["taxonomy"] == "heilongjiang-fields"
    got = metrics(at)
    assert got["领域"] == "15 个"
    assert got["空白"] == f"{len(want['empty'])} 个"
    assert got["未归类的在册联盟"] == f"{want['active'][UNCLASSIFIED]} 个"
    assert "、".join(want["empty"]) in at.warning[0].value
    # and back: the profile's taxonomy leaves the URL (the box, open while comparing, folds again)
    at.selectbox(key="coverage_taxonomy_tianjin-2018").set_value("tianjin-clusters").run()
    assert "taxonomy" not in at.query_params


def test_taxonomy_from_the_url_and_cluster_filter(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 高端装备 is a Tianjin cluster: under Heilongjiang's fields the filter cannot apply, and says so
    want = by_hand(sample_db, "heilongjiang-fields")
    at = open_page(sample_db, monkeypatch, PAGE, taxonomy="heilongjiang-fields", cluster="高端装备")
    assert at.selectbox(key="coverage_taxonomy_tianjin-2018").value == "heilongjiang-fields"
    assert any("不适用" in i.value for i in at.info)
    assert metrics(at)["未归类的在册联盟"] == f"{want['active'][UNCLASSIFIED]} 个"


@pytest.mark.parametrize("profile_id", ["zhejiang-2010", "weinan-2015", "most-2009"])
def test_profile_uses_its_own_taxonomy_and_says_why(sample_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                     profile_id: str) -> None:
    # These texts name no list of their own: a named public classification stands in, never Heilongjiang's fields.
    own = load_taxonomy(load_profile(profile_id).taxonomy)
    at = open_page(sample_db, monkeypatch, PAGE, profile=profile_id)
    at.session_state["coverage_taxonomy_box"] = True      # the choice, folded until opened
    at.run()
    assert at.selectbox(key=f"coverage_taxonomy_{profile_id}").value == own.id
    assert "taxonomy" not in at.query_params
    assert any(own.basis in c.value and own.source in c.value for c in at.caption)
    assert metrics(at)[own.noun] == f"{len(own.entries)} 个"
    assert at.selectbox(key=f"coverage_taxonomy_{profile_id}").options == [load_taxonomy(t).name
                                                                           for t in list_taxonomies()]
    shown = " ".join(w.value for w in at.warning)
    assert not any(e in shown for e in load_taxonomy("heilongjiang-fields").entry_names)


def test_heatmap_counts_filings_per_cluster_and_year(sample_db: Path) -> None:
    con = connect_read_only(sample_db)
    try:
        rows = con.execute("select field, filed_date from alliances where filed_date <= ?", [AS_OF]).fetchall()
    finally:
        con.close()
    tax = load_taxonomy("tianjin-clusters")
    want = Counter((classify(tax, field)[0], filed.year) for field, filed in rows)
    heat = render_chart(sample_db, "coverage_heatmap", Scope(load_profile("tianjin-2018"), AS_OF, 2010, 2026))[0].data[0]
    got = {(c, y): int(n) for c, line in zip(heat.y, heat.z) for y, n in zip(heat.x, line) if n}
    assert got == dict(want)
    assert list(heat.y) == [*tax.entry_names, UNCLASSIFIED]


def test_single_alliance(single_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 工业机器人 → 高端装备; the other nine clusters are empty
    at = open_page(single_db, monkeypatch, PAGE)
    assert metrics(at)["已覆盖"] == "1 个" and metrics(at)["空白"] == "9 个"
    assert any("所有联盟都已归入" in s.value for s in at.success)


def test_empty_registry(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(empty_db, monkeypatch, PAGE)
    assert "还没有联盟" in at.info[0].value
    assert not at.metric and not at.get("plotly_chart")


def test_chart_ids_belong_to_the_page() -> None:
    mine = {c.id for c in figures.all_charts().values() if c.page == "产业集群覆盖"}
    assert mine == {"coverage_alliances", "coverage_members", "coverage_heatmap"}
