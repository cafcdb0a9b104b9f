"""数据: import history (refused attempts included), freshness, rows per table, the template, the schema."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from loaders.pipeline import prepare
from loaders.registry import data_dates, table_counts
from loaders.store import ImportRefused, import_batch, read_journal
from loaders.template import INSTRUCTIONS_SHEET, write_template
from app_pages import open_page

PAGE = "data"
SAMPLE_LATEST_FILING = dt.date(2026, 8, 18)   # the latest 备案日期 in data/sample/ (天津市…备案名单.xlsx)
SAMPLE_LATEST_EVENT = dt.date(2026, 11, 4)    # the latest 评审记录 date there


def test_sample_registry(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(sample_db, monkeypatch, PAGE)
    assert at.title[0].value == "数据"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["数据截至（最新备案日期）"] == SAMPLE_LATEST_FILING.isoformat()
    assert metrics["距今"].endswith(" 天")
    assert metrics["最新评审事项"] == SAMPLE_LATEST_EVENT.isoformat()
    counts, history = (d.value for d in at.dataframe)
    # rows per table: what the loader recorded when it imported the sample files
    landed = read_journal(sample_db)[-1]["row_counts"]
    assert dict(zip(counts["库内表名"], counts["行数"])) == {**landed, "imports": 1}
    assert dict(zip(counts["表"], counts["行数"]))["联盟名录"] == 120
    assert len(history) == 1 and history.iloc[0]["结果"] == "成功" and history.iloc[0]["当前"] == "✓"
    assert "联盟名录 120 行" in history.iloc[0]["文件（SHA-256 前12位，行数）"]
    assert "下载标准导入模板.xlsx" in [b.label for b in at.get("download_button")]
    assert "数据结构说明" in [e.label for e in at.expander]   # docs/schema.md, without the file name on screen


def test_history_lists_refused_imports(single_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "registry.duckdb"
    import_batch(db, prepare([single_db.parent / "单一联盟.xlsx"]), user="张三")
    bad = tmp_path / "资金补贴.csv"
    bad.write_text("联盟名称,年度,补贴类型,金额\n不存在的联盟,2024,备案补贴,-5\n", encoding="utf-8")
    with pytest.raises(ImportRefused):
        import_batch(db, prepare([bad]), user="李四")
    history = open_page(db, monkeypatch, PAGE).dataframe[1].value
    assert list(history["批次"]) == [2, 1]                       # newest first
    assert list(history["结果"]) == ["被拒绝", "成功"]
    assert list(history["操作人"]) == ["李四", "张三"]
    assert list(history["当前"]) == ["", "✓"]                    # the refused attempt changed nothing
    sha = read_journal(db)[0]["files"][0]["sha256"]
    assert f"单一联盟.xlsx（SHA-256 {sha[:12]}…" in history.iloc[1]["文件（SHA-256 前12位，行数）"]
    assert "个错误，未写入任何数据" in history.iloc[0]["说明"]


def test_empty_registry(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(empty_db, monkeypatch, PAGE)
    assert any("登记库是空的" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["数据截至（最新备案日期）"] == "—"


def test_no_database_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tmp_path / "none.duckdb", monkeypatch, PAGE)       # the template is what a new user needs first
    assert "还没有登记库数据" in at.info[0].value
    assert "下载标准导入模板.xlsx" in [b.label for b in at.get("download_button")]


def test_store_helpers_and_template(sample_db: Path, empty_db: Path) -> None:
    assert table_counts(sample_db)["members"] == read_journal(sample_db)[-1]["row_counts"]["members"]
    assert data_dates(sample_db)["filed_date"] == SAMPLE_LATEST_FILING
    assert set(data_dates(empty_db).values()) == {None}
    buffer = io.BytesIO()
    write_template(buffer)                                    # as the page does: into bytes, no file
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames[0] == INSTRUCTIONS_SHEET and "联盟名录" in book.sheetnames
