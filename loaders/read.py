"""Read export files into raw grids: every sheet as rows of cells, nothing interpreted yet.

Supports .xlsx/.xlsm/.xls (python-calamine reads both formats), .csv in UTF-8, UTF-8 with
BOM, GBK or GB18030 (detected, never asked), and .parquet. Merged cells are filled with
their top-left value, as a person reading the sheet would.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import python_calamine

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SUFFIXES = (*EXCEL_SUFFIXES, ".csv", ".parquet")
_CHINESE = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
HEADER_SCAN_ROWS = 30  # title rows above the header are few; the header sits in the first screenful


class UnreadableFile(ValueError):
    """The file cannot be opened or decoded; the message is in Chinese, ``row`` the line at fault if known."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


@dataclass
class Grid:
    """One sheet (or a CSV/parquet file) as read: the first rows as cells, the rest lazily.

    ``head`` holds up to HEADER_SCAN_ROWS rows for finding the header; ``frame(h)`` gives the
    rows below header row ``h`` (0-based) as a DataFrame with the header's cells as columns.
    """

    file: str
    sheet: str | None
    head: list[list[Any]]
    _rows: list[list[Any]] | None = None     # Excel: the whole sheet
    _text: str | None = None                 # CSV: the decoded file
    _frame: pd.DataFrame | None = None       # parquet: the table itself
    encoding: str | None = None

    def frame(self, header_row: int) -> tuple[pd.DataFrame, int]:
        """Data below the header row (cells as read, columns by position) and the Excel row number of its first row."""
        if self._frame is not None:
            return self._frame, 2
        if self._text is not None:
            fast = _csv_fast(self._text, header_row, len(self.head[header_row]))
            if fast is not None:
                return fast, header_row + 2
            self._rows = list(csv.reader(io.StringIO(self._text)))
        rows = self._rows or []
        width = max((len(r) for r in rows), default=0)
        body = pd.DataFrame([r + [""] * (width - len(r)) for r in rows[header_row + 1:]], columns=range(width),
                            dtype="object")
        return body, header_row + 2


def _csv_fast(text: str, header_row: int, width: int) -> pd.DataFrame | None:
    """Rows below the header parsed by pyarrow (multi-threaded, all text), or None to take the careful path.

    pyarrow drops blank lines and refuses ragged rows; either would shift or lose Excel row
    numbers, so such files are read line by line instead.
    """
    body = text.split("\n", header_row + 1)[-1] if header_row + 1 <= text.count("\n") else ""
    if not body or body.isspace() or "\n\n" in body or "\n\r\n" in body:
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(io.BytesIO(body.encode("utf-8")),
                               read_options=pacsv.ReadOptions(column_names=names),
                               convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                                    strings_can_be_null=False,
                                                                    quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    frame.columns = range(width)
    return frame


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of the file as a Grid. Raises UnreadableFile."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableFile(f"{path.name}：不支持的文件类型“{path.suffix}”，请使用 xlsx、xls、csv 或 parquet")
    try:
        if suffix in EXCEL_SUFFIXES:
            return _read_excel(path)
        if suffix == ".csv":
            return [_read_csv(path)]
        return [_read_parquet(path)]
    except UnreadableFile:
        raise
    except Exception as e:  # a corrupt or mislabelled file: say which, never a traceback
        kind = {".csv": "CSV 文本", ".parquet": "parquet"}.get(suffix, "Excel")
        raise UnreadableFile(f"{path.name}：文件无法读取：不是有效的 {kind} 文件，已损坏或扩展名与内容不符。"
                             "请用 Excel 或 WPS 打开确认，另存为 .xlsx 或 .csv 后再导入") from e


def _read_excel(path: Path) -> list[Grid]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    grids = []
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)  # keep row 1 at index 0: row numbers as Excel shows
        _fill_merged(rows, sheet.merged_cell_ranges or [])
        grids.append(Grid(path.name, name, rows[:HEADER_SCAN_ROWS], _rows=rows))
    return grids


def _fill_merged(rows: list[list[Any]], ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Give every cell of a merged range its top-left value (Excel keeps only that one)."""
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and encoding of a CSV export: UTF-8 (with or without BOM), else what charset-normalizer finds.

    Chinese Windows writes GBK; GB18030 is its superset, so every GBK guess decodes as GB18030.
    """
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        return data[3:].decode("utf-8") if bom else data.decode("utf-8"), "UTF-8 (BOM)" if bom else "UTF-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed_encoding_line(data[3:] if bom else data)
    if bom or mixed:
        line = mixed or 1
        raise UnreadableFile(f"{name}：第{line}行与前面各行的编码不同（文件混用了 UTF-8 和 GBK 编码，多见于把两个导出拼接在一起）："
                             "请用 Excel 或 WPS 打开后整体另存为 CSV（UTF-8）再导入", row=line)
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    encoding = best.encoding if best else None
    if encoding in (None, "gbk", "gb2312", "gb18030", "cp936", "hz", "big5", "cp950"):
        encoding = "gb18030" if encoding not in ("big5", "cp950") else encoding
    try:
        return data.decode(encoding), encoding.upper()
    except (UnicodeDecodeError, LookupError):
        raise UnreadableFile(f"{name}：无法识别文件编码（尝试了 UTF-8 和 {encoding}），请另存为 UTF-8 或 GBK 编码的 CSV") from None


def _mixed_encoding_line(data: bytes) -> int | None:
    """The first line whose encoding differs from the first non-ASCII line's (UTF-8 or not), or None.

    A GBK line is almost never valid UTF-8, so a file where some lines with Chinese decode as
    UTF-8 and others do not was stitched together from two encodings.
    """
    first_is_utf8 = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:  # a short GBK line can decode as UTF-8 by chance, but never into Chinese characters
            is_utf8 = _CHINESE.search(line.decode("utf-8")) is not None
        except UnicodeDecodeError:
            is_utf8 = False
        if first_is_utf8 is None:
            first_is_utf8 = is_utf8
        elif is_utf8 != first_is_utf8:
            return number
    return None


def _read_csv(path: Path) -> Grid:
    text, encoding = decode(path.read_bytes(), path.name)
    head = list(csv.reader(io.StringIO("\n".join(text.split("\n", HEADER_SCAN_ROWS)[:HEADER_SCAN_ROWS]))))
    return Grid(path.name, None, head, _text=text, encoding=encoding)


def _read_parquet(path: Path) -> Grid:
    table = pq.read_table(path)
    columns = {}
    for i, name in enumerate(table.column_names):  # text stays in arrow; other types become plain cells
        col = table.column(i)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            columns[i] = pd.Series(col.cast(pa.string()).combine_chunks(), dtype=pd.ArrowDtype(pa.string()))
        else:
            columns[i] = pd.Series(col.to_pylist(), dtype="object")
    return Grid(path.name, None, [list(table.column_names)], _frame=pd.DataFrame(columns))
