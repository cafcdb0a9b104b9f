"""queries.runner: the context, materialised queries, parameters, every profile, an empty registry.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from loaders.registry import connect_read_only
from queries import cache, catalogue, runner
from queries.policy import list_profiles, load_profile, load_taxonomy
from queries.scope import Scope
from registries import AS_OF, NOTHING, D, F, W, build, every_query, rows, table

ALL_PROFILES = list_profiles()


@pytest.fixture(scope="module")
def empty_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("empty") / "registry.duckdb", {})


# ----------------------------------------------------------------------------- materialised queries and the scope


def test_materialised_queries_follow_the_filters(con):
    # overview_kpis and work_priorities read context macros handed the scope (target_progress, for
    # target_trajectory, is materialised per filters): switching back and forth on one connection must
    # never reuse the other scope's rows.
    for filters, members, failing in ((F(regions=("滨海新区",)), 10, 0), (F(), 17, 3),
                                      (F(regions=("滨海新区",)), 10, 0), (F(levels=("市级",)), 7, 2)):
        assert rows(con, "overview_kpis", filters=filters)[0]["members"] == members
        got = {r["item"]: r["count"] for r in rows(con, "work_priorities", filters=filters)}
        assert got["不符合备案条件的在册联盟"] == failing


class Spy:
    """A connection that records the SQL it executes (the runner caches per connection object)."""

    def __init__(self, inner):
        self.inner, self.executed = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def execute(self, sql, *args):
        self.executed.append(sql)
        return self.inner.execute(sql, *args)

    def count(self, text: str) -> int:
        return sum(text in sql for sql in self.executed)


def test_scope_is_rebuilt_only_when_the_filters_change(con):
    spy = Spy(con)
    tianjin = load_profile("tianjin-2018")
    for filters in (F(), F(), F(levels=("市级",)), F(levels=("市级",)), F(regions=("南开区",)), F()):
        runner.run(spy, "review_schedule", Scope(tianjin, AS_OF, **(filters or {})))
    assert spy.count("create or replace temp table scope_alliances") == 4


def test_materialised_versions_are_reused(con):
    # a page comparing with last year alternates two dates: each date's target_progress (which
    # target_trajectory requires) is built once, then read back
    spy = Spy(con)
    tianjin = load_profile("tianjin-2018")
    year_ago = D("2023-06-30")
    got = []
    for d in (AS_OF, year_ago, AS_OF, year_ago):
        rows(spy, "target_trajectory", tianjin, d)
        got.append(max(r["cumulative_filed"] or 0 for r in rows(spy, "target_progress", tianjin, d)))
    assert got == [5, 4, 5, 4]      # filed by 2024-06-30: A3 A1 A2 A5 A4; by 2023-06-30: A3 A1 A2 A5
    assert spy.count("create temp table _materialised_target_progress") == 2
    # …and so are scopes; only KEEP_VERSIONS are kept
    for i in range(cache.KEEP_VERSIONS + 2):
        runner.fetch(spy, "target_trajectory", Scope(tianjin, AS_OF, regions=(f"区{i}",)))
    kept = con.execute("select count(*) from duckdb_tables() where table_name like '_materialised_target_progress%'")
    assert kept.fetchall()[0][0] == cache.KEEP_VERSIONS


def test_a_materialised_query_is_read_back_not_recomputed(con, hand_registry):
    # target_trajectory requires target_progress; run next on the same connection, target_progress is read
    # back from that table: the same rows in the same order as computed on a fresh connection.
    fresh = connect_read_only(hand_registry)
    try:
        for filters in (F(), F(levels=("市级",)), NOTHING):
            spy = Spy(con)
            rows(spy, "target_trajectory", filters=filters)
            assert rows(spy, "target_progress", filters=filters) == rows(fresh, "target_progress", filters=filters)
            assert sum(sql.startswith("select * from _materialised_target_progress") for sql in spy.executed) == 1
        # a query with parameters of its own is always computed (its materialised rows use the defaults)
        assert rows(con, "pipeline_funnel", year=2019) == rows(fresh, "pipeline_funnel", year=2019)
    finally:
        fresh.close()


def test_every_query_reads_alliance_data_through_the_scope():
    """Any query reading registry tables directly restricts them with scope_alliances (or hands it to a context
    macro that does: eligibility_on, alliance_members_on …). subsidies_counted is the registry's subsidies, unscoped."""
    registry = {"alliances", "members", "subsidies", "events", "annual_reports", "lead_units", "subsidies_counted"}
    for doc in catalogue.list_queries():
        sql = catalogue.strip_comments(doc.sql)
        read = set(re.findall(r"\b(?:from|join)\s+([a-z_]+)", sql))
        if read & registry:
            assert "scope_alliances" in sql, doc.name
        else:   # reads only materialised (scoped) queries and context tables, or a macro given the scope
            assert set(doc.requires) or re.search(r"\w+\(\$as_of, scope_alliances[,)]", sql), doc.name


def test_overview_set_is_what_the_overview_page_runs():
    """OVERVIEW_SET = the queries pages/overview.py fetches and those of the charts it shows, in page order."""
    figures = pytest.importorskip("figures")
    page = (catalogue.QUERIES_DIR.parent / "pages" / "overview.py").read_text(encoding="utf-8")
    charts = figures.all_charts()
    used: list[str] = []
    for match in re.finditer(r'fetch\("(\w+)"|"(\w+)"', page):   # a chart by its id (show_chart, chart_tabs)
        used += [match[1]] if match[1] else list(charts[match[2]].queries) if match[2] in charts else []
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
    labels = catalogue.get_query("coverage_by_cluster").labels
    assert labels["alliances_active"] == "在册联盟数" and labels["subsidy_wan"] == "补贴（万元）"


def test_unknown_query_and_parameter(con):
    with pytest.raises(catalogue.QueryError, match="没有名为"):
        catalogue.get_query("nope")
    with pytest.raises(catalogue.QueryError, match="没有参数"):
        rows(con, "overview_kpis", year=2020)
    with pytest.raises(catalogue.QueryError, match="应为 integer"):
        rows(con, "pipeline_funnel", year="二〇二四")
