"""work_priorities: next year's 工作重点 and its budget.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

from datetime import timedelta

from loaders.registry import connect_read_only
from queries.policy import Target, load_taxonomy
from registries import D, W, alliance_row, build, rows, table, with_targets

TIANJIN_CLUSTERS = load_taxonomy("tianjin-clusters").entry_names


# ----------------------------------------------------------------------------- work_priorities


def test_work_priorities(con):
    got = table(con, "work_priorities", "category item count amount_wan detail")
    empty = [c for c in TIANJIN_CLUSTERS if c not in ("高端装备", "新一代信息技术", "生物医药与健康")]
    assert got == [
        *[("空白集群", c, 0, None, "") for c in empty],
        ("薄弱集群", "高端装备", 1, None, ""),
        ("薄弱集群", "新一代信息技术", 1, None, ""),
        ("薄弱集群", "生物医药与健康", 1, None, ""),
        ("评估到期", "已逾期", 1, None, "芯片联盟"),
        ("评估到期", "2025年内到期", 0, None, ""),          # A1 falls due in 2024, A5 in 2026
        ("年报未交", "2023年度报告", 1, None, "芯片联盟"),      # A5 (filed 2023) owes from 2024
        ("不符合条件", "不符合备案条件的在册联盟", 3, None, "生物医药联盟、空联盟、芯片联盟"),
        ("补贴预算", "评估补贴", 1, W("30"), "逾期及2025年内到期的评估1个 × 上限30万元"),
        # no target in 2025 or later: ceil(2 filings in 2021–2023 / 3) = 1
        ("补贴预算", "备案补贴", 1, W("50"), "无2025年及以后的数量目标，按近三个完整年度年均备案0.67个 × 上限50万元"),
        ("补贴预算", "合计", None, W("80"), "评估补贴与备案补贴之和（不含国家试点补贴、项目经费）"),
    ]


def test_work_priorities_budget_from_target(con):
    # 十四五 2026, 10 from 2021: 3 achieved (A2 A5 A4) → 7 left over 2025 and 2026 → 4 in 2025.
    profile = with_targets(Target("十四五", 2026, 10, 12, 2021))
    got = {r["item"]: r for r in rows(con, "work_priorities", profile=profile, year=2025, thin_max=0)}
    assert (got["备案补贴"]["count"], got["备案补贴"]["amount_wan"]) == (4, W("200"))
    assert got["备案补贴"]["detail"].startswith("按目标“十四五”（2026年不少于10个）：还差7个，分摊到2")
    assert got["合计"]["amount_wan"] == W("230")
    assert "高端装备" not in got   # thin_max = 0: no thin clusters


def test_work_priorities_evaluations_due_in_the_planning_year(con):
    # Planning 2026 on AS_OF: A2 overdue; A5 due 2026-01-15; A1 (2024-09-01) is done before 2026.
    got = {r["item"]: r for r in rows(con, "work_priorities", year=2026)}
    assert (got["已逾期"]["count"], got["2026年内到期"]["count"], got["2026年内到期"]["detail"]) == (1, 1, "空联盟")
    assert got["评估补贴"]["amount_wan"] == W("60")


def test_work_priorities_follows_as_of_on_one_connection(con):
    # eligibility_check is materialised for work_priorities; a new as_of must rebuild it.
    assert {r["item"]: r["count"] for r in rows(con, "work_priorities")}["不符合备案条件的在册联盟"] == 3
    # On 2022-12-31 only A1 (11 members with 天津壬公司, eligible) and A2 (5 members) are in the registry.
    got = {r["item"]: r for r in rows(con, "work_priorities", as_of=D("2022-12-31"))}
    assert (got["不符合备案条件的在册联盟"]["count"], got["不符合备案条件的在册联盟"]["detail"]) == (1, "芯片联盟")


def test_work_priorities_without_caps_cycle_or_taxonomy(con):
    got = table(con, "work_priorities", "category item count amount_wan", profile="zhejiang-2010", taxonomy="")
    assert got == [
        ("不符合条件", "不符合基本条件的在册联盟", 1, None),   # Zhejiang's word: 三（六）基本条件   # 空联盟 lacks both member types
        ("补贴预算", "备案补贴", 1, None),
        ("补贴预算", "合计", None, None),
    ]


def test_work_priorities_lists_the_first_ten_names_in_order_and_counts_the_rest(tmp_path):
    """Twelve alliances owing the same things: each detail names the first ten (by due date, then name, or by
    name) and adds 等12个. Filed on 2020-03-01 + i days, never evaluated, no members and no reports: on AS_OF
    (2024-06-30) each is overdue for its evaluation (due 2023-03-01 + i), owes its 2023 report and fails the
    member conditions. The names run 联盟12 … 联盟01 against the filing order, so the two orders differ."""
    alliances = [alliance_row(f"X{i:02d}", f"联盟{13 - i:02d}", "集成电路", region="滨海新区", level="市级",
                              filed_date=D("2020-03-01") + timedelta(days=i))
                 for i in range(1, 13)]
    con = connect_read_only(build(tmp_path / "twelve.duckdb", {"alliances": alliances}))
    try:
        got = {r["item"]: r for r in rows(con, "work_priorities")}
    finally:
        con.close()
    by_name = "、".join(f"联盟{k:02d}" for k in range(1, 11)) + "等12个"
    by_due = "、".join(f"联盟{13 - i:02d}" for i in range(1, 11)) + "等12个"   # earliest filed first: 联盟12, 联盟11 …
    assert (got["已逾期"]["count"], got["已逾期"]["detail"]) == (12, by_due)
    assert (got["2023年度报告"]["count"], got["2023年度报告"]["detail"]) == (12, by_name)
    assert (got["不符合备案条件的在册联盟"]["count"], got["不符合备案条件的在册联盟"]["detail"]) == (12, by_name)
