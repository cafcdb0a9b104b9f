"""Writing the registry (the writer; reading is ``loaders.registry``): every import builds a new
database file and swaps it in.

Why a new file rather than a transaction in the live one: DuckDB lets one process write
*or* many read — a dashboard holding the file open read-only would block an in-place
import, and an import holding it read-write would lock the dashboard out. So an import
reads the current file read-only, builds ``.registry.duckdb.<id>.tmp`` beside it, and
``os.replace``s it in: atomic on one filesystem, so readers see the old file or the new
one, never a mix; a refused or crashed import leaves the current file byte-identical.

Every state that landed is kept as ``<db>.history/<id>.duckdb`` so any earlier state can
be restored (within the retention policy: the last LIANMENG_KEEP_SNAPSHOTS states and every
state younger than LIANMENG_KEEP_DAYS days, never the current one), and
``<db>.history/journal.jsonl`` records every attempt (landed, refused, empty, interrupted)
with its files' SHA-256, user and start time.

An attempt is journaled as ``started`` before its files are read and holds a lock file
(``<db>.history/running/<token>``) while it runs. A process killed at any point leaves a
started record whose lock nobody holds: the next import journals it as interrupted and removes
what it left (temporary database, snapshot copy), so history cannot rot.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import duckdb
import pyarrow as pa

from . import migrations
from .registry import connect_read_only, sql_string, state_id
from .schema import TABLES, ddl

if TYPE_CHECKING:   # the store writes what the import pipeline read; the pages read the journal without it
    from .pipeline import Batch

DEFAULT_DB = Path("data/registry.duckdb")
KEEP_SNAPSHOTS_ENV, KEEP_DAYS_ENV = "LIANMENG_KEEP_SNAPSHOTS", "LIANMENG_KEEP_DAYS"
KEEP_SNAPSHOTS, KEEP_DAYS = 30, 365
# How the journal's actions and outcomes read to people (CLI history, 数据 and 操作记录 pages).
ACTIONS = {"import": "导入", "rollback": "回滚", "upgrade": "升级数据结构", "check": "校验", "settings": "修改设置"}
OUTCOMES = {"ok": "成功", "refused": "被拒绝", "interrupted": "中断", "empty": "无数据"}
# Journal lines that track an attempt in flight; people see only the outcomes.
IN_FLIGHT = frozenset({"started", "building", "ended"})
# Journal actions that produce a registry state, and the one that records a change of the bureau's settings.
DATA_ACTIONS = ("import", "rollback", "upgrade")
SETTINGS_ACTION = "settings"


class ImportRefused(Exception):
    """The batch has errors; nothing was written."""

    def __init__(self, batch: Batch):
        super().__init__(f"导入被拒绝：发现 {len(batch.errors)} 个错误，数据库未做任何改动")
        self.batch = batch


class HistoryError(Exception):
    """A rollback target that does not exist or cannot be trusted; message in Chinese."""


class RegistryChanged(Exception):
    """The registry changed after the batch was checked: nothing was written; check it again."""

    def __init__(self) -> None:
        super().__init__("校验之后登记库已被他人更新，这批文件没有导入：请按最新的登记库重新校验后再确认")


class NothingToImport(Exception):
    """The files hold headers but no data rows: nothing was written, no batch was made."""

    def __init__(self, batch: Batch):
        names = "、".join(f.name for f in batch.files)
        super().__init__(f"没有导入任何内容：{names} 只有表头、没有数据行，登记库保持不变")
        self.batch = batch


@dataclass
class Attempt:
    """One import, rollback or check in flight: journaled before anything is read."""

    db: Path
    token: str
    action: str
    user: str
    started: str
    files: list[dict]
    ended: bool = False

    def end(self, record: dict) -> None:
        """Journal the outcome of this attempt."""
        _append_journal(self.db, {**record, "attempt": self.token})
        self.ended = True


def sha256_of(path: Path) -> str:
    """A file's SHA-256: its fingerprint in the journal (and a snapshot's)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256s(paths: Iterable[Path]) -> dict[Path, str]:
    """The SHA-256 of each path that is a file, the files hashed side by side (hashlib lets go of the GIL)."""
    files = [Path(p) for p in paths if Path(p).is_file()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(files, pool.map(sha256_of, files)))


def file_records(files: list) -> list[dict]:
    """Journal entries of a batch's files (``FileInfo``): name, SHA-256, size, encoding, tables."""
    return [{"name": f.name, "sha256": f.sha256, "size": f.size, "encoding": f.encoding, "parts": f.parts}
            for f in files]


