"""Ingest against its floors: the fastest Excel reader's bare read, and DuckDB's own read_csv.

Used by bench/run.py (the one entry point). Each run is a fresh child process, so its peak memory
(ru_maxrss) is that run's own:

* ``excel_floor``: every sheet of the workbook read into memory by the fastest reader installed —
  fastexcel (Arrow straight from calamine's Rust core) when importable, else python-calamine's
  ``to_python`` — and nothing else; ``READER`` says which.
* ``csv_floor``: the same rows as CSV, ``read_csv`` into a new DuckDB database file, checkpointed.
* ``ours``: the import service as ``python -m loaders load`` runs it (fingerprint and journal the
  files, detect encoding, find header, map, normalise, validate every rule, write atomically with
  snapshot and journal) into ``db``, which is kept for the page benchmarks.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READER = "fastexcel" if importlib.util.find_spec("fastexcel") else "python-calamine"

# Peak memory is VmHWM, this process image's own high-water mark: ru_maxrss survives exec, so a child
# would report the (larger) parent's size at fork time instead of its own.
_RESULT = """
seconds = time.perf_counter() - t
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "rows": rows, **globals().get("extra", {}), "peak_mib": peak / 1024}))
"""
CSV_FLOOR = """
import duckdb, json, sys, time
files, db = json.loads(sys.argv[1]), sys.argv[2]
t = time.perf_counter()
con = duckdb.connect(db)
rows = 0
for i, f in enumerate(files):
    con.execute(f"create table t{i} as select * from read_csv(?, header = true)", [f])
    rows += con.execute(f"select count(*) from t{i}").fetchone()[0]
con.execute("checkpoint"); con.close()
""" + _RESULT
# Each reader's sheets(f): (data rows, what it read) per sheet; the floor keeps all of it in memory.
EXCEL_READERS = {
    "fastexcel": """
import fastexcel
def sheets(f):
    reader = fastexcel.read_excel(f)
    return [(t.num_rows, t) for t in (reader.load_sheet(n).to_arrow() for n in reader.sheet_names)]
""",
    "python-calamine": """
from python_calamine import CalamineWorkbook
def sheets(f):
    book = CalamineWorkbook.from_path(f)
    return [(len(v) - 1, v) for v in (book.get_sheet_by_name(n).to_python() for n in book.sheet_names)]
""",
}
EXCEL_FLOOR = """
import json, sys, time
files = json.loads(sys.argv[1])
t = time.perf_counter()
kept = [sheet for f in files for sheet in sheets(f)]
rows = sum(n for n, _ in kept)
""" + _RESULT
OURS = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from loaders.service import load
files, db = [Path(f) for f in json.loads(sys.argv[1])], Path(sys.argv[2])
t = time.perf_counter()
checked, outcome = load(db, files)
rows = sum(outcome.row_counts.values())
extra = {"member_rows": outcome.row_counts["members"]}
""" + _RESULT


def run(script: str, files: list[Path], db: Path) -> dict:
    """One child process running ``script`` on ``files`` (``db``, with its history, removed first)."""
    for leftover in db.parent.glob(f"*{db.name}*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    out = subprocess.run([sys.executable, "-c", script, json.dumps([str(f) for f in files]), str(db), str(ROOT)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def excel_floor(files: list[Path], db: Path) -> dict:
    return run(EXCEL_READERS[READER] + EXCEL_FLOOR, files, db)


def csv_floor(files: list[Path], db: Path) -> dict:
    return run(CSV_FLOOR, files, db)


def ours(files: list[Path], db: Path) -> dict:
    return run(OURS, files, db)
