"""The committed sample registry loads whole, and what lands equals what the files say.

Expected figures are counted from the files themselves with openpyxl and csv (not with the
loader's code), plus the few fixed numbers the deterministic generator is known to write.
"""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from loaders import SAMPLE_DIR
from loaders.pipeline import prepare
from loaders.registry import connect_read_only
from loaders.store import import_batch


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    db = tmp_path_factory.mktemp("sample") / "registry.duckdb"
    batch = prepare(sorted(SAMPLE_DIR.iterdir()))
    assert batch.ok, [str(p) for p in batch.errors[:10]]
    import_batch(db, batch)
    return db, batch


def _xlsx_data_rows(name: str, sheet: str, header_row: int) -> list[tuple]:
    ws = openpyxl.load_workbook(SAMPLE_DIR / name, read_only=True)[sheet]
    return [r for r in ws.iter_rows(min_row=header_row + 1, values_only=True) if any(c not in (None, "") for c in r)]


def _csv_data_rows(name: str, encoding: str) -> list[list[str]]:
    with (SAMPLE_DIR / name).open(encoding=encoding, newline="") as f:
        return [r for r in csv.reader(f)][1:]


def test_every_row_of_every_file_lands(loaded) -> None:
    db, _ = loaded
    con = connect_read_only(db)
    counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("alliances", "members", "subsidies", "events", "annual_reports")}
    assert counts == {
        "alliances": len(_xlsx_data_rows("天津市产业技术创新战略联盟备案名单.xlsx", "联盟名录", 3)),
        "events": len(_xlsx_data_rows("天津市产业技术创新战略联盟备案名单.xlsx", "评审记录", 1)),
        "subsidies": len(_xlsx_data_rows("资金补贴拨付明细.xlsx", "补贴", 2)),
        "members": len(_csv_data_rows("成员单位名单.csv", "gbk")),
        "annual_reports": len(_csv_data_rows("年度报告.csv", "utf-8-sig")),
    }
    # The generator's fixed output (seed 42): 120 alliances, 2,578 members.
    assert counts["alliances"] == 120 and counts["members"] == 2578


def test_subsidy_total_matches_the_cells_worked_by_hand(loaded) -> None:
    """Each cell read by a rule written here: 'N万元' ×10000, 'N,NNN元' as is, a bare number is 万元."""
    db, _ = loaded
    expected = Decimal(0)
    for row in _xlsx_data_rows("资金补贴拨付明细.xlsx", "补贴", 2):
        cell, status = row[4], row[7]
        if status == "已收回":
            continue
        text = str(cell)
        if text.endswith("万元"):
            expected += Decimal(text[:-2]) * 10000
        elif text.endswith("元"):
            expected += Decimal(text[:-1].replace(",", ""))
        else:
            expected += Decimal(str(cell)) * 10000
    con = connect_read_only(db)
    total = con.execute("select sum(amount_yuan) from subsidies where status = '已拨付'").fetchone()[0]
    assert total == expected == Decimal("74147000.00")


def test_messy_shapes_resolve(loaded) -> None:
    db, batch = loaded
    con = connect_read_only(db)
    # Merged 联盟名称 cells in 评审记录: every event row belongs to an alliance.
    assert con.execute("select count(*) from events where alliance_id is null").fetchone()[0] == 0
    # GBK csv decoded: Beijing and Hebei members are there by their Chinese place names.
    assert con.execute("select count(*) from members where registered_in similar to '(北京|河北).*'").fetchone()[0] == 192
    # Title rows skipped: the first alliance row is Excel row 4 (title, blank, header above it).
    assert con.execute("select min(source_row) from alliances").fetchone()[0] == 4
    # Every status as the registry needs it: five revoked, each with its date.
    assert con.execute("select count(*) from alliances where status = '已撤销' and revoked_date is not null"
                       ).fetchone()[0] == 5
    encodings = {f.name: f.encoding for f in batch.files}
    assert encodings["成员单位名单.csv"] == "GB18030" and encodings["年度报告.csv"] == "UTF-8 (BOM)"
    # Alliances below ten members are warned about, not refused.
    assert sum("少于 10 家" in p.message for p in batch.warnings) == 10
