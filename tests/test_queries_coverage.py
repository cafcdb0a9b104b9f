"""coverage_by_cluster, cluster_filings_by_year and cluster_assignments: the 产业集群覆盖 queries.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

from datetime import date

import pyarrow as pa

from queries import context, policy
from queries.policy import load_taxonomy
from registries import REGISTRY, W, rows, table

TIANJIN_CLUSTERS = load_taxonomy("tianjin-clusters").entry_names


# ----------------------------------------------------------------------------- coverage_by_cluster


def test_coverage_by_cluster(con):
    got = table(con, "coverage_by_cluster",
                "cluster alliances_active members enterprises universities institutes subsidy_wan covered")
    expected = {
        "高端装备": (1, 10, 5, 2, 1, W("203.456789"), True),     # A1: 50 + 30 + 123.456789
        "新一代信息技术": (1, 5, 4, 0, 1, W("60"), True),         # A2: 40 + 20 (the 已收回 10 excluded)
        "生物医药与健康": (1, 2, 1, 1, 0, W("0"), True),          # A4, filed on AS_OF
        "新材料": (0, 0, 0, 0, 0, W("50"), False),               # A3 revoked; its money still counts
    }
    zero = (0, 0, 0, 0, 0, W("0"), False)
    assert got == [(c, *expected.get(c, zero)) for c in TIANJIN_CLUSTERS] + [("未归类", 1, 0, 0, 0, 0, W("0"), True)]


def test_coverage_without_taxonomy_has_only_unclassified(con):
    # taxonomy="" (the scope's "no taxonomy") puts every alliance in 未归类
    got = table(con, "coverage_by_cluster", "cluster alliances_active members subsidy_wan", profile="weinan-2015",
                taxonomy="")
    assert got == [("未归类", 4, 17, W("313.456789"))]
    # …unless a taxonomy is asked for
    got = table(con, "coverage_by_cluster", "cluster alliances_active", profile="weinan-2015",
                taxonomy="tianjin-clusters")
    assert [c for c, _ in got] == [*TIANJIN_CLUSTERS, "未归类"]


def test_classification_matches_policy_and_honours_overrides(con, tmp_path, monkeypatch):
    overrides = tmp_path / "taxonomy_overrides.csv"
    overrides.write_text("联盟名称,分类体系,归入\n空联盟,tianjin-clusters,新材料\n", encoding="utf-8")
    monkeypatch.setattr(policy, "OVERRIDES_PATH", overrides)
    tax = load_taxonomy("tianjin-clusters")
    alliances = [(a["alliance_id"], a["name"], a["field"]) for a in REGISTRY["alliances"]]
    alliances += [("X1", "无领域联盟", None), ("X2", "又一个集成电路联盟", "集成电路")]  # blank; a field shared
    expected = policy.classify_alliances(tax, alliances, overrides)
    got = context.classify(tax, pa.table(dict(zip(["alliance_id", "name", "field"], zip(*alliances))))).to_pydict()
    assert sorted(zip(got["alliance_id"], got["cluster"], got["reason"])) == \
        sorted(zip(expected["alliance_id"], expected["entry"], expected["reason"]))
    coverage = {r["cluster"]: r["alliances_active"] for r in rows(con, "coverage_by_cluster")}
    assert (coverage["新材料"], coverage["未归类"]) == (1, 0)   # 空联盟 pinned by hand (人工指定)


def test_coverage_heilongjiang_groups(con):
    got = rows(con, "coverage_by_cluster", profile="heilongjiang-2009")
    assert [r["cluster_group"] for r in got[:5]] == ["新材料"] * 5
    assert got[-1]["cluster"] == "未归类"
    assert got[-1]["alliances_active"] == 4   # none of the fixture's fields is a Heilongjiang field
    assert len(got) == 16


# ----------------------------------------------------------------------------- cluster_filings_by_year


def test_cluster_filings_by_year(con):
    got = rows(con, "cluster_filings_by_year")
    years = list(range(2016, 2025))        # first filing (A3, 2016) to the as_of year
    assert [(r["cluster"], r["year"]) for r in got] == [(c, y) for c in (*TIANJIN_CLUSTERS, "未归类") for y in years]
    nonzero = {(r["cluster"], r["year"]): r["filed"] for r in got if r["filed"]}
    assert nonzero == {("新材料", 2016): 1, ("高端装备", 2019): 1, ("新一代信息技术", 2021): 1,
                       ("未归类", 2023): 1, ("生物医药与健康", 2024): 1}   # A7 (航空航天) is filed after AS_OF


def test_cluster_filings_by_year_sums_to_target_progress(con):
    per_year: dict[int, int] = {}
    for r in rows(con, "cluster_filings_by_year"):
        per_year[r["year"]] = per_year.get(r["year"], 0) + r["filed"]
    assert per_year == {2016: 1, 2017: 0, 2018: 0, 2019: 1, 2020: 0, 2021: 1, 2022: 0, 2023: 1, 2024: 1}


def test_cluster_filings_by_year_other_taxonomy_and_filters(con):
    got = rows(con, "cluster_filings_by_year", taxonomy="heilongjiang-fields")
    assert len(got) == 16 * 9                                       # 15 fields + 未归类, 2016–2024
    assert got[0]["cluster_group"] == "新材料"
    assert sum(r["filed"] for r in got if r["cluster"] == "未归类") == 5   # none of the fields matches
    # a cluster filter keeps every row, counts only its alliances, and starts at their first filing
    got = rows(con, "cluster_filings_by_year", filters=dict(clusters=("高端装备",)))
    assert {r["year"] for r in got} == set(range(2019, 2025))
    assert [(r["cluster"], r["year"]) for r in got if r["filed"]] == [("高端装备", 2019)]


def test_cluster_filings_by_year_without_filings(con):
    assert rows(con, "cluster_filings_by_year", as_of=date(2015, 12, 31)) == []


# ----------------------------------------------------------------------------- cluster_assignments

ASSIGNED = "alliance cluster raw_field reason active".split()


def test_cluster_assignments(con):
    got = [tuple(r[c] for c in ASSIGNED) for r in rows(con, "cluster_assignments")]
    assert got == [
        ("空联盟", "未归类", "奇怪领域", "未匹配任何关键词", True),          # 未归类 first
        ("机器人联盟", "高端装备", "高端装备制造（机器人）", "关键词「高端装备制造」", True),  # longest keyword wins
        ("芯片联盟", "新一代信息技术", "集成电路", "关键词「集成电路」", True),
        ("未来联盟", "航空航天", "航空航天", "关键词「航空航天」", False),        # filed after AS_OF
        ("生物医药联盟", "生物医药与健康", "生物医药", "关键词「生物医药」", True),  # filed on AS_OF
        ("申请中联盟", "新能源", "新能源", "关键词「新能源」", False),            # never filed
        ("新材料联盟", "新材料", "稀土永磁材料", "关键词「稀土永磁」", False),      # revoked
    ]


def test_cluster_assignments_honour_overrides(con, tmp_path, monkeypatch):
    overrides = tmp_path / "taxonomy_overrides.csv"
    overrides.write_text("联盟名称,分类体系,归入\n空联盟,tianjin-clusters,节能环保\n", encoding="utf-8")
    monkeypatch.setattr(policy, "OVERRIDES_PATH", overrides)
    got = {r["alliance"]: (r["cluster"], r["reason"]) for r in rows(con, "cluster_assignments")}
    assert got["空联盟"] == ("节能环保", "人工指定")
    assert all(cluster != "未归类" for cluster, _ in got.values())


def test_cluster_assignments_active_rows_match_coverage(con):
    # the 在册 rows of each cluster are coverage_by_cluster's alliances_active
    active: dict[str, int] = {}
    for r in rows(con, "cluster_assignments"):
        active[r["cluster"]] = active.get(r["cluster"], 0) + int(r["active"])
    coverage = {r["cluster"]: r["alliances_active"] for r in rows(con, "coverage_by_cluster")}
    assert {c: n for c, n in coverage.items() if n} == {c: n for c, n in active.items() if n}


def test_cluster_assignments_other_taxonomy_and_filters(con):
    got = rows(con, "cluster_assignments", taxonomy="heilongjiang-fields")
    assert {r["cluster"] for r in got} == {"未归类"} and len(got) == 7
    got = rows(con, "cluster_assignments", filters=dict(regions=("滨海新区",)))
    assert [r["alliance"] for r in got] == ["机器人联盟"]
