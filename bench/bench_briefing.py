"""Benchmark: a 10-chart briefing pack, end to end.

    python bench/bench_briefing.py [--db PATH] [--as-of 2024-12-31] [--charts id,…] [--repeat 3]

Two timings per format (pptx, pdf, zip):

* **cold** — ``python -m briefing … --out pack.<fmt>`` as a fresh process, as a scheduled
  job runs it: interpreter, imports, registry queries, starting Chromium, rendering, writing;
  wall time, and the CPU time it used (less sensitive to other work on the machine).
* **warm** — ``pack.build`` again in one process with the browser already running, as the
  简报导出 page builds a second pack.

The charts are taken round-robin from the pages in navigation order (so every page is in the
pack) until there are 10; fewer are used, and said, when fewer are registered. The registry is
the committed sample (built into a temporary folder when ``--db`` does not exist).
Goal on the 2-core machine: the cold 10-chart PPTX ≤ 15 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import groupby, zip_longest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing import pack, source, static  # noqa: E402
from figures import Scope  # noqa: E402
from queries.policy import DEFAULT_PROFILE, load_profile  # noqa: E402

GOAL_S = 15.0
PACK_SIZE = 10


def spread(n: int) -> list[str]:
    """Up to ``n`` chart ids, taking one from each page in turn."""
    pages = [list(group) for _, group in groupby(source.catalogue(), key=lambda c: c.page)]
    ids = [c.id for row in zip_longest(*pages) for c in row if c is not None]
    return ids[:n]


def sample_db(folder: Path) -> Path:
    db = folder / "registry.duckdb"
    subprocess.run([sys.executable, "-m", "loaders", "load", "--db", str(db), str(ROOT / "data" / "sample" / "tianjin")],
                   cwd=ROOT, check=True, capture_output=True)
    return db


def cold(db: Path, as_of: dt.date, charts: list[str], fmt: str, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process and the browser it waited for) of one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "briefing", "--db", str(db), "--as-of", as_of.isoformat(),
                    "--profile", DEFAULT_PROFILE, "--charts", ",".join(charts), "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2024, 12, 31))
    parser.add_argument("--charts", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    static.check_environment()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = args.db if args.db and args.db.exists() else sample_db(folder)
        charts = [c for c in args.charts.split(",") if c] or spread(PACK_SIZE)
        if len(charts) < PACK_SIZE:
            print(f"only {len(charts)} charts are registered: the pack holds all of them")
        print(f"{len(charts)} charts: {', '.join(charts)}")
        scope = Scope(load_profile(DEFAULT_PROFILE), args.as_of, source.DEFAULT_YEAR_FROM, args.as_of.year)
        results: dict[str, tuple[float, float, float, int]] = {}
        for fmt in pack.FORMATS:
            out = folder / f"pack.{fmt}"
            runs = [cold(db, args.as_of, charts, fmt, out) for _ in range(args.repeat)]
            cold_s, cold_cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            with source.RegistryFetch(db, scope) as fetch:
                pack.build(fmt, charts[:1], fetch, scope)          # start the browser, as a running page has
                warm_runs = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    with source.RegistryFetch(db, scope) as fresh:  # fresh query cache, as a new filter set
                        built = pack.build(fmt, charts, fresh, scope)
                    warm_runs.append(time.perf_counter() - start)
            results[fmt] = (cold_s, cold_cpu, statistics.median(warm_runs), len(built.data))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work slows the wall times)")
    print(f"{'format':<6} {'cold (CLI) s':>13} {'its CPU s':>10} {'warm (page) s':>14} {'size KB':>9}")
    for fmt, (cold_s, cold_cpu, warm_s, size) in results.items():
        print(f"{fmt:<6} {cold_s:>13.1f} {cold_cpu:>10.1f} {warm_s:>14.1f} {size / 1024:>9,.0f}")
    ok = results["pptx"][0] <= GOAL_S
    print(f"goal: cold {len(charts)}-chart PPTX ≤ {GOAL_S:.0f} s — {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
