"""Atomic imports, crash safety, readers, import history and rollback (loaders/store.py)."""
from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from loaders import store
from loaders.pipeline import prepare
from loaders.registry import connect_read_only, existing_state
from loaders.schema import TABLES
from loaders.store import HistoryError, ImportRefused, history_dir, import_batch, journal_path, read_journal, rollback

ROOT = Path(__file__).resolve().parent.parent
ROBOT = "天津市工业机器人产业技术创新战略联盟"
MAGNET = "天津市稀土新材料（永磁）产业技术创新战略联盟"
PHARMA = "天津市生物医药产业技术创新战略联盟"
ALLIANCE_HEADER = ["联盟编号", "联盟名称", "对外责任主体单位", "产业领域", "级别", "备案日期"]
SUBSIDY_HEADER = ["联盟名称", "年度", "补贴类型", "金额（万元）", "拨付日期"]


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def alliances_file(folder: Path, *extra: list, name: str = "联盟名录.csv") -> Path:
    return write_csv(folder / name, [
        ALLIANCE_HEADER,
        ["TJLM-001", ROBOT, "天津某机器人有限公司", "高端装备", "市级", "2019-06-28"],
        ["TJLM-002", MAGNET, "天津大学", "新材料", "市级", "2019年7月1日"],
        *extra,
    ])


def subsidies_file(folder: Path, amount: str = "50", name: str = "资金补贴.csv") -> Path:
    return write_csv(folder / name, [
        SUBSIDY_HEADER,
        [ROBOT, "2019", "备案补贴", amount, "2019-12-20"],
        ["天津市稀土新材料(永磁)产业技术创新战略联盟", "2020", "评估补贴", "30", "2020-12-20"],
    ], "gbk")


def broken_file(folder: Path) -> Path:
    return write_csv(folder / "坏的资金补贴.csv", [SUBSIDY_HEADER, [ROBOT, "2019", "备案补贴", "-50", "2019-02-30"]])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def do_import(db: Path, *paths: Path) -> store.Outcome:
    batch = prepare(paths, existing=existing_state(db))
    assert batch.ok, [str(p) for p in batch.errors]
    return import_batch(db, batch, user="测试员")


def state(db: Path) -> dict[str, pd.DataFrame]:
    """Every registry table's full contents (the imports table aside), in a stable order."""
    con = connect_read_only(db)
    try:   # fetchall, not .df(): .df() turns DECIMAL into float64 and would hide a wrong cent
        out = {}
        for t in TABLES:
            cursor = con.execute(f"select * from {t.name} order by all")
            out[t.name] = pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description], dtype="object")
        return out
    finally:
        con.close()


def assert_same_state(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def imports(db: Path) -> list[tuple]:
    con = connect_read_only(db)
    try:
        return con.execute("select import_id, action, restored_from from imports order by import_id").fetchall()
    finally:
        con.close()


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.glob(f".{db.name}*"))


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def _three_states(tmp_path_factory) -> tuple[Path, Path, dict[int, dict[str, pd.DataFrame]]]:
    """Imports 1 (two alliances), 2 (+ subsidies), 3 (a third alliance), built once; the state after each."""
    folder = tmp_path_factory.mktemp("three")
    db, src = folder / "registry.duckdb", folder / "exports"
    src.mkdir()
    states = {}
    assert do_import(db, alliances_file(src)).import_id == 1
    states[1] = state(db)
    assert do_import(db, subsidies_file(src)).import_id == 2
    states[2] = state(db)
    third = ["TJLM-003", PHARMA, "天津某药业有限公司", "生物医药", "省级", "2020-05-01"]
    assert do_import(db, alliances_file(src, third, name="联盟名录2020.csv")).import_id == 3
    states[3] = state(db)
    assert [len(s["alliances"]) for s in states.values()] == [2, 2, 3]
    assert [len(s["subsidies"]) for s in states.values()] == [0, 2, 2]
    return db, src, states


@pytest.fixture
def three_states(_three_states, db: Path, src: Path) -> dict[int, dict[str, pd.DataFrame]]:
    """This test's own copy of the three-import database (file, snapshots, journal) and its export files."""
    built, built_src, states = _three_states
    shutil.copyfile(built, db)
    shutil.copytree(history_dir(built), history_dir(db))
    shutil.copytree(built_src, src, dirs_exist_ok=True)
    return states


