"""The import pipeline and store: real export files in, DuckDB tables or a whole-batch refusal out.

Every test writes its own small files (openpyxl, xlwt, CSV text in the encoding under test,
pandas.to_parquet) with real Chinese headers, then runs ``loaders.pipeline.prepare`` and
``loaders.store.import_batch`` exactly as the CLI and the dashboard do.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import shutil
import re
from datetime import date as D
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlwt

from loaders.headers import HeaderMap
from loaders import normalise as n
from loaders.normalise import credit_code_check_char
from loaders.pipeline import ERROR, WARNING, Problem, generated_alliance_id, prepare
from loaders.registry import connect_read_only, existing_state
from loaders.schema import TABLES
from loaders.store import ImportRefused, NothingToImport, history_dir, import_batch, read_journal
from loaders.template import write_template
from queries import runner
from queries.policy import load_profile

# ---- the small good registry ----------------------------------------------------------------

TITLE = "天津市产业技术创新战略联盟备案名单（2019年）"
ROBOT = "天津市工业机器人产业技术创新战略联盟"
MAGNET = "天津市稀土新材料（永磁）产业技术创新战略联盟"
MAGNET_HALF = "天津市稀土新材料 (永磁) 产业技术创新战略联盟"      # how the members sheet spells it
PHARMA = "天津市生物医药产业技术创新战略联盟"
CAR = "天津市新能源汽车产业技术创新战略联盟"
TJU_CODE = "12100000401359321Q"

# alias headers, as a bureau's own export has them (canonical: 联盟名称, 对外责任主体单位, 产业领域 …)
ALLIANCE_HEADER = ["序号", "联盟编号", "联盟全称", "牵头单位", "所在区", "技术领域", "联盟级别", "备案状态",
                   "成立时间", "认定日期", "撤销日期"]
ALLIANCE_ROWS = [
    [1, "TJLM-001", ROBOT, "天津某机器人有限公司", "滨海新区", "高端装备制造（机器人）", "市级", "已备案",
     "2019/3/5", "2019年6月28日", None],
    [2, "TJLM-002", MAGNET, "天津大学", "南开区", "稀土永磁材料", "市", "备案", 43529, "2019.07", None],
    [3, "TJLM-003", PHARMA, "天津某药业有限公司", "西青区", "生物医药", "省级", "已撤销", "2018-01-01", "2018-05-01",
     "2021-06-30"],
    [4, None, CAR, "天津某汽车有限公司", "东丽区", "汽车与新能源汽车", "市级", None, "2020-01-01", "2020-09-01", None],
]
CAR_ID = generated_alliance_id("天津市新能源汽车产业技术创新战略联盟")

MEMBER_HEADER = ["序号", "所属联盟", "成员单位名称", "信用代码", "单位性质", "联盟职务", "是否核心成员", "加入时间"]


def code(i: int) -> str:
    """A valid 统一社会信用代码 for test company number ``i``."""
    first17 = f"91120116MA0{i:06d}"
    return first17 + credit_code_check_char(first17)


def member_rows() -> list[list]:
    rows = [[1, ROBOT, "天津大学", TJU_CODE, "高校", "理事长", "是", "2019-03-05"]]
    rows += [[1 + i, ROBOT, f"天津某科技有限公司{i}", code(i), "公司" if i % 2 else "企业", "成员", "否", "2019/3/5"]
             for i in range(1, 10)]
    rows += [[11, MAGNET_HALF, "天津大学", TJU_CODE, "大学", "理事长单位", "是", None],
             [12, MAGNET_HALF, "天津某研究院", code(100), "科研院所", "理事", "是", None],
             [13, CAR, "天津某汽车有限公司", code(200), "企业", "理事长", "是", "2020-01-01"]]
    return rows


def alliance_sheet(rows: list[list] | None = None) -> list[list]:
    return [[TITLE], ALLIANCE_HEADER, *(ALLIANCE_ROWS if rows is None else rows)]


def alliance_rows_with(**changes: dict[int, object]) -> list[list]:
    """The good alliance rows with cells changed: ``changes[name] = {column index: value}``."""
    rows = [list(r) for r in ALLIANCE_ROWS]
    for key, cells in changes.items():
        row = rows[{"robot": 0, "magnet": 1, "pharma": 2, "car": 3}[key]]
        for col, value in cells.items():
            row[ALLIANCE_HEADER.index(col)] = value
    return rows


# ---- file writers -----------------------------------------------------------------------------

def write_xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def csv_text(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue()


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(rows).encode(encoding))
    return path


def write_parquet(path: Path, rows: list[list]) -> Path:
    header, body = rows[0], rows[1:]
    frame = pd.DataFrame([[None if v is None else str(v) for v in row] for row in body], columns=header,
                         dtype="object")
    frame.to_parquet(path, index=False)
    return path


def write_registry(folder: Path) -> Path:
    """The good registry: a title row and 序号 above alias headers, four alliances, a members sheet."""
    return write_xlsx(folder / "天津市联盟备案名单2019.xlsx",
                      {"联盟名录": alliance_sheet(), "成员单位": [MEMBER_HEADER, *member_rows()]})


# ---- helpers on the database ---------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(db: Path, *paths: Path, headers: HeaderMap | None = None):
    batch = prepare(paths, headers, existing_state(db))
    assert batch.errors == [], "\n".join(map(str, batch.errors))
    return batch, import_batch(db, batch)


def table(db: Path, name: str, source: bool = False) -> pd.DataFrame:
    """A whole table, in a stable order, without (unless asked) the source_* provenance columns."""
    con = connect_read_only(db)
    try:   # fetchall, not .df(): .df() turns DECIMAL into float64
        cursor = con.execute(f"select * from {name}")
        df = pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description], dtype="object")
    finally:
        con.close()
    if not source:
        df = df.drop(columns=[c for c in df.columns if c.startswith("source_")])
    return df.sort_values(list(df.columns)[:3]).reset_index(drop=True) if len(df) else df


def refuse(db: Path, *paths: Path, headers: HeaderMap | None = None) -> list[Problem]:
    """Prepare and import a broken file set: refused, database byte-identical, refusal journaled."""
    before = sha256(db)
    journal_before = read_journal(db)
    batch = prepare(paths, headers, existing_state(db))
    with pytest.raises(ImportRefused) as refused:
        import_batch(db, batch)
    assert sha256(db) == before
    assert "数据库未做任何改动" in str(refused.value)
    journal = read_journal(db)
    assert journal[:-1] == journal_before
    record = journal[-1]
    assert record["outcome"] == "refused" and record["action"] == "import"
    assert record["errors"] == len(batch.errors) > 0
    assert [f["name"] for f in record["files"]] == [p.name for p in paths if p.is_file()]
    assert [f["sha256"] for f in record["files"]] == [sha256(p) for p in paths if p.is_file()]
    assert record["first_errors"] == [str(p) for p in batch.errors[:20]]
    assert not list(db.parent.glob(f".{db.name}.*"))          # no temporary file left behind
    return batch.errors


def assert_located(p: Problem, file: str, sheet: str | None, row: int | None, column: str | None,
                   value: str | None, says: str) -> None:
    """The problem names file, sheet, Excel row, column and value, both as fields and in its text."""
    assert p.level == ERROR
    assert (p.file, p.sheet, p.row) == (file, sheet, row), p
    # The column as the file names it (金额（元）); an alias is followed by the canonical header: 成立时间（成立日期）.
    assert (p.column or "").startswith(column or "") or (p.column or "").endswith(f"（{column}）"), p
    text = str(p)
    assert text.startswith("错误：" + file)
    assert says in text, text
    if sheet:
        assert f"［{sheet}］" in text
    if row:
        assert f"第{row}行" in text
    if column:
        assert f"「{p.column}」列" in text
    if value is not None:
        assert p.value == value or (p.value is None and value in p.message), p
        assert value in text


def canonical(column: str | None) -> str | None:
    """The canonical header of a problem's column label: 单位性质（单位类型） → 单位类型."""
    m = re.search(r"（(.+)）$", column or "")
    return m[1] if m else column


