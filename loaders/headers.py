"""Header recognition: which row is the header, which table the sheet is, which column is which.

Headers vary between bureaus and years (联盟名称 / 联盟全称 / 名称). Each column accepts
its canonical header, the aliases in loaders/schema.py and those of an optional bureau
header map (a CSV of 表,标准表头,别名). A unit in brackets (金额（万元）) is kept for the
money parser; 序号 is dropped; a trailing * (required mark of the template) is ignored.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .schema import TABLES, TABLES_BY_NAME, Column, Table

IGNORED_HEADERS = frozenset({"序号", "编号序号", "no", "no."})
UNITS = ("万元", "元")
MIN_RECOGNISED = 2  # a row is a header when at least this many of its cells are known headers


def header_key(text: str) -> str:
    """Compare headers without width, spaces, required marks or case."""
    return re.sub(r"[\s*＊:：]", "", unicodedata.normalize("NFKC", str(text))).casefold()


@dataclass
class HeaderMap:
    """Header spellings each table accepts: schema aliases plus a bureau's own."""

    lookup: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> header key -> column

    @classmethod
    def load(cls, path: Path | None = None) -> "HeaderMap":
        lookup = {t.name: {} for t in TABLES}
        for t in TABLES:
            for c in t.columns:
                for spelling in (c.header, *c.aliases):
                    lookup[t.name].setdefault(header_key(spelling), c.name)
        if path is not None:
            _add_bureau_aliases(lookup, path)
        return cls(lookup)

    def column_for(self, table: Table, header: str) -> tuple[str | None, str | None]:
        """(column name, unit) for a header cell, or (None, None) when unknown."""
        key = header_key(header)
        if not key or key in IGNORED_HEADERS:
            return None, None
        known = self.lookup[table.name]
        if key in known:
            return known[key], None
        m = re.fullmatch(r"(.+?)[(\[](.*?)[)\]]", key)
        if m and m[1] in known:
            return known[m[1]], (m[2] if m[2] in UNITS else None)
        return None, None

    def score(self, table: Table, cells: list) -> int:
        """How many distinct columns of ``table`` a row of cells names."""
        return len({self.column_for(table, str(c))[0] for c in cells if c not in (None, "")} - {None})


def _add_bureau_aliases(lookup: dict[str, dict[str, str]], path: Path) -> None:
    """Read a header map CSV: 表 (table title or name; empty = every table), 标准表头, 别名."""
    by_title = {t.title: t for t in TABLES} | TABLES_BY_NAME
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line_no, row in enumerate(csv.DictReader(f), start=2):
            table_name = (row.get("表") or "").strip()
            canonical, alias = (row.get("标准表头") or "").strip(), (row.get("别名") or "").strip()
            tables = [by_title[table_name]] if table_name in by_title else list(TABLES) if not table_name else None
            if tables is None or not canonical or not alias:
                raise ValueError(f"{path.name} 第{line_no}行：表头映射需要“表”（可空）、“标准表头”和“别名”三列，"
                                 f"表应为 {'、'.join(t.title for t in TABLES)} 之一")
            matched = False
            for t in tables:
                col = _column_by_header(t, canonical)
                if col is not None:
                    lookup[t.name][header_key(alias)] = col.name
                    matched = True
            if not matched:
                raise ValueError(f"{path.name} 第{line_no}行：标准表头“{canonical}”不存在")


def _column_by_header(table: Table, header: str) -> Column | None:
    return next((c for c in table.columns if header_key(c.header) == header_key(header)), None)


@dataclass
class Layout:
    """Where a sheet's header is, which table it holds and what each column means."""

    table: Table
    header_row: int                       # 0-based row index of the header
    columns: dict[int, tuple[str, str | None]]  # position -> (column name, unit)
    unknown: list[str]                    # header cells not recognised (ignored, reported)
    duplicates: list[str]                 # columns named twice


def find_layout(head: list[list], sheet_name: str | None, file_name: str, headers: HeaderMap) -> Layout | None:
    """Recognise the header row and the table of a sheet, or None when it holds no known table.

    The header row is the first of the top rows naming the most known columns. The table
    is the one whose columns the header names best; a sheet or file name that announces a
    table (成员单位, 资金补贴 …) settles a tie.
    """
    best: tuple[int, int, Table] | None = None  # (score, -row, table)
    for i, row in enumerate(head):
        for t in TABLES:
            s = headers.score(t, row)
            candidate = (s, -i, t)
            if s >= MIN_RECOGNISED and (best is None or candidate[:2] > best[:2]):
                best = candidate
    if best is None:
        return None
    header_row = -best[1]
    row = head[header_row]
    top = best[0]
    tied = [t for t in TABLES if headers.score(t, row) == top]
    table = _by_name(tied, sheet_name, file_name) or tied[0]
    columns: dict[int, tuple[str, str | None]] = {}
    unknown, seen, duplicates = [], set(), []
    for pos, cell in enumerate(row):
        text = "" if cell is None else str(cell).strip()
        name, unit = headers.column_for(table, text)
        if name is None:
            if text and header_key(text) not in IGNORED_HEADERS:
                unknown.append(text)
            continue
        if name in seen:
            duplicates.append(text)
            continue
        seen.add(name)
        columns[pos] = (name, unit)
    return Layout(table, header_row, columns, unknown, duplicates)


def _by_name(tables: list[Table], sheet_name: str | None, file_name: str) -> Table | None:
    for label in (sheet_name or "", Path(file_name).stem):
        for t in tables:
            if any(k in label for k in t.keywords):
                return t
    return None
