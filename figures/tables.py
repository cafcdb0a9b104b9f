"""Tables: long lists shown a page at a time (search and sort in DuckDB SQL), and downloads of the
whole — .xlsx with Chinese headers, title and footnote; .csv as UTF-8 with BOM.

Cells that start with = + - or @ are written as text with a leading apostrophe, so a name
like "=HYPERLINK(...)" from an export can never run as a formula in Excel or WPS. The same goes
for the title row, the headers, the footnote, the sheet's name and the download's file name.
"""
from __future__ import annotations

import io
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FORMULA_STARTS = ("=", "+", "-", "@")
PAGE_SIZES = (50, 100, 200, 500)
PAGE_SIZE = 200            # rows a page sends by default: a city's whole registry, 1% of the national one
SEARCH_TERMS = 10          # words of a search that count (each one a bound parameter)


@dataclass(frozen=True)
class View:
    """How a reader looks at a long table: search words, sort column (None: the query's own order),
    direction, page (from 1) and rows per page."""
    search: str = ""
    sort: str | None = None
    descending: bool = False
    page: int = 1
    size: int = PAGE_SIZE


@dataclass(frozen=True)
class Page:
    """One page of a table: its rows (the frame's own, in view order) and their positions in the frame,
    the rows matching the search, the page shown (clamped into range) and how many pages there are."""
    rows: pd.DataFrame
    positions: list[int]
    total: int
    page: int
    pages: int

    @classmethod
    def whole(cls, frame: pd.DataFrame) -> Page:
        """All of a short table on one page."""
        return cls(frame, list(range(len(frame))), len(frame), 1, 1)


def searchable(frame: pd.DataFrame) -> list[str]:
    """The text columns a search looks in (names, units, regions, problems — not numbers or dates)."""
    return [c for c in frame.columns if pd.api.types.infer_dtype(frame[c], skipna=True) in ("string", "empty")]


_DB = duckdb.connect()     # in memory, holding nothing: each call registers its frame on its own cursor
_DB_LOCK = threading.Lock()


def _select(frame: pd.DataFrame, view: View, size: int | None) -> tuple[list[int], int, int]:
    """Row positions of ``frame`` matching ``view.search`` in ``view``'s order — the clamped page of
    ``size`` rows, or all of them when ``size`` is None — with how many rows match and the page shown.

    The search words and the page are bound parameters; column names never reach the SQL (the columns
    it reads are registered as Arrow columns s0, s1, … and o beside the row position). Every word must
    occur in some text column, as written (% _ ' \\ and control characters included) but for width,
    case and spaces (folded()). Text sorts in Chinese (pinyin) order, blanks last either way, ties in
    the query's own order.
    """
    words = [folded(w) for w in view.search.split()[:SEARCH_TERMS]]
    texts = searchable(frame) if words else []
    sort = view.sort if view.sort in frame.columns else None
    columns = {f"s{i}": _folded(_arrow(frame[name])) for i, name in enumerate(texts)}   # only what the SQL reads
    if sort is not None:
        columns["o"] = _arrow(frame[sort])
    narrow = pa.table({**columns, "pos": pa.array(np.arange(len(frame)))})
    where = " and ".join("(" + " or ".join(f"contains(s{i}, ?)" for i in range(len(texts))) + ")"
                         for _ in words) if texts else "true"
    params: list[Any] = [w for w in words for _ in texts] if texts else []
    order = "pos"
    if sort is not None:
        collate = " collate zh" if narrow.schema.field("o").type in (pa.string(), pa.large_string()) else ""
        order = f"o{collate} {'desc' if view.descending else 'asc'} nulls last, pos"
    with _DB_LOCK:
        cursor = _DB.cursor()
    try:
        cursor.register("t", narrow)
        total = int(cursor.execute(f"select count(*) from t where {where}", params).fetchone()[0])
        page, limit = 1, ""
        if size is not None:
            page = min(max(view.page, 1), max(1, -(-total // size)))
            limit = " limit ? offset ?"
            params = params + [size, (page - 1) * size]
        rows = cursor.execute(f"select pos from t where {where} order by {order}{limit}", params).fetchall()
    finally:
        cursor.close()
    return [r[0] for r in rows], total, page


def folded(text: str) -> str:
    """Text as a search compares it: full-width as half-width (NFKC: （ → (, Ａ → A), lower case, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _folded(values: pa.Array) -> pa.Array:
    """folded() over a whole column, in Arrow."""
    text = pc.utf8_lower(pc.utf8_normalize(values.cast(pa.string()), "NFKC"))
    return pc.replace_substring_regex(text, r"\s+", "")


def _arrow(values: pd.Series) -> pa.Array:
    """A column for DuckDB as Arrow (no copy for Arrow-backed text); mixed Python objects as their text."""
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(values.map(lambda v: None if v is None or v is pd.NA else str(v)))


def page_of(frame: pd.DataFrame, view: View) -> Page:
    """The page of ``frame`` that ``view`` asks for (a page past the end shows the last one)."""
    size = view.size if view.size > 0 else PAGE_SIZE
    positions, total, page = _select(frame, view, size)
    return Page(frame.iloc[positions], positions, total, page, max(1, -(-total // size)))


def in_view(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """Every row of ``frame`` matching the search, in the view's order: what a download holds."""
    if not view.search.split() and view.sort not in frame.columns:
        return frame
    return frame.iloc[_select(frame, view, None)[0]]


def file_stem(text: str, limit: int = 60) -> str:
    """``text`` usable in a download's file name: characters file systems refuse become _, at most ``limit`` long."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._")[:limit] or "chart"


def neutralise(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_name(title: str) -> str:
    """A worksheet name from a title: Excel's forbidden characters replaced, 31 characters at most.

    Tab names are never evaluated, but Excel refuses a leading apostrophe there, so the
    neutralised form is the title without its formula-starting characters.
    """
    name = title.lstrip("".join(FORMULA_STARTS) + "'")[:31].translate(str.maketrans("[]:*?/\\", "（）：＊？／＼"))
    return name or "表格"


def for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Money (``*_wan``) rounded to 2 decimals and timestamps as dates: how tables are shown and exported."""
    out = frame.copy()
    for col in out.columns:
        if str(col).endswith("_wan") and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].round(2)
        elif pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.date
    return out


def labelled(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The frame for people: display values, Chinese column headers and formula-safe text cells."""
    out = for_display(frame).rename(columns=lambda c: labels.get(c, c))
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def to_csv(frame: pd.DataFrame, labels: dict[str, str]) -> bytes:
    """UTF-8 with BOM, so Excel on Chinese Windows opens it without mojibake."""
    return labelled(frame, labels).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, labels: dict[str, str], title: str, footnote: str) -> bytes:
    """A one-sheet workbook: title row, Chinese headers, the rows, the source footnote."""
    # imported when a workbook is asked for: a page or a briefing that exports none skips openpyxl's 0.06 s
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    table = labelled(frame, labels)
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(title)
    sheet.append([neutralise(title)])  # the title is often data (an alliance's name): never a formula
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([neutralise(str(c)) for c in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    sheet.append([])
    sheet.append([neutralise(footnote)])
    for i, col in enumerate(table.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in table.iloc[:200, i - 1].tolist()])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, 1.6 * width + 2))
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value.time() == pd.Timestamp(0).time() else value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