def only(errors: list[Problem]) -> Problem:
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


def refuse_members(tmp_path: Path, loaded: Path, rows: list[list]) -> Problem:
    """The one problem of a 成员单位.xlsx holding ``rows``, refused by ``loaded`` (which stays as it was)."""
    return only(refuse(loaded, write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [MEMBER_HEADER, *rows]})))


@pytest.fixture(scope="module")
def good_db(tmp_path_factory) -> Path:
    """The good registry (4 alliances, 13 members) loaded once per module."""
    folder = tmp_path_factory.mktemp("good")
    db = folder / "registry.duckdb"
    batch, outcome = load(db, write_registry(folder))
    assert outcome.row_counts == {"alliances": 4, "members": 13, "subsidies": 0, "events": 0, "annual_reports": 0}
    return db


@pytest.fixture
def loaded(good_db: Path, db: Path) -> Path:
    """A test's own copy of the loaded good registry: database file, snapshots and journal."""
    shutil.copyfile(good_db, db)
    shutil.copytree(history_dir(good_db), history_dir(db))
    return db


# ---- the good registry ------------------------------------------------------------------------

def test_good_registry_loads_with_aliases_title_row_and_serial_numbers(loaded: Path):
    alliances = table(loaded, "alliances", source=True)
    assert list(alliances["alliance_id"]) == [CAR_ID, "TJLM-001", "TJLM-002", "TJLM-003"]
    assert CAR_ID.startswith("L-") and len(CAR_ID) == 10
    by_id = alliances.set_index("alliance_id")
    assert by_id.at["TJLM-001", "name"] == ROBOT
    assert by_id.at["TJLM-001", "lead_unit"] == "天津某机器人有限公司"
    assert by_id.at["TJLM-001", "region"] == "滨海新区"
    assert by_id.at["TJLM-001", "field"] == "高端装备制造（机器人）"
    assert by_id.at["TJLM-001", "founded_date"] == D(2019, 3, 5)
    assert by_id.at["TJLM-001", "filed_date"] == D(2019, 6, 28)
    assert by_id.at["TJLM-002", "level"] == "市级"                       # 市 → 市级
    assert by_id.at["TJLM-002", "status"] == "已备案"                     # 备案 → 已备案
    assert by_id.at["TJLM-002", "founded_date"] == D(2019, 3, 5)   # Excel serial 43529
    assert by_id.at["TJLM-002", "filed_date"] == D(2019, 7, 1)     # 2019.07
    assert by_id.at["TJLM-003", "revoked_date"] == D(2021, 6, 30)
    assert by_id.at[CAR_ID, "status"] == "已备案"                          # derived from 备案日期
    # title row and 序号 skipped; rows numbered as Excel shows them (title 1, header 2, data 3–6)
    assert TITLE not in set(alliances["name"])
    assert not any("序号" in c for c in alliances.columns)
    assert sorted(alliances["source_row"]) == [3, 4, 5, 6]
    assert set(alliances["source_sheet"]) == {"联盟名录"}
    assert set(alliances["source_file"]) == {"天津市联盟备案名单2019.xlsx"}
    members = table(loaded, "members", source=True)
    assert len(members) == 13
    assert sorted(members["source_row"]) == list(range(2, 15))
    tju = members[members["unit_name"] == "天津大学"].set_index("alliance_id")
    assert tju.at["TJLM-001", "role"] == "理事长单位" and bool(tju.at["TJLM-001", "is_core"]) is True
    assert tju.at["TJLM-002", "unit_type"] == "高校"                        # 大学 → 高校
    assert set(members["credit_code"].dropna()) >= {TJU_CODE, code(1), code(100)}


def test_bracket_and_space_variants_of_a_name_link_to_the_alliance(loaded: Path):
    members = table(loaded, "members")
    magnet = members[members["alliance_id"] == "TJLM-002"]
    assert sorted(magnet["unit_name"]) == ["天津大学", "天津某研究院"]
    assert members["alliance_id"].notna().all()
    assert (members["alliance_id"] == CAR_ID).sum() == 1


def test_existing_state_lists_the_registry_and_what_refers_to_it(loaded: Path):
    state = existing_state(loaded)
    assert sorted(state.alliances["alliance_id"].to_pylist()) == sorted([CAR_ID, "TJLM-001", "TJLM-002", "TJLM-003"])
    assert set(state.alliances.column_names) == {"alliance_id", "name", "name_key"}
    assert sorted(state.child_ids["members"]) == sorted([CAR_ID, "TJLM-001", "TJLM-002"])
    assert list(state.child_ids["subsidies"]) == []


def test_existing_state_of_a_missing_database_is_empty(db: Path):
    state = existing_state(db)
    assert state.alliances.num_rows == 0 and state.child_ids == {}


def test_warnings_do_not_block_and_are_reported(tmp_path: Path, db: Path):
    batch, outcome = load(db, write_registry(tmp_path))
    assert batch.ok and outcome.import_id == 1
    warned = [p for p in batch.warnings if "少于 10 家" in p.message]
    assert sorted(p.row for p in warned) == [4, 6]                    # 稀土 (2 members) and 汽车 (1 member)
    magnet = next(p for p in warned if p.row == 4)
    assert magnet.level == WARNING and magnet.sheet == "联盟名录"
    assert str(magnet).startswith("警告：天津市联盟备案名单2019.xlsx［联盟名录］ 第4行")
    assert "现有成员单位 2 家" in str(magnet)
    # the revoked alliance (no members) is not warned about; the one with 10 members neither
    assert not any(p.row in (3, 5) for p in warned)


# ---- each rule refuses the whole batch, naming where ---------------------------------------------

def test_missing_required_column(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [["所属联盟", "成员单位名称", "联盟职务"],
                                                               [ROBOT, "天津大学", "理事长"]]})
    p = only(refuse(loaded, path))
    assert_located(p, "成员单位.xlsx", "成员单位", 1, "单位类型", None, "缺少必填列“单位类型”")
    assert "单位性质" in p.message                                    # it names the accepted aliases


