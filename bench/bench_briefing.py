"""Benchmark: a 10-chart briefing pack, end to end, on the sample or the national-scale registry.

    python bench/bench_briefing.py [--scale] [--db PATH] [--as-of 2024-12-31] [--charts id,…] [--repeat 3]

``--scale`` uses the national-scale set (``data/generate_sample.py --scale`` loaded with
``python -m loaders load``; built into ``--db``, default /tmp/scale.duckdb, when that file is
missing). Without it the committed sample is used (built into a temporary folder).

Packs timed (each as ``python -m briefing … --out pack.<fmt>``, a fresh process, as a scheduled
job runs it: interpreter, imports, registry queries, Chromium when pictures are needed, writing):

* **pptx** — native, editable charts (the default);   goal ≤ 5 s
* **pdf**  — A4 pages rendered by Chromium, merged;    goal ≤ 10 s
* **pptx picture** and **zip** — for comparison.

Each gets its wall time and the CPU time it used (the process and the browser it waited for;
less sensitive to other work on the shared machine), and the **warm** time of ``pack.build``
again in one process with the browser running, as the 简报导出 page builds a second pack. The
**floor** is the same interpreter importing the briefing code and the registry's charts and
doing nothing else; each cold time is also given as a ratio to it.

The charts are taken round-robin from the pages in navigation order (so every page is in the
pack) until there are 10; fewer are used, and said, when fewer are registered.
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

from bench.bench_queries import build_scale_db  # noqa: E402
from briefing import pack, source, static  # noqa: E402
from figures import Scope  # noqa: E402
from queries.fetch import RegistryFetch  # noqa: E402
from queries.policy import DEFAULT_PROFILE, load_profile  # noqa: E402
from queries.scope import DEFAULT_YEAR_FROM  # noqa: E402

GOALS_S = {"pptx": 5.0, "pdf": 10.0}
PACK_SIZE = 10
RUNS = (("pptx", "native"), ("pdf", "native"), ("pptx", "picture"), ("zip", "native"))
FLOOR = "import briefing.pack, figures; figures.all_charts()"


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


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the process and the children it waited for) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli(db: Path, as_of: dt.date, charts: list[str], fmt: str, mode: str, out: Path) -> list[str]:
    words = charts + (["picture"] if mode == "picture" else [])
    return [sys.executable, "-m", "briefing", "--db", str(db), "--as-of", as_of.isoformat(),
            "--profile", DEFAULT_PROFILE, "--charts", ",".join(words), "--format", fmt, "--out", str(out)]


def cold_pptx(db: Path, as_of: dt.date, repeat: int) -> tuple[list[float], list[float]]:
    """Wall seconds of the 10-chart native PPTX made by the CLI in a fresh process, and of the floor, in turns."""
    charts = spread(PACK_SIZE)
    packs, floors = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            floors.append(timed([sys.executable, "-c", FLOOR])[0])
            packs.append(timed(cli(db, as_of, charts, "pptx", "native", Path(tmp) / "pack.pptx"))[0])
    return packs, floors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="national-scale registry")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2024, 12, 31))
    parser.add_argument("--charts", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    static.check_environment()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.scale:
            db = args.db or Path("/tmp/scale.duckdb")
            if not db.exists():
                build_scale_db(db)
        else:
            db = args.db if args.db and args.db.exists() else sample_db(folder)
        charts = [c for c in args.charts.split(",") if c] or spread(PACK_SIZE)
        if len(charts) < PACK_SIZE:
            print(f"only {len(charts)} charts are registered: the pack holds all of them")
        print(f"registry {db} ({db.stat().st_size / 2**20:,.0f} MB); {len(charts)} charts: {', '.join(charts)}")
        scope = Scope(load_profile(DEFAULT_PROFILE), args.as_of, DEFAULT_YEAR_FROM, args.as_of.year)
        floor = [timed([sys.executable, "-c", FLOOR]) for _ in range(args.repeat)]
        floor_s, floor_cpu = statistics.median(f[0] for f in floor), statistics.median(f[1] for f in floor)
        results: dict[str, tuple[float, float, float, int]] = {}
        for fmt, mode in RUNS:
            label = fmt if mode == "native" else f"{fmt} {mode}"
            out = folder / f"pack.{fmt}"
            runs = [timed(cli(db, args.as_of, charts, fmt, mode, out)) for _ in range(args.repeat)]
            cold_s, cold_cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            with RegistryFetch(db, scope) as fetch:
                pack.build(fmt, charts[:1], fetch, scope, charts=mode)   # start the browser, as a running page has
                warm_runs = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    with RegistryFetch(db, scope) as fresh:        # fresh query cache, as a new filter set
                        built = pack.build(fmt, charts, fresh, scope, charts=mode)
                    warm_runs.append(time.perf_counter() - start)
            results[label] = (cold_s, cold_cpu, statistics.median(warm_runs), len(built.data))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work slows the wall times)")
    print(f"floor (interpreter + imports, no pack): {floor_s:.1f} s, its CPU {floor_cpu:.1f} s")
    print(f"{'pack':<13} {'cold (CLI) s':>13} {'× floor':>8} {'its CPU s':>10} {'warm (page) s':>14} {'size KB':>9}")
    for label, (cold_s, cold_cpu, warm_s, size) in results.items():
        print(f"{label:<13} {cold_s:>13.1f} {cold_s / floor_s:>8.1f} {cold_cpu:>10.1f} {warm_s:>14.1f} "
              f"{size / 1024:>9,.0f}")
    ok = True
    for fmt, goal in GOALS_S.items():
        met = results[fmt][0] <= goal
        ok &= met
        print(f"goal: cold {len(charts)}-chart {fmt.upper()}{' (native charts)' if fmt == 'pptx' else ''} "
              f"≤ {goal:.0f} s — {'met' if met else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
