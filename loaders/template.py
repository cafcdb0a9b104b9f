"""The import template (标准导入模板), generated from loaders/schema.py.

One sheet per table with the canonical headers (* = required) and drop-down lists for
columns with fixed values, plus a 填表说明 sheet listing every column, its aliases,
meaning and an example. The data sheets hold no example rows, so a template filled in
and imported carries only what the user typed.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .schema import ENUM, BOOL, TABLES

INSTRUCTIONS_SHEET = "填表说明"
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_template(path: Path) -> None:
    """Write the template workbook to ``path``."""
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS_SHEET
    guide.append(["表", "表头", "必填", "也接受的表头", "取值", "说明", "示例"])
    for t in TABLES:
        sheet = book.create_sheet(t.title)
        headers = [c.header + ("*" if c.required else "") for c in t.columns]
        sheet.append(headers)
        for i, c in enumerate(t.columns, start=1):
            cell = sheet.cell(row=1, column=i)
            cell.font = Font(bold=True)
            cell.fill = _REQUIRED_FILL if c.required else _HEADER_FILL
            cell.comment = Comment(c.doc + (f"\n也接受：{'、'.join(c.aliases)}" if c.aliases else ""), "联盟看板")
            sheet.column_dimensions[get_column_letter(i)].width = max(12, 2 * len(c.header) + 4)
            choices = c.values if c.kind == ENUM else ("是", "否") if c.kind == BOOL else ()
            if choices:
                rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                      showErrorMessage=True, errorTitle="取值不在列表中",
                                      error=f"请从下拉列表选择：{'/'.join(choices)}")
                sheet.add_data_validation(rule)
                rule.add(f"{get_column_letter(i)}2:{get_column_letter(i)}5000")
            guide.append([t.title, c.header, "是" if c.required else "", "、".join(c.aliases),
                          "/".join(choices), c.doc, c.example])
        sheet.freeze_panes = "A2"
    for col, width in zip("ABCDEFG", (10, 18, 6, 28, 30, 60, 30)):
        guide.column_dimensions[col].width = width
    for row in guide.iter_rows(min_row=1, max_row=1):
        for cell in row:
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.freeze_panes = "A2"
    book.save(path)
