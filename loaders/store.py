"""Writing the registry: every import builds a new database file and swaps it in.

Why a new file rather than a transaction in the live one: DuckDB lets one process write
*or* many read — a dashboard holding the file open read-only would block an in-place
import, and an import holding it read-write would lock the dashboard out. So an import
reads the current file read-only, builds ``.registry.duckdb.<id>.tmp`` beside it, and
``os.replace``s it in: atomic on one filesystem, so readers see the old file or the new
one, never a mix; a refused or crashed import leaves the current file byte-identical.

Every state that landed is kept as ``<db>.history/<id>.duckdb`` so any earlier state can
be restored, and ``<db>.history/journal.jsonl`` records every attempt (landed, refused,
interrupted) with its files' SHA-256 and row counts.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd
import pyarrow as pa

from .pipeline import Batch, Existing, sha256_of
from .schema import TABLES, ddl

DEFAULT_DB = Path("data/registry.duckdb")
# Journal actions that produce a registry state, and the one that records a change of the bureau's settings.
DATA_ACTIONS = ("import", "rollback")
SETTINGS_ACTION = "settings"


class ImportRefused(Exception):
    """The batch has errors; nothing was written."""

    def __init__(self, batch: Batch):
        super().__init__(f"导入被拒绝：发现 {len(batch.errors)} 个错误，数据库未做任何改动")
        self.batch = batch


class HistoryError(Exception):
    """A rollback target that does not exist or cannot be trusted; message in Chinese."""


@dataclass
class Outcome:
    import_id: int
    row_counts: dict[str, int]
    summary: str


def history_dir(db: Path) -> Path:
    return db.with_name(db.name + ".history")


def journal_path(db: Path) -> Path:
    return history_dir(db) / "journal.jsonl"


def read_journal(db: Path) -> list[dict]:
    path = journal_path(db)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _append_journal(db: Path, record: dict) -> None:
    with journal_path(db).open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        f.flush()
        os.fsync(f.fileno())


@contextmanager
def _import_lock(db: Path) -> Iterator[int]:
    """Serialise writers; yield the next import id. Leftovers of a crashed import are recorded and removed."""
    history_dir(db).mkdir(parents=True, exist_ok=True)
    with (history_dir(db) / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in sorted(db.parent.glob(f".{db.name}.*.tmp")):
            _append_journal(db, {"import_id": _id_of_tmp(stale), "action": "unknown", "outcome": "interrupted",
                                 "at": _now(), "summary": "上次导入中途中断，未生效，数据库保持原样"})
            stale.unlink()
            stale.with_name(stale.name + ".wal").unlink(missing_ok=True)  # DuckDB's log of the crashed build
        # The database's own history counts too: a crash between the swap and the journal line
        # leaves a landed state the journal does not know, and its number must not be reused.
        journaled = max((r["import_id"] for r in read_journal(db) if isinstance(r.get("import_id"), int)), default=0)
        yield max(journaled, _current_import_id(db) if db.exists() else 0) + 1


def _id_of_tmp(path: Path) -> int | None:
    try:
        return int(path.name.rsplit(".", 2)[-2])
    except ValueError:
        return None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def connect_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """A fresh read-only view of the database file as it is now (never a cached older instance)."""
    con = duckdb.connect(":memory:")
    con.execute(f"attach {_sql_string(db)} as registry (read_only)")
    con.execute("use registry")
    return con


def read_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for one thread of a read-only connection; cursors do not inherit USE, so set it."""
    cursor = con.cursor()
    cursor.execute("use registry")
    return cursor


def _sql_string(path: Path) -> str:
    # ATTACH takes no bound parameters; quote the path as a SQL literal.
    return "'" + str(path).replace("'", "''") + "'"