def test_blank_required_value(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [MEMBER_HEADER, *member_rows()]})
    book = openpyxl.load_workbook(path)
    book["成员单位"]["E6"] = None                                        # 单位性质 of Excel row 6
    book["成员单位"]["C9"] = "  "                                        # 成员单位名称 of row 9: spaces only
    book.save(path)
    errors = refuse(loaded, path)
    assert len(errors) == 2
    assert_located(errors[0] if errors[0].row == 9 else errors[1], "成员单位.xlsx", "成员单位", 9, "单位名称", None,
                   "必填项“单位名称”为空")
    assert_located(errors[0] if errors[0].row == 6 else errors[1], "成员单位.xlsx", "成员单位", 6, "单位类型", None,
                   "必填项“单位类型”为空")


def test_blank_alliance_name_without_a_number(tmp_path: Path, loaded: Path):
    rows = alliance_rows_with(car={"联盟全称": None, "牵头单位": "  "})
    path = write_xlsx(tmp_path / "联盟名录.xlsx", {"联盟名录": alliance_sheet(rows)})
    everything = refuse(loaded, path)
    errors = sorted((p for p in everything if p.row), key=lambda p: p.column)
    assert len(errors) == 2, everything
    # without a name the row has no generated 联盟编号, so its members are orphaned too
    assert [p.message for p in everything if not p.row] == [
        f"登记库现有成员单位中有 1 个联盟不在新的联盟名录中（如 {CAR_ID}）：请同时导入新的成员单位，以免数据不一致"]
    assert_located(errors[1], "联盟名录.xlsx", "联盟名录", 6, "联盟名称", None, "必填项“联盟名称”为空")
    assert_located(errors[0], "联盟名录.xlsx", "联盟名录", 6, "对外责任主体单位", None, "必填项“对外责任主体单位”为空")


@pytest.mark.parametrize("cell, says", [
    ("2019-02-30", "不存在的日期"),
    ("2019年13月1日", "不存在的日期"),
    ("去年六月", "无法识别为日期"),
    ("1999-12-31", "早于 2000 年"),
    (f"{dt.date.today().year + 2}-01-01", "超出合理范围"),
])
def test_bad_dates(tmp_path: Path, loaded: Path, cell: str, says: str):
    path = write_xlsx(tmp_path / "联盟名录.xlsx",
                      {"联盟名录": alliance_sheet(alliance_rows_with(magnet={"成立时间": cell}))})
    p = only(refuse(loaded, path))
    assert_located(p, "联盟名录.xlsx", "联盟名录", 4, "成立日期", cell, says)


def test_a_bad_filing_date_is_reported_once(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "联盟名录.xlsx",
                      {"联盟名录": alliance_sheet(alliance_rows_with(magnet={"认定日期": "2019-02-30"}))})
    p = only(refuse(loaded, path))
    assert_located(p, "联盟名录.xlsx", "联盟名录", 4, "备案日期", "2019-02-30", "不存在的日期")


def test_date_of_a_member_before_2000(tmp_path: Path, loaded: Path):
    rows = member_rows()
    rows[3][7] = 36000                                                   # serial 36000 = 1998-07-24
    p = refuse_members(tmp_path, loaded, rows)
    assert_located(p, "成员单位.xlsx", "成员单位", 5, "加入日期", "36000", "日期 1998-07-24 早于 2000 年")


SUBSIDY_HEADER = ["联盟名称", "年度", "补贴类型", "金额（万元）", "拨付日期", "文号"]


@pytest.mark.parametrize("cell, says", [
    ("五十万", "无法识别为金额"),
    ("50美元", "无法识别为金额"),
    ("-50", "金额不能为负数"),
    ("500,000元", "与表头单位“万元”不一致"),
    ("0.0000001", "金额精确到分以下"),
])
def test_bad_money(tmp_path: Path, loaded: Path, cell: str, says: str):
    path = write_xlsx(tmp_path / "资金补贴.xlsx", {"资金补贴": [
        SUBSIDY_HEADER,
        [ROBOT, 2019, "备案补贴", 50, "2019-12-20", "津科资〔2019〕12号"],
        [MAGNET, "2019年", "备案", cell, "2019-12-20", "津科资〔2019〕12号"],
    ]})
    p = only(refuse(loaded, path))
    assert_located(p, "资金补贴.xlsx", "资金补贴", 3, "金额", cell, says)


def test_negative_money_as_a_number_cell(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "资金补贴.xlsx", {"资金补贴": [
        ["联盟名称", "年度", "补贴类型", "金额（元）"], [ROBOT, 2019, "备案补贴", -500000]]})
    p = only(refuse(loaded, path))
    assert_located(p, "资金补贴.xlsx", "资金补贴", 2, "金额", "-500000", "金额不能为负数")


def test_bad_enum(tmp_path: Path, loaded: Path):
    rows = member_rows()
    rows[12][4] = "医院"
    p = refuse_members(tmp_path, loaded, rows)
    assert_located(p, "成员单位.xlsx", "成员单位", 14, "单位类型", "医院", "“医院”不是允许的取值")
    assert "企业/高校/科研院所/金融机构/中介机构/其他" in p.message


def test_bad_credit_code_check_character(tmp_path: Path, loaded: Path):
    rows = member_rows()
    rows[11][3] = code(100)[:17] + ("0" if code(100)[17] != "0" else "1")
    p = refuse_members(tmp_path, loaded, rows)
    assert_located(p, "成员单位.xlsx", "成员单位", 13, "统一社会信用代码", rows[11][3], "校验位错误")
    assert f"应为 {code(100)[17]}" in p.message


def test_bad_credit_code_shapes(tmp_path: Path, loaded: Path):
    rows = member_rows()
    rows[1][3] = "91350100M000I00Y43"      # forbidden letter
    rows[2][3] = "9135010"                  # too short
    rows[3][3] = "91350100m000100y43"       # lower case: fine
    rows[4][3] = "9135 0100 M000 100Y43"    # spaces: fine, but the same code as row 5 in one alliance
    path = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [MEMBER_HEADER, *rows]})
    errors = sorted(refuse(loaded, path), key=lambda p: p.row)
    assert [(p.row, canonical(p.column)) for p in errors] == [(3, "统一社会信用代码"), (4, "统一社会信用代码"),
                                                              (6, "统一社会信用代码")]
    assert "不允许的字符" in errors[0].message
    assert "应为18位，实为7位" in errors[1].message
    assert "同一联盟中统一社会信用代码重复" in errors[2].message and errors[2].value == "91350100M000100Y43"


