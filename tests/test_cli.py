"""The command line, run as a user runs it: ``python -m loaders ...`` in a subprocess.

One scenario per module (load → refused load → check → load → history → rollback) keeps the
number of interpreter start-ups small; template and docs run alongside it.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from loaders.normalise import credit_code_check_char
from loaders.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
ROBOT = "天津市工业机器人产业技术创新战略联盟"
MAGNET = "天津市稀土新材料（永磁）产业技术创新战略联盟"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def code(i: int) -> str:
    first17 = f"91120116MA0{i:06d}"
    return first17 + credit_code_check_char(first17)


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def good_registry(path: Path) -> Path:
    members = [["序号", "联盟名称", "单位名称", "统一社会信用代码", "单位类型", "角色"]]
    members += [[i, ROBOT, f"天津某科技有限公司{i}", code(i), "企业", "成员"] for i in range(1, 11)]
    members += [[11, "天津市稀土新材料(永磁)产业技术创新战略联盟", "天津大学", "12100000401359321Q", "高校", "理事长"]]
    return write_xlsx(path, {
        "联盟名录": [["天津市产业技术创新战略联盟备案名单（2019年）"],
                 ["序号", "联盟编号", "联盟名称", "对外责任主体单位", "产业领域", "级别", "备案日期"],
                 [1, "TJLM-001", ROBOT, "天津某机器人有限公司", "高端装备", "市级", "2019-06-28"],
                 [2, "TJLM-002", MAGNET, "天津大学", "新材料", "市级", "2019/7/1"]],
        "成员单位": members,
    })


def broken_members(path: Path) -> Path:
    return write_xlsx(path, {"成员单位": [
        ["联盟名称", "单位名称", "统一社会信用代码", "单位类型", "加入日期"],
        [ROBOT, "天津大学", "12100000401359321R", "高校", "2019-03-05"],       # row 2: check character
        [ROBOT, "南开大学", None, "医院", "2019-03-05"],                        # row 3: enum
        ["天津市不存在的联盟", "天津理工大学", None, "高校", "2019-02-30"],       # row 4: alliance and date
    ]})


def subsidies_csv(path: Path) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows([["联盟名称", "年度", "补贴类型", "金额（万元）"], [ROBOT, "2019年", "备案补贴", "50"],
                               [MAGNET, "2020", "评估补贴", "30万元"]])
    path.write_bytes(out.getvalue().encode("gbk"))
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def command(*args: object) -> list[str]:
    return [sys.executable, "-m", "loaders", *map(str, args)]


ENV = {k: v for k, v in os.environ.items() if k != "REGISTRY_DB"} | {"PYTHONIOENCODING": "utf-8"}


def start(*args: object) -> subprocess.Popen:
    return subprocess.Popen(command(*args), cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8")


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@dataclass
class Scenario:
    db: Path
    files: dict[str, Path]
    results: dict[str, subprocess.CompletedProcess]
    sha: dict[str, str | None]
    template: Path


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    """load → refused load → check (two at once) → load → history → rollback → refused rollback, on one
    database; template and docs --check run alongside."""
    folder = tmp_path_factory.mktemp("cli")
    db = folder / "db" / "registry.duckdb"
    db.parent.mkdir()
    good_dir, subsidies_dir = folder / "good", folder / "subsidies"
    good_dir.mkdir()
    subsidies_dir.mkdir()
    files = {"good": good_registry(good_dir / "联盟备案名单.xlsx"), "broken": broken_members(folder / "成员单位（有误）.xlsx"),
             "subsidies": subsidies_csv(subsidies_dir / "资金补贴.csv")}
    template = folder / "模板.xlsx"
    side = {"template": start("template", template), "docs": start("docs", "--check")}
    results, sha = {}, {}

    def steps(**commands: tuple) -> None:
        running = {name: start(*args) for name, args in commands.items()}
        for name, process in running.items():
            results[name] = finish(process)
            sha[name] = sha256(db) if db.exists() else None

    steps(load=("load", "--db", db, files["good"]))
    steps(load_broken=("load", "--db", db, files["broken"]))
    steps(check=("check", "--db", db, files["broken"], subsidies_dir))   # a directory stands for its files
    steps(load_subsidies=("load", "--db", db, files["subsidies"]))
    steps(history=("history", "--db", db))
    steps(rollback=("rollback", "--db", db))
    steps(rollback_refused=("rollback", "--db", db, 2))
    for name, process in side.items():
        results[name] = finish(process)
    return Scenario(db, files, results, sha, template)


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def test_load_ok_prints_a_per_table_summary(scenario: Scenario):
    r = scenario.results["load"]
    assert r.returncode == 0, r.stderr
    assert_no_traceback(r)
    lines = r.stdout.splitlines()
    assert f"已导入批次 1 → {scenario.db}" in lines
    assert "  联盟备案名单.xlsx［联盟名录］ → 联盟名录：2 行" in lines
    assert "  联盟备案名单.xlsx［成员单位］ → 成员单位：11 行" in lines
    assert "登记库现有：联盟名录 2 行，成员单位 11 行，资金补贴 0 行，评审记录 0 行，年度报告 0 行" in lines
    # the warning (稀土 has one member) is shown, and did not block
    assert any(line.startswith("警告：联盟备案名单.xlsx［联盟名录］ 第4行") and "少于 10 家" in line for line in lines)
    assert r.stderr == ""


def test_load_broken_exits_1_with_every_error_in_chinese(scenario: Scenario):
    r = scenario.results["load_broken"]
    assert r.returncode == 1
    assert_no_traceback(r)
    assert "已导入" not in r.stdout
    errors = [line for line in r.stderr.splitlines() if line.startswith("错误：")]
    where = sorted(re.match(r"错误：成员单位（有误）\.xlsx［成员单位］ 第(\d+)行「(.+?)」列：", line).groups() for line in errors)
    assert where == [("2", "统一社会信用代码"), ("3", "单位类型"), ("4", "加入日期"),
                     ("4", "联盟名称")]
    assert any("12100000401359321R" in line and "校验位错误" in line for line in errors)
    assert any("医院" in line for line in errors)
    assert any("2019-02-30" in line for line in errors)
    assert any("天津市不存在的联盟" in line for line in errors)
    assert "共 4 个错误" in r.stderr
    assert "导入被拒绝：发现 4 个错误，数据库未做任何改动" in r.stderr
    for line in r.stderr.splitlines():
        assert CHINESE.search(line), line
    assert scenario.sha["load_broken"] == scenario.sha["load"]


def test_check_reports_every_error_without_writing(scenario: Scenario):
    r = scenario.results["check"]
    assert r.returncode == 1
    assert_no_traceback(r)
    assert r.stderr.count("错误：成员单位（有误）.xlsx［成员单位］") == 4
    assert "共 4 个错误" in r.stderr
    assert "  资金补贴.csv → 资金补贴：2 行" in r.stdout.splitlines()      # the good file of the set is read too
    assert "  成员单位（有误）.xlsx［成员单位］ → 成员单位：3 行" in r.stdout.splitlines()
    assert r.stdout.splitlines()[-1] == "校验未通过，导入会被拒绝。"
    assert scenario.sha["check"] == scenario.sha["load"]
    assert len([line for line in scenario.results["history"].stdout.splitlines() if re.match(r"[ *]\d+ ", line)]) == 3


def test_load_of_a_gbk_csv_keeps_the_registry(scenario: Scenario):
    r = scenario.results["load_subsidies"]
    assert r.returncode == 0, r.stderr
    assert "已导入批次 3" in r.stdout                         # batch 2 was the refused one
    assert "登记库现有：联盟名录 2 行，成员单位 11 行，资金补贴 2 行，评审记录 0 行，年度报告 0 行" in r.stdout


def test_history_lists_every_attempt(scenario: Scenario):
    r = scenario.results["history"]
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["批次", "时间", "操作", "结果", "操作人", "内容"]
    rows = [line for line in lines if re.match(r"[ *]\d+ ", line)]
    assert [line[1:].split()[0] for line in rows] == ["1", "2", "3"]
    assert "导入" in rows[0] and "成功" in rows[0]
    assert "拒绝" in rows[1] and "4 个错误：成员单位（有误）.xlsx" in rows[1]
    assert rows[2].startswith("*3") and "成功" in rows[2]                  # the current state
    assert f"联盟备案名单.xlsx sha256={sha256(scenario.files['good'])[:12]}…" in r.stdout
    assert f"资金补贴.csv sha256={sha256(scenario.files['subsidies'])[:12]}…" in r.stdout
    assert lines[-1] == "* 当前数据状态"


def test_rollback(scenario: Scenario):
    r = scenario.results["rollback"]
    assert r.returncode == 0, r.stderr
    assert "已回滚到批次 1 的数据（新批次 4）" in r.stdout
    assert "资金补贴 0 行" in r.stdout
    refused = scenario.results["rollback_refused"]
    assert refused.returncode == 1
    assert_no_traceback(refused)
    assert refused.stderr.startswith("错误：批次 2 不是一次成功的导入")
    assert scenario.sha["rollback_refused"] == scenario.sha["rollback"]


def test_template_sheets_and_required_marks(scenario: Scenario):
    r = scenario.results["template"]
    assert r.returncode == 0, r.stderr
    assert "已生成标准导入模板" in r.stdout
    book = openpyxl.load_workbook(scenario.template)
    assert sorted(book.sheetnames) == sorted(["填表说明", *(t.title for t in TABLES)])
    for t in TABLES:
        headers = [c.value for c in book[t.title][1]]
        assert headers == [c.header + ("*" if c.required else "") for c in t.columns]
        assert book[t.title].max_row == 1                               # no example rows to import by mistake
    assert [c.value for c in book[TABLES[1].title][1]][:4] == ["联盟名称*", "联盟编号", "单位名称*", "统一社会信用代码"]
    guide = [[c.value for c in row] for row in book["填表说明"].iter_rows(min_row=2)]
    assert len(guide) == sum(len(t.columns) for t in TABLES)


def test_docs_check_passes(scenario: Scenario):
    r = scenario.results["docs"]
    assert r.returncode == 0, r.stderr
    assert "文档已是最新。" in r.stdout