# ---- refusal and crashes leave the database byte-identical ------------------------------------

def test_refused_import_leaves_everything_but_the_journal_untouched(db: Path, src: Path):
    do_import(db, alliances_file(src))
    before = sha256(db)
    snapshots = {p.name: sha256(p) for p in history_dir(db).glob("*.duckdb")}
    batch = prepare([subsidies_file(src), broken_file(src)], existing=existing_state(db))
    assert len(batch.errors) == 2
    with pytest.raises(ImportRefused, match="发现 2 个错误，数据库未做任何改动"):
        import_batch(db, batch)
    assert sha256(db) == before
    assert {p.name: sha256(p) for p in history_dir(db).glob("*.duckdb")} == snapshots
    assert leftovers(db) == []
    record = read_journal(db)[-1]
    assert (record["import_id"], record["outcome"], record["errors"]) == (2, "refused", 2)
    assert [f["name"] for f in record["files"]] == ["资金补贴.csv", "坏的资金补贴.csv"]
    assert all("坏的资金补贴.csv" in e for e in record["first_errors"])
    assert imports(db) == [(1, "import", None)]


def test_refused_first_import_creates_no_database(db: Path, src: Path):
    batch = prepare([broken_file(src)])
    with pytest.raises(ImportRefused):
        import_batch(db, batch)
    assert not db.exists()
    assert read_journal(db)[-1]["outcome"] == "refused"


def test_crash_mid_import_leaves_the_database_byte_identical(db: Path, src: Path, monkeypatch):
    do_import(db, alliances_file(src))
    before, before_state = sha256(db), state(db)
    real = store._insert_frame
    inserted: list[str] = []

    def crash_on_subsidies(con, table, frame):  # the tables are written side by side: one lands, one fails
        if table == "subsidies":
            raise RuntimeError("磁盘已满（模拟）")
        real(con, table, frame)
        inserted.append(table)

    monkeypatch.setattr(store, "_insert_frame", crash_on_subsidies)
    third = ["TJLM-003", PHARMA, "天津某药业有限公司", "生物医药", "省级", "2020-05-01"]
    batch = prepare([alliances_file(src, third, name="新名录.csv"), subsidies_file(src)], existing=existing_state(db))
    with pytest.raises(RuntimeError, match="模拟"):
        import_batch(db, batch)
    assert inserted == ["alliances"]
    assert sha256(db) == before
    assert_same_state(state(db), before_state)
    assert leftovers(db) == [f".{db.name}.2.tmp"]
    assert not (history_dir(db) / "2.duckdb").exists()
    monkeypatch.undo()

    outcome = do_import(db, subsidies_file(src))
    assert outcome.import_id == 3
    assert leftovers(db) == []
    interrupted = [r for r in read_journal(db) if r["outcome"] == "interrupted"]
    assert [r["import_id"] for r in interrupted] == [2]
    assert "中断" in interrupted[0]["summary"]
    assert [r["outcome"] for r in read_journal(db)] == ["ok", "interrupted", "ok"]
    assert imports(db) == [(1, "import", None), (3, "import", None)]


CRASHING_IMPORT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from loaders import registry, store
    from loaders.pipeline import prepare

    real = store._insert_frame

    def die_after_first_table(con, table, frame):  # the other table may be half written
        real(con, table, frame)
        print("inserted", table, flush=True)
        os._exit(1)           # no finally, no checkpoint, no cleanup: as if the power went

    store._insert_frame = die_after_first_table
    db = Path(sys.argv[2])
    batch = prepare([Path(p) for p in sys.argv[3:]], existing=registry.existing_state(db))
    assert batch.ok, batch.errors
    store.import_batch(db, batch)
    print("not reached", flush=True)
