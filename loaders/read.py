"""Read export files into raw grids: every sheet as rows of cells, nothing interpreted yet.

Supports .xlsx/.xlsm/.xls (fastexcel, calamine's Rust core, reads both formats straight to
Arrow), .csv in UTF-8, UTF-8 with BOM, GBK or GB18030 (detected, never asked), and .parquet.
Merged cells are filled with their top-left value, as a person reading the sheet would.
"""
from __future__ import annotations

import csv
import ctypes
import ctypes.util
import io
import re
import threading
import zipfile
from xml.etree import ElementTree
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer
import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import python_calamine

from .normalise import mostly_distinct

try:  # Arrow memory freed by a read goes back to the system at once (mimalloc kept it: +35% peak at 450k rows)
    pa.set_memory_pool(pa.jemalloc_memory_pool())
    pa.jemalloc_set_decay_ms(0)
except NotImplementedError:  # a pyarrow built without jemalloc keeps its default pool
    pass

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
    rows below header row ``h`` (0-based) as an Arrow table, its columns by position — once: the
    grid then lets go of the cells, so they can be freed column by column as they are normalised.
    """

    file: str
    sheet: str | None
    head: list[list[Any]]
    _rows: list[list[Any]] | None = None     # a CSV read line by line: the whole file
    _table: pa.Table | None = None           # Excel: the whole sheet as text, row 1 at index 0
    _data: bytes | None = None               # CSV not in UTF-8: the file's bytes, in ``_codec``
    _codec: str | None = None
    _file: "Utf8File | None" = None          # CSV in UTF-8: left on disk, read by pyarrow straight from it
    _frame: pa.Table | None = None           # parquet: the table itself
    encoding: str | None = None

    def frame(self, header_row: int) -> tuple[pa.Table, int]:
        """Data below the header row (cells as read, columns by position) and the Excel row number of its first row."""
        if self._frame is not None:
            return self._frame, 2
        if self._table is not None:  # given once: the sheet's cells go as the columns are normalised
            body, self._table = self._table.slice(header_row + 1), None
            return body, header_row + 2
        if self._file is not None:
            fast = self._file.frame(header_row, len(self.head[header_row]))
            if fast is not None:
                return fast, header_row + 2
            text = self._file.path.read_bytes()[self._file.offset:].decode("utf-8")  # pyarrow refused it
            self._rows, self._file = list(csv.reader(io.StringIO(text))), None
            del text
        elif self._data is not None:  # the bytes are let go once parsed: the cells are all that is kept
            data, self._data = self._data, None
            fast = _csv_fast(data, self._codec or "utf-8", header_row, len(self.head[header_row]))
            if fast is not None:
                return fast, header_row + 2
            self._rows = list(csv.reader(io.StringIO(data.decode(self._codec or "utf-8"))))
            del data
        rows, self._rows = self._rows or [], None
        width = max((len(r) for r in rows), default=0)
        body = rows[header_row + 1:]
        return pa.table([pa.array([r[i] if i < len(r) else "" for r in body], pa.string()) for i in range(width)],
                        names=[str(i) for i in range(width)]), header_row + 2


_NOT_SPACE = re.compile(rb"\S")
_CODED_TEXT = pa.dictionary(pa.int32(), pa.string())


@dataclass
class Utf8File:
    """A UTF-8 CSV left on disk (memory holds its cells, never its bytes) and where its text ends."""

    path: Path
    offset: int       # where the text starts: 3 after a BOM
    last_text: int    # the last byte that is not white space, from ``offset`` (-1: none)

    @classmethod
    def scan(cls, path: Path, offset: int) -> "Utf8File | None":
        """The file checked as UTF-8 block by block, or None when it is not."""
        with path.open("rb") as f:
            f.seek(offset)
            if not _is_utf8(f):
                return None
            end = f.tell()
            while end > offset:  # back from the end to the last byte that is not white space
                start = max(offset, end - (1 << 16))
                f.seek(start)
                if text := len(f.read(end - start).rstrip()):
                    return cls(path, offset, start - offset + text - 1)
                end = start
        return cls(path, offset, -1)

    def frame(self, header_row: int, width: int) -> pa.Table | None:
        """Rows below the header, parsed by pyarrow from the file itself, or None to take the careful path."""
        with self.path.open("rb") as f:
            f.seek(self.offset)
            for _ in range(header_row + 1):
                if not f.readline().endswith(b"\n"):
                    return None
            start = f.tell() - self.offset
        if self.last_text < start:
            return None
        with pa.OSFile(str(self.path)) as source:
            source.seek(self.offset + start)
            return _csv_table(source, width)


def _is_utf8(f: Any, block: int = 1 << 22) -> bool:
    """Whether the rest of the open file is UTF-8, checked by Arrow's validator a block at a time.

    No text is made (decoding to str took twice as long). A character cut by a block's end is
    left for the next block: the file is stepped back to where it starts.
    """
    while data := f.read(block):
        whole = len(data) if len(data) < block else _whole_characters(data)
        text = pa.Array.from_buffers(pa.string(), 1, [None, pa.array([0, whole], pa.int32()).buffers()[1],
                                                      pa.py_buffer(memoryview(data)[:whole])])
        try:
            text.validate(full=True)
        except pa.ArrowInvalid:
            return False
        f.seek(whole - len(data), io.SEEK_CUR)
    return True


def _whole_characters(data: bytes) -> int:
    """The length of ``data`` without a UTF-8 character its last bytes begin but do not finish."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:  # ASCII: nothing is cut
            return len(data)
        if byte >= 0xC0:  # the lead byte of the last character: 2, 3 or 4 bytes long
            size = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) if back >= size else len(data) - back
    return len(data)  # four continuation bytes in a row: not UTF-8, the validator says so