@pytest.mark.parametrize("duplicate", [
    MAGNET,                                           # the same name again
    MAGNET_HALF,                                      # half-width brackets and spaces
    "天津市稀土新材料（永磁）产业技术创新战略联盟　",      # a trailing full-width space
])
def test_duplicate_alliance_name(tmp_path: Path, loaded: Path, duplicate: str):
    rows = [*ALLIANCE_ROWS, [5, "TJLM-005", duplicate, "某公司", "南开区", "新材料", "市级", "已备案", "2020-01-01",
                             "2020-06-01", None]]
    path = write_xlsx(tmp_path / "联盟名录.xlsx", {"联盟名录": alliance_sheet(rows)})
    p = only(refuse(loaded, path))
    assert_located(p, "联盟名录.xlsx", "联盟名录", 7, "联盟名称", None, "联盟名称重复")
    # the value is the name as written (so Ctrl+F finds it), trimmed, whitespace runs as one space
    assert p.value == " ".join(duplicate.split())
    assert "与 联盟名录.xlsx 第4行 是同一个联盟" in p.message


def test_duplicate_alliance_number(tmp_path: Path, loaded: Path):
    rows = [*ALLIANCE_ROWS, [5, "TJLM-001", "天津市另一个产业技术创新战略联盟", "某公司", "南开区", "新材料", "市级", "已备案",
                             "2020-01-01", "2020-06-01", None]]
    path = write_xlsx(tmp_path / "联盟名录.xlsx", {"联盟名录": alliance_sheet(rows)})
    p = only(refuse(loaded, path))
    assert_located(p, "联盟名录.xlsx", "联盟名录", 7, "联盟编号", "TJLM-001", "联盟编号重复")


def test_duplicate_alliance_across_two_files(tmp_path: Path, loaded: Path):
    first = write_xlsx(tmp_path / "联盟名录2019.xlsx", {"联盟名录": alliance_sheet()})
    second = write_csv(tmp_path / "联盟名录2020.csv",
                       [ALLIANCE_HEADER[1:], ["TJLM-009", f" {ROBOT} ", "甲公司", "河西区", "新材料", "市级", "已备案",
                                              "2020-01-01", "2020-06-01", ""]])
    p = only(refuse(loaded, first, second))
    assert_located(p, "联盟名录2020.csv", None, 2, "联盟名称", ROBOT, "与 联盟名录2019.xlsx 第3行 是同一个联盟")


def test_member_of_an_unknown_alliance(tmp_path: Path, loaded: Path):
    rows = member_rows()
    rows[5][1] = "天津市不存在的产业技术创新战略联盟"
    p = refuse_members(tmp_path, loaded, rows)
    assert_located(p, "成员单位.xlsx", "成员单位", 7, "联盟名称", "天津市不存在的产业技术创新战略联盟", "不在联盟名录中")


def test_unknown_alliance_number(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "年度报告.xlsx", {"年度报告": [["联盟编号", "年度", "提交日期"],
                                                              ["TJLM-001", 2022, "2022-11-20"],
                                                              ["TJLM-404", 2022, "2022-11-20"]]})
    p = only(refuse(loaded, path))
    assert_located(p, "年度报告.xlsx", "年度报告", 3, "联盟编号", "TJLM-404", "联盟编号“TJLM-404”不在联盟名录中")


def test_number_and_name_pointing_to_different_alliances(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [
        ["联盟编号", "联盟名称", "单位名称", "单位类型"],
        ["TJLM-001", ROBOT, "天津大学", "高校"],
        ["TJLM-001", MAGNET, "南开大学", "高校"],
    ]})
    p = only(refuse(loaded, path))
    assert_located(p, "成员单位.xlsx", "成员单位", 3, "联盟编号", None, "指向不同的联盟")
    assert "TJLM-001" in str(p) and MAGNET in str(p)


def test_duplicate_member_in_one_alliance(tmp_path: Path, loaded: Path):
    rows = member_rows()
    rows.append([14, ROBOT, "天津 大学", None, "高校", "成员", "否", None])        # same unit, spaced
    rows.append([15, MAGNET, "天津某科技有限公司1", None, "企业", "成员", "否", None])  # another alliance: fine
    p = refuse_members(tmp_path, loaded, rows)
    # the name as this row writes it, to find with Ctrl+F; it repeats 天津大学 once spaces are ignored
    assert_located(p, "成员单位.xlsx", "成员单位", 15, "单位名称", "天津 大学", "同一联盟中单位名称重复")


def test_duplicate_annual_report(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "年度报告.xlsx", {"年报": [
        ["联盟名称", "年度", "提交日期", "开展活动次数"],
        [ROBOT, 2022, "2022-11-20", 6],
        [MAGNET, 2022, "2022-11-21", 3],
        [ROBOT, 2023, "2023-11-20", 4],
        [f"{ROBOT} ", "2022年度", "2022-11-30", 7],
    ]})
    p = only(refuse(loaded, path))
    assert_located(p, "年度报告.xlsx", "年报", 5, "年度", None, "同一联盟 2022 年度的年度报告重复")


def test_revoked_without_revocation_date(tmp_path: Path, loaded: Path):
    rows = alliance_rows_with(pharma={"撤销日期": None}, car={"备案状态": "撤销"})
    path = write_xlsx(tmp_path / "联盟名录.xlsx", {"联盟名录": alliance_sheet(rows)})
    errors = sorted(refuse(loaded, path), key=lambda p: p.row)
    assert len(errors) == 2
    assert_located(errors[0], "联盟名录.xlsx", "联盟名录", 5, "撤销日期", None, "状态为“已撤销”但撤销日期为空")
    assert_located(errors[1], "联盟名录.xlsx", "联盟名录", 6, "撤销日期", None, "状态为“已撤销”但撤销日期为空")


def test_revocation_date_with_an_active_status(tmp_path: Path, loaded: Path):
    rows = alliance_rows_with(robot={"撤销日期": "2022-01-01"})
    path = write_xlsx(tmp_path / "联盟名录.xlsx", {"联盟名录": alliance_sheet(rows)})
    p = only(refuse(loaded, path))
    assert_located(p, "联盟名录.xlsx", "联盟名录", 3, "状态", "已备案", "填写了撤销日期，但状态为“已备案”")


def test_revoked_before_filed(tmp_path: Path, loaded: Path):
    rows = alliance_rows_with(pharma={"撤销日期": "2018年1月1日"})
    path = write_xlsx(tmp_path / "联盟名录.xlsx", {"联盟名录": alliance_sheet(rows)})
    p = only(refuse(loaded, path))
    assert_located(p, "联盟名录.xlsx", "联盟名录", 5, "撤销日期", "2018-01-01", "撤销日期早于备案日期")
    assert "2018-05-01 → 2018-01-01" in p.message


def test_filed_status_without_filing_date(tmp_path: Path, loaded: Path):
    rows = alliance_rows_with(robot={"认定日期": None})
    path = write_xlsx(tmp_path / "联盟名录.xlsx", {"联盟名录": alliance_sheet(rows)})
    p = only(refuse(loaded, path))
    assert_located(p, "联盟名录.xlsx", "联盟名录", 3, "备案日期", None, "状态为“已备案”但备案日期为空")


def test_unreadable_file(tmp_path: Path, loaded: Path):
    path = tmp_path / "联盟名录.xlsx"
    path.write_bytes(os.urandom(4096))
    p = only(refuse(loaded, path))
    assert (p.file, p.sheet, p.row) == ("联盟名录.xlsx", None, None)
    assert "文件无法读取" in p.message and "扩展名" in p.message
    assert str(p).startswith("错误：联盟名录.xlsx：")


