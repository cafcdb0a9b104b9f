"""Run a named query (queries.catalogue) under a scope: prepare its context, then execute it.

Every figure a page shows comes from one ``queries/NAME.sql``, so a reader goes page → query
name → ``queries/NAME.sql``. To run one the runner

1. finds it in the catalogue and types the caller's parameters (``catalogue.user_values``);
2. points the cursor at the context for the scope's profile and taxonomy (queries.context's
   tables, built once per import, profile and taxonomy and shared by every cursor: queries.cache);
3. makes the scope's tables (``scope_alliances``, ``scope_filters``) on the cursor;
4. materialises the queries its header ``Requires:`` — staging steps such as ``alliance_members``
   or ``report_due`` — as temp views of the same name (same as_of, profile, taxonomy and filters,
   their parameters' defaults);
5. binds the profile's values (``context.context_params``) and its own parameters, and runs the
   SQL. It never formats a value into SQL text.

A query without parameters of its own that is already materialised for the same context, as_of
and filters is read back from its table when it is run itself.
"""
from __future__ import annotations

import warnings
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import cache, context, policy
from .catalogue import QueryDoc, QueryError, get_query, user_values
from .scope import Scope

# What the overview page (pages/overview.py) runs, in its order: the KPI row (also a year
# earlier, for the change on last year), the target card, its two charts (cluster coverage, member composition:
# two tabs, the first open) and the 需关注 tabs (overdue evaluations and missing reports, failing alliances). The sidebar
# also reads region_distribution and coverage_by_cluster unfiltered, for its option lists.
# tests/test_queries_runner.py checks this against the page; the benchmark times it as a set.
OVERVIEW_SET: tuple[str, ...] = (
    "overview_kpis", "target_outlook", "coverage_by_cluster", "member_composition", "review_schedule",
    "eligibility_check",
)

# Builds a context's tables; a module global so that tests can count the builds.
_build_context = context.build
# The scope tables per cursor, by cursor (bench/ forgets them to time a change of filters).
_scoped = cache._scoped


def _registry_state(con: duckdb.DuckDBPyConnection) -> tuple:
    # fetchall, not fetchone: DuckDB 2 refuses new work while a result is only partly fetched.
    return con.execute("select (select max(import_id) from imports), (select count(*) from alliances)").fetchall()[0]


def register_context(con: duckdb.DuckDBPyConnection, profile: policy.Profile, taxonomy: str | None = None) -> str:
    """Point ``con`` at the context tables for ``profile`` (and ``taxonomy``: "" = none, None = the
    profile's), building them if no cursor of its connection has; return the context's catalog.

    A context is rebuilt when the profile, the taxonomy, the overrides files' contents or the
    registry (its latest import) changes.
    """
    taxonomy_id = profile.taxonomy if taxonomy is None else taxonomy
    overrides = policy.content_stamp(policy.override_files(profile.settings))
    cache.home(con)   # before reading the registry's state: the cursor's context may have been detached
    # what context.build reads of the profile (not its wording): a swapped taxonomy is a variant, not a new group
    used = (profile.id, profile.subsidy_caps, profile.targets, profile.members, profile.regions)
    group = (repr(used), overrides, _registry_state(con))
    return cache.use_context(con, group, (taxonomy_id,),
                             lambda target, catalog: _build_context(target, profile, taxonomy_id, catalog))


