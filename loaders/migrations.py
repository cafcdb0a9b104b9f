"""Schema versions: every registry file records its version; older files are carried forward by migrations.

Version 1 is the registry as written before versions were recorded (no ``schema_version``
table; tests/fixtures/registry_v1.sql). Each later version is one entry of ``MIGRATIONS``, in order: the SQL that turns a file
of the version before into this one, and one line saying why. A changed ``loaders/schema.py``
needs its migration here: tests/test_migrations.py checks that version 1 plus every migration
gives exactly the columns ``schema.ddl()`` creates, so a renamed column is carried by its
migration (``alter table … rename column``) and never silently dropped.

When: the writer (``store``) never alters the live file. A registry older than ``current()`` is
upgraded as a new state of its own (``store.upgrade``: snapshot, journal, undoable like an
import) — automatically before the next import is checked (``service.check`` / ``load``), by
``python -m loaders upgrade``, and by ``python -m loaders init`` (so ``make run`` upgrades an
existing registry before the dashboard opens it). A rollback to a snapshot of an older version
migrates a temporary copy of that snapshot (``upgraded_copy``), so it lands at the current version too.
"""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb

from .registry import connect_read_only
from .schema import VERSION_TABLE


@dataclass(frozen=True)
class Migration:
    """From version ``version - 1`` to ``version``."""

    version: int
    why: str      # one line for the maintainer reading the list
    sql: str      # run against the file being upgraded, in one transaction


# Each migration's SQL is history: written out in full and never edited, whatever schema.py becomes.
MIGRATIONS: list[Migration] = [
    Migration(2, "the registry records its schema version, so an older file can be recognised and upgraded",
              "create table schema_version (version integer primary key, why varchar not null)"),
]


def current() -> int:
    """The schema version ``schema.ddl()`` creates: the last migration's."""
    return MIGRATIONS[-1].version


def version_of(con: duckdb.DuckDBPyConnection, catalog: str = "registry") -> int:
    """The schema version of the attached database ``catalog`` (1 when it records none)."""
    found = con.execute("select count(*) from duckdb_tables() where database_name = ? and table_name = ?",
                        [catalog, VERSION_TABLE]).fetchone()[0]
    if not found:
        return 1
    return con.execute(f"select coalesce(max(version), 1) from {catalog}.{VERSION_TABLE}").fetchone()[0]


def file_version(db: Path) -> int:
    """The schema version of the registry file ``db``, read only."""
    con = connect_read_only(db)
    try:
        return version_of(con)
    finally:
        con.close()


def record(con: duckdb.DuckDBPyConnection, migrations: list[Migration] | None = None) -> None:
    """Record every version in a freshly created current-schema database (the ``use``d catalog)."""
    for m in MIGRATIONS if migrations is None else migrations:
        con.execute(f"insert into {VERSION_TABLE} values (?, ?)", [m.version, m.why])


def migrate(con: duckdb.DuckDBPyConnection, migrations: list[Migration] | None = None) -> list[Migration]:
    """Apply the pending migrations to the ``use``d read-write database, each in a transaction; return them."""
    migrations = MIGRATIONS if migrations is None else migrations
    start = version_of(con, con.execute("select current_database()").fetchone()[0])
    pending = [m for m in migrations if m.version > start]
    for m in pending:
        con.execute("begin")
        con.execute(m.sql)
        con.execute(f"insert into {VERSION_TABLE} values (?, ?)", [m.version, m.why])
        con.execute("commit")
    return pending


@contextmanager
def upgraded_copy(db: Path) -> Iterator[Path]:
    """``db`` itself when it is at the current version, else a migrated temporary copy of it (removed afterwards)."""
    if file_version(db) >= current():
        yield db
        return
    with tempfile.TemporaryDirectory(prefix="lianmeng-upgrade-") as folder:
        copy = Path(folder) / db.name
        shutil.copyfile(db, copy)
        con = duckdb.connect(str(copy))
        try:
            migrate(con)
            con.execute("checkpoint")
        finally:
            con.close()
        yield copy