def test_csv_saved_as_xlsx_is_unreadable(tmp_path: Path, loaded: Path):
    path = tmp_path / "成员单位.xlsx"
    path.write_text(csv_text([MEMBER_HEADER, *member_rows()]), encoding="utf-8")
    p = only(refuse(loaded, path))
    assert p.file == "成员单位.xlsx" and "文件无法读取" in p.message


def test_unsupported_extension(tmp_path: Path, loaded: Path):
    path = tmp_path / "联盟名录.txt"
    path.write_text(csv_text(alliance_sheet()), encoding="utf-8")
    p = only(refuse(loaded, path))
    assert p.file == "联盟名录.txt" and "不支持的文件类型“.txt”" in p.message


def test_csv_in_an_undetectable_encoding(tmp_path: Path, loaded: Path):
    path = tmp_path / "成员单位.csv"
    path.write_bytes(csv_text([MEMBER_HEADER, *member_rows()]).encode("gbk") + b"\xff\x80\xff\x80\r\n")
    p = only(refuse(loaded, path))
    assert p.file == "成员单位.csv" and "无法识别文件编码" in p.message


def test_file_with_no_recognisable_table(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "通讯录.xlsx", {"Sheet1": [["姓名", "电话", "邮箱"], ["张三", "022-1234", "a@b.cn"]]})
    batch = prepare([path], existing=existing_state(loaded))
    p = only(refuse(loaded, path))
    assert p.file == "通讯录.xlsx" and "文件中没有可识别的表" in p.message
    skipped = [w for w in batch.warnings if w.sheet == "Sheet1"]
    assert skipped and "未识别为任何导入表" in skipped[0].message


def test_missing_file(tmp_path: Path, loaded: Path):
    good = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [MEMBER_HEADER, *member_rows()]})
    p = only(refuse(loaded, good, tmp_path / "不存在.xlsx"))
    assert p.file == "不存在.xlsx" and "找不到文件" in p.message


def test_all_errors_are_collected_and_one_bad_file_refuses_the_set(tmp_path: Path, loaded: Path):
    rows = member_rows()
    rows[1][4] = "医院"                                        # row 3: bad enum
    rows[4][3] = TJU_CODE[:-1] + "A"                           # row 6: wrong check character
    rows[8][1] = "天津市不存在的产业技术创新战略联盟"            # row 10: unknown alliance
    members = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [MEMBER_HEADER, *rows]})
    good = write_xlsx(tmp_path / "资金补贴.xlsx", {"资金补贴": [SUBSIDY_HEADER,
                                                               [ROBOT, 2019, "备案补贴", 50, "2019-12-20", "文1"]]})
    also_bad = write_csv(tmp_path / "评审记录.csv", [["联盟名称", "事项", "日期", "得分"],
                                                     [ROBOT, "三年评估", "2022-06-31", "120"]])
    errors = refuse(loaded, good, members, also_bad)
    located = sorted((p.file, p.row, canonical(p.column)) for p in errors)
    assert located == [("成员单位.xlsx", 3, "单位类型"), ("成员单位.xlsx", 6, "统一社会信用代码"),
                       ("成员单位.xlsx", 10, "联盟名称"), ("评审记录.csv", 2, "得分"), ("评审记录.csv", 2, "日期")]
    assert all(str(p).startswith("错误：") for p in errors)
    assert table(loaded, "subsidies").empty                     # the good file did not land either


# ---- reading every format the same way ----------------------------------------------------------

ALLIANCES_CSV = [[TITLE], ALLIANCE_HEADER, *ALLIANCE_ROWS]
MEMBERS_CSV = [MEMBER_HEADER, *member_rows()]
FORMATS = ["xlsx", "xls", "csv-utf8", "csv-utf8-bom", "csv-gbk", "csv-gb18030", "parquet"]
ENCODINGS = {"csv-utf8": ("utf-8", "UTF-8"), "csv-utf8-bom": ("utf-8-sig", "UTF-8 (BOM)"),
             "csv-gbk": ("gbk", "GB18030"), "csv-gb18030": ("gb18030", "GB18030")}


