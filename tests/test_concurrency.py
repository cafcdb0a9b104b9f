"""Readers during imports: threads and processes read overview_kpis while imports swap the file again and again.

Each result must be the old registry's figures or the new one's, whole — never an error, never
a mix (the new alliances with the old subsidies, say). The two states are written by hand, so
their figures are known without running the query:

  A: 2 alliances filed in 2019, one 2024 subsidy of 50 万元            → (2 在册, 50.0 万元 in 2024)
  B: A plus one alliance filed in 2020, a second 2024 subsidy of 30 万元 → (3 在册, 80.0 万元 in 2024)
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from loaders.pipeline import Batch, prepare
from loaders.registry import connect_read_only, read_cursor
from loaders.store import import_batch
from queries import runner
from queries.policy import load_profile
from queries.scope import Scope

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2024, 12, 31)
STATE_A, STATE_B = (2, 50.0), (3, 80.0)
SWAPS = 8
ALLIANCE_HEADER = ["联盟编号", "联盟名称", "对外责任主体单位", "所属区域", "产业领域", "级别", "备案日期"]
SUBSIDY_HEADER = ["联盟名称", "年度", "补贴类型", "金额（万元）", "拨付日期"]
ALLIANCES = [["TJ-1", "天津市机器人联盟", "甲公司", "滨海新区", "机器人", "市级", "2019-06-28"],
             ["TJ-2", "天津市永磁材料联盟", "乙大学", "南开区", "新材料", "市级", "2019-07-01"],
             ["TJ-3", "天津市生物医药联盟", "丙研究院", "西青区", "生物医药", "市级", "2020-03-05"]]
SUBSIDIES = [["天津市机器人联盟", "2024", "备案补贴", "50", "2024-06-30"],
             ["天津市永磁材料联盟", "2024", "评估补贴", "30", "2024-07-30"]]

# A reader in its own process, as a second dashboard server would be: one JSON line per read.
READER = """
import datetime as dt, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from loaders.registry import connect_read_only
from queries import runner
from queries.policy import load_profile
from queries.scope import Scope
db, stop, profile = Path(sys.argv[2]), Path(sys.argv[3]), load_profile("tianjin-2018")
while not stop.exists():
    try:
        con = connect_read_only(db)
        row = runner.run(con, "overview_kpis", Scope(profile, dt.date(2024, 12, 31))).iloc[0]
        con.close()
        print(json.dumps([int(row.active_alliances), float(row.subsidy_this_year_wan)]), flush=True)
    except Exception as e:
        print(json.dumps(["error", repr(e)]), flush=True)
"""


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


def state_batch(folder: Path, alliances: int, subsidies: int) -> Batch:
    folder.mkdir()
    batch = prepare([write_csv(folder / "联盟名录.csv", [ALLIANCE_HEADER, *ALLIANCES[:alliances]]),
                     write_csv(folder / "资金补贴.csv", [SUBSIDY_HEADER, *SUBSIDIES[:subsidies]])])
    assert batch.ok, [str(p) for p in batch.errors]
    return batch


@pytest.fixture
def states(db: Path, tmp_path: Path) -> tuple[Batch, Batch]:
    a, b = state_batch(tmp_path / "a", 2, 1), state_batch(tmp_path / "b", 3, 2)
    import_batch(db, a, user="测试员")
    return a, b


def figures(con) -> tuple[int, float]:
    row = runner.run(con, "overview_kpis", Scope(load_profile("tianjin-2018"), AS_OF)).iloc[0]
    return int(row.active_alliances), float(row.subsidy_this_year_wan)


def swap_repeatedly(db: Path, a: Batch, b: Batch, done: threading.Event,
                    after_each: Callable[[], None] = lambda: None) -> None:
    try:
        for i in range(SWAPS):
            import_batch(db, b if i % 2 == 0 else a, user="导入员")
            after_each()
    finally:
        done.set()


def test_the_hand_made_states_have_the_figures_worked_out_by_hand(db: Path, states):
    a, b = states
    con = connect_read_only(db)
    assert figures(con) == STATE_A
    con.close()
    import_batch(db, b)
    con = connect_read_only(db)
    assert figures(con) == STATE_B
    con.close()


def test_threads_reading_while_imports_swap_the_file(db: Path, states):
    a, b = states
    done = threading.Event()
    seen: list[tuple] = []
    errors: list[str] = []
    held = connect_read_only(db)  # a page that opened the registry before the imports began
    # Each swap waits until a fresh read begun after it has finished: on a busy machine a read (a new
    # connection builds its context) can outlast all the swaps, and then no reader would see state B.
    swaps, finished = [0], set()
    read_done = threading.Condition()

    def read_fresh() -> None:
        while not done.is_set():
            began = swaps[0]
            try:
                con = connect_read_only(db)
                try:
                    seen.append(figures(con))
                finally:
                    con.close()
            except Exception as e:  # collected, so the assertion shows what went wrong
                errors.append(repr(e))
            with read_done:
                finished.add(began)
                read_done.notify_all()

    def wait_for_a_read() -> None:
        swaps[0] += 1
        with read_done:
            read_done.wait_for(lambda: swaps[0] in finished, timeout=60)

    def read_held() -> None:
        while not done.is_set():
            cursor = read_cursor(held)
            try:
                assert figures(cursor) == STATE_A  # keeps its file: the old registry, whole
            except Exception as e:
                errors.append(repr(e))
            finally:
                cursor.close()

    readers = [threading.Thread(target=read_fresh) for _ in range(4)] + [threading.Thread(target=read_held)]
    for t in readers:
        t.start()
    swap_repeatedly(db, a, b, done, wait_for_a_read)
    for t in readers:
        t.join(60)
    held.close()
    assert errors == []
    assert set(seen) == {STATE_A, STATE_B}, set(seen) - {STATE_A, STATE_B}  # both seen, nothing else


def test_processes_reading_while_imports_swap_the_file(db: Path, states, tmp_path: Path):
    a, b = states
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(ROOT), str(db), str(stop)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        time.sleep(2)  # let them start reading
        swap_repeatedly(db, a, b, threading.Event())
    finally:
        stop.touch()
    results = []
    for proc in readers:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results += [tuple(json.loads(line)) for line in out.splitlines()]
    assert [r for r in results if r[0] == "error"] == []
    assert set(results) == {STATE_A, STATE_B}, set(results) - {STATE_A, STATE_B}
