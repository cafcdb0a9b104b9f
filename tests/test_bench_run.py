"""bench/run.py and the generator's benchmark sizes.

Always: the generator writes the same rows as CSV and as one workbook, its sizes pick the alliance
counts, the 1.7m size refuses a workbook, and the table's goals read ratios and absolute goals the
right way. With BENCH_SMOKE=1 (a real run, 2–6 minutes on the shared machine: generator, importer, DuckDB, the
briefing CLI, two Streamlit servers and Chromium): the smallest table prints with every row.
"""
from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

import navigation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "data"))
import generate_sample  # noqa: E402

from bench import run  # noqa: E402


def test_scale_sizes_pick_alliances_and_formats() -> None:
    args = generate_sample.parse_args(["--scale", "--scale-size", "450k", "--scale-format", "csv,xlsx"])
    assert args.scale_alliances == generate_sample.SCALE_SIZES["450k"] and args.scale_format == ("csv", "xlsx")
    assert generate_sample.parse_args(["--scale"]).scale_format == ("csv",)     # the default stays plain CSV
    with pytest.raises(SystemExit):
        generate_sample.parse_args(["--scale", "--scale-format", "parquet"])
    # about 120k, 450k and 1.7M member rows, the largest beyond what one sheet holds
    expected = {"120k": 120_000, "450k": 450_000, "1.7m": 1_700_000}
    for size, alliances in generate_sample.SCALE_SIZES.items():
        assert abs(alliances * generate_sample.MEMBERS_PER_ALLIANCE / expected[size] - 1) < 0.02
    assert generate_sample.SCALE_SIZES["1.7m"] * generate_sample.MEMBERS_PER_ALLIANCE > generate_sample.XLSX_MAX_ROWS


def test_workbook_holds_the_same_rows_as_the_csv(tmp_path: Path) -> None:
    stats = generate_sample.main(["--scale", "--scale-alliances", "80", "--scale-format", "csv,xlsx",
                                  "--out", str(tmp_path)])
    book = CalamineWorkbook.from_path(tmp_path / generate_sample.SCALE_WORKBOOK)
    assert book.sheet_names == [name.removesuffix(".csv") for name in generate_sample.SCALE_FILES]
    for name in generate_sample.SCALE_FILES:
        with open(tmp_path / name, encoding="utf-8", newline="") as f:
            from_csv = [[_value(v) for v in row] for row in csv.reader(f)]
        from_book = [[_value(v) for v in row] for row in book.get_sheet_by_name(name.removesuffix(".csv")).to_python()]
        assert from_book == from_csv, name
    assert len(from_csv) - 1 == stats["reports"] and stats["members"] > 80 * 8


def test_more_names_only_beyond_the_three_forms() -> None:
    import random

    prefixes, _, _ = generate_sample.national_places()
    topics = sum(len(items) for items in generate_sample.TOPICS.values())
    base = len(prefixes) * topics * 3
    small, _, _ = generate_sample.national_seeds(random.Random(1), 500)
    assert not any(s.name.endswith(generate_sample.MORE_NAME_FORMS) for s in small)   # default sets unchanged
    large, _, _ = generate_sample.national_seeds(random.Random(1), base + 1)
    assert len({s.name for s in large}) == base + 1


def _value(cell: object) -> object:
    """A number as a number (the CSV writes a score 68.0, the sheet holds the number 68), else the text."""
    try:
        return float(cell)
    except (TypeError, ValueError):
        return str(cell)


def test_goal_reads_ratio_or_measured() -> None:
    page = run.Row("page warm: x", "120k", 1.3, 1.0, "s", 1.25, "≤ 1.25×")
    assert page.ratio == pytest.approx(1.3) and not page.met
    assert run.Row("page warm: x", "120k", 1.2, 1.0, "s", 1.25, "≤ 1.25×").met
    query = run.Row("query cold (slowest)", "120k", 49.0, None, "ms", 50.0, "≤ 50 ms")
    assert query.ratio is None and query.met
    brief = run.Row("10-chart briefing cold", "120k", 3.2, 1.0, "s", 3.0, "≤ 3 s")     # goal on seconds, not ratio
    assert not brief.met
    text = run.table([page, query, brief])
    assert "NOT met" in text and "1.30×" in text and "| met " in text


@pytest.mark.skipif(os.environ.get("BENCH_SMOKE") != "1", reason="BENCH_SMOKE=1 runs the whole bench on a tiny registry")
def test_smallest_table_prints_every_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setitem(generate_sample.SCALE_SIZES, "tiny", 150)
    run.main(["--sizes", "tiny", "--runs", "1", "--query-repeat", "1", "--root", str(tmp_path)])
    out = capsys.readouterr().out
    table, _, where = out.partition("where page time goes")
    rows = [line for line in table.splitlines() if line.startswith("| ") and "| tiny " in line]
    figures = [line.split("|")[1].strip() for line in rows]
    expected = (["ingest xlsx", "ingest xlsx peak memory", "ingest CSV", "ingest CSV peak memory",
                 "query cold (slowest)", "10-chart briefing cold"]
                + [f"page warm: {p.title} /{p.url_path}" for p in navigation.PAGES]
                + ["page warm: slowest", "first page after start"])
    assert figures == expected
    for line in rows:
        measured, ratio, goal, met = (line.split("|")[i].strip() for i in (3, 5, 6, 7))
        assert float(measured.split()[0].replace(",", "")) > 0
        assert met in ("met", "NOT met") and goal.startswith("≤")
    assert len([line for line in where.splitlines() if line.startswith("| tiny |")]) == len(navigation.PAGES) + 1


def test_ingest_peak_memory_is_the_childs_own(tmp_path: Path) -> None:
    """ru_maxrss survives exec: a child would report the parent's size. The floor must report its own."""
    from bench import bench_load

    generate_sample.main(["--scale", "--scale-alliances", "40", "--out", str(tmp_path / "files")])
    ballast = b"x" * (400 * 2**20)      # this process is now well above what reading 40 alliances takes
    result = bench_load.csv_floor(sorted((tmp_path / "files").glob("*.csv")), tmp_path / "floor.duckdb")
    assert len(ballast) and result["rows"] > 40 and 20 < result["peak_mib"] < 300
