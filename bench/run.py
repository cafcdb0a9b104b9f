"""Issue 13's figures at three registry sizes, each against a floor measured in the same run; one table.

    python bench/run.py [--sizes 120k,450k,1.7m] [--runs 3] [--root /tmp/bench-scale] [--json out.json]
                        [--only ingest,queries,briefing,pages,first]

Per size (member rows; data/generate_sample.py --scale --scale-size writes the set into
``--root``/<size>/files once, deterministic: the two smaller as CSV and as one xlsx workbook with the
same rows, 1.7m as CSV only, since an xlsx sheet cannot hold more than 1,048,576 rows):

| figure | measured | floor | goal |
|---|---|---|---|
| ingest xlsx | our import of the workbook (`python -m loaders load`: service.load) | the fastest Excel reader's bare read (bench_load.READER) | ≤ 1.5× |
| ingest xlsx peak memory | its peak RSS | the reader's peak RSS | ≤ 1.5× |
| ingest CSV | our import of the CSV files | DuckDB read_csv of the same files | ≤ 2× (≥ 0.5 of its rate) |
| ingest CSV peak memory | its peak RSS | read_csv's peak RSS | ≤ 1.5× |
| page warm (each page) | median load in headless Chromium | a bare page with one chart | ≤ 1.25× |
| first page after start | the home page, server just started | the floor page, its server just started | ≤ 1.25× |
| query cold (slowest) | median ms, Requires and scope rebuilt | – | ≤ 50 ms |
| briefing cold | 10-chart PPTX by the CLI, fresh process | the same interpreter importing the code | ≤ 3 s |

The registry the pages, queries and briefing use is the one our CSV import wrote. Sizes run in
order; each size's rows print as it finishes, the whole table at the end, then where each page's
time goes (server and browser CPU per load, websocket bytes, charts). The machine is shared: ratios
paired in one run are the figures to trust, not the seconds.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import navigation  # noqa: E402
from bench import bench_briefing, bench_load, bench_pages, bench_queries  # noqa: E402
from queries.policy import DEFAULT_PROFILE  # noqa: E402

GENERATOR = ROOT / "data" / "generate_sample.py"
sys.path.insert(0, str(GENERATOR.parent))
import generate_sample  # noqa: E402

PARTS = ("ingest", "queries", "briefing", "pages", "first")
PAGE_GOAL = 1.25
XLSX_TIME_GOAL = XLSX_MEMORY_GOAL = CSV_MEMORY_GOAL = 1.5
CSV_TIME_GOAL = 2.0          # ≥ 0.5 of read_csv's rows per second
QUERY_GOAL_MS = 50.0
BRIEFING_GOAL_S = 3.0


@dataclass
class Row:
    """One line of the table."""

    figure: str
    size: str
    measured: float
    floor: float | None
    unit: str
    goal: float
    goal_text: str
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.measured / self.floor if self.floor else None

    @property
    def met(self) -> bool:
        # a goal in the unit ("≤ 50 ms", "≤ 3 s") is on the measured value, otherwise on the ratio
        value = self.ratio if self.goal_text.endswith("×") else self.measured
        return value is not None and value <= self.goal


def files_for(size: str, root: Path) -> tuple[list[Path], list[Path]]:
    """The size's CSV files and workbook (none when too big for a sheet); generated when missing."""
    folder = root / size / "files"
    xlsx_fits = generate_sample.SCALE_SIZES[size] * generate_sample.MEMBERS_PER_ALLIANCE < generate_sample.XLSX_MAX_ROWS
    formats = "csv,xlsx" if xlsx_fits else "csv"
    csvs = sorted(folder.glob("*.csv"))
    books = sorted(folder.glob("*.xlsx"))
    if len(csvs) < len(generate_sample.SCALE_FILES) or (xlsx_fits and not books):
        print(f"[{size}] generating {formats} into {folder} …", file=sys.stderr)
        subprocess.run([sys.executable, str(GENERATOR), "--scale", "--scale-alliances", str(generate_sample.SCALE_SIZES[size]),
                        "--scale-format", formats,
                        "--out", str(folder)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        csvs, books = sorted(folder.glob("*.csv")), sorted(folder.glob("*.xlsx"))
    return csvs, books


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_size(size: str, args: argparse.Namespace, details: dict) -> list[Row]:
    """Every figure at one size, in the order of the table."""
    csvs, books = files_for(size, args.root)
    work = args.root / size
    db = work / "registry.duckdb"
    rows: list[Row] = []
    ingest_runs = args.runs if books else 1      # the CSV-only size takes minutes a run: once
    info = details.setdefault(size, {})
    if "ingest" in args.only or not db.exists():
        with guarded(size, "ingest", rows):
            say(size, f"ingest ({bench_load.READER} as the Excel floor, {ingest_runs} run(s)) …")
            if books:
                ours_x, floor_x = [], []
                for _ in range(ingest_runs):
                    floor_x.append(bench_load.excel_floor(books, work / "floor.duckdb"))
                    ours_x.append(bench_load.ours(books, work / "xlsx.duckdb"))
                info["ingest_xlsx"] = {"ours": ours_x, "floor": floor_x}
                rows.append(Row("ingest xlsx", size, median(ours_x, "seconds"), median(floor_x, "seconds"), "s",
                                XLSX_TIME_GOAL, f"≤ {XLSX_TIME_GOAL:g}×", f"floor: {bench_load.READER} bare read"))
                rows.append(Row("ingest xlsx peak memory", size, max(r["peak_mib"] for r in ours_x),
                                max(r["peak_mib"] for r in floor_x), "MiB", XLSX_MEMORY_GOAL, f"≤ {XLSX_MEMORY_GOAL:g}×",
                                f"floor: {bench_load.READER}"))
                (work / "xlsx.duckdb").unlink(missing_ok=True)
            ours_c, floor_c = [], []
            for _ in range(ingest_runs):
                floor_c.append(bench_load.csv_floor(csvs, work / "floor.duckdb"))
                ours_c.append(bench_load.ours(csvs, db))       # kept: the registry the rest of the size uses
            (work / "floor.duckdb").unlink(missing_ok=True)
            info["ingest_csv"] = {"ours": ours_c, "floor": floor_c}
            info["member_rows"] = ours_c[0]["member_rows"]
            rows.append(Row("ingest CSV", size, median(ours_c, "seconds"), median(floor_c, "seconds"), "s",
                            CSV_TIME_GOAL, f"≤ {CSV_TIME_GOAL:g}×", "floor: DuckDB read_csv; ≤ 2× = ≥ 0.5 of its rate"))
            rows.append(Row("ingest CSV peak memory", size, max(r["peak_mib"] for r in ours_c),
                            max(r["peak_mib"] for r in floor_c), "MiB", CSV_MEMORY_GOAL, f"≤ {CSV_MEMORY_GOAL:g}×",
                            "floor: DuckDB read_csv"))
            emit(rows[-4 if books else -2:])
    as_of = dt.date.fromisoformat(args.as_of)
    if "queries" in args.only:
        with guarded(size, "queries", rows):
            say(size, "queries cold …")
            cold = bench_queries.cold_times(db, args.profile, as_of, args.query_repeat)
            info["queries_cold_ms"] = cold
            info["context_ms"] = bench_queries.context_ms(db, args.profile)
            name = max(cold, key=cold.get)
            over = sorted((n for n, ms in cold.items() if ms > QUERY_GOAL_MS), key=cold.get, reverse=True)
            rows.append(Row("query cold (slowest)", size, cold[name], None, "ms", QUERY_GOAL_MS, f"≤ {QUERY_GOAL_MS:g} ms",
                            f"{name}; {len(over)} of {len(cold)} over: {', '.join(over[:5])}"
                            + (" …" if len(over) > 5 else "")))
            emit(rows[-1:])
    if "briefing" in args.only:
        with guarded(size, "briefing", rows):
            # every size as many runs as asked: a pack takes seconds even at 1.7M, and one run is one sample
            say(size, f"briefing cold ({args.runs} run(s)) …")
            packs, floors = bench_briefing.cold_pptx(db, as_of, args.runs)
            info["briefing"] = {"pack_s": packs, "floor_s": floors}
            rows.append(Row("10-chart briefing cold", size, statistics.median(packs), statistics.median(floors), "s",
                            BRIEFING_GOAL_S, f"≤ {BRIEFING_GOAL_S:g} s", "pptx by the CLI; floor: interpreter + imports"))
            emit(rows[-1:])
    if "pages" in args.only:
        with guarded(size, "pages", rows):
            say(size, f"pages warm ({args.runs} runs) …")
            query = f"profile={args.profile}&as_of={args.as_of}"
            pages = bench_pages.warm_pages(db, navigation.PAGES, args.runs, query)
            floor = pages.pop(bench_pages.FLOOR_NAME)
            info["pages"] = {name: asdict(p) for name, p in [(bench_pages.FLOOR_NAME, floor), *pages.items()]}
            page_rows = [Row(f"page warm: {name}", size, p.median, floor.median, "s", PAGE_GOAL, f"≤ {PAGE_GOAL:g}×")
                         for name, p in pages.items()]
            worst = max(page_rows, key=lambda r: r.ratio)
            rows += page_rows
            rows.append(Row("page warm: slowest", size, worst.measured, worst.floor, "s", PAGE_GOAL, f"≤ {PAGE_GOAL:g}×",
                            worst.figure.removeprefix("page warm: ")))
            emit(rows[-len(page_rows) - 1:])
    if "first" in args.only:
        with guarded(size, "first", rows):
            say(size, f"first page after server start ({args.runs} runs) …")
            first = bench_pages.first_pages(db, args.runs)
            info["first"] = first
            rows.append(Row("first page after start", size, statistics.median(first["app home page"]),
                            statistics.median(first[bench_pages.FLOOR_NAME]), "s", PAGE_GOAL, f"≤ {PAGE_GOAL:g}×",
                            "home page vs the floor page, each server just started"))
            emit(rows[-1:])
    return rows


@contextmanager
def guarded(size: str, part: str, rows: list[Row]):
    """A part that fails (a page that never renders, a server that never starts) becomes a NOT met row."""
    try:
        yield
    except Exception as e:  # noqa: BLE001 — the other parts and sizes still run
        say(size, f"{part} failed: {type(e).__name__}: {e}")
        rows.append(Row(f"{part} (failed)", size, float("nan"), None, "", 0.0, "runs", f"{type(e).__name__}: {e}"[:200]))
        emit(rows[-1:])


def say(size: str, text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} {size}] {text}", file=sys.stderr, flush=True)


HEADER = ("figure", "size", "measured", "floor", "ratio", "goal", "met", "note")


def cells(row: Row) -> tuple[str, ...]:
    fmt = (lambda v: f"{v:,.0f} {row.unit}") if row.unit in ("MiB", "ms") else (lambda v: f"{v:.2f} {row.unit}")
    return (row.figure, row.size, fmt(row.measured), fmt(row.floor) if row.floor else "–",
            f"{row.ratio:.2f}×" if row.ratio is not None else "–", row.goal_text, "met" if row.met else "NOT met",
            row.note)


def emit(rows: list[Row]) -> None:
    """Rows as they are measured, on stderr (the table proper goes to stdout at the end)."""
    for row in rows:
        print("  " + " · ".join(cells(row)), file=sys.stderr, flush=True)


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table, figures grouped across sizes."""
    order = {}
    for row in rows:
        order.setdefault(row.figure, len(order))
    lines = [tuple(HEADER), *[cells(r) for r in sorted(rows, key=lambda r: order[r.figure])]]
    widths = [max(_width(line[i]) for line in lines) for i in range(len(HEADER))]
    out = ["| " + " | ".join(_pad(c, w) for c, w in zip(line, widths)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def where_time_goes(details: dict) -> str:
    """Per size and page: median seconds, server and browser CPU seconds per load, the page's JavaScript and
    layout seconds, websocket MiB, charts."""
    lines = ["| size | page | median s | server CPU s | browser CPU s | its JS s | its layout s | websocket MiB "
             "| charts |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for size, info in details.items():
        for name, p in info.get("pages", {}).items():
            m = {key: statistics.median(p[key]) if p.get(key) else float("nan")
                 for key in ("seconds", "server_cpu", "browser_cpu", "script", "layout")}
            lines.append(f"| {size} | {name} | {m['seconds']:.2f} | {m['server_cpu']:.2f} | {m['browser_cpu']:.2f} | "
                         f"{m['script']:.2f} | {m['layout']:.2f} | {p['ws_bytes'] / 2**20:.2f} | {p['charts']} |")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(generate_sample.SCALE_SIZES),
                        help=f"comma-separated, of {', '.join(generate_sample.SCALE_SIZES)}")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per page, first page, ingest and briefing")
    parser.add_argument("--query-repeat", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path("/tmp/bench-scale"),
                        help="where each size's files and registry live (big: not in the repository)")
    parser.add_argument("--as-of", default="2026-11-21")
    parser.add_argument("--profile", default=DEFAULT_PROFILE)
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("--json", type=Path, help="also write every sample measured here")
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    args.only = set(args.only.split(","))
    unknown = [s for s in sizes if s not in generate_sample.SCALE_SIZES] + sorted(args.only - set(PARTS))
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    rows: list[Row] = []
    details: dict = {}
    for size in sizes:
        rows += bench_size(size, args, details)
        if args.json:          # after each size: a later failure keeps what was measured
            save(args.json, rows, details)
    members = ", ".join(f"{s} = {d['member_rows']:,} member rows" for s, d in details.items() if "member_rows" in d)
    print(f"issue 13 bench · {dt.datetime.now():%Y-%m-%d %H:%M} · profile {args.profile} · as of {args.as_of} · "
          f"runs {args.runs} · {os.cpu_count()} CPUs, load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after · {(time.perf_counter() - started) / 60:.0f} min")
    if members:
        print(members)
    print()
    print(table(rows))
    print()
    print("where page time goes (medians per load):")
    print(where_time_goes(details))
    if args.json:
        save(args.json, rows, details)
    return 0 if all(r.met for r in rows) else 1


def save(path: Path, rows: list[Row], details: dict) -> None:
    path.write_text(json.dumps({"rows": [asdict(r) | {"ratio": r.ratio, "met": r.met} for r in rows],
                                "details": details}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
