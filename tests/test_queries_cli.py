"""`python -m queries`: the command line over the named queries.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

from queries import catalogue
from queries.__main__ import main as cli


# ----------------------------------------------------------------------------- as a module


def test_cli_as_a_module(hand_registry):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "queries", "run", "member_composition", "--db", str(hand_registry),
                          "--as-of", "2024-06-30", "--format", "csv"], capture_output=True, text=True,
                         cwd=catalogue.QUERIES_DIR.parent, check=True).stdout
    assert out.splitlines()[:2] == ["unit_type,pillar,members,share,alliances_with",
                                    "企业,产,10,0.5882352941176471,3"]


# ----------------------------------------------------------------------------- CLI


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_json(hand_registry):
    code, out, _ = run_cli("run", "overview_kpis", "--db", str(hand_registry), "--as-of", "2024-06-30", "--format", "json")
    assert code == 0
    [row] = json.loads(out)
    assert row["active_alliances"] == 4 and row["subsidy_total_wan"] == 313.456789 and row["report_year"] == 2023
    code, out, _ = run_cli("run", "review_schedule", "--db", str(hand_registry), "--as-of", "2024-06-30", "--format", "json")
    first = json.loads(out)[0]
    assert (first["alliance"], first["next_evaluation_due"], first["status"]) == ("芯片联盟", "2024-03-01", "逾期")


def test_cli_csv_keeps_exact_money(hand_registry):
    code, out, _ = run_cli("run", "subsidy_totals", "--db", str(hand_registry), "--as-of", "2024-06-30",
                           "--param", "group_by=kind", "--format", "csv")
    assert code == 0
    assert out.splitlines() == ["kind,amount_wan,count", "备案补贴,160,4", "评估补贴,30,1", "项目经费,123.456789,1"]


def test_cli_table_uses_chinese_labels_and_rounds_money(hand_registry):
    code, out, _ = run_cli("run", "coverage_by_cluster", "--db", str(hand_registry), "--as-of", "2024-06-30")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["产业集群", "在册联盟数", "成员单位数"]
    assert "203.46" in lines[2] and lines[-1] == "（共 11 行）"


def test_cli_profile_and_taxonomy_params(hand_registry):
    code, out, _ = run_cli("run", "coverage_by_cluster", "--db", str(hand_registry), "--as-of", "2024-06-30",
                           "--profile", "weinan-2015", "--param", "taxonomy=tianjin-clusters", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 11


def test_cli_filters(hand_registry):
    code, out, _ = run_cli("run", "overview_kpis", "--db", str(hand_registry), "--as-of", "2024-06-30", "--format", "json",
                           "--filter", "region=滨海新区,南开区", "--filter", "level=市级")
    assert code == 0
    [row] = json.loads(out)
    assert (row["active_alliances"], row["members"], row["subsidy_total_wan"]) == (1, 5, 60)   # A2 only
    code, out, _ = run_cli("run", "subsidy_totals", "--db", str(hand_registry), "--as-of", "2024-06-30", "--format", "csv",
                           "--param", "group_by=kind", "--filter", "cluster=新材料,新一代信息技术")
    assert code == 0 and out.splitlines() == ["kind,amount_wan,count", "备案补贴,110,3"]
    code, out, _ = run_cli("run", "review_schedule", "--db", str(hand_registry), "--as-of", "2024-06-30",
                           "--filter", "级别=省级")
    assert code == 0
    assert out.splitlines()[-2:] == ["（共 1 行）", "（筛选：级别：省级）"]
    code, _, err = run_cli("run", "overview_kpis", "--db", str(hand_registry), "--filter", "colour=red")
    assert code == 1 and "筛选条件应写成" in err


def test_cli_errors_are_chinese(hand_registry, tmp_path):
    code, _, err = run_cli("run", "nope", "--db", str(hand_registry))
    assert code == 1 and "没有名为「nope」的查询" in err
    code, _, err = run_cli("run", "overview_kpis", "--db", str(tmp_path / "missing.duckdb"))
    assert code == 1 and "数据库文件不存在" in err
    code, _, err = run_cli("run", "subsidy_totals", "--db", str(hand_registry), "--param", "group_by")
    assert code == 1 and "k=v" in err


def test_cli_list_names_every_query():
    code, out, _ = run_cli("list")
    assert code == 0
    for doc in catalogue.list_queries():
        assert f"{doc.name}：{doc.title}" in out
