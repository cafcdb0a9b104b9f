"""Reading the registry: read-only views of the database file as it stands, and facts about its state.

Every reader (pages, briefing, queries, the import preview) opens the file through
``connect_read_only``, never read-write: DuckDB lets one process write *or* many read, and the
writer (``loaders.store``) never writes in place but swaps a new file in, so a reader sees the
old state or the new one, never a mix. Nothing here writes.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from .schema import TABLES

if TYPE_CHECKING:
    from .pipeline import Existing


def connect_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """A fresh read-only view of the database file as it is now (never a cached older instance)."""
    con = duckdb.connect(":memory:")
    con.execute(f"attach {sql_string(db)} as registry (read_only)")
    con.execute("use registry")
    return con


def read_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for one thread of a read-only connection; cursors do not inherit USE, so set it."""
    cursor = con.cursor()
    cursor.execute("use registry")
    return cursor


def sql_string(path: Path) -> str:
    """A file path as a quoted SQL literal, for ATTACH (which takes no bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def existing_state(db: Path) -> Existing:
    """The alliances of the current database and the alliances its other tables refer to."""
    from .pipeline import Existing   # the import's reading and checking: not loaded by the pages and the briefing

    if not db.exists():
        return Existing.empty()
    con = connect_read_only(db)
    try:
        alliances = con.sql("select alliance_id, name, coalesce(name_key, name) as name_key "
                            "from alliances").to_arrow_table()
        child_ids = {t.name: [i for i, in con.execute(f"select distinct alliance_id from {t.name}").fetchall()]
                     for t in TABLES if t.links_to_alliance}
    finally:
        con.close()
    return Existing(alliances, child_ids)


def latest_import(db: Path) -> dict:
    """The import (or rollback) that produced the database's current state; {} when none."""
    con = connect_read_only(db)
    try:
        cursor = con.execute("select * from imports order by import_id desc limit 1")
        row = cursor.fetchone()
        names = [d[0] for d in cursor.description]
    finally:
        con.close()
    return dict(zip(names, row)) if row else {}


def state_id(db: Path) -> int:
    """The import id of the registry's current state (0 when there is no database yet).

    Every landed import or rollback takes a new id, so two equal ids mean the same data.
    """
    return latest_import(db).get("import_id", 0) if db.exists() else 0


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