def existing_state(db: Path) -> Existing:
    """The alliances of the current database and the alliances its other tables refer to."""
    if not db.exists():
        return Existing.empty()
    con = connect_read_only(db)
    try:
        alliances = con.execute("select alliance_id, name, name_key from alliances").df()
        child_ids = {t.name: con.execute(f"select distinct alliance_id from {t.name}").df()["alliance_id"]
                     for t in TABLES if t.links_to_alliance}
    finally:
        con.close()
    return Existing(alliances, child_ids)


def import_batch(db: Path, batch: Batch, user: str | None = None) -> Outcome:
    """Store a validated batch as the new registry state, or raise ImportRefused and change nothing.

    Tables in the batch replace their tables whole; tables the batch lacks are carried over.
    """
    started = _now()
    files = [{"name": f.name, "sha256": f.sha256, "size": f.size, "encoding": f.encoding, "parts": f.parts}
             for f in batch.files]
    with _import_lock(db) as import_id:
        if not batch.ok:
            _append_journal(db, {"import_id": import_id, "action": "import", "outcome": "refused", "at": started,
                                 "user": user or getpass.getuser(), "files": files, "errors": len(batch.errors),
                                 "first_errors": [str(p) for p in batch.errors[:20]]})
            raise ImportRefused(batch)
        replaced = ", ".join(f"{t.title} {len(batch.tables[t.name])} 行" for t in TABLES if t.name in batch.tables)
        summary = f"导入 {len(files)} 个文件：{replaced}"
        outcome = _build(db, import_id, "import", started, user, files, summary,
                         frames=batch.tables, carry_from=db if db.exists() else None)
    return outcome


def rollback(db: Path, target: int | None = None, user: str | None = None) -> Outcome:
    """Restore the data of an earlier landed import as a new state (itself undoable)."""
    started = _now()
    with _import_lock(db) as import_id:
        landed = [r for r in read_journal(db) if r.get("outcome") == "ok" and r.get("action") in DATA_ACTIONS]
        if not landed or not db.exists():
            raise HistoryError("还没有任何成功的导入，无可回滚")
        current = _current_import_id(db)
        if target is None:
            earlier = [r["import_id"] for r in landed if r["import_id"] < current and r.get("row_counts") is not None]
            if not earlier:
                raise HistoryError(f"当前状态（批次 {current}）之前没有更早的成功导入")
            target = earlier[-1]
        record = next((r for r in landed if r["import_id"] == target), None)
        if record is None:
            raise HistoryError(f"批次 {target} 不是一次成功的导入，无法回滚到它（用 python -m loaders history 查看）")
        snapshot = history_dir(db) / f"{target}.duckdb"
        if not snapshot.exists():
            raise HistoryError(f"批次 {target} 的快照文件 {snapshot} 不存在")
        if sha256_of(snapshot) != record.get("snapshot_sha256"):
            raise HistoryError(f"批次 {target} 的快照文件已被改动（SHA-256 不符），拒绝用它恢复")
        summary = f"回滚到批次 {target} 的数据"
        return _build(db, import_id, "rollback", started, user, [], summary, frames={}, carry_from=snapshot,
                      restored_from=target, imports_from=db)


def record_change(db: Path, change: Callable[[int], dict]) -> dict:
    """Make a settings change under the writers' lock and journal it: ``change(id)`` writes and returns the record.

    Settings changes share the journal and its numbering with imports, so one record says who
    changed what and when; an exception from ``change`` journals nothing.
    """
    with _import_lock(db) as change_id:
        record = change(change_id)
        _append_journal(db, record)
    return record


def latest_import(db: Path) -> dict:
    """The import (or rollback) that produced the database's current state; {} when none."""
    con = connect_read_only(db)
    try:
        rows = con.execute("select * from imports order by import_id desc limit 1").df().to_dict("records")
    finally:
        con.close()
    return rows[0] if rows else {}


def _current_import_id(db: Path) -> int:
    return latest_import(db).get("import_id", 0)


