"""Benchmark: loading the national-scale registry, against DuckDB's own read_csv as the floor.

    python bench/bench_load.py [--data data/scale] [--repeat 3]

Each run is a fresh child process (so peak memory is that run's own): the floor reads
the same CSV files with DuckDB ``read_csv`` into a new database file; ours runs the whole
pipeline (detect encoding, find header, map, normalise, validate every rule, write
atomically with snapshot and journal). Prints median seconds, rows/s, share of the
floor's throughput and peak RSS. Goal (issue 2): ≥ 1/3 of the floor, < 2 GiB.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = """
import duckdb, json, resource, sys, time
files, db = json.loads(sys.argv[1]), sys.argv[2]
t = time.perf_counter()
con = duckdb.connect(db)
rows = 0
for i, f in enumerate(files):
    con.execute(f"create table t{i} as select * from read_csv(?, header = true)", [f])
    rows += con.execute(f"select count(*) from t{i}").fetchone()[0]
con.execute("checkpoint"); con.close()
print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

OURS = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from loaders.pipeline import prepare
from loaders.store import import_batch
files, db = [Path(f) for f in json.loads(sys.argv[1])], Path(sys.argv[2])
t = time.perf_counter()
batch = prepare(files)
t_prepare = time.perf_counter() - t
assert batch.ok, [str(p) for p in batch.errors[:5]]
outcome = import_batch(db, batch)
print(json.dumps({"seconds": time.perf_counter() - t, "prepare": t_prepare, "rows": sum(outcome.row_counts.values()),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(script: str, files: list[Path], workdir: Path) -> dict:
    db = workdir / "bench.duckdb"
    for leftover in workdir.glob("*"):
        if leftover.is_dir():
            for f in leftover.iterdir():
                f.unlink()
            leftover.rmdir()
        else:
            leftover.unlink()
    out = subprocess.run([sys.executable, "-c", script, json.dumps([str(f) for f in files]), str(db), str(ROOT)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "scale")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(args.data.glob("*.csv"))
    if not files:
        subprocess.run([sys.executable, str(ROOT / "data" / "generate_sample.py"), "--scale", "--out", str(args.data)],
                       check=True)
        files = sorted(args.data.glob("*.csv"))
    size_mib = sum(f.stat().st_size for f in files) / 2**20
    print(f"数据：{len(files)} 个 CSV，{size_mib:.1f} MiB（{args.data}）")
    results: dict[str, list[dict]] = {"DuckDB read_csv（下限）": [], "联盟看板 loaders": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            for name, script in zip(results, (FLOOR, OURS)):
                results[name].append(run(script, files, Path(tmp)))
    floor_rate = None
    print(f"{'方法':<24}{'行数':>10}{'秒(中位)':>10}{'行/秒':>12}{'相对下限':>10}{'峰值内存MiB':>14}")
    for name, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        rows = runs[0]["rows"]
        rate = rows / seconds
        floor_rate = floor_rate or rate
        peak = max(r["peak_mib"] for r in runs)
        print(f"{name:<24}{rows:>10,}{seconds:>10.2f}{rate:>12,.0f}{rate / floor_rate:>10.0%}{peak:>14,.0f}")
        if "prepare" in runs[0]:
            print(f"{'  其中 读取+校验':<24}{'':>10}{statistics.median(r['prepare'] for r in runs):>10.2f}")


if __name__ == "__main__":
    main()
