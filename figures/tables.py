"""Tables for download: .xlsx with Chinese headers, title and footnote; .csv as UTF-8 with BOM.

Cells that start with = + - or @ are written as text with a leading apostrophe, so a name
like "=HYPERLINK(...)" from an export can never run as a formula in Excel or WPS. The same goes
for the title row, the headers, the footnote, the sheet's name and the download's file name.
"""
from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@")


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
