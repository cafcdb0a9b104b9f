"""What an import or a rollback would change: alliances added, changed, removed, and row counts.

Two registry states are compared: the current database file against a prepared ``Batch``
(the import page's preview, before anything is written), or two database files (a rollback's
preview, and what an earlier import changed: its snapshot against the one before it).
Alliances are matched by ``alliance_id``; a field counts as changed when its stored value
differs (``is distinct from``, so a blank that gets filled counts too). Nothing here writes,
and nothing imports Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .pipeline import Batch
from .registry import sql_string
from .schema import ALLIANCES, TABLES, ddl

# The fields of an alliance a person would call its record. Provenance (source file, sheet,
# row) changes with every re-export, and the name key follows the name.
COMPARED: list[tuple[str, str]] = [(name, sql_type) for name, sql_type, _ in ALLIANCES.stored_columns
                                   if name not in ("alliance_id", "name_key") and not name.startswith("source_")]
HEADERS = {c.name: c.header for c in ALLIANCES.columns}
_CAST = {"alliance_id": "VARCHAR", "name": "VARCHAR", **dict(COMPARED)}  # the batch's columns as stored


@dataclass
class Diff:
    """The change from one registry state to another."""

    added: pd.DataFrame    # alliance_id, name: in the new state only
    changed: pd.DataFrame  # alliance_id, name, fields: Chinese headers of the changed fields, joined by 、
    removed: pd.DataFrame  # alliance_id, name: in the old state only
    counts: pd.DataFrame   # table, title, before, after: rows per registry table
    replaced: tuple[str, ...] = ()  # tables an import replaces whole (the batch has them)

    @property
    def alliances_touched(self) -> bool:
        return not (self.added.empty and self.changed.empty and self.removed.empty)

    def counts_table(self) -> pd.DataFrame:
        """Rows per table before and after, with Chinese headers, for display."""
        table = pd.DataFrame({"表": self.counts["title"], "之前（行）": self.counts["before"],
                              "之后（行）": self.counts["after"], "变化": self.counts["after"] - self.counts["before"]})
        if self.replaced:
            table["本次整体替换"] = self.counts["table"].isin(self.replaced).map({True: "是", False: "否"})
        return table

    def alliance_lists(self) -> dict[str, pd.DataFrame]:
        """新增 / 信息有变化 / 移除 alliances with Chinese headers, the non-empty ones only."""
        labels = {"alliance_id": "联盟编号", "name": "联盟名称", "fields": "变化的字段"}
        lists = {"新增的联盟": self.added, "信息有变化的联盟": self.changed, "移除的联盟": self.removed}
        return {title: frame.rename(columns=labels) for title, frame in lists.items() if not frame.empty}

    def summary(self) -> str:
        """One Chinese line, e.g. "新增联盟 2 个，变更 1 个，移除 0 个；成员单位 2578 → 2590 行"."""
        moved = [f"{r.title} {r.before} → {r.after} 行" for r in self.counts.itertuples() if r.before != r.after]
        return (f"新增联盟 {len(self.added)} 个，变更 {len(self.changed)} 个，移除 {len(self.removed)} 个；"
                + ("，".join(moved) if moved else "各表行数不变"))


def preview_import(db: Path, batch: Batch) -> Diff:
    """What importing ``batch`` into ``db`` would change (``db`` need not exist yet)."""
    con = _open(db if db.exists() else None, None)
    try:
        if "alliances" in batch.tables:
            # Cast as the store casts, so a date or number compares equal to its stored self.
            con.register("incoming", batch.tables["alliances"].select(list(_CAST)))
            casts = ", ".join(f"cast({name} as {sql_type}) as {name}" for name, sql_type in _CAST.items())
            con.execute(f"create temp view new_alliances as select {casts} from incoming")
            new_alliances = "new_alliances"
        else:  # alliances are carried over unchanged
            new_alliances = "old.alliances"
        before = _counts(con, "old")
        after = {t.name: len(batch.tables[t.name]) if t.name in batch.tables else before[t.name] for t in TABLES}
        replaced = tuple(t.name for t in TABLES if t.name in batch.tables)
        return _diff(con, new_alliances, before, after, replaced)
    finally:
        con.close()


def compare(old: Path | None, new: Path) -> Diff:
    """What changed from database file ``old`` (None: an empty registry) to database file ``new``."""
    con = _open(old, new)
    try:
        return _diff(con, "new.alliances", _counts(con, "old"), _counts(con, "new"))
    finally:
        con.close()


def _open(old: Path | None, new: Path | None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the states attached read-only as ``old`` and ``new``.

    A missing old state is an empty registry schema, so "everything is new" needs no special case.
    """
    con = duckdb.connect(":memory:")
    if old is None:
        con.execute("attach ':memory:' as old")
        con.execute("use old")
        con.execute(ddl())
        con.execute("use memory")
    else:
        con.execute(f"attach {sql_string(old)} as old (read_only)")
    if new is not None:
        con.execute(f"attach {sql_string(new)} as new (read_only)")
    return con


def _counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    return {t.name: con.execute(f"select count(*) from {catalog}.{t.name}").fetchone()[0] for t in TABLES}


def _diff(con: duckdb.DuckDBPyConnection, new_alliances: str, before: dict[str, int], after: dict[str, int],
          replaced: tuple[str, ...] = ()) -> Diff:
    added = con.execute(f"""
        select n.alliance_id, n.name from {new_alliances} as n
        where not exists (select 1 from old.alliances as o where o.alliance_id = n.alliance_id)
        order by n.alliance_id""").df()
    removed = con.execute(f"""
        select o.alliance_id, o.name from old.alliances as o
        where not exists (select 1 from {new_alliances} as n where n.alliance_id = o.alliance_id)
        order by o.alliance_id""").df()
    names = [name for name, _ in COMPARED]
    flags = ", ".join(f"n.{name} is distinct from o.{name} as differs_{name}" for name in names)
    both = con.execute(f"""
        select n.alliance_id, n.name, {flags} from {new_alliances} as n
        inner join old.alliances as o on o.alliance_id = n.alliance_id
        order by n.alliance_id""").df()
    fields = ["、".join(HEADERS[name] for name, differs in zip(names, row) if differs)
              for row in both[[f"differs_{name}" for name in names]].itertuples(index=False)]
    changed = both[["alliance_id", "name"]].assign(fields=fields)
    changed = changed[changed["fields"] != ""].reset_index(drop=True)
    counts = pd.DataFrame([{"table": t.name, "title": t.title, "before": before[t.name], "after": after[t.name]}
                           for t in TABLES])
    return Diff(added, changed, removed, counts, replaced)
