"""Cross-row checks (run as DuckDB queries over the batch's Arrow tables) on a generated matrix of bad files.

Each case is a clean registry — alliances, their members and annual reports, as CSV or as one xlsx
workbook — with one cross-row fault put at the start, the middle or the end of its table. The batch
must hold exactly one problem: the Chinese message, level, file, sheet, Excel row, column and value
worked out here by hand from where the fault was put. The CSV registry has over a thousand member rows,
so the member checks also run on columns read without factorising (tests/test_ingest_columns.py).
"""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from loaders.normalise import credit_code_check_char
from loaders.pipeline import ERROR, prepare

ALLIANCE_HEADER = ["联盟编号", "联盟名称", "对外责任主体单位", "产业领域", "状态", "备案日期", "撤销日期"]
MEMBER_HEADER = ["联盟名称", "单位名称", "统一社会信用代码", "单位类型", "加入日期", "退出日期"]
REPORT_HEADER = ["联盟名称", "年度", "提交日期"]
MEMBERS_EACH = 10  # the member minimum the warnings use: a clean registry draws none


def code(i: int) -> str:
    first17 = f"91120116MA0{i:06d}"
    return first17 + credit_code_check_char(first17)


def name(k: int) -> str:
    return f"测试第{k}号产业技术创新战略联盟"


def clean(alliances: int) -> dict[str, list[list]]:
    return {
        "联盟名录": [[f"LM-{k:04d}", name(k), f"牵头单位{k}", "生物医药", "已备案", "2019-06-01", ""]
                 for k in range(alliances)],
        "成员单位": [[name(k), f"成员单位{k}-{j}", code(k * MEMBERS_EACH + j), "企业", "2019-07-01", ""]
                 for k in range(alliances) for j in range(MEMBERS_EACH)],
        "年度报告": [[name(k), 2020, "2021-03-01"] for k in range(alliances)],
    }


# Each fault: the sheet it goes in, the row it inserts (given the registry's rows, the earlier row q it may
# repeat), and the one problem it must cause: (level, column, message, value); {q_row} is q's Excel row.
FAULTS = {
    "联盟名称重复": ("联盟名录", lambda rows, q: ["LM-9999", rows[q][1], "另一单位", "生物医药", "组建中", "", ""],
               (ERROR, "联盟名称", "联盟名称重复：与 {file} 第{q_row}行 是同一个联盟", lambda rows, q: rows[q][1])),
    "联盟编号重复": ("联盟名录", lambda rows, q: [rows[q][0], "另一个产业技术创新战略联盟", "另一单位", "生物医药", "组建中", "", ""],
               (ERROR, "联盟编号", "联盟编号重复：与 {file} 第{q_row}行 是同一个联盟", lambda rows, q: rows[q][0])),
    "撤销无日期": ("联盟名录", lambda rows, q: ["LM-9999", "已撤销的产业技术创新战略联盟", "某单位", "生物医药", "已撤销",
                                          "2019-06-01", ""],
              (ERROR, "撤销日期", "状态为“已撤销”但撤销日期为空：统计在册联盟需要撤销日期", None)),
    "撤销与状态矛盾": ("联盟名录", lambda rows, q: ["LM-9999", "组建中的产业技术创新战略联盟", "某单位", "生物医药", "组建中", "",
                                            "2021-01-01"],
                (ERROR, "状态", "填写了撤销日期，但状态为“组建中”，两者矛盾", lambda rows, q: "组建中")),
    "撤销早于备案": ("联盟名录", lambda rows, q: ["LM-9999", "先撤后备的产业技术创新战略联盟", "某单位", "生物医药", "已撤销",
                                          "2020-01-01", "2019-01-01"],
               (ERROR, "撤销日期", "撤销日期早于备案日期（2020-01-01 → 2019-01-01）", lambda rows, q: "2019-01-01")),
    "成员单位名称重复": ("成员单位", lambda rows, q: [rows[q][0], rows[q][1], code(999_999), "企业", "2019-07-01", ""],
                 (ERROR, "单位名称", "同一联盟中单位名称重复（同一单位出现两次）", lambda rows, q: rows[q][1])),
    "成员信用代码重复": ("成员单位", lambda rows, q: [rows[q][0], "另一家单位", rows[q][2], "企业", "2019-07-01", ""],
                 (ERROR, "统一社会信用代码", "同一联盟中统一社会信用代码重复（同一单位出现两次）", lambda rows, q: rows[q][2])),
    "退出早于加入": ("成员单位", lambda rows, q: [rows[q][0], "另一家单位", code(999_998), "企业", "2020-01-01", "2019-01-01"],
               (ERROR, "退出日期", "退出日期早于加入日期（2020-01-01 → 2019-01-01）", lambda rows, q: "2019-01-01")),
    "联盟不在名录": ("成员单位", lambda rows, q: ["不存在的产业技术创新战略联盟", "另一家单位", code(999_997), "企业", "2019-07-01", ""],
               (ERROR, "联盟名称", "联盟“不存在的产业技术创新战略联盟”不在联盟名录中（名称须与名录一致）",
                lambda rows, q: "不存在的产业技术创新战略联盟")),
    "年度报告重复": ("年度报告", lambda rows, q: [rows[q][0], rows[q][1], "2021-04-01"],
               (ERROR, "年度", "同一联盟 2020 年度的年度报告重复", None)),
}
HEADERS = {"联盟名录": ALLIANCE_HEADER, "成员单位": MEMBER_HEADER, "年度报告": REPORT_HEADER}