def register_scope(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Create ``scope_alliances`` and ``scope_filters`` for ``scope``'s filters on ``con`` (after the context).

    Rebuilt only when the filters or the context changed since the last call on this cursor.
    """
    cache.use_scope(con, scope.filter_key, context.scope_statements(scope))


def _prepare(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, params: dict[str, Any],
             _seen: tuple[str, ...] = ()) -> tuple[QueryDoc, dict[str, Any]]:
    """Register the context and the scope, materialise required queries; return the query and its bound values."""
    doc = get_query(name)
    if not isinstance(scope, Scope):
        raise TypeError(f"scope must be queries.scope.Scope, not {type(scope).__name__}")
    user = user_values(doc, scope.as_of, params)
    if not _seen:   # a required query is prepared inside its caller's: context and scope are already in place
        register_context(con, scope.profile, scope.taxonomy)
        register_scope(con, scope)
    for required in doc.requires:
        if required in _seen or required == name:
            raise QueryError(f"查询 {name} 的 Requires 形成循环：{' → '.join((*_seen, name, required))}")
        _materialise(con, required, scope, (*_seen, name))
    available = {**context.context_params(scope.profile, scope.as_of), **user}
    missing = [n for n in doc.bound_names if n not in available]
    if missing:
        raise QueryError(f"{doc.path.name} 使用了未知参数：{'、'.join('$' + n for n in missing)}")
    return doc, {n: available[n] for n in doc.bound_names}


def _built_for(con: duckdb.DuckDBPyConnection, scope: Scope) -> tuple:
    """What a staging query's rows depend on: the context, the profile's bound values (the whole profile:
    a setting changed on the 设置 page need not change the context), the date and the filters."""
    return (cache.context_of(con), repr(scope.profile), scope.as_of, scope.filter_key)


def _materialise(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, seen: tuple[str, ...]) -> None:
    """Make the temp view ``name`` show the required query ``name`` for this context, as_of and filters.

    The query's own SQL, unchanged, is the body of a temp table; it is built only when no kept
    version matches.
    """
    def build(table: str) -> None:
        doc, values = _prepare(con, name, scope, {}, seen)
        con.execute(f"create temp table {table} as\n{doc.sql}", values)
    cache.materialise(con, name, _built_for(con, scope), build)


def _statement(con: duckdb.DuckDBPyConnection, name: str, scope: Scope,
               params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SQL and bound values to run: the query's own, or its materialised rows when they are there.

    A query without parameters of its own that another query required on this cursor for
    the same context, as_of and filters is read back from that temp table (same rows, same
    order) instead of being computed twice.
    """
    doc, values = _prepare(con, name, scope, params)
    if not doc.user_params:
        table = cache.materialised(con, name, _built_for(con, scope))
        if table is not None:
            return f"select * from {table}", {}
    return doc.sql, values


def run(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, **params: Any) -> pd.DataFrame:
    """Run the named query on ``con`` under ``scope`` (its profile, as_of and filters) and return its rows.

    The scope's filters restrict every alliance-level figure to the alliances they select (the
    ``scope_alliances`` table; none chosen: no filter). ``params`` are the query's own
    parameters (see its header); the taxonomy is the scope's (``Scope.taxonomy``). Money columns (``*_wan``) arrive as float64 converted from the exact
    DECIMALs (nearest double); round only for display. Integers and booleans are nullable
    (Int64, boolean); dates are datetime64.
    """
    with cache.busy(con), warnings.catch_warnings():
        sql, values = _statement(con, name, scope, params)
        # DuckDB notes that arrow output of an execute() result copies the rows: for these
        # result sizes the copy is cheaper than planning the query twice through con.sql().
        warnings.simplefilter("ignore", UserWarning)
        table = con.execute(sql, values).to_arrow_table()
    return _frame(table)


def _frame(table: pa.Table) -> pd.DataFrame:
    """Arrow → pandas: a third of the cost of ``.df()`` on wide per-alliance results. A DECIMAL without a
    scale is a whole number (a sum of counts arrives as HUGEINT, i.e. DECIMAL(38, 0)): Int64, like the counts."""
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            kind = pa.int64() if field.type.scale == 0 else pa.float64()
            table = table.set_column(i, field.name, pc.cast(table.column(i), kind))
    return table.to_pandas(date_as_object=False, types_mapper=_nullable)


def _nullable(kind: pa.DataType) -> Any:
    if pa.types.is_integer(kind):
        return pd.Int64Dtype()
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    return None


def fetch(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, **params: Any) -> tuple[list[str], list[tuple]]:
    """Like ``run`` but with Python values (Decimal, date, None): for exact CSV/JSON output."""
    with cache.busy(con):
        result = con.execute(*_statement(con, name, scope, params))
        columns = [d[0] for d in result.description]
        return columns, result.fetchall()