""")


def test_real_process_crash_mid_import(db: Path, src: Path, tmp_path: Path):
    do_import(db, alliances_file(src))
    before, before_state = sha256(db), state(db)
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_IMPORT, encoding="utf-8")
    third = ["TJLM-003", PHARMA, "天津某药业有限公司", "生物医药", "省级", "2020-05-01"]
    files = [alliances_file(src, third, name="新名录.csv"), subsidies_file(src)]
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_DB"}
    done = subprocess.run([sys.executable, str(script), str(ROOT), str(db), *map(str, files)],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1, done.stderr
    said, table = done.stdout.split()     # the tables are written side by side: whichever lands first
    assert said == "inserted" and table in ("alliances", "subsidies"), done.stdout
    assert sha256(db) == before
    assert_same_state(state(db), before_state)
    assert f".{db.name}.2.tmp" in leftovers(db)
    assert [r["outcome"] for r in read_journal(db)] == ["ok"]       # the crash could not journal itself

    outcome = do_import(db, *files)
    assert outcome.import_id == 3
    assert outcome.row_counts["alliances"] == 3 and outcome.row_counts["subsidies"] == 2
    assert leftovers(db) == [], "stale temporary files of the crashed import are left behind"
    journal = read_journal(db)
    assert [(r["import_id"], r["outcome"]) for r in journal] == [(1, "ok"), (2, "interrupted"), (3, "ok")]


def test_crash_after_the_swap_but_before_the_journal(db: Path, src: Path, monkeypatch):
    do_import(db, alliances_file(src))

    def power_cut(path):
        raise RuntimeError("断电（模拟）")

    monkeypatch.setattr(store, "_fsync_dir", power_cut)
    with pytest.raises(RuntimeError):
        do_import(db, subsidies_file(src))
    monkeypatch.undo()
    assert imports(db) == [(1, "import", None), (2, "import", None)]     # state 2 did land
    outcome = do_import(db, subsidies_file(src, amount="60"))             # fails today: duplicate import_id 2
    assert outcome.import_id == 3


# ---- readers ------------------------------------------------------------------------------------

def test_a_reader_keeps_its_view_and_a_new_reader_sees_the_import(db: Path, src: Path):
    do_import(db, alliances_file(src))
    old_reader = connect_read_only(db)
    try:
        assert old_reader.execute("select count(*) from subsidies").fetchone()[0] == 0
        do_import(db, subsidies_file(src))                     # the reader's open file does not block this
        assert old_reader.execute("select count(*) from subsidies").fetchone()[0] == 0
        assert old_reader.execute("select max(import_id) from imports").fetchone()[0] == 1
        new_reader = connect_read_only(db)
        try:
            assert new_reader.execute("select count(*) from subsidies").fetchone()[0] == 2
            assert new_reader.execute("select max(import_id) from imports").fetchone()[0] == 2
        finally:
            new_reader.close()
    finally:
        old_reader.close()


def test_reader_connection_is_read_only(db: Path, src: Path):
    do_import(db, alliances_file(src))
    con = connect_read_only(db)
    try:
        with pytest.raises(Exception):
            con.execute("delete from alliances")
    finally:
        con.close()
    assert len(state(db)["alliances"]) == 2


# ---- history and rollback ---------------------------------------------------------------------

def test_journal_records_files_hashes_and_row_counts(db: Path, src: Path, three_states):
    journal = read_journal(db)
    assert [(r["import_id"], r["action"], r["outcome"]) for r in journal] == [
        (1, "import", "ok"), (2, "import", "ok"), (3, "import", "ok")]
    second = journal[1]
    assert second["user"] == "测试员"
    assert second["row_counts"] == {"alliances": 2, "members": 0, "subsidies": 2, "events": 0, "annual_reports": 0}
    [f] = second["files"]
    assert (f["name"], f["sha256"], f["size"]) == ("资金补贴.csv", sha256(src / "资金补贴.csv"),
                                                  (src / "资金补贴.csv").stat().st_size)
    assert f["encoding"] == "GB18030"
    assert f["parts"] == [{"table": "subsidies", "sheet": None, "rows": 2}]
    for r in journal:
        assert r["snapshot_sha256"] == sha256(history_dir(db) / f"{r['import_id']}.duckdb")
    assert sha256(db) == journal[-1]["snapshot_sha256"]          # the live file is the last snapshot
    # One JSON line per step of each attempt (started, building, ok): every line whole, each attempt ending once.
    lines = [json.loads(line) for line in journal_path(db).read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [r["outcome"] for r in lines] == ["started", "building", "ok"] * 3
    assert [r["attempt"] for r in lines if r["outcome"] == "ok"] == [r["attempt"] for r in lines
                                                                     if r["outcome"] == "started"]


def test_imports_table_lists_the_lineage(db: Path, src: Path, three_states):
    con = connect_read_only(db)
    try:
        rows = con.execute("select import_id, action, user_name, files, row_counts, restored_from, summary "
                           "from imports order by import_id").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == [1, 2, 3]
    assert {r[1] for r in rows} == {"import"} and {r[2] for r in rows} == {"测试员"}
    assert '"资金补贴.csv"' in rows[1][3] and sha256(src / "资金补贴.csv") in rows[1][3]
    assert '"subsidies": 2' in rows[1][4]
    assert rows[1][6] == "导入 1 个文件：资金补贴 2 行"
    rollback(db, 1)
    assert imports(db) == [(1, "import", None), (2, "import", None), (3, "import", None), (4, "rollback", 1)]


def test_rollback_by_default_restores_the_previous_state(db: Path, three_states):
    outcome = rollback(db, user="测试员")
    assert (outcome.import_id, outcome.summary) == (4, "回滚到批次 2 的数据")
    assert outcome.row_counts == {"alliances": 2, "members": 0, "subsidies": 2, "events": 0, "annual_reports": 0}
    assert_same_state(state(db), three_states[2])
    record = read_journal(db)[-1]
    assert (record["action"], record["outcome"], record["restored_from"]) == ("rollback", "ok", 2)


def test_rollback_to_an_explicit_import(db: Path, three_states):
    rollback(db, 1)
    assert_same_state(state(db), three_states[1])
    rollback(db, 3)
    assert_same_state(state(db), three_states[3])


def test_rollback_of_a_rollback(db: Path, three_states):
    rollback(db, 1)
    assert_same_state(state(db), three_states[1])
    undo = rollback(db)                                 # the state before the rollback: import 3
    assert undo.summary == "回滚到批次 3 的数据"
    assert_same_state(state(db), three_states[3])
    rollback(db, 4)                                     # a rollback's own state can be restored too
    assert_same_state(state(db), three_states[1])
    assert imports(db)[-3:] == [(4, "rollback", 1), (5, "rollback", 3), (6, "rollback", 4)]


def test_import_after_a_rollback_builds_on_the_restored_state(db: Path, src: Path, three_states):
    rollback(db, 1)
    outcome = do_import(db, subsidies_file(src, amount="0.0001"))
    assert outcome.import_id == 5
    after = state(db)
    assert_same_state({"alliances": after["alliances"]}, {"alliances": three_states[1]["alliances"]})
    assert sorted(map(str, after["subsidies"]["amount_yuan"])) == ["1.00", "300000.00"]


@pytest.mark.parametrize("target, says", [(99, "不是一次成功的导入"), (0, "不是一次成功的导入")])
def test_rollback_refuses_an_unknown_import(db: Path, three_states, target: int, says: str):
    before = sha256(db)
    with pytest.raises(HistoryError, match=says):
        rollback(db, target)
    assert sha256(db) == before


def test_rollback_refuses_a_refused_import(db: Path, src: Path, three_states):
    with pytest.raises(ImportRefused):
        import_batch(db, prepare([broken_file(src)], existing=existing_state(db)))
    refused_id = read_journal(db)[-1]["import_id"]
    assert refused_id == 4
    before = sha256(db)
    with pytest.raises(HistoryError, match="批次 4 不是一次成功的导入"):
        rollback(db, refused_id)
    assert sha256(db) == before


def test_rollback_refuses_a_tampered_snapshot(db: Path, three_states):
    snapshot = history_dir(db) / "1.duckdb"
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snapshot.write_bytes(bytes(data))
    before, journal = sha256(db), read_journal(db)
    with pytest.raises(HistoryError, match="已被改动（SHA-256 不符）"):
        rollback(db, 1)
    assert sha256(db) == before and read_journal(db) == journal
    rollback(db, 2)                                      # untouched snapshots still restore
    assert_same_state(state(db), three_states[2])


def test_rollback_refuses_a_missing_snapshot(db: Path, three_states):
    (history_dir(db) / "2.duckdb").unlink()
    with pytest.raises(HistoryError, match="快照文件.*不存在"):
        rollback(db, 2)


def test_rollback_with_nothing_to_go_back_to(db: Path, src: Path):
    with pytest.raises(HistoryError, match="还没有任何成功的导入"):
        rollback(db)
    do_import(db, alliances_file(src))
    with pytest.raises(HistoryError, match="之前没有更早的成功导入"):
        rollback(db)


# ---- kill -9 anywhere: every state intact, every attempt journaled, no orphan files ---------------

KILLING_LOAD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[1])
    from loaders import pipeline, store
    from loaders.__main__ import main

    module, name, when = sys.argv[2].split(":")
    if module != "none":
        target = {"pipeline": pipeline, "store": store}[module]
        real = getattr(target, name)

        def killed(*args, **kwargs):
            if when == "after":
                real(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)      # kill -9: no finally, no atexit, no flush

        setattr(target, name, killed)
    sys.exit(main(["load", "--db", sys.argv[3], *sys.argv[4:]]))
""")