def write(folder: Path, fmt: str, sheets: dict[str, list[list]]) -> dict[str, tuple[Path, str | None]]:
    """The registry as files; per sheet, (file, sheet name as problems name it)."""
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            sheet = book.create_sheet(title)
            for row in [HEADERS[title], *rows]:
                sheet.append([None if v == "" else v for v in row])
        path = folder / "联盟登记.xlsx"
        book.save(path)
        return {title: (path, title) for title in sheets}
    written = {}
    for title, rows in sheets.items():
        path = folder / f"{title}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([HEADERS[title], *rows])
        written[title] = (path, None)
    return written


@pytest.mark.parametrize("fmt, alliances", [("csv", 120), ("xlsx", 12)])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_one_cross_row_fault_gives_one_located_chinese_problem(tmp_path: Path, fmt: str, alliances: int, where: str,
                                                               fault: str) -> None:
    sheets = clean(alliances)
    target, make_row, (level, column, message, value) = FAULTS[fault]
    rows = sheets[target]
    q = {"start": 0, "middle": len(rows) // 2, "end": len(rows) - 1}[where]  # the row a repeat repeats
    at = q + 1  # the fault goes right after it: row q is its first occurrence
    rows.insert(at, make_row(rows, q))
    written = write(tmp_path, fmt, sheets)
    batch = prepare(sorted({path for path, _ in written.values()}))

    path, sheet = written[target]
    q_row = q + 2  # the header is row 1
    expected = (level, path.name, sheet, at + 2, column,
                message.format(file=path.name, q_row=q_row), None if value is None else value(rows, q))
    got = [(p.level, p.file, p.sheet, p.row, p.column, p.message, p.value) for p in batch.problems]
    assert got == [expected], "\n".join(map(str, batch.problems))
    assert not batch.ok
    text = str(batch.problems[0])
    assert text.startswith(f"错误：{path.name}") and f"第{at + 2}行" in text and f"「{column}」列" in text


def test_clean_registry_has_no_problem_and_links_every_row(tmp_path: Path) -> None:
    batch = prepare(sorted({p for p, _ in write(tmp_path, "csv", clean(120)).values()}))
    assert batch.problems == []
    members = batch.tables["members"]
    assert members.num_rows == 120 * MEMBERS_EACH and members["alliance_id"].null_count == 0
    assert members["alliance_id"][MEMBERS_EACH].as_py() == "LM-0001"
    assert batch.tables["alliances"]["status"].to_pylist() == ["已备案"] * 120


def test_one_table_in_two_files_held_differently_combines_and_is_checked_across_them(tmp_path: Path) -> None:
    """A member list of 1,200 rows (its unit names plain text) and a short one (every column as codes).

    The batch holds both in file order; a unit repeated across the two files is found (the check
    groups rows by a hash of their keys, then compares the keys themselves).
    """
    sheets = clean(120)
    members = sheets["成员单位"]
    written = write(tmp_path, "csv", sheets)
    extra = tmp_path / "成员单位_补充.csv"
    late = [[name(0), "补充单位甲", code(900_001), "高校", "2020-01-01", ""],
            [members[5][0], members[5][1], code(900_002), "企业", "2020-01-01", ""]]  # repeats row 7 of the first
    with extra.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([MEMBER_HEADER, *late])
    batch = prepare(sorted({p for p, _ in written.values()} | {extra}))
    got = [(p.file, p.row, p.column, p.message, p.value) for p in batch.problems]
    assert got == [(extra.name, 3, "单位名称", "同一联盟中单位名称重复（同一单位出现两次）", members[5][1])]
    table = batch.tables["members"]
    assert table["unit_name"].to_pylist() == [r[1] for r in members] + [r[1] for r in late]
    assert table["unit_type"].to_pylist() == ["企业"] * len(members) + ["高校", "企业"]
    assert pa.types.is_dictionary(table["unit_type"].type)  # repeats: codes, 1,202 rows in a few bytes each
