"""Every loader entry point over a generated matrix of broken files: refused in Chinese, nothing lost.

The matrix is built from loaders/schema.py, so a new column is covered the day it is added:
each required column missing (per table), each typed column holding a value beyond what its
stored type holds, each text column holding a control character — each as .xlsx (a title row
above the header, the bad value written the way Excel escapes it) and as .csv. Every file goes
through the CLI ``check`` and ``load`` (in-process, then all at once in a real subprocess) and
through the 数据导入 page. Each time: refused, a Chinese message naming file, sheet, the row as
Excel shows it and the column as written, no traceback, the database byte-identical, no new
snapshot, and the attempt journaled with its files and user.
"""
from __future__ import annotations

import csv
import getpass
import hashlib
import io
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import auth
from loaders.__main__ import main as cli
from loaders.pipeline import _header_label
from loaders.schema import (ALLIANCES, DATE, INT, LINK_ID, LINK_NAME, MONEY, NAME, SCORE, TABLES, TEXT, YEAR,
                            Column, Table)
from loaders.store import history_dir, read_journal

ROOT = Path(__file__).resolve().parent.parent
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_ERROR = re.compile(r"Traceback|Error|Exception|overflow|precision|Invalid", re.IGNORECASE)
ALLIANCE = ALLIANCES.column("name").example
SECOND = {"alliance_id": "TJLM-2019-002", "name": "天津市第二测试产业技术创新战略联盟"}  # alliances' bad row: no duplicate

# Values beyond what each stored type holds (INTEGER, DECIMAL(18,2), SMALLINT, DECIMAL(5,2), DATE).
OVERFLOWS = {
    INT: ["2147483648", "99999999999999999999"],
    MONEY: ["1000000000000", "99999999999999999999元"],
    YEAR: ["32768"],
    SCORE: ["100000"],
    DATE: ["9999-12-31"],
}
CONTROLS = ["甲\x00乙", "甲\x1b[31m乙", "\x07甲乙"]


@dataclass(frozen=True)
class Case:
    """One broken file: what is wrong, and where the refusal must point."""

    name: str            # file name stem
    table: Table
    header: list[str]    # headers as written
    rows: list[list[str]]
    row: int             # the row at fault as Excel shows it, in the csv (the xlsx has a title row above)
    column: str          # the column as written in the message

    def write(self, folder: Path, suffix: str) -> Path:
        path = folder / f"{self.name}{suffix}"
        if suffix == ".csv":
            out = io.StringIO()
            csv.writer(out, lineterminator="\r\n").writerows([self.header, *self.rows])
            path.write_bytes(out.getvalue().encode("utf-8-sig"))
            return path
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = self.table.title
        sheet.append([f"{self.table.title}（导出）"])
        for row in [self.header, *self.rows]:  # control characters as Excel writes them: _x0000_
            sheet.append([re.sub(r"[\x00-\x08\x0e-\x1f]", lambda m: f"_x{ord(m[0]):04X}_", v) for v in row])
        book.save(path)
        return path

    def where(self, path: Path) -> str:
        """Where the message must point: file［sheet］ 第N行「column as written」."""
        xlsx = path.suffix == ".xlsx"
        return (f"{path.name}" + (f"［{self.table.title}］" if xlsx else "")
                + f" 第{self.row + (1 if xlsx else 0)}行「{self.column}")


def good_row(table: Table, columns: list[Column], second: bool = False) -> list[str]:
    values = {c.name: c.example for c in table.columns}
    if second and table is ALLIANCES:
        values.update(SECOND)
    return [values[c.name] for c in columns]


def written(c: Column) -> str:
    """The tested column is written under an alias where it has one: the message must use that spelling."""
    return next((a for a in c.aliases if a not in ("编号",)), c.header)


def cases() -> list[Case]:
    out: list[Case] = []
    for t in TABLES:
        for c in t.columns:
            if c.required:  # the column missing; a link table loses 联盟编号 too (it can stand in for the name)
                gone = {c.name} | ({"alliance_no"} if c.kind == LINK_NAME else set())
                variants = [gone, gone | {"alliance_id"}] if t is ALLIANCES and c.kind == NAME else [gone]
                for n, missing in enumerate(variants):
                    cols = [x for x in t.columns if x.name not in missing]
                    out.append(Case(f"{t.title}_缺{c.header}{'_无编号' if n else ''}", t, [x.header for x in cols],
                                    [good_row(t, cols)], 1, c.header))
            # One value per column, the variants taken in turn across columns (money, once per registry, gets all).
            bad_values = OVERFLOWS.get(c.kind, []) + (CONTROLS if c.kind in (TEXT, NAME, LINK_NAME, LINK_ID) else [])
            if c.kind != MONEY and bad_values:
                bad_values = [bad_values[t.columns.index(c) % len(bad_values)]]
            for n, bad in enumerate(bad_values):
                header = [written(x) if x is c else x.header for x in t.columns]
                row = good_row(t, list(t.columns), second=True)
                row[list(t.columns).index(c)] = bad
                label = _header_label(t, c.name, written(c))
                out.append(Case(f"{t.title}_{c.header}_{n}", t, header, [good_row(t, list(t.columns)), row], 3, label))
    return out