def path_records(paths: list[Path], digests: dict[Path, str]) -> list[dict]:
    """Journal entries of files not read yet: name, SHA-256 (``digests``, ``sha256s``) and size."""
    return [{"name": p.name, "sha256": digests[p], "size": p.stat().st_size} if p in digests
            else {"name": p.name, "sha256": "", "size": None} for p in paths]


@contextmanager
def attempt(db: Path, files: list[dict], user: str | None = None, action: str = "import") -> Iterator[Attempt]:
    """Journal an attempt as started, hold its lock while it runs, and journal how it ended.

    Leaving by an exception journals it as interrupted; a kill leaves that to the next import.
    """
    running = history_dir(db) / "running"
    running.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    lock = (running / token).open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # held before the journal says "started": a recoverer never sees one unheld
    current = Attempt(db, token, action, user or getpass.getuser(), _now(), files)
    _append_journal(db, {"attempt": token, "outcome": "started", "action": action, "at": current.started,
                         "user": current.user, "files": files})
    try:
        yield current
        if not current.ended:  # a check that passed: nothing for people to see
            current.end({"outcome": "ended"})
    except (HistoryError, RegistryChanged):  # declined before anything was written: no outcome for people
        current.end({"outcome": "ended"})
        raise
    except BaseException:
        if not current.ended:
            building = next((r["import_id"] for r in _raw_journal(db)
                             if r.get("attempt") == token and r.get("outcome") == "building"), None)
            current.end(_ending(db, {"action": action, "at": current.started, "user": current.user, "files": files},
                                building))
        raise
    finally:
        lock.close()
        (running / token).unlink(missing_ok=True)


def _ending(db: Path, started: dict, import_id: int | None) -> dict:
    """The journal record of an attempt that stopped without one: interrupted, or landed when the swap was done."""
    landed = _landed(db, import_id) if import_id is not None else None
    if landed is not None:  # stopped after the swap: the state is live, so it is journaled as such
        snapshot = history_dir(db) / f"{import_id}.duckdb"
        return {"import_id": import_id, "action": landed["action"], "outcome": "ok", "at": started.get("at"),
                "finished": str(landed["finished_at"]), "user": landed["user_name"],
                "files": json.loads(landed["files"] or "[]"), "row_counts": json.loads(landed["row_counts"] or "{}"),
                "restored_from": landed["restored_from"], "summary": landed["summary"] + "（中断后补记）",
                "snapshot_sha256": sha256_of(snapshot) if snapshot.exists() else None}
    return {"import_id": import_id, "action": started.get("action"), "outcome": "interrupted",
            "at": started.get("at"), "user": started.get("user"), "files": started.get("files", []),
            "summary": "中途中断（进程被终止或出错），未生效，数据库保持原样"}


def _landed(db: Path, import_id: int) -> dict | None:
    """The current database's own record of import ``import_id``, if that import landed."""
    if not db.exists():
        return None
    con = connect_read_only(db)
    try:
        cursor = con.execute("select * from imports where import_id = ?", [import_id])
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row else None
    finally:
        con.close()


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
    """Every attempt's outcome (landed, refused, empty, interrupted), oldest first."""
    return [r for r in _raw_journal(db) if r.get("outcome") not in IN_FLIGHT]