def _build(db: Path, import_id: int, action: str, started: str, user: str | None, files: list[dict], summary: str,
           frames: dict[str, pd.DataFrame], carry_from: Path | None, restored_from: int | None = None,
           imports_from: Path | None = None) -> Outcome:
    """Write the new state to a temporary file, keep a snapshot of it, then swap it in."""
    tmp = db.with_name(f".{db.name}.{import_id}.tmp")
    imports_from = imports_from or carry_from
    con = duckdb.connect(str(tmp))
    try:
        con.execute(ddl())
        if carry_from is not None:
            con.execute(f"attach {_sql_string(carry_from)} as old (read_only)")
        if imports_from is not None and imports_from != carry_from:
            con.execute(f"attach {_sql_string(imports_from)} as cur (read_only)")
        for t in TABLES:
            if t.name in frames:
                _insert_frame(con, t.name, frames[t.name])
            elif carry_from is not None:
                _copy_table(con, "old", t.name)
        if imports_from is not None:
            _copy_table(con, "old" if imports_from == carry_from else "cur", "imports")
        row_counts = {t.name: con.execute(f"select count(*) from {t.name}").fetchone()[0] for t in TABLES}
        con.execute("insert into imports values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [import_id, action, started, _now(), user or getpass.getuser(),
                     json.dumps(files, ensure_ascii=False), json.dumps(row_counts), restored_from, summary])
        con.execute("checkpoint")
    finally:
        con.close()
    snapshot = history_dir(db) / f"{import_id}.duckdb"
    snapshot_sha256 = _copy_hashing(tmp, snapshot)
    _fsync(tmp)
    os.replace(tmp, db)
    _fsync_dir(db.parent)
    _append_journal(db, {"import_id": import_id, "action": action, "outcome": "ok", "at": started, "finished": _now(),
                         "user": user or getpass.getuser(), "files": files, "row_counts": row_counts,
                         "restored_from": restored_from, "summary": summary,
                         "snapshot_sha256": snapshot_sha256})
    return Outcome(import_id, row_counts, summary)


def _copy_hashing(source: Path, target: Path) -> str:
    """Copy a file and return its SHA-256, reading it once."""
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as dst:
        for chunk in iter(lambda: src.read(1 << 22), b""):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest()


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a clean frame through Arrow (typed, exact DECIMAL), casting each column to its declared type."""
    described = con.execute(f"describe {table}").fetchall()
    incoming = pa.Table.from_pandas(frame[[name for name, *_ in described]], preserve_index=False)
    casts = ", ".join(f"cast({name} as {sql_type})" for name, sql_type, *_ in described)
    con.register("incoming", incoming)
    con.execute(f"insert into {table} select {casts} from incoming")
    con.unregister("incoming")


def _copy_table(con: duckdb.DuckDBPyConnection, source: str, table: str) -> None:
    """Carry a table over by column name, so a state written by an older schema still copies."""
    new_cols = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    old_cols = {r[0] for r in con.execute(f"describe {source}.{table}").fetchall()}
    shared = ", ".join(c for c in new_cols if c in old_cols)
    con.execute(f"insert into {table} ({shared}) select {shared} from {source}.{table}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync(path)


def table_counts(db: Path) -> dict[str, int]:
    """Rows in each registry table (and ``imports``), by table name, as the file stands now."""
    con = connect_read_only(db)
    try:
        return {name: con.execute(f"select count(*) from {name}").fetchall()[0][0]
                for name in [t.name for t in TABLES] + ["imports"]}
    finally:
        con.close()


# The latest date of each kind the data itself holds: what "as of" the registry really is.
_DATA_DATES = {
    "filed_date": "select max(filed_date) from alliances",
    "event_date": "select max(event_date) from events",
    "paid_date": "select max(paid_date) from subsidies",
    "submitted_date": "select max(submitted_date) from annual_reports",
}


def data_dates(db: Path) -> dict[str, dt.date | None]:
    """Latest 备案日期, 事项日期, 拨付日期 and 提交日期 in the registry (None for a table without any)."""
    con = connect_read_only(db)
    try:
        return {key: con.execute(sql).fetchall()[0][0] for key, sql in _DATA_DATES.items()}
    finally:
        con.close()
