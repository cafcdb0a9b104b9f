"""What is built for which key, and where it is kept.

Three things are built for a query besides its own rows, each kept where it can be shared:

* **Contexts** (queries.context: the profile and taxonomy as tables, the region and lead-unit
  rules) — one in-memory database attached per context key, ``ctx_<hash>``. An attached
  database belongs to the DuckDB instance, so every cursor of a connection sees it: a context
  is built once per (registry import, profile, taxonomy, overrides) for the whole server
  process, not once per cursor. Each cursor points its ``search_path`` at its context. When a
  context of another profile or import is built, the old ones are detached (a server serves one
  bureau; its taxonomies may alternate on the coverage page, so those are kept side by side) —
  except those a cursor is running a query on (``busy``): they go at a later switch.
* **Scope tables** (``scope_alliances``, ``scope_filters``) — temp tables of one cursor, rebuilt
  only when its context or the filters change (a few milliseconds).
* **Materialised required queries** — temp tables of one cursor, ``KEEP_VERSIONS`` per query,
  keyed by (context, as_of, filters).

Nothing here knows what the tables contain: the runner passes the builders.
"""
from __future__ import annotations

import hashlib
import itertools
import threading
import weakref
from contextlib import contextmanager
from typing import Callable, Iterator

import duckdb

Connection = duckdb.DuckDBPyConnection
PREFIX = "ctx_"
# versions kept per required query and connection: a page comparing two dates (or two scopes) reuses both
KEEP_VERSIONS = 4

_lock = threading.RLock()
# a cursor's search path before a context joined it, and the context catalog it points at
_base: "weakref.WeakKeyDictionary[Connection, str]" = weakref.WeakKeyDictionary()
_context: "weakref.WeakKeyDictionary[Connection, str]" = weakref.WeakKeyDictionary()
# the scope tables on a cursor: (context catalog, filters key) they were built for
_scoped: "weakref.WeakKeyDictionary[Connection, tuple]" = weakref.WeakKeyDictionary()
# required queries materialised on a cursor: name -> {(context, as_of, filters key): table}, oldest
# first; the temp view of the query's name points at one of them (_pointed: name -> table)
_materialised: "weakref.WeakKeyDictionary[Connection, dict[str, dict[tuple, str]]]" = weakref.WeakKeyDictionary()
_pointed: "weakref.WeakKeyDictionary[Connection, dict[str, str]]" = weakref.WeakKeyDictionary()
_versions = itertools.count(1)
# cursors running a query now (nesting depth): their context is not detached under them
_busy: "weakref.WeakKeyDictionary[Connection, int]" = weakref.WeakKeyDictionary()


def _digest(value: object) -> str:
    return hashlib.sha1(repr(value).encode("utf-8")).hexdigest()[:12]


def catalog_name(group: tuple, variant: tuple) -> str:
    """The attached database of a context: contexts of one ``group`` (profile, import) share a prefix."""
    return f"{PREFIX}{_digest(group)}_{_digest(variant)}"


def home(con: Connection) -> None:
    """Set ``con``'s search path back to its own database, without a context.

    Needed before anything runs on a cursor whose search path may name a context another cursor
    has since detached (DuckDB then refuses every statement).
    """
    with _lock:
        if con not in _base:   # the cursor's own search path (USE registry), before any context joins it
            _base[con] = con.execute("select current_setting('search_path')").fetchall()[0][0]
        con.execute(f"set search_path = '{_base[con]}'")


def use_context(con: Connection, group: tuple, variant: tuple, build: Callable[[Connection, str], None]) -> str:
    """Point ``con``'s search path at the context for (``group``, ``variant``), building it first if no
    cursor of this instance has; return its catalog name.

    ``build(con, catalog)`` fills the freshly attached, empty ``catalog`` (already on the search path).
    Contexts of other groups are detached first. The lock makes one thread build while others wait.
    """
    name = catalog_name(group, variant)
    with _lock:
        home(con)
        attached = con.execute("select list(database_name) filter (where starts_with(database_name, $p)) "
                               "from duckdb_databases()", {"p": PREFIX}).fetchall()[0][0]
        search = f"set search_path = '{_base[con]},{name}.main'"
        if name not in (attached or []):
            in_use = {_context.get(c) for c, depth in _busy.items() if depth and c is not con}
            for other in attached or []:
                if not other.startswith(name[:len(PREFIX) + 13]) and other not in in_use:
                    con.execute(f"detach database if exists {other}")
            con.execute(f"attach ':memory:' as {name}")
            try:
                con.execute(search)
                build(con, name)
            except BaseException:
                con.execute(f"set search_path = '{_base[con]}'")
                con.execute(f"detach database if exists {name}")
                raise
        else:
            con.execute(search)
        # under the lock: another cursor switching profile must see this one's context as in use
        if _context.get(con) != name:
            forget_materialised(con)
            _scoped.pop(con, None)
            _context[con] = name
    return name


@contextmanager
def busy(con: Connection) -> Iterator[None]:
    """Mark ``con`` as running a query: another cursor switching profile leaves its context attached."""
    with _lock:
        _busy[con] = _busy.get(con, 0) + 1
    try:
        yield
    finally:
        with _lock:
            _busy[con] -= 1


def context_of(con: Connection) -> str | None:
    """The context catalog ``con`` was last pointed at."""
    return _context.get(con)


def use_scope(con: Connection, filter_key: tuple, statements: list[tuple[str, dict]]) -> None:
    """Run ``statements`` (the scope tables) on ``con`` unless it already has them for its context and ``filter_key``."""
    key = (_context.get(con), filter_key)
    with _lock:
        if _scoped.get(con) == key:
            return
        for sql, values in statements:
            con.execute(sql, values)
        _scoped[con] = key


def forget_scope(con: Connection) -> None:
    """Make the next query on ``con`` rebuild its scope tables."""
    with _lock:
        _scoped.pop(con, None)


def materialised(con: Connection, name: str, built_for: tuple) -> str | None:
    """The temp table holding ``name`` built for ``built_for`` on ``con``, if kept."""
    return _materialised.get(con, {}).get(name, {}).get(built_for)


def materialise(con: Connection, name: str, built_for: tuple, build: Callable[[str], None]) -> str:
    """Make the temp view ``name`` on ``con`` show the version built for ``built_for``.

    ``build(table)`` creates the temp table when no kept version matches; the oldest versions
    beyond ``KEEP_VERSIONS`` are dropped. Returns the table.
    """
    versions = _materialised.setdefault(con, {}).setdefault(name, {})
    table = versions.pop(built_for, None)
    if table is None:
        table = f"_materialised_{name}_{next(_versions)}"
        build(table)
        while len(versions) >= KEEP_VERSIONS:
            con.execute(f"drop table if exists {versions.pop(next(iter(versions)))}")
    versions[built_for] = table   # most recently used last
    pointed = _pointed.setdefault(con, {})
    if pointed.get(name) != table:
        con.execute(f"create or replace temp view {name} as select * from {table}")
        pointed[name] = table
    return table


def forget_materialised(con: Connection, names: tuple[str, ...] | None = None) -> None:
    """Drop the required queries materialised on ``con`` (only ``names``, if given); they are rebuilt when needed."""
    with _lock:
        kept = _materialised.get(con, {})
        dropped = {name: kept.pop(name) for name in (list(kept) if names is None else names) if name in kept}
        pointed = _pointed.get(con, {})
        for name in dropped:
            pointed.pop(name, None)
    for versions in dropped.values():
        for table in versions.values():
            con.execute(f"drop table if exists {table}")