def write_format(folder: Path, fmt: str, alliances: list[list], members: list[list]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return [write_xlsx(folder / "联盟名录.xlsx", {"联盟名录": alliances}),
                write_xlsx(folder / "成员单位.xlsx", {"成员单位": members})]
    if fmt == "xls":
        return [write_xls(folder / "联盟名录.xls", {"联盟名录": alliances}),
                write_xls(folder / "成员单位.xls", {"成员单位": members})]
    if fmt == "parquet":   # no title row in a parquet file: the header is its column names
        return [write_parquet(folder / "联盟名录.parquet", alliances[1:]),
                write_parquet(folder / "成员单位.parquet", members)]
    encoding = ENCODINGS[fmt][0]
    return [write_csv(folder / "联盟名录.csv", alliances, encoding), write_csv(folder / "成员单位.csv", members, encoding)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The registry as loaded from .xlsx: every other format must give the same tables."""
    folder = tmp_path_factory.mktemp("reference")
    db = folder / "registry.duckdb"
    load(db, *write_format(folder, "xlsx", ALLIANCES_CSV, MEMBERS_CSV))
    return {name: table(db, name) for name in ("alliances", "members")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_loads_identical_tables(tmp_path: Path, db: Path, reference, fmt: str):
    paths = write_format(tmp_path / fmt, fmt, ALLIANCES_CSV, MEMBERS_CSV)
    batch, outcome = load(db, *paths)
    assert outcome.row_counts["alliances"] == 4 and outcome.row_counts["members"] == 13
    assert [part["table"] for f in batch.files for part in f.parts] == ["alliances", "members"]
    if fmt in ENCODINGS:
        assert [f.encoding for f in batch.files] == [ENCODINGS[fmt][1]] * 2
    for name in ("alliances", "members"):
        pd.testing.assert_frame_equal(table(db, name), reference[name], check_dtype=False)
    rows = sorted(table(db, "alliances", source=True)["source_row"])
    assert rows == ([2, 3, 4, 5] if fmt == "parquet" else [3, 4, 5, 6])


def test_reference_tables_hold_the_expected_values(reference):
    members = reference["members"]
    assert len(members) == 13 and members["alliance_id"].notna().all()
    assert reference["alliances"].set_index("alliance_id").at["TJLM-002", "founded_date"] == D(2019, 3, 5)


def test_gb18030_csv_with_a_character_outside_gbk(tmp_path: Path, loaded: Path):
    rows = member_rows()
    rows[12][2] = "天津𠀀㐀新材料有限公司"
    with pytest.raises(UnicodeEncodeError):
        "𠀀".encode("gbk")
    path = write_csv(tmp_path / "成员单位.csv", [MEMBER_HEADER, *rows], "gb18030")
    batch, _ = load(loaded, path)
    assert batch.files[0].encoding == "GB18030"
    members = table(loaded, "members")
    assert "天津𠀀㐀新材料有限公司" in set(members["unit_name"])


def test_parquet_with_typed_columns(tmp_path: Path, loaded: Path):
    frame = pd.DataFrame({
        "联盟名称": [ROBOT, MAGNET],
        "年度": [2019, 2020],
        "补贴类型": ["备案补贴", "评估补贴"],
        "金额（万元）": [50.0, 12.3456],
        "拨付日期": pd.to_datetime(["2019-12-20", None]),
    })
    path = tmp_path / "资金补贴.parquet"
    frame.to_parquet(path, index=False)
    load(loaded, path)
    subsidies = table(loaded, "subsidies").set_index("alliance_id")
    assert subsidies.at["TJLM-001", "amount_yuan"] == Decimal("500000.00")
    assert subsidies.at["TJLM-002", "amount_yuan"] == Decimal("123456.00")
    assert subsidies.at["TJLM-001", "paid_date"] == D(2019, 12, 20)
    assert pd.isna(subsidies.at["TJLM-002", "paid_date"])
    assert subsidies.at["TJLM-002", "year"] == 2020


def test_parquet_with_nulls_and_an_empty_row(tmp_path: Path, loaded: Path):
    frame = pd.DataFrame({"联盟名称": [ROBOT, None, MAGNET, PHARMA], "年度": ["2022", None, "2022年", None],
                          "提交日期": ["2022-11-20", None, None, "2022-11-25"], "专利数": [5, None, None, 2]})
    path = tmp_path / "年度报告.parquet"
    frame.to_parquet(path, index=False)
    p = only(refuse(loaded, path))                       # the empty row 3 is skipped; row 5 lacks its year
    assert_located(p, "年度报告.parquet", None, 5, "年度", None, "必填项“年度”为空")
    frame.loc[3, "年度"] = "2021"
    frame.to_parquet(path, index=False)
    load(loaded, path)
    reports = table(loaded, "annual_reports", source=True).sort_values("source_row")
    assert reports[["alliance_id", "year", "patents", "source_row"]].values.tolist() == [
        ["TJLM-001", 2022, 5, 2], ["TJLM-002", 2022, None, 4], ["TJLM-003", 2021, 2, 5]]


def test_a_name_key_is_stored_only_where_it_differs_from_the_name(tmp_path: Path, loaded: Path):
    """A name that is its own key keeps no second copy; the link to the registry and the lead unit still find it."""
    rows = alliance_rows_with(robot={"牵头单位": "天津某（集团）有限公司"}, magnet={"牵头单位": "天津某研究院"})
    members = [[1, ROBOT, "天津某(集团)有限公司", code(300), "企业", "成员", "否", None],   # its own key
               [2, MAGNET_HALF, "天津某 研究院", code(301), "科研院所", "成员", "否", None]]  # key: 天津某研究院
    load(loaded, write_xlsx(tmp_path / "登记.xlsx", {"联盟名录": alliance_sheet(rows),
                                                     "成员单位": [MEMBER_HEADER, *members]}))
    stored = table(loaded, "members").set_index("unit_name")["unit_name_key"].to_dict()
    assert stored == {"天津某(集团)有限公司": None, "天津某 研究院": "天津某研究院"}
    keys = table(loaded, "alliances").set_index("name")["name_key"].to_dict()
    assert keys[ROBOT] is None and keys[MAGNET] == "天津市稀土新材料(永磁)产业技术创新战略联盟"
    state = existing_state(loaded).alliances
    assert dict(zip(state["name"].to_pylist(), state["name_key"].to_pylist())) == {
        name: n.name_key(name) for name in keys}       # what a later import links by
    con = connect_read_only(loaded)
    try:
        runner.register_context(con, load_profile("tianjin-2018"))
        found = con.execute("select alliance_id, by_name from lead_units order by all").fetchall()
    finally:
        con.close()
    assert found == [("TJLM-001", True), ("TJLM-002", True)]  # each lead unit found by its key among the members


# ---- row numbers, merged cells, recognition ---------------------------------------------------

def test_excel_row_numbers_with_title_and_blank_rows(tmp_path: Path, loaded: Path):
    sheet = [
        ["天津市产业技术创新战略联盟"], ["资金补贴拨付情况（2019年）"], [],
        ["序号", "联盟名称", "年度", "补贴类型", "金额（万元）", "拨付日期"],
        [1, ROBOT, 2019, "备案补贴", 50, "2019-12-20"],
        [],
        [2, MAGNET, 2019, "备案补贴", 50, "2019-02-30"],
        [None, None, None, None, None, None],
        [3, PHARMA, 2019, "评估补贴", 30, "2019-12-20"],
    ]
    xlsx = write_xlsx(tmp_path / "资金补贴.xlsx", {"资金补贴": sheet})
    assert_located(only(refuse(loaded, xlsx)), "资金补贴.xlsx", "资金补贴", 7, "拨付日期", "2019-02-30", "不存在的日期")
    for encoding in ("gbk", "utf-8"):                                   # blank lines: read line by line
        as_csv = write_csv(tmp_path / "资金补贴.csv", sheet, encoding)
        assert_located(only(refuse(loaded, as_csv)), "资金补贴.csv", None, 7, "拨付日期", "2019-02-30", "不存在的日期")
    commas = [row if row else [None] * 6 for row in sheet]              # Excel's blank rows: ",,,,,"
    as_csv = write_csv(tmp_path / "资金补贴.csv", commas, "utf-8-sig")
    assert_located(only(refuse(loaded, as_csv)), "资金补贴.csv", None, 7, "拨付日期", "2019-02-30", "不存在的日期")
    sheet[6][5] = "2019-12-20"
    xlsx = write_xlsx(tmp_path / "资金补贴.xlsx", {"资金补贴": sheet})
    load(loaded, xlsx)
    assert sorted(table(loaded, "subsidies", source=True)["source_row"]) == [5, 7, 9]


def test_sheet_starting_below_empty_rows_and_columns(tmp_path: Path, loaded: Path):
    path = tmp_path / "资金补贴.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "资金补贴"
    for c, value in enumerate(["联盟名称", "年度", "补贴类型", "金额"], start=3):
        sheet.cell(row=3, column=c, value=value)
    for c, value in enumerate([ROBOT, 2019, "备案补贴", "abc"], start=3):
        sheet.cell(row=4, column=c, value=value)
    book.save(path)
    assert_located(only(refuse(loaded, path)), "资金补贴.xlsx", "资金补贴", 4, "金额", "abc", "无法识别为金额")


def test_merged_alliance_name_cells_in_a_members_sheet(tmp_path: Path, loaded: Path):
    sheet = [
        ["联盟名称", "单位名称", "单位类型", "角色"],
        [ROBOT, "天津大学", "高校", "理事长"],
        [None, "南开大学", "高校", "理事"],
        [None, "天津某科技有限公司", "企业", "成员"],
        [MAGNET_HALF, "天津某研究院", "科研院所", "理事长"],
        [None, "天津理工大学", "高校", "成员"],
    ]
    path = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": sheet}, merges={"成员单位": ["A2:A4", "A5:A6"]})
    load(loaded, path)
    members = table(loaded, "members", source=True).set_index("unit_name")
    assert members.loc[["天津大学", "南开大学", "天津某科技有限公司"], "alliance_id"].tolist() == ["TJLM-001"] * 3
    assert members.loc[["天津某研究院", "天津理工大学"], "alliance_id"].tolist() == ["TJLM-002"] * 2
    assert members.at["天津理工大学", "source_row"] == 6


def test_unmerged_blank_alliance_name_is_an_error(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [
        ["联盟名称", "单位名称", "单位类型"], [ROBOT, "天津大学", "高校"], [None, "南开大学", "高校"]]})
    p = only(refuse(loaded, path))
    assert_located(p, "成员单位.xlsx", "成员单位", 3, "联盟名称", None, "均为空，无法确定所属联盟")


def test_money_units_land_exactly_as_decimal_yuan(tmp_path: Path, loaded: Path):
    head = ["联盟名称", "年度", "补贴类型"]
    path = write_xlsx(tmp_path / "经费.xlsx", {
        "补贴（万元）": [head + ["金额（万元）"],
                      [ROBOT, 2019, "备案补贴", 50], [ROBOT, 2020, "评估补贴", "30万元"],
                      [ROBOT, 2021, "项目经费", 12.3456], [ROBOT, 2022, "其他", "0.0001"]],
        "补贴（元）": [head + ["金额(元)"],
                     [MAGNET, 2019, "备案补贴", "500,000元"], [MAGNET, 2020, "评估补贴", 300000],
                     [MAGNET, 2021, "项目经费", 0.01], [MAGNET, 2022, "其他", "1234567.89"]],
        "补贴": [head + ["补贴金额"],
               [CAR, 2020, "备案补贴", 50], [CAR, 2021, "评估补贴", "500,000元"], [CAR, 2022, "其他", "0.5万元"]],
    })
    load(loaded, path)
    con = connect_read_only(loaded)
    try:
        assert con.execute("select data_type from information_schema.columns where table_name = 'subsidies' "
                           "and column_name = 'amount_yuan'").fetchone()[0] == "DECIMAL(18,2)"
        rows = con.execute("select alliance_id, year, amount_yuan from subsidies order by alliance_id, year").fetchall()
        total = con.execute("select sum(amount_yuan) from subsidies").fetchone()[0]
    finally:
        con.close()
    assert rows == [
        (CAR_ID, 2020, Decimal("500000.00")), (CAR_ID, 2021, Decimal("500000.00")),
        (CAR_ID, 2022, Decimal("5000.00")),
        ("TJLM-001", 2019, Decimal("500000.00")), ("TJLM-001", 2020, Decimal("300000.00")),
        ("TJLM-001", 2021, Decimal("123456.00")), ("TJLM-001", 2022, Decimal("1.00")),
        ("TJLM-002", 2019, Decimal("500000.00")), ("TJLM-002", 2020, Decimal("300000.00")),
        ("TJLM-002", 2021, Decimal("0.01")), ("TJLM-002", 2022, Decimal("1234567.89")),
    ]
    assert total == Decimal("3963024.90")
    assert set(table(loaded, "subsidies")["status"]) == {"已拨付"}     # blank status means paid


def test_table_recognised_by_header_set_sheet_name_and_file_name(tmp_path: Path, loaded: Path):
    by_headers = write_xlsx(tmp_path / "export1.xlsx", {"Sheet1": [["联盟名称", "事项", "日期", "结果", "得分"],
                                                                   [ROBOT, "三年评估", "2022-06-30", "良好", 86.5]]})
    # 联盟名称 + 年度 alone fit 资金补贴 and 年度报告 alike: the sheet or file name decides
    by_sheet = write_xlsx(tmp_path / "export2.xlsx", {"年报": [["联盟名称", "年度"], [ROBOT, 2022]]})
    by_file = write_csv(tmp_path / "2023年度报告.csv", [["联盟名称", "年度"], [MAGNET, "2023年度"]], "gbk")
    batch, outcome = load(loaded, by_headers, by_sheet, by_file)
    assert [[p["table"] for p in f.parts] for f in batch.files] == [["events"], ["annual_reports"], ["annual_reports"]]
    assert outcome.row_counts["events"] == 1 and outcome.row_counts["annual_reports"] == 2
    events = table(loaded, "events")
    assert events.at[0, "event_type"] == "三年评估" and events.at[0, "score"] == Decimal("86.50")


def test_bureau_header_map_adds_an_alias(tmp_path: Path, loaded: Path):
    members = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [["所属联盟名称", "会员名称", "单位类型"],
                                                                   [ROBOT, "天津大学", "高校"]]})
    assert "文件中没有可识别的表" in only(refuse(loaded, members)).message     # two of three headers unknown
    header_map = tmp_path / "header_map.csv"
    header_map.write_text("表,标准表头,别名\n成员单位,单位名称,会员名称\n,联盟名称,所属联盟名称\n", encoding="utf-8-sig")
    headers = HeaderMap.load(header_map)
    load(loaded, members, headers=headers)
    assert table(loaded, "members")[["alliance_id", "unit_name"]].values.tolist() == [["TJLM-001", "天津大学"]]


def test_bureau_header_map_with_an_unknown_header_is_refused(tmp_path: Path):
    header_map = tmp_path / "header_map.csv"
    header_map.write_text("表,标准表头,别名\n成员单位,会员名,会员名称\n", encoding="utf-8")
    with pytest.raises(ValueError, match="标准表头“会员名”不存在"):
        HeaderMap.load(header_map)


# ---- what an import leaves in place -------------------------------------------------------------

def test_an_empty_sheet_does_not_wipe_its_table(tmp_path: Path, loaded: Path):
    before = {name: table(loaded, name) for name in ("alliances", "members")}
    digest = hashlib.sha256(loaded.read_bytes()).hexdigest()
    path = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [MEMBER_HEADER, [None] * 8, []]})
    batch = prepare([path], None, existing_state(loaded))
    assert any("成员单位没有数据行" in w.message and "保持不变" in w.message for w in batch.warnings)
    with pytest.raises(NothingToImport, match="没有导入任何内容"):   # no batch, no snapshot
        import_batch(loaded, batch)
    assert hashlib.sha256(loaded.read_bytes()).hexdigest() == digest
    for name, frame in before.items():
        pd.testing.assert_frame_equal(table(loaded, name), frame)


def test_only_a_subsidies_file_keeps_alliances_and_members(tmp_path: Path, loaded: Path):
    before = {name: table(loaded, name, source=True) for name in ("alliances", "members")}
    path = write_csv(tmp_path / "资金补贴.csv", [SUBSIDY_HEADER, [MAGNET_HALF, 2019, "备案补贴", 50, "2019-12-20", "文1"]],
                     "utf-8-sig")
    _, outcome = load(loaded, path)
    assert outcome.row_counts == {"alliances": 4, "members": 13, "subsidies": 1, "events": 0, "annual_reports": 0}
    for name, frame in before.items():
        pd.testing.assert_frame_equal(table(loaded, name, source=True), frame)
    assert table(loaded, "subsidies")["alliance_id"].tolist() == ["TJLM-002"]


def test_a_new_registry_dropping_a_referenced_alliance_is_refused(tmp_path: Path, loaded: Path):
    path = write_xlsx(tmp_path / "联盟名录2020.xlsx", {"联盟名录": alliance_sheet(ALLIANCE_ROWS[:3])})
    p = only(refuse(loaded, path))
    assert p.file == "联盟名录2020.xlsx" and CAR_ID in p.message and "请同时导入新的成员单位" in p.message
    # the same registry together with members that no longer mention the dropped alliance: fine
    members = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [MEMBER_HEADER, *member_rows()[:12]]})
    _, outcome = load(loaded, path, members)
    assert outcome.row_counts["alliances"] == 3 and outcome.row_counts["members"] == 12


def test_a_new_registry_may_drop_an_unreferenced_alliance(tmp_path: Path, loaded: Path):
    rows = [r for r in ALLIANCE_ROWS if r[2] != PHARMA]                 # 生物医药 has no members
    _, outcome = load(loaded, write_xlsx(tmp_path / "联盟名录.xlsx", {"联盟名录": alliance_sheet(rows)}))
    assert outcome.row_counts["alliances"] == 3 and outcome.row_counts["members"] == 13


def test_children_without_any_registry_are_refused(tmp_path: Path, db: Path):
    path = write_xlsx(tmp_path / "成员单位.xlsx", {"成员单位": [MEMBER_HEADER, *member_rows()]})
    batch = prepare([path], existing=existing_state(db))
    assert any("还没有联盟名录" in p.message for p in batch.errors)
    with pytest.raises(ImportRefused):
        import_batch(db, batch)
    assert not db.exists()
    assert read_journal(db)[-1]["outcome"] == "refused"


# ---- the template round trip ------------------------------------------------------------------

def test_template_round_trip(tmp_path: Path, db: Path):
    path = tmp_path / "标准导入模板.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["填表说明", *(t.title for t in TABLES)]

    def fill(title: str, rows: list[dict]) -> None:
        sheet = book[title]
        headers = [c.value.rstrip("*") for c in sheet[1]]
        for r, values in enumerate(rows, start=2):
            for header, value in values.items():
                sheet.cell(row=r, column=headers.index(header) + 1, value=value)

    fill("联盟名录", [
        {"联盟编号": "TJLM-2019-001", "联盟名称": ROBOT, "对外责任主体单位": "天津某机器人有限公司", "产业领域": "高端装备制造（机器人）",
         "级别": "市级", "状态": "已备案", "备案日期": dt.datetime(2019, 6, 28), "专职人员数": 3, "联系人": "张三",
         "联系电话": "022-12345678"},
        {"联盟名称": MAGNET, "对外责任主体单位": "天津大学", "产业领域": "新材料", "申请日期": "2019-04-10",
         "纳入国家试点日期": "2021年5月1日"},
    ])
    fill("成员单位", [
        {"联盟名称": ROBOT, "单位名称": "天津大学", "统一社会信用代码": TJU_CODE, "单位类型": "高校", "角色": "理事长单位",
         "是否核心成员": "是", "加入日期": "2019-03-05"},
        {"联盟编号": "TJLM-2019-001", "单位名称": "天津某科技有限公司", "统一社会信用代码": code(7), "单位类型": "企业"},
        {"联盟名称": MAGNET_HALF, "单位名称": "天津某研究院", "单位类型": "科研院所", "是否核心成员": "否"},
    ])
    fill("资金补贴", [{"联盟名称": ROBOT, "年度": 2019, "补贴类型": "备案补贴", "金额": 50, "拨付日期": "2019-12-20",
                      "文号": "津科资〔2019〕12号"}])
    fill("评审记录", [{"联盟名称": ROBOT, "事项": "三年评估", "日期": "2022-06-30", "结果": "良好", "得分": 86.5}])
    fill("年度报告", [{"联盟名称": ROBOT, "年度": "2022年度", "提交日期": "2022-11-20", "开展活动次数": 6, "专利数": 5}])
    book.save(path)

    batch, outcome = load(db, path)
    assert outcome.row_counts == {"alliances": 2, "members": 3, "subsidies": 1, "events": 1, "annual_reports": 1}
    assert [p["sheet"] for p in batch.files[0].parts] == [t.title for t in TABLES]
    con = connect_read_only(db)
    try:
        def one(sql: str):
            return con.execute(sql).fetchall()

        magnet_id = generated_alliance_id(MAGNET.replace("（", "(").replace("）", ")"))
        assert one("select alliance_id, name, status, filed_date, staff_count, contact_phone from alliances "
                   "order by source_row") == [
            ("TJLM-2019-001", ROBOT, "已备案", dt.date(2019, 6, 28), 3, "022-12345678"),
            (magnet_id, MAGNET, "申请中", None, None, None)]
        assert con.execute("select national_pilot_date, applied_date from alliances where name = ?",
                           [MAGNET]).fetchall() == [(dt.date(2021, 5, 1), dt.date(2019, 4, 10))]
        assert one("select alliance_id, unit_name, credit_code, unit_type, role, is_core, joined_date, source_row "
                   "from members order by source_row") == [
            ("TJLM-2019-001", "天津大学", TJU_CODE, "高校", "理事长单位", True, dt.date(2019, 3, 5), 2),
            ("TJLM-2019-001", "天津某科技有限公司", code(7), "企业", None, None, None, 3),
            (magnet_id, "天津某研究院", None, "科研院所", None, False, None, 4)]
        assert one("select alliance_id, year, kind, amount_yuan, paid_date, doc_no, status from subsidies") == [
            ("TJLM-2019-001", 2019, "备案补贴", Decimal("500000.00"), dt.date(2019, 12, 20), "津科资〔2019〕12号", "已拨付")]
        assert one("select event_type, event_date, result, score from events") == [
            ("三年评估", dt.date(2022, 6, 30), "良好", Decimal("86.50"))]
        assert one("select year, submitted_date, activities, patents, joint_projects from annual_reports") == [
            (2022, dt.date(2022, 11, 20), 6, 5, None)]
    finally:
        con.close()


def test_an_unfilled_template_changes_nothing(tmp_path: Path, loaded: Path):
    path = tmp_path / "模板.xlsx"
    write_template(path)
    before = {t.name: table(loaded, t.name, source=True) for t in TABLES}
    batch = prepare([path], None, existing_state(loaded))
    assert sum("没有数据行" in w.message for w in batch.warnings) == len(TABLES)
    with pytest.raises(NothingToImport):
        import_batch(loaded, batch)
    for t in TABLES:
        pd.testing.assert_frame_equal(table(loaded, t.name, source=True), before[t.name])
    assert not history_dir(loaded).joinpath("2.duckdb").exists()
    assert read_journal(loaded)[-1]["outcome"] == "empty"
