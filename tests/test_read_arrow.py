"""The Excel reader that goes straight to Arrow (loaders/read.py): cells as Excel shows them,
row numbers as Excel shows them, merged ranges filled, sheets read in parallel.

Each test writes its own workbook with openpyxl; the expected cells are worked out by hand.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pyarrow as pa

from loaders.pipeline import prepare
from loaders.read import Utf8File, _is_utf8, _merged_ranges, read_grids


def test_cells_as_excel_shows_them(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["联盟名称", "日期", "金额", "数量", "时间"])
    sheet.append(["甲", dt.date(2019, 3, 5), 16.860000000000003, 12, dt.datetime(2019, 3, 5, 13, 45)])
    sheet.append(["乙", "2010.06", 50.5, "12个", None])
    path = tmp_path / "cells.xlsx"
    book.save(path)
    [grid] = read_grids(path)
    frame, first_row = grid.frame(0)
    assert first_row == 2
    assert all(pa.types.is_string(t) for t in frame.schema.types)
    rows = [list(row.values()) for row in frame.to_pylist()]
    assert rows[0] == ["甲", "2019-03-05", "16.86", "12", "2019-03-05 13:45:00"]
    assert rows[1][:4] == ["乙", "2010.06", "50.5", "12个"]


def test_row_numbers_when_the_sheet_starts_lower_and_further_right(tmp_path: Path) -> None:
    """A sheet whose first rows and column A are empty: row numbers and columns still as Excel shows them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "联盟名录"
    sheet["C3"] = "联盟名录（导出）"
    for column, header, value in (("B", "联盟名称", "天津市甲产业技术创新战略联盟"), ("C", "牵头单位", "天津甲公司"),
                                  ("D", "产业领域", "新材料"), ("E", "成立日期", "1999-01-01")):
        sheet[f"{column}5"], sheet[f"{column}6"] = header, value
    path = tmp_path / "offset.xlsx"
    book.save(path)
    batch = prepare([path])
    [problem] = [p for p in batch.errors if p.column == "成立日期"]
    assert (problem.row, problem.sheet) == (6, "联盟名录")


def test_merged_ranges_filled_vertically_and_across(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["标题", None, None])
    sheet.append(["联盟名称", "单位名称", "备注"])
    sheet.append(["甲联盟", "单位一", "合并说明"])
    sheet.append([None, "单位二", None])
    sheet.append([None, "单位三", None])
    sheet.append(["乙联盟", "单位四", "独立"])
    sheet.merge_cells("A1:C1")
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("C3:C4")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    assert sorted(_merged_ranges(path, 0)) == [((0, 0), (0, 2)), ((2, 0), (4, 0)), ((2, 2), (3, 2))]
    [grid] = read_grids(path)
    assert grid.head[0] == ["标题", "标题", "标题"]
    frame, first_row = grid.frame(1)
    assert first_row == 3
    assert frame.column(0).to_pylist() == ["甲联盟", "甲联盟", "甲联盟", "乙联盟"]
    assert frame.column(2).to_pylist()[:3] == ["合并说明", "合并说明", None]


def test_every_sheet_read_in_order(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    names = ["第一批", "第二批", "空表", "第三批"]
    book.active.title = names[0]
    for name in names[1:]:
        book.create_sheet(name)
    for i, name in enumerate(names):
        if name != "空表":
            book[name].append(["联盟名称", "序号"])
            book[name].append([f"联盟{i}", i])
    book["第三批"].merge_cells("A1:B1")
    path = tmp_path / "sheets.xlsx"
    book.save(path)
    grids = read_grids(path)
    assert [g.sheet for g in grids] == names
    assert [g.head[1][0] if len(g.head) > 1 and g.head[1] else None for g in grids] == ["联盟0", "联盟1", None, "联盟3"]
    assert grids[3].head[0] == ["联盟名称", "联盟名称"]
    assert grids[2].frame(0)[0].num_rows == 0
    assert pa.types.is_string(grids[0].frame(0)[0].column(1).type)


def test_utf8_checked_block_by_block_whatever_a_block_cuts(tmp_path: Path) -> None:
    """A character cut by a block's end is whole in the next; bytes that are not UTF-8 are found in any block."""
    text = "联盟名称,年度\n机器人产业技术创新战略联盟,2022\n".encode("utf-8") * 50
    path = tmp_path / "a.csv"
    path.write_bytes(text)
    for block in range(4, 40):  # every cut: inside a 3-byte character, at its end, at a line's end
        with path.open("rb") as f:
            assert _is_utf8(f, block) and f.tell() == len(text), block
    for at in (0, 7, len(text) // 2, len(text) - 1):
        broken = text[:at] + "联".encode("gbk") + text[at:]
        path.write_bytes(broken)
        for block in (4, 5, 16, 1 << 22):
            with path.open("rb") as f:
                assert not _is_utf8(f, block), (at, block)
    path.write_bytes(text + "联".encode("utf-8")[:2])  # the file ends inside a character
    with path.open("rb") as f:
        assert not _is_utf8(f, 16)
    path.write_bytes(b"\xef\xbb\xbf" + text + b" \r\n\n  ")
    assert Utf8File.scan(path, 3) == Utf8File(path, 3, len(text) - 2)  # the last "2" before the "\n"
    path.write_bytes(b"\xef\xbb\xbf \r\n")
    assert Utf8File.scan(path, 3) == Utf8File(path, 3, -1)


def test_csv_columns_that_repeat_come_as_codes_the_others_as_plain_text(tmp_path: Path) -> None:
    """A member list's CSV: its alliance names and types as codes into each block's cells, its unit names plain."""
    rows = [f"测试第{i // 10}号联盟,成员单位{i},{'企业' if i % 3 else '高校'}" for i in range(3000)]
    for encoding in ("utf-8", "gb18030"):  # read from disk, and from the decoded bytes
        path = tmp_path / f"成员单位_{encoding}.csv"
        path.write_bytes(("联盟名称,单位名称,单位类型\n" + "\n".join(rows) + "\n").encode(encoding))
        [grid] = read_grids(path)
        frame, first_row = grid.frame(0)
        assert first_row == 2 and frame.num_rows == 3000
        assert [pa.types.is_dictionary(t) for t in frame.schema.types] == [True, False, True], encoding
        assert frame.column(1).num_chunks == 1  # plain text in one piece, as the column parsers take it
        assert [",".join(row.values()) for row in frame.to_pylist()] == rows