# Points of an import, in order; True where the new state has landed when the kill comes.
KILL_POINTS = {
    "pipeline:read_grids:before": False,          # reading the files
    "pipeline:_validate_registry:before": False,  # validating them
    "store:_recover:after": False,                # holding the writers' lock
    "store:_insert_frame:after": False,           # the new database half written
    "store:_snapshot:after": False,               # snapshot copied, not yet swapped in
    "store:_fsync_dir:before": True,              # swapped in, not yet journaled
    "store:prune:before": True,                   # journaled, old snapshots not yet pruned
    "none:none:none": True,                       # not killed
}


def run_killed(script: Path, db: Path, point: str, *files: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_DB"}
    return subprocess.run([sys.executable, str(script), str(ROOT), point, str(db), *map(str, files)],
                          capture_output=True, text=True, timeout=120, env=env)


def assert_history_sound(db: Path) -> None:
    """No leftovers; every started attempt ended once; every snapshot a landed state with the journaled hash."""
    assert leftovers(db) == [], leftovers(db)
    assert not list((history_dir(db) / "running").iterdir())
    raw = store._raw_journal(db)
    started = [r["attempt"] for r in raw if r["outcome"] == "started"]
    ended = [r["attempt"] for r in raw if r.get("attempt") and r["outcome"] not in ("started", "building")]
    assert sorted(started) == sorted(ended)
    landed = {r["import_id"]: r for r in read_journal(db) if r["outcome"] == "ok"}
    lineage = {row[0] for row in imports(db)}
    assert set(landed) == lineage
    for path in history_dir(db).glob("*.duckdb"):
        assert int(path.stem) in landed, f"orphan snapshot {path.name}"
        assert sha256(path) == landed[int(path.stem)]["snapshot_sha256"]
    assert sha256(db) == landed[max(landed)]["snapshot_sha256"]


def test_kill_during_read_is_journaled_with_files_sha256_user_and_start(db: Path, src: Path, tmp_path: Path):
    do_import(db, alliances_file(src))
    before = sha256(db)
    script = tmp_path / "kill.py"
    script.write_text(KILLING_LOAD, encoding="utf-8")
    files = [subsidies_file(src), alliances_file(src, name="联盟名录2.csv")]
    done = run_killed(script, db, "pipeline:read_grids:before", *files)
    assert done.returncode == -9
    assert sha256(db) == before and [r["outcome"] for r in read_journal(db)] == ["ok"]   # in flight, not yet known
    do_import(db, subsidies_file(src))
    interrupted = [r for r in read_journal(db) if r["outcome"] == "interrupted"]
    assert len(interrupted) == 1
    [record] = interrupted
    assert [(f["name"], f["sha256"], f["size"]) for f in record["files"]] == [
        (p.name, sha256(p), p.stat().st_size) for p in files]
    assert record["user"] == getpass.getuser() and record["action"] == "import"
    assert record["at"] < read_journal(db)[-1]["at"] or record["at"] == read_journal(db)[-1]["at"]
    assert_history_sound(db)


def test_kill_minus_9_at_random_points_of_twenty_imports(db: Path, src: Path, tmp_path: Path, monkeypatch):
    """20 imports, each of 1–4 alliances, killed at a random point or not: the registry is always the state
    before or the state after, never anything else; the next import tidies up and journals what happened."""
    monkeypatch.setenv(store.KEEP_SNAPSHOTS_ENV, "3")   # prune for real, keeping few
    monkeypatch.setenv(store.KEEP_DAYS_ENV, "0")
    script = tmp_path / "kill.py"
    script.write_text(KILLING_LOAD, encoding="utf-8")
    rows = [[f"TJLM-{i:03d}", f"天津市第{i}测试产业技术创新战略联盟", "某公司", "新材料", "市级", "2019-06-28"]
            for i in range(1, 5)]
    rng = random.Random(9)
    points = list(KILL_POINTS)
    chosen = points + [rng.choice(points) for _ in range(20 - len(points))]   # every point once, then at random
    expected = 0                                         # alliances in the registry (no registry yet)
    for run, point in enumerate(chosen):
        size = rng.randint(1, 4)
        path = write_csv(src / f"联盟名录{run}.csv", [ALLIANCE_HEADER, *rows[:size]])
        done = run_killed(script, db, point, path)
        assert done.returncode == (0 if point.startswith("none") else -9), (point, done.stderr)
        assert "Traceback" not in done.stderr
        if KILL_POINTS[point]:
            expected = size
        if db.exists():
            assert len(state(db)["alliances"]) == expected, (run, point)
        else:
            assert expected == 0
    do_import(db, alliances_file(src))                # the next import recovers whatever was left
    assert_history_sound(db)
    journal = read_journal(db)
    assert sum(r["outcome"] == "interrupted" for r in journal) == sum(not KILL_POINTS[p] for p in chosen)
    assert sum(r["outcome"] == "ok" for r in journal) == sum(KILL_POINTS[p] for p in chosen) + 1
    landed = sorted(r["import_id"] for r in journal if r["outcome"] == "ok")
    assert sorted(int(p.stem) for p in history_dir(db).glob("*.duckdb")) == landed[-3:]   # the policy held


def test_retention_keeps_the_last_n_and_the_young_never_the_current(db: Path, src: Path, monkeypatch):
    for n in range(1, 6):
        third = [f"TJLM-9{n}", f"天津市第{n}保留测试产业技术创新战略联盟", "某公司", "新材料", "市级", "2020-05-01"]
        do_import(db, alliances_file(src, third, name=f"名录{n}.csv"))
    snapshots = lambda: sorted(int(p.stem) for p in history_dir(db).glob("*.duckdb"))  # noqa: E731
    assert snapshots() == [1, 2, 3, 4, 5]
    later = dt.datetime.now() + dt.timedelta(days=10)
    assert store.prune(db, keep_last=2, keep_days=30, now=later) == []            # all younger than 30 days
    assert store.prune(db, keep_last=2, keep_days=7, now=later) == [1, 2, 3]      # older: only the last two stay
    assert snapshots() == [4, 5]
    rollback(db, 4, user="测试员")                                               # 6: the data of 4
    assert store.prune(db, keep_last=1, keep_days=1, now=later + dt.timedelta(days=10)) == [4, 5]
    assert snapshots() == [6]
    with pytest.raises(HistoryError, match="保留策略"):
        rollback(db, 5)
    (history_dir(db) / "99.duckdb").write_bytes(b"")   # a file that is no landed state: removed as an orphan
    assert do_import(db, subsidies_file(src)).import_id == 7
    assert snapshots() == [6, 7]
    assert store.prune(db, keep_last=1, keep_days=0, now=later) == [6]           # the current one (7) stays


def test_history_shows_the_disk_it_uses(db: Path, src: Path, capsys):
    from loaders.__main__ import main

    do_import(db, alliances_file(src))
    do_import(db, subsidies_file(src))
    count, used = store.history_usage(db)
    assert count == 2 and used > sum(p.stat().st_size for p in history_dir(db).glob("*.duckdb"))
    assert main(["history", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"历史快照 2 个，历史目录共占用 {used / 1048576:.1f} MB" in out
    assert "保留最近 30 个及 365 天内的全部快照" in out


def test_a_journal_line_cut_short_by_a_kill_is_skipped(db: Path, src: Path):
    do_import(db, alliances_file(src))
    with journal_path(db).open("a", encoding="utf-8") as f:
        f.write('{"attempt": "x", "outcome": "sta')                   # the power went mid-line
    do_import(db, subsidies_file(src))
    assert [(r["import_id"], r["outcome"]) for r in read_journal(db)] == [(1, "ok"), (2, "ok")]