def _raw_journal(db: Path) -> list[dict]:
    path = journal_path(db)
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:  # a line cut short by a kill mid-write is skipped, never fatal
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _append_journal(db: Path, record: dict) -> None:
    # One write() on an O_APPEND descriptor: lines from several processes never interleave.
    line = ("\n" + json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    history_dir(db).mkdir(parents=True, exist_ok=True)
    fd = os.open(journal_path(db), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _import_lock(db: Path) -> Iterator[int]:
    """Serialise writers; yield the next import id. Leftovers of crashed attempts are recorded and removed."""
    history_dir(db).mkdir(parents=True, exist_ok=True)
    with (history_dir(db) / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _recover(db)
        # The database's own history counts too: a crash between the swap and the journal line
        # leaves a landed state the journal does not know, and its number must not be reused.
        journaled = max((r["import_id"] for r in _raw_journal(db) if isinstance(r.get("import_id"), int)), default=0)
        yield max(journaled, state_id(db)) + 1


def _recover(db: Path) -> None:
    """Journal attempts killed mid-way and remove what they left: temporary databases, orphan snapshots."""
    records = _raw_journal(db)
    ended = {r.get("attempt") for r in records if r.get("outcome") not in ("started", "building")}
    building = {r.get("attempt"): r.get("import_id") for r in records if r.get("outcome") == "building"}
    covered = set()
    for r in records:
        token = r.get("attempt")
        if r.get("outcome") == "started" and token not in ended and not _running(db, token):
            _append_journal(db, {**_ending(db, r, building.get(token)), "attempt": token})
            ended.add(token)
        if token in ended and token in building:
            covered.add(building[token])
    running = history_dir(db) / "running"
    for leftover in running.iterdir() if running.exists() else ():
        if not _running(db, leftover.name):
            leftover.unlink(missing_ok=True)
    for stale in sorted(db.parent.glob(f".{db.name}.*.tmp")):
        if _id_of_tmp(stale) not in covered:  # written by an attempt that kept no journal of its own
            _append_journal(db, {"import_id": _id_of_tmp(stale), "action": "unknown", "outcome": "interrupted",
                                 "at": _now(), "summary": "上次导入中途中断，未生效，数据库保持原样"})
        stale.unlink()
        stale.with_name(stale.name + ".wal").unlink(missing_ok=True)  # DuckDB's log of the crashed build
    journaled = {r["import_id"] for r in records if r.get("outcome") == "ok"}
    unknown = [(path, i) for path, i in _snapshots(db) if i not in journaled]
    lineage = _lineage(db) if unknown else set()  # the database's own record, read only when needed
    for snapshot, import_id in unknown:
        if import_id not in lineage:  # copied, then killed before the swap: a state that never was
            snapshot.unlink(missing_ok=True)


def _running(db: Path, token: str | None) -> bool:
    """True while the attempt ``token`` holds its lock file (in this process or any other)."""
    if not token:
        return False
    path = history_dir(db) / "running" / token
    if not path.exists():
        return False
    with path.open("a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def _lineage(db: Path) -> set[int]:
    """The import ids the current database's own imports table lists (its state and those before)."""
    if not db.exists():
        return set()
    con = connect_read_only(db)
    try:
        return {row[0] for row in con.execute("select import_id from imports").fetchall()}
    finally:
        con.close()


def _snapshots(db: Path) -> list[tuple[Path, int]]:
    """Snapshot files of the history folder and their import ids."""
    found = []
    for path in history_dir(db).glob("*.duckdb"):
        if path.stem.isdigit():
            found.append((path, int(path.stem)))
    return sorted(found, key=lambda pair: pair[1])


def retention() -> tuple[int, int]:
    """(snapshots always kept, days within which every landed state is kept), from the environment."""
    def setting(name: str, default: int, least: int) -> int:
        try:
            return max(least, int(os.environ.get(name, default)))
        except ValueError:
            return default
    return setting(KEEP_SNAPSHOTS_ENV, KEEP_SNAPSHOTS, 1), setting(KEEP_DAYS_ENV, KEEP_DAYS, 0)


def prune(db: Path, keep_last: int, keep_days: int, now: dt.datetime | None = None,
          current: int | None = None) -> list[int]:
    """Delete snapshots beyond the retention policy; return their import ids. The current one always stays.

    ``current``: the current state's id when the caller knows it (it just wrote it), else read from ``db``.
    """
    now = now or dt.datetime.now()
    landed = {r["import_id"]: r for r in read_journal(db) if r.get("outcome") == "ok"}
    current = current or state_id(db) or None
    snapshots = _snapshots(db)
    recent = {i for _, i in snapshots[-keep_last:]}
    removed = []
    for snapshot, import_id in snapshots:
        finished = str((landed.get(import_id) or {}).get("finished") or (landed.get(import_id) or {}).get("at") or "")
        try:
            young = now - dt.datetime.fromisoformat(finished) < dt.timedelta(days=keep_days)
        except ValueError:
            young = False
        if import_id in recent or import_id == current or young:
            continue
        snapshot.unlink(missing_ok=True)
        removed.append(import_id)
    return removed


def history_usage(db: Path) -> tuple[int, int]:
    """(snapshot files, bytes used by the whole history folder)."""
    folder = history_dir(db)
    used = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
    return len(_snapshots(db)), used


def _id_of_tmp(path: Path) -> int | None:
    try:
        return int(path.name.rsplit(".", 2)[-2])
    except ValueError:
        return None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def import_batch(db: Path, batch: Batch, user: str | None = None, within: Attempt | None = None,
                 expected: int | None = None) -> Outcome:
    """Store a validated batch as the new registry state, or raise and change nothing.

    Tables in the batch replace their tables whole; tables the batch lacks are carried over.
    ImportRefused when the batch has errors, NothingToImport when its files hold no data rows
    (no batch, no snapshot); both are journaled. ``within``: the attempt that read the files.
    ``expected``: the state (``registry.state_id``) the batch was checked against; RegistryChanged,
    decided inside the writers' lock, when another import or rollback landed since.
    """
    if within is None:
        with attempt(db, file_records(batch.files), user) as within:
            return import_batch(db, batch, user, within, expected)
    files = file_records(batch.files)
    if batch.ok and batch.files and not batch.tables:
        note_empty(within, batch)
        raise NothingToImport(batch)
    with _import_lock(db) as import_id:
        if expected is not None and state_id(db) != expected:
            raise RegistryChanged()
        if not batch.ok:
            refuse(within, batch, import_id)
            raise ImportRefused(batch)
        replaced = ", ".join(f"{t.title} {len(batch.tables[t.name])} 行" for t in TABLES if t.name in batch.tables)
        summary = f"导入 {len(files)} 个文件：{replaced}"
        outcome = _build(db, import_id, within, files, summary, frames=batch.tables,
                         carry_from=db if db.exists() else None)
    return outcome


def note_empty(within: Attempt, batch: Batch) -> None:
    """Journal files that hold headers but no data rows: nothing imported, no batch number used."""
    within.end({"import_id": None, "action": within.action, "outcome": "empty", "at": within.started,
                "user": within.user, "files": file_records(batch.files),
                "summary": "文件只有表头、没有数据行：未导入任何内容，登记库保持不变"})


def refuse(within: Attempt, batch: Batch, import_id: int | None = None) -> None:
    """Journal a batch with errors as refused, with its files, user and first errors.

    A refused import takes a batch number (people refer to it); a refused check does not.
    """
    if import_id is None and within.action != "check":
        with _import_lock(within.db) as import_id:
            return refuse(within, batch, import_id)
    within.end({"import_id": import_id, "action": within.action, "outcome": "refused", "at": within.started,
                "user": within.user, "files": file_records(batch.files) or within.files,
                "errors": len(batch.errors), "first_errors": [str(p) for p in batch.errors[:20]]})


def rollback(db: Path, target: int | None = None, user: str | None = None) -> Outcome:
    """Restore the data of an earlier landed import as a new state (itself undoable)."""
    with attempt(db, [], user, "rollback") as within, _import_lock(db) as import_id:
        landed = [r for r in read_journal(db) if r.get("outcome") == "ok" and r.get("action") in DATA_ACTIONS]
        if not landed or not db.exists():
            raise HistoryError("还没有任何成功的导入，无可回滚")
        current = state_id(db)
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
            keep_last, keep_days = retention()
            raise HistoryError(f"批次 {target} 的快照文件 {snapshot.name} 已不存在（快照按保留策略只保留最近 {keep_last} 个"
                               f"及 {keep_days} 天内的全部）")
        if sha256_of(snapshot) != record.get("snapshot_sha256"):
            raise HistoryError(f"批次 {target} 的快照文件已被改动（SHA-256 不符），拒绝用它恢复")
        summary = f"回滚到批次 {target} 的数据"
        return _build(db, import_id, within, [], summary, frames={}, carry_from=snapshot,
                      restored_from=target, imports_from=db)


def upgrade(db: Path, user: str | None = None) -> Outcome | None:
    """Bring a registry of an older schema version to the current one, as a new state (itself undoable).

    None when there is nothing to upgrade: no database, or one already at the current version.
    """
    if not db.exists() or migrations.file_version(db) >= migrations.current():
        return None
    with attempt(db, [], user, "upgrade") as within, _import_lock(db) as import_id:
        old = migrations.file_version(db)  # again inside the lock: another writer may have upgraded it
        if old >= migrations.current():
            within.end({"outcome": "ended"})
            return None
        return _build(db, import_id, within, [], f"数据结构从版本 {old} 升级到版本 {migrations.current()}，数据不变",
                      frames={}, carry_from=db)


def record_change(db: Path, change: Callable[[int], dict]) -> dict:
    """Make a settings change under the writers' lock and journal it: ``change(id)`` writes and returns the record.

    Settings changes share the journal and its numbering with imports, so one record says who
    changed what and when; an exception from ``change`` journals nothing.
    """
    with _import_lock(db) as change_id:
        record = change(change_id)
        _append_journal(db, record)
    return record


def _build(db: Path, import_id: int, within: Attempt, files: list[dict], summary: str,
           frames: dict[str, pa.Table], carry_from: Path | None, restored_from: int | None = None,
           imports_from: Path | None = None) -> Outcome:
    """Write the new state to a temporary file, keep a snapshot of it, then swap it in."""
    _append_journal(db, {"attempt": within.token, "outcome": "building", "import_id": import_id})
    action, started, user = within.action, within.started, within.user
    tmp = db.with_name(f".{db.name}.{import_id}.tmp")
    imports_from = imports_from or carry_from
    stack = ExitStack()  # migrated copies of older sources, removed once the new state is written
    con = duckdb.connect(str(tmp))
    try:
        con.execute(ddl())
        migrations.record(con)
        if carry_from is not None:
            _attach(con, stack, carry_from, "old")
        if imports_from is not None and imports_from != carry_from:
            _attach(con, stack, imports_from, "cur")
        # Two tables at a time, the largest first, each on its own cursor: a table of one row group (up to
        # 122,880 rows) is compressed on one thread, so one at a time left a core idle (+0.3 s at 1.7M member
        # rows); all five at once, their insert buffers added up (+260 MB against +180).
        def write(name: str) -> None:
            with con.cursor() as cursor:
                _insert_frame(cursor, name, frames[name])

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(write, sorted(frames, key=lambda name: -len(frames[name]))))
        for t in TABLES:
            if t.name not in frames and carry_from is not None:
                _copy_table(con, "old", t.name)
        if imports_from is not None:
            _copy_table(con, "old" if imports_from == carry_from else "cur", "imports")
        row_counts = {t.name: con.execute(f"select count(*) from {t.name}").fetchone()[0] for t in TABLES}
        con.execute("insert into imports values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [import_id, action, started, _now(), user,
                     json.dumps(files, ensure_ascii=False), json.dumps(row_counts), restored_from, summary])
        con.execute("checkpoint")
    finally:
        con.close()
        stack.close()
    snapshot = history_dir(db) / f"{import_id}.duckdb"
    snapshot_sha256 = _snapshot(tmp, snapshot)
    _fsync(tmp)
    os.replace(tmp, db)
    _fsync_dir(db.parent)
    within.end({"import_id": import_id, "action": action, "outcome": "ok", "at": started, "finished": _now(),
                "user": user, "files": files, "row_counts": row_counts, "restored_from": restored_from,
                "summary": summary, "snapshot_sha256": snapshot_sha256})
    prune(db, *retention(), current=import_id)
    return Outcome(import_id, row_counts, summary)


def _attach(con: duckdb.DuckDBPyConnection, stack: ExitStack, source: Path, alias: str) -> None:
    """Attach a state to carry from, read only; one of an older schema version through a migrated copy."""
    con.execute(f"attach {sql_string(stack.enter_context(migrations.upgraded_copy(source)))} as {alias} (read_only)")


def _snapshot(source: Path, target: Path) -> str:
    """Copy the new state to its snapshot, on disk before it is swapped in; return the snapshot's SHA-256.

    The kernel copies (copy_file_range): through Python, 4 MB at a time, it took 0.28 s of an 80 MB registry.
    """
    shutil.copyfile(source, target)
    _fsync(target)
    return sha256_of(target)


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pa.Table) -> None:
    """Insert a clean table (typed, exact DECIMAL) as DuckDB scans it, casting each column to its declared type.

    A name's key comes as stored: only where it differs from the name (``normalise.stored_key_column``).
    """
    described = con.execute(f"describe {table}").fetchall()
    incoming = frame.select([name for name, *_ in described])
    casts = ", ".join(f"cast({name} as {sql_type})" for name, sql_type, *_ in described)
    con.register("incoming", incoming)
    con.execute(f"insert into {table} select {casts} from incoming")
    con.unregister("incoming")


def _copy_table(con: duckdb.DuckDBPyConnection, source: str, table: str) -> None:
    """Carry a table over by column name from a source at the current schema version (``migrations``).

    A column the source has and the schema lacks is an error, never dropped: its migration is missing.
    """
    new_cols = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    old_cols = [r[0] for r in con.execute(f"describe {source}.{table}").fetchall()]
    if lost := [c for c in old_cols if c not in new_cols]:
        raise RuntimeError(f"表 {table} 的列 {'、'.join(lost)} 在新的数据结构中不存在，也没有迁移说明它的去向："
                           "为避免丢失数据，登记库未做任何改动（loaders/migrations.py）")
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