CASES = cases()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def history_files(db: Path) -> set[str]:
    return {p.name for p in history_dir(db).glob("*.duckdb")}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, list[tuple[Case, Path]]]:
    folder = tmp_path_factory.mktemp("broken")
    return {suffix: [(case, case.write(folder, suffix)) for case in CASES] for suffix in (".xlsx", ".csv")}


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A registry holding the alliance every good row names."""
    db = tmp_path / "registry.duckdb"
    cols = [c for c in ALLIANCES.columns]
    path = Case("联盟名录", ALLIANCES, [c.header for c in cols], [good_row(ALLIANCES, cols)], 2, "").write(tmp_path, ".csv")
    assert cli(["load", "--db", str(db), str(path)]) == 0
    return db


def test_the_matrix_covers_every_class_and_table():
    kinds = {(c.table.name, c.name.split("_", 1)[1].split("_")[0]) for c in CASES}
    assert len(CASES) > 40
    for t in TABLES:
        for c in t.columns:
            if c.required:
                assert (t.name, f"缺{c.header}") in kinds, c.header
            if c.kind in OVERFLOWS or c.kind in (TEXT, NAME, LINK_NAME, LINK_ID):
                assert (t.name, c.header) in kinds, c.header


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_cli_check_and_load_refuse_each_broken_file(registry: Path, files, suffix: str, capsys):
    user = getpass.getuser()
    for case, path in files[suffix]:
        before, snapshots, journal = sha256(registry), history_files(registry), len(read_journal(registry))
        for command in ("check", "load"):
            assert cli([command, "--db", str(registry), str(path)]) == 1, (command, path.name)
            out, err = capsys.readouterr()
            lines = [line for line in err.splitlines() if line.startswith("错误：")]
            assert any(line.startswith(f"错误：{case.where(path)}") for line in lines), (command, case.where(path), err)
            for line in lines:
                assert CHINESE.search(line) and not ENGLISH_ERROR.search(line), line
            assert "\x00" not in err and "\x1b" not in err   # control characters are shown written out
            assert sha256(registry) == before and history_files(registry) == snapshots, (command, path.name)
            record = read_journal(registry)[-1]
            assert (record["action"], record["outcome"], record["user"]) == ({"load": "import"}.get(command, command), "refused", user)
            assert [(f["name"], f["sha256"]) for f in record["files"]] == [(path.name, sha256(path))]
        assert len(read_journal(registry)) == journal + 2
    assert not list(registry.parent.glob(f".{registry.name}.*"))


def test_cli_in_a_real_process_refuses_them_all_at_once(registry: Path, files):
    paths = [p for suffix in files for _, p in files[suffix]]
    before, snapshots = sha256(registry), history_files(registry)
    done = subprocess.run([sys.executable, "-m", "loaders", "load", "--db", str(registry), *map(str, paths)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "已导入" not in done.stdout
    for suffix in files:
        for case, path in files[suffix]:
            assert f"错误：{case.where(path)}" in done.stderr, case.where(path)
    assert "导入被拒绝" in done.stderr
    assert sha256(registry) == before and history_files(registry) == snapshots
    record = read_journal(registry)[-1]
    assert record["outcome"] == "refused" and record["user"] == getpass.getuser()
    assert sorted(f["name"] for f in record["files"]) == sorted(p.name for p in paths)


PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("矩阵测试 password")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_import_page_refuses_each_broken_file(registry: Path, files, suffix: str, monkeypatch):
    monkeypatch.setenv("REGISTRY_DB", str(registry))
    monkeypatch.delenv(auth.ENV_EDITORS, raising=False)
    before, snapshots = sha256(registry), history_files(registry)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.secrets = {"editors": {"张三": PASSWORD_HASH}}
    at.session_state[auth.SESSION_KEY] = "张三"
    at = at.switch_page("pages/import.py").run()
    mime = "text/csv" if suffix == ".csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at = at.file_uploader[0].set_value([(p.name, p.read_bytes(), mime) for _, p in files[suffix]]).run()
    assert not at.exception
    assert at.error[0].value.startswith("发现") and "登记库没有任何改动" in at.error[0].value
    assert at.button(key="import_confirm").disabled
    errors = at.dataframe[1].value
    located = {(f, s, r, c) for f, s, r, c in errors[["文件", "工作表", "行", "列"]].itertuples(index=False)}
    for case, path in files[suffix]:
        sheet = case.table.title if suffix == ".xlsx" else ""
        row = case.row + (1 if suffix == ".xlsx" else 0)
        assert any(f == path.name and s == sheet and r == row and c.startswith(case.column)
                   for f, s, r, c in located), (path.name, row, case.column)
    for message in errors["问题"]:
        assert CHINESE.search(message) and not ENGLISH_ERROR.search(message), message
    assert not any("\x00" in str(v) for v in errors["值"])
    assert sha256(registry) == before and history_files(registry) == snapshots
    record = read_journal(registry)[-1]
    assert (record["outcome"], record["user"]) == ("refused", "张三")
    assert sorted((f["name"], f["sha256"]) for f in record["files"]) == sorted((p.name, sha256(p))
                                                                              for _, p in files[suffix])


# ---- files that cannot be right as a whole ---------------------------------------------------------

def test_a_csv_mixing_utf8_and_gbk_is_refused_with_the_line_number(registry: Path, tmp_path: Path, capsys):
    header = "联盟名称,年度,补贴类型,金额（万元）\r\n".encode("utf-8")
    good = f"{ALLIANCE},2019,备案补贴,50\r\n".encode("utf-8")
    gbk = f"{ALLIANCE},2020,评估补贴,30\r\n".encode("gbk")
    for name, data, line in (("资金补贴_拼接.csv", header + good + good.replace(b"2019", b"2021") + gbk, 4),
                             ("资金补贴_带BOM.csv", b"\xef\xbb\xbf" + header + gbk + good, 2),
                             ("资金补贴_GBK表头.csv", header.decode().encode("gbk") + gbk + good, 3)):
        path = tmp_path / name
        path.write_bytes(data)
        before = sha256(registry)
        assert cli(["load", "--db", str(registry), str(path)]) == 1
        err = capsys.readouterr().err
        assert f"错误：{name} 第{line}行：第{line}行与前面各行的编码不同" in err, err
        assert "Traceback" not in err and sha256(registry) == before
        assert read_journal(registry)[-1]["outcome"] == "refused"


def test_a_file_with_headers_but_no_rows_changes_nothing(registry: Path, tmp_path: Path, capsys, monkeypatch):
    empty = [Case(f"{t.title}_空", t, [c.header for c in t.columns], [], 1, "") for t in TABLES]
    paths = [case.write(tmp_path, ".xlsx") for case in empty[:3]] + [case.write(tmp_path, ".csv") for case in empty[3:]]
    before, snapshots, journal = sha256(registry), history_files(registry), read_journal(registry)
    for command in ("check", "load"):
        assert cli([command, "--db", str(registry), *map(str, paths)]) == 1
        out, err = capsys.readouterr()
        assert "没有数据行" in err and "Traceback" not in err
    assert "没有导入任何内容" in err and "登记库保持不变" in err
    assert sha256(registry) == before and history_files(registry) == snapshots
    added = read_journal(registry)[len(journal):]
    assert [(r["action"], r["outcome"], r["import_id"]) for r in added] == [("check", "empty", None),
                                                                            ("import", "empty", None)]
    assert sorted(f["name"] for f in added[-1]["files"]) == sorted(p.name for p in paths)

    monkeypatch.setenv("REGISTRY_DB", str(registry))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = {"editors": {"张三": PASSWORD_HASH}}
    at.session_state[auth.SESSION_KEY] = "张三"
    at = at.switch_page("pages/import.py").run()
    at = at.file_uploader[0].set_value([(p.name, p.read_bytes(), "text/csv") for p in paths]).run()
    assert not at.exception and not at.error
    assert any(i.value.startswith("没有导入任何内容") and "登记库保持不变" in i.value for i in at.info)
    assert at.button(key="import_confirm").disabled
    assert sha256(registry) == before and history_files(registry) == snapshots
    assert (read_journal(registry)[-1]["outcome"], read_journal(registry)[-1]["user"]) == ("empty", "张三")


def test_a_gbk_file_whose_short_lines_happen_to_be_valid_utf8_is_not_called_mixed(registry: Path, tmp_path: Path):
    """位 is CE BB in GBK, which is also UTF-8 for λ: a GBK line can decode as UTF-8, but never into Chinese."""
    from loaders.read import decode

    text = "联盟名称,备注\r\n天津市某联盟,位\r\n天津市另一联盟,正常\r\n"
    assert "位".encode("gbk").decode("utf-8") == "λ"
    decoded, encoding = decode(text.encode("gbk"), "备注.csv")
    assert decoded == text and encoding == "GB18030"


def test_an_unforeseen_failure_in_one_sheet_is_refused_in_chinese(registry: Path, tmp_path: Path, monkeypatch, capsys):
    from loaders import pipeline

    def broken(*args, **kwargs):
        raise KeyError("name_key")                      # what a missing column used to do

    monkeypatch.setattr(pipeline, "_normalise", broken)
    path = CASES[0].write(tmp_path, ".xlsx")
    before = sha256(registry)
    assert cli(["load", "--db", str(registry), str(path)]) == 1
    err = capsys.readouterr().err
    assert f"错误：{path.name}［{CASES[0].table.title}］：此表无法处理" in err and "Traceback" not in err
    assert sha256(registry) == before and read_journal(registry)[-1]["outcome"] == "refused"
