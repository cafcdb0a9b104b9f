"""The one fetcher: ``fetch(name, as_of=None, **params)``, a named query's rows under a scope.

Pages, the briefing and the CLIs all read through it: ``read`` runs one query for one scope
on a cursor of a read-only connection, borrowed from the connection's idle cursors (a cursor
keeps the scope tables and staging queries it built, so the next query of a page reuses them;
the context tables are shared by all of them anyway, queries.cache); ``bind`` turns any such reader into the
``fetch`` charts and tables are built from. The dashboard binds ``read`` wrapped in its
Streamlit cache (ui.fetcher); ``RegistryFetch`` binds it with a plain per-pack cache.
Nothing here imports Streamlit.
"""
from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import duckdb
import pandas as pd

from loaders.registry import connect_read_only, read_cursor

from . import runner
from .scope import Scope

Fetch = Callable[..., pd.DataFrame]          # fetch(query_name, as_of=None, **params) -> rows, bound to a scope
Params = tuple[tuple[str, Any], ...]         # a query's own parameters, sorted: hashable, a cache key part
Reader = Callable[[str, Scope, Params], pd.DataFrame]


IDLE_CURSORS = 4     # cursors kept per connection between queries (more are closed after use)
_idle: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, list[duckdb.DuckDBPyConnection]]" = \
    weakref.WeakKeyDictionary()
_idle_lock = threading.Lock()


def read(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, params: Params = ()) -> pd.DataFrame:
    """The rows of query ``name`` under ``scope`` on a read-only connection, on a cursor no other thread uses."""
    with _idle_lock:
        idle = _idle.setdefault(con, [])
        cursor = idle.pop() if idle else None
    cursor = cursor or read_cursor(con)
    try:
        return runner.run(cursor, name, scope, **dict(params))
    finally:
        with _idle_lock:
            kept = len(idle) < IDLE_CURSORS
            if kept:
                idle.append(cursor)
        if not kept:
            cursor.close()


def bind(reader: Reader, scope: Scope) -> Fetch:
    """fetch(name, as_of=None, **params) reading through ``reader`` under ``scope``.

    ``as_of`` overrides the scope's date, e.g. for the same figures a year earlier.
    """
    def fetch(name: str, as_of: dt.date | None = None, **params: Any) -> pd.DataFrame:
        at = scope if as_of is None or as_of == scope.as_of else replace(scope, as_of=as_of)
        return reader(name, at, tuple(sorted(params.items())))
    return fetch


class RegistryFetch:
    """A fetch on a registry file outside Streamlit (briefing, CLI, tests), its results cached for its lifetime."""

    def __init__(self, db: Path, scope: Scope) -> None:
        if not Path(db).exists():
            raise FileNotFoundError(f"登记库不存在：{db}")
        self.scope = scope
        self._con = connect_read_only(Path(db))
        self._cache: dict[tuple, pd.DataFrame] = {}
        self._fetch = bind(self._read, scope)

    def _read(self, name: str, scope: Scope, params: Params) -> pd.DataFrame:
        key = (name, scope.key, params)
        if key not in self._cache:
            self._cache[key] = read(self._con, name, scope, params)
        return self._cache[key].copy()  # builders may modify what they get, as with st.cache_data

    def __call__(self, name: str, as_of: dt.date | None = None, **params: Any) -> pd.DataFrame:
        return self._fetch(name, as_of, **params)

    def close(self) -> None:
        """Release the database file."""
        self._con.close()

    def __enter__(self) -> "RegistryFetch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
