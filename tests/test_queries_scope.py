"""The scope (scope_alliances): region, level and cluster filters, and every query under them.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

import pytest

from loaders.registry import connect_read_only
from queries import policy, runner
from queries.policy import Target, list_profiles, load_profile, load_taxonomy
from queries.scope import Scope, parse_filters
from registries import AS_OF, NOTHING, D, F, W, every_query, rows, table, with_targets

ALL_PROFILES = list_profiles()
TIANJIN_CLUSTERS = load_taxonomy("tianjin-clusters").entry_names


# ----------------------------------------------------------------------------- filters (scope_alliances)
# Regions as region_distribution shows them, levels and clusters of each alliance: see the
# table at the top of REGISTRY in tests/registries.py.


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
    assert S().describe_filters() == "全部联盟"
    # clusters in the profile's own word (the folded sidebar says the filters with it)
    assert Scope(load_profile("heilongjiang-2009"), AS_OF, clusters=("生物",)).describe_filters() == "领域：生物"


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
    # a comparison taxonomy travels in the same codec (the coverage page reads it back); the profile's own does not
    assert with_taxonomy(scope, "tianjin-clusters").url_params() == scope.url_params()
    assert with_taxonomy(scope, "heilongjiang-fields").url_params() == {**scope.url_params(),
                                                                         "taxonomy": "heilongjiang-fields"}
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--from", "2016", "--to", "2020", "--filter", "region=滨海新区，西青区", "--filter", "级别=市级"])
    assert from_arguments(args, tianjin, AS_OF) == scope
    plain = from_arguments(parser.parse_args([]), tianjin, AS_OF)      # the dashboard's default year range
    assert (plain.year_from, plain.year_to, plain.filtered) == (DEFAULT_YEAR_FROM, AS_OF.year, False)
    # The coverage page's taxonomy swap lives in the Scope: it keys the cache apart from the profile's own.
    other = next(t for t in policy.list_taxonomies() if t != tianjin.taxonomy)
    assert with_taxonomy(scope, other).key != scope.key


def test_one_fetcher_binds_scope_and_date(hand_registry):
    """queries.fetch: the fetch pages and packs read through; as_of= is the same scope on another date."""
    from dataclasses import replace

    from queries.fetch import RegistryFetch

    scope = Scope(load_profile("tianjin-2018"), AS_OF, regions=("滨海新区",))
    year_ago = D("2023-06-30")
    with RegistryFetch(hand_registry, scope) as fetch:
        con = connect_read_only(hand_registry)
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