def _csv_fast(data: bytes, codec: str, header_row: int, width: int) -> pa.Table | None:
    """Rows below the header parsed by pyarrow (multi-threaded, all text), or None to take the careful path.

    pyarrow refuses ragged rows, and a blank line is one (it is kept, not dropped, so Excel row
    numbers hold); such files are read line by line instead.
    """
    start = 0
    for _ in range(header_row + 1):  # "\n" is never part of a GBK or GB18030 character either
        start = data.find(b"\n", start) + 1
        if not start:
            return None
    if _NOT_SPACE.search(data, start) is None:
        return None
    body = memoryview(data)[start:]
    source = pa.BufferReader(pa.py_buffer(body)) if codec == "utf-8" else io.BytesIO(
        bytes(body).decode(codec).encode("utf-8"))
    del body
    return _csv_table(source, width)


def _csv_table(source: Any, width: int) -> pa.Table | None:
    """The CSV text of ``source`` as ``width`` text columns by pyarrow; None when pyarrow refuses it (ragged rows).

    A column whose cells repeat (a member list's alliance names, types, roles, places) comes as codes
    into each block's distinct cells, which ``normalise.Cells`` takes as they are: 1.7M member rows read
    peaked 110 MB lower than as plain text. A column whose cells rarely repeat (unit names, codes) is
    made plain text, in one piece, as the column parsers take it.
    """
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(source,
                               read_options=pacsv.ReadOptions(column_names=names),
                               parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
                               convert_options=pacsv.ConvertOptions(column_types={n: _CODED_TEXT for n in names},
                                                                    strings_can_be_null=False,
                                                                    quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None
    for i in range(width):
        column = table.column(i)
        if column.num_chunks and mostly_distinct(column.chunk(0).cast(pa.string())):
            table = table.set_column(i, names[i], column.cast(pa.string()).combine_chunks())
    return table


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
    """Every sheet as text columns, read in parallel (the Rust reader releases the GIL while it parses)."""
    readers = threading.local()  # a reader serves one thread at a time; opening one reads the shared strings
    readers.book = fastexcel.read_excel(str(path))
    names = readers.book.sheet_names

    def read(index: int) -> Grid:
        if not hasattr(readers, "book"):
            readers.book = fastexcel.read_excel(str(path))
        return _read_sheet(path, readers.book, index, names[index])

    # The largest sheet is read on its own thread while the others are read one after another beside it:
    # two sheets' cells in the reader's form at most, the largest's being the peak of the whole read.
    sizes = _sheet_sizes(path, len(names))
    largest = max(range(len(names)), key=sizes.__getitem__, default=0)
    others = [i for i in range(len(names)) if i != largest]
    with ThreadPoolExecutor(max_workers=1) as pool:
        big = pool.submit(read, largest) if names else None
        grids = {i: read(i) for i in others}
        if big is not None:
            grids[largest] = big.result()
    _give_back_freed_memory()  # what the worker threads freed, now that they are done
    return [grids[i] for i in range(len(names))]


def _sheet_sizes(path: Path, count: int) -> list[int]:
    """Each sheet's size as stored (its XML, uncompressed); all equal for a legacy .xls."""
    if path.suffix.lower() == ".xls":
        return [0] * count
    with zipfile.ZipFile(path) as z:
        return [z.getinfo(part).file_size if (part := _sheet_part(z, i)) else 0 for i in range(count)]


def _read_sheet(path: Path, book: fastexcel.ExcelReader, index: int, name: str) -> Grid:
    # Every cell as Excel shows it, as text: skip_rows=0 keeps row 1 at index 0 (row numbers as Excel
    # shows them); no type guessing, which would turn the odd text cell of a number column into null.
    sheet = book.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
    table = pa.Table.from_batches([sheet.to_arrow()])
    first_column = sheet.selected_columns[0].absolute_index if sheet.selected_columns else 0
    del sheet  # the reader's cells: several times the size of the Arrow text
    _give_back_freed_memory()
    table = pa.table([_as_shown(c) for c in table.columns], names=[str(i) for i in range(table.num_columns)])
    if merged := _merged_ranges(path, index):
        table = _fill_merged(table, merged, first_column)
    head = [list(row.values()) for row in table.slice(0, HEADER_SCAN_ROWS).to_pylist()]
    return Grid(path.name, name, head, _table=table)


try:  # glibc keeps memory freed by other threads for reuse; a read holds far more than it keeps
    _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc
    _malloc_trim = None


def _give_back_freed_memory() -> None:
    if _malloc_trim is not None:
        _malloc_trim(0)


_DATE_CELL = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"
_LONG_NUMBER = r"^-?[0-9]+\.[0-9]+$"


def _as_shown(column: pa.ChunkedArray) -> pa.Array:
    """Text of number and date cells as Excel shows them (and ``normalise.cell_text`` writes them).

    The reader writes a date cell 2019-03-05 00:00:00 and a computed number with all its
    digits (16.860000000000003); Excel shows 2019-03-05 and 16.86.
    """
    column = column.combine_chunks()
    midnight = pc.fill_null(pc.ends_with(column, " 00:00:00"), False)  # cheap test first: most cells are not
    if pc.any(midnight).as_py():
        column = pc.replace_with_mask(column, midnight,
                                      pc.replace_substring_regex(column.filter(midnight), _DATE_CELL, r"\1"))
    long = pc.fill_null(pc.greater(pc.utf8_length(column), 16), False)
    if pc.any(long).as_py():
        candidates = column.filter(long)
        number = pc.match_substring_regex(candidates, _LONG_NUMBER)
        if pc.any(number).as_py():
            shown = [f"{float(v):.15g}" if n else v for v, n in zip(candidates.to_pylist(), number.to_pylist())]
            column = pc.replace_with_mask(column, long, pa.array(shown, pa.string()))
    return column


Ranges = list[tuple[tuple[int, int], tuple[int, int]]]  # ((first row, first column), (last row, last column)), 0-based
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')


def _merged_ranges(path: Path, index: int) -> Ranges:
    """The merged ranges of a sheet.

    fastexcel does not report them. An xlsx lists them after the cells, so its sheet's XML is
    inflated and scanned for them, the cells left unparsed; an .xls asks python-calamine.
    """
    with zipfile.ZipFile(path) if path.suffix.lower() != ".xls" else nullcontext() as z:
        part = _sheet_part(z, index) if z else None
        if part is None:  # an .xls, or a workbook laid out unlike Excel's
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            return book.get_sheet_by_index(index).merged_cell_ranges or []
        with z.open(part) as xml:
            tail = b""
            for chunk in iter(lambda: xml.read(1 << 22), b""):
                block = tail + chunk
                at = block.find(b"mergeCell")
                if at >= 0:
                    rest = block[at:] + xml.read()
                    return [((int(r0) - 1, _column(c0)), (int(r1) - 1, _column(c1)))
                            for c0, r0, c1, r1 in _MERGE.findall(rest)]
                tail = block[-16:]
    return []


def _sheet_part(z: zipfile.ZipFile, index: int) -> str | None:
    """The zip member holding the index-th sheet (xl/workbook.xml and its relationships), None if not found."""
    relationship = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        sheets = [e.get(relationship) for e in ElementTree.fromstring(z.read("xl/workbook.xml")).iter()
                  if e.tag.endswith("}sheet")]
        targets = {e.get("Id"): e.get("Target") for e in ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        target = targets[sheets[index]]
    except (KeyError, IndexError, ElementTree.ParseError):
        return None
    part = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return part if part in z.NameToInfo else None


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _fill_merged(table: pa.Table, ranges: Ranges, first_column: int) -> pa.Table:
    """Give every cell of a merged range its top-left value (Excel keeps only that one)."""
    rows, width = table.num_rows, table.num_columns
    sources: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # column -> (source row, source column) per row
    for (r0, c0), (r1, c1) in ranges:
        c0, c1 = c0 - first_column, c1 - first_column
        if r0 >= rows or not 0 <= c0 < width:
            continue
        for c in range(c0, min(c1, width - 1) + 1):
            src_row, src_col = sources.setdefault(c, (np.arange(rows), np.full(rows, c)))
            src_row[r0:r1 + 1], src_col[r0:r1 + 1] = r0, c0
    columns = [c.combine_chunks() for c in table.columns]
    filled = list(columns)
    for c, (src_row, src_col) in sources.items():
        for s in np.unique(src_col[src_col != c]).tolist() + [c]:
            pick = (src_col == s) & (src_row != np.arange(rows)) if s == c else src_col == s
            if pick.any():
                filled[c] = pc.replace_with_mask(filled[c], pa.array(pick), columns[s].take(pa.array(src_row[pick])))
    return pa.table(filled, names=table.column_names)


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
    with path.open("rb") as f:
        bom = f.read(3) == b"\xef\xbb\xbf"
    if file := Utf8File.scan(path, 3 if bom else 0):  # checked piece by piece: never the whole file in memory
        with path.open("rb") as f:
            f.seek(file.offset)
            text = b"".join(f.readline() for _ in range(HEADER_SCAN_ROWS)).decode("utf-8")
        grid = Grid(path.name, None, [], _file=file, encoding="UTF-8 (BOM)" if bom else "UTF-8")
    else:
        data = path.read_bytes()
        text, encoding = decode(data, path.name)
        grid = Grid(path.name, None, [], _data=data, _codec=encoding.lower(), encoding=encoding)
    end = -1
    for _ in range(HEADER_SCAN_ROWS):
        end = text.find("\n", end + 1)
        if end < 0:
            break
    grid.head = list(csv.reader(io.StringIO(text if end < 0 else text[:end])))
    return grid


def _read_parquet(path: Path) -> Grid:
    table = pq.read_table(path)
    names = list(table.column_names)
    for i in range(table.num_columns):  # text as plain strings; other types as typed, read cell by cell
        column = table.column(i)
        if _is_text(column.type) and not pa.types.is_string(column.type):
            table = table.set_column(i, names[i], column.cast(pa.string()))
    return Grid(path.name, None, [names], _frame=table)


def _is_text(t: pa.DataType) -> bool:
    """Text in any of Arrow's layouts (pandas writes a categorical column as a dictionary)."""
    return (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
            or (pa.types.is_dictionary(t) and _is_text(t.value_type)))
