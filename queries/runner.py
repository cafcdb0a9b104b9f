"""Run the named SQL in ``queries/*.sql``: one file per question, documented in its header.

Every figure a page shows comes from one of these files, so a reader goes page → query
name → ``queries/NAME.sql``. The runner only binds parameters and registers small
per-connection tables; it never formats a value into SQL text.

What a query can use besides the registry tables:

* **Bound parameters** (DuckDB ``$name``). The runner supplies ``$as_of`` and the policy
  profile's values (see ``CONTEXT_PARAMS``); a query's own parameters (``$year``,
  ``$group_by``, …) are declared in its header with a default. Only the names a query's SQL
  uses are bound.
* **Context tables**, temporary, registered once per (connection, profile, taxonomy,
  registry state) and reused by every query on that connection:

  ``profile_caps(kind, cap_wan)``
      subsidy caps (万元) by 补贴类型; kinds without a cap are absent.
  ``profile_targets(label, year, low, high, count_from)``
      the profile's targets; ``count_from = 0`` means cumulative since the start.
  ``profile_required_types(group_no, unit_type, group_label)``
      member types required: at least one member of some type of each group.
  ``taxonomy_entries(entry, grp, position)``
      the clusters/fields of the taxonomy, in its order (empty when there is none).
  ``alliance_cluster(alliance_id, cluster, reason, raw_field)``
      every alliance classified by ``policy.classify_alliances`` (overrides applied);
      unmapped ones carry 未归类 and the reason.
  ``lead_units(alliance_id, registered_in, joined_date, left_date, by_name)``
      the member rows that can stand for an alliance's 对外责任主体单位: those whose
      ``unit_name_key`` equals the ``loaders.normalise.name_key`` of its ``lead_unit``
      (``by_name``), and its 理事长单位 rows. Profile- and date-independent, so it is
      built once per registry state instead of scanning every member name in each query.
  ``alliance_region(alliance_id, region, position, raw_region)``
      every alliance's 所属区域 aligned to the profile's ``regions.list`` — the one region
      rule of the dashboard (region_distribution, subsidy_totals by region and the region
      filter all use it): the listed region equal to the text, else the first one the text
      contains (天津市南开区 → 南开区), else the first that is the text plus 市/区/县/地区
      (南开 → 南开区); otherwise the text as written; blank → 未填. ``position`` is the
      region's place in the list (NULL outside it); ``raw_region`` the trimmed text (NULL
      when blank).

* **The scope** — the dashboard's global filters (``queries.scope.Scope``: regions, levels, clusters),
  registered before every call and rebuilt only when the filters or the context change:

  ``scope_alliances(alliance_id)``
      the alliances the filters select: those matching every non-empty dimension, any of
      its values (OR within a dimension, AND across). Region values are
      ``alliance_region.region`` (as region_distribution shows them, 未填 and unlisted texts
      included), levels ``alliances.level`` (a blank level matches no level filter), clusters
      ``alliance_cluster.cluster`` (taxonomy entry names, 未归类 included). Every alliance
      of the registry when there is no filter — never only those in the registry on as_of:
      each query still applies its own as_of rule. Every query that reads alliance-level
      data (alliances, members, subsidies, events, annual_reports, lead_units, the
      materialised queries) keeps only these alliances; taxonomy- and list-wide outputs
      keep their rows (with zeros outside the scope).
  ``scope_filters(dimension, value)``
      the active filter values, one row each (dimension region | level | cluster); empty
      when there is no filter. For the few queries whose rules depend on the filter itself
      (work_priorities: which clusters to judge, how to budget filings).

* **Other named queries**: a header ``Requires:`` line lists queries that the runner first
  materialises, with the same ``as_of``, profile, taxonomy and filters (and their parameters'
  defaults), as a temporary view of the same name over a temp table. The last
  ``KEEP_VERSIONS`` builds per query and connection are kept, so alternating between two
  dates or two scopes (a page comparing with last year) does not rebuild them; a query
  without parameters of its own that is already materialised for the same context, as_of
  and filters is read back from its table when it is run itself.
"""
from __future__ import annotations

import itertools
import re
import threading
import warnings
import weakref
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.normalise import name_key

from . import policy
from .policy import UNCLASSIFIED, Profile
from .scope import Scope

QUERIES_DIR = Path(__file__).resolve().parent

# What the overview page (pages/overview.py) runs, in its order: the KPI row (also a year
# earlier, for the change on last year), the target card, its two charts (cluster coverage, member composition)
# and the 需关注 tabs (overdue evaluations and missing reports, failing alliances). The sidebar
# also reads region_distribution and coverage_by_cluster unfiltered, for its option lists.
# tests/test_queries.py checks this against the page; the benchmark times it as a set.
OVERVIEW_SET: tuple[str, ...] = (
    "overview_kpis", "target_outlook", "coverage_by_cluster", "member_composition", "review_schedule",
    "eligibility_check",
)

# Parameters the runner supplies from as_of and the profile; a header documents the ones its SQL uses.
CONTEXT_PARAMS: dict[str, str] = {
    "as_of": "统计截止日期（--as-of，默认今天）",
    "cycle_years": "评估/复审周期（年），profile review.cycle_years；0 = 不设周期",
    "report_due_month": "年度报告截止月，profile review.report_due；不要求年报时为 NULL",
    "report_due_day": "年度报告截止日，profile review.report_due；不要求年报时为 NULL",
    "agreement_term_years": "联盟协议期限（年），profile review.agreement_term_years；0 = 不设期限",
    "overdue_action": "逾期未评估（复审）的后果，profile review.overdue_action（渭南：应撤销）；空 = 原文未规定",
    "recommender_max": "每个推荐单位每年最多推荐的联盟数，profile recommendation.max_per_recommender；0 = 不设限额",
    "act_term": "政策用语：列入名单的行为（备案 / 认定 / 确定 / 纳入试点），profile terms.act",
    "review_term": "政策用语：周期性检查（评估 / 复审），profile terms.review",
    "conditions_term": "政策用语：核对的条件（备案条件 / 认定条件 / 基本条件），profile terms.conditions",
    "member_minimum": "成员单位最低数量，profile members.minimum；0 = 不设下限",
    "counts_core_only": "最低数量只计核心成员，profile members.counts_core_only",
    "require_lead_local": "对外责任主体单位须在本地注册，profile members.lead_registered_locally",
    "core_local_share_min": "核心成员中本地单位的最低占比（0–1），profile members.core_local_share_min",
    "local_places": "本地地名（注册地含其一即为本地），profile members.local_places",
    "neighbour_places": "周边协同地区地名，profile members.neighbour_places",
    "regions": "本辖区的区域清单，profile regions.list",
}

# Runner-level parameter accepted by every query: which taxonomy the context tables use.
TAXONOMY_PARAM = "taxonomy"

_PARAM_TYPES = ("date", "integer", "varchar", "boolean", "double", "varchar[]")
_SECTIONS = {"what:": "what", "parameters:": "params", "columns:": "columns", "caveats:": "caveats",
             "requires:": "requires"}
_BOUND = re.compile(r"\$([A-Za-z_]\w*)")


@dataclass(frozen=True)
class ParamDoc:
    """One ``$parameter`` of a query, from its header."""

    name: str
    type: str                  # date | integer | varchar | boolean | double | varchar[] | a|b|c (choices)
    default: str | None        # as written in the header; None for runner-supplied parameters
    doc: str

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.type.split("|")) if "|" in self.type else ()

    @property
    def supplied(self) -> bool:
        """True when the runner fills it from as_of and the profile."""
        return self.name in CONTEXT_PARAMS


@dataclass(frozen=True)
class ColumnDoc:
    """One result column: name, Chinese label (for table headers and chart axes), meaning."""

    name: str
    label: str
    doc: str


@dataclass(frozen=True)
class QueryDoc:
    """A named query as its header documents it."""

    name: str
    title: str                      # Chinese title
    what: str
    params: tuple[ParamDoc, ...]
    columns: tuple[ColumnDoc, ...]
    caveats: tuple[str, ...]
    requires: tuple[str, ...]
    path: Path
    sql: str                        # the whole file, header included (DuckDB ignores comments)

    @property
    def labels(self) -> dict[str, str]:
        """Column name -> Chinese label."""
        return {c.name: c.label for c in self.columns}

    @property
    def user_params(self) -> tuple[ParamDoc, ...]:
        """The parameters a caller may set (``--param k=v``)."""
        return tuple(p for p in self.params if not p.supplied)

    @property
    def bound_names(self) -> tuple[str, ...]:
        """The ``$names`` its SQL uses, comments excluded, in first-use order."""
        return tuple(dict.fromkeys(_BOUND.findall(strip_comments(self.sql))))


class QueryError(ValueError):
    """A bad query name or parameter; the message is Chinese, for the people who run the CLI."""




# --------------------------------------------------------------------------- reading the files


def strip_comments(sql: str) -> str:
    """SQL without ``--`` comments (string literals in our files never contain ``--`` or ``$``)."""
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def parse_header(path: Path) -> QueryDoc:
    """Parse the header comment of ``path``; raise ValueError when it is missing or malformed."""
    text = path.read_text(encoding="utf-8")
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].rstrip())
    if not lines:
        raise ValueError(f"{path.name}：缺少文件头注释")
    first = lines[0].strip()
    match = re.fullmatch(r"([a-z0-9_]+)\s*[：:]\s*(.+)", first)
    if not match or match[1] != path.stem:
        raise ValueError(f"{path.name}：第一行应为“-- {path.stem}：中文标题”")
    sections: dict[str, list[str]] = {key: [] for key in _SECTIONS.values()}
    current: str | None = None
    for line in lines[1:]:
        stripped = line.strip()
        head = stripped.split(None, 1)[0].lower() if stripped else ""
        if head in _SECTIONS:
            current = _SECTIONS[head]
            rest = stripped[len(head):].strip()
            if rest:
                sections[current].append("   " + rest)
            continue
        if current is not None:
            sections[current].append(line)
    params = tuple(_param(path, entry) for entry in _entries(sections["params"]))
    columns = tuple(_column(path, entry) for entry in _entries(sections["columns"]))
    caveats = tuple(e.removeprefix("- ").strip() for e in _entries(sections["caveats"]))
    requires = tuple(r.strip() for e in _entries(sections["requires"]) for r in e.split(",") if r.strip())
    what = " ".join(s.strip() for s in sections["what"] if s.strip())
    return QueryDoc(path.stem, match[2].strip(), what, params, columns, caveats, requires, path, text)


def _entries(lines: list[str]) -> list[str]:
    """Entries start at 3 spaces of indentation; deeper lines continue the previous entry."""
    entries: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent <= 3 or not entries:
            entries.append(line.strip())
        else:
            entries[-1] += " " + line.strip()
    return entries


def _param(path: Path, entry: str) -> ParamDoc:
    m = re.fullmatch(r"\$([A-Za-z_]\w*)\s+(\S+?)(?:\s*=\s*(\S+))?\s{2,}(.+)", entry)
    if not m:
        raise ValueError(f"{path.name}：参数说明格式应为“$name  type[ = default]  说明”：{entry}")
    name, kind, default, doc = m[1], m[2], m[3], m[4]
    if "|" not in kind and kind not in _PARAM_TYPES:
        raise ValueError(f"{path.name}：参数 ${name} 的类型「{kind}」未知，应为 {'、'.join(_PARAM_TYPES)} 或 a|b|c")
    return ParamDoc(name, kind, default, doc.strip())


def _column(path: Path, entry: str) -> ColumnDoc:
    parts = re.split(r"\s{2,}", entry, maxsplit=2)
    if len(parts) != 3:
        raise ValueError(f"{path.name}：列说明格式应为“name  中文标签  说明”：{entry}")
    return ColumnDoc(*parts)


@lru_cache(maxsize=1)
def _cached_docs(stamp: tuple[tuple[str, float], ...]) -> dict[str, QueryDoc]:
    return {Path(p).stem: parse_header(Path(p)) for p, _ in stamp}


def list_queries() -> list[QueryDoc]:
    """Every named query, by name."""
    files = sorted(QUERIES_DIR.glob("*.sql"))
    stamp = tuple((str(p), p.stat().st_mtime) for p in files)
    return list(_cached_docs(stamp).values())


def get_query(name: str) -> QueryDoc:
    """The named query's documentation and SQL; QueryError if there is none."""
    docs = {d.name: d for d in list_queries()}
    if name not in docs:
        raise QueryError(f"没有名为「{name}」的查询。现有：{'、'.join(docs)}")
    return docs[name]


# --------------------------------------------------------------------------- parameters


def context_params(profile: Profile, as_of: date) -> dict[str, Any]:
    """The runner-supplied parameter values for ``profile`` on ``as_of``."""
    month, day = (int(x) for x in profile.review.report_due.split("-")) if profile.review.report_due else (None, None)
    m = profile.members
    return {
        "as_of": as_of,
        "cycle_years": profile.review.cycle_years,
        "report_due_month": month,
        "report_due_day": day,
        "agreement_term_years": profile.review.agreement_term_years,
        "overdue_action": profile.review.overdue_action,
        "recommender_max": profile.recommendation.max_per_recommender,
        "act_term": profile.terms.act,
        "review_term": profile.terms.review,
        "conditions_term": profile.terms.conditions,
        "member_minimum": m.minimum,
        "counts_core_only": m.counts_core_only,
        "require_lead_local": m.lead_registered_locally,
        "core_local_share_min": m.core_local_share_min,
        "local_places": list(m.local_places),
        "neighbour_places": list(m.neighbour_places),
        "regions": list(profile.regions),
    }


def _convert(doc: QueryDoc, p: ParamDoc, value: Any) -> Any:
    """A user parameter's value (from the CLI as text, or from Python) in its declared type."""
    if p.choices:
        value = str(value)
        if value not in p.choices:
            raise QueryError(f"查询 {doc.name} 的参数 {p.name} 应为 {' | '.join(p.choices)} 之一，现为「{value}」")
        return value
    try:
        if p.type == "integer":
            return value if isinstance(value, int) and not isinstance(value, bool) else int(str(value))
        if p.type == "double":
            return float(value)
        if p.type == "date":
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if p.type == "boolean":
            if isinstance(value, bool):
                return value
            return {"true": True, "1": True, "是": True, "false": False, "0": False, "否": False}[str(value).lower()]
    except (ValueError, KeyError) as e:
        raise QueryError(f"查询 {doc.name} 的参数 {p.name} 应为 {p.type}，现为「{value}」") from e
    return str(value)


def _user_values(doc: QueryDoc, as_of: date, given: dict[str, Any]) -> dict[str, Any]:
    """Declared user parameters: given values, else defaults (``as_of.year`` / ``as_of.year+1`` allowed)."""
    known = {p.name: p for p in doc.user_params}
    for name in given:
        if name not in known:
            accepted = "、".join([*known, TAXONOMY_PARAM]) or TAXONOMY_PARAM
            raise QueryError(f"查询 {doc.name} 没有参数「{name}」。可用参数：{accepted}")
    values: dict[str, Any] = {}
    for name, p in known.items():
        raw = given.get(name, p.default)
        if raw is None:
            raise QueryError(f"查询 {doc.name} 缺少参数 {name}")
        if raw == "as_of.year":
            raw = as_of.year
        elif raw == "as_of.year+1":
            raw = as_of.year + 1
        values[name] = _convert(doc, p, raw)
    return values


# --------------------------------------------------------------------------- context tables

_registered: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, tuple]" = weakref.WeakKeyDictionary()
# the scope tables on a connection: (context key, filters key) they were built for
_scoped: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, tuple]" = weakref.WeakKeyDictionary()
# required queries materialised on a connection: name -> {(context key, as_of, filters key): table}, oldest
# first; the temp view of the query's name points at one of them (_pointed: name -> table)
_materialised: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict[str, dict[tuple, str]]]" = \
    weakref.WeakKeyDictionary()
_pointed: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict[str, str]]" = weakref.WeakKeyDictionary()
_versions = itertools.count(1)
# versions kept per required query and connection: a page comparing two dates (or two scopes) reuses both
KEEP_VERSIONS = 4
_lock = threading.Lock()


def _registry_state(con: duckdb.DuckDBPyConnection) -> tuple:
    # fetchall, not fetchone: DuckDB 2 refuses new work while a result is only partly fetched.
    return con.execute("select (select max(import_id) from imports), (select count(*) from alliances)").fetchall()[0]


def register_context(con: duckdb.DuckDBPyConnection, profile: Profile, taxonomy: str | None = None) -> None:
    """Create the context tables for ``profile`` on ``con``, unless they are already there.

    ``taxonomy`` overrides the profile's taxonomy id ("" = none). The tables are rebuilt when
    the profile, the taxonomy, the overrides files' contents or the registry (its latest import) changes.
    """
    taxonomy_id = profile.taxonomy if taxonomy is None else taxonomy
    overrides = policy.content_stamp(policy.override_files(profile.settings))
    key = (repr(profile), taxonomy_id, overrides, _registry_state(con))
    with _lock:
        if _registered.get(con) == key:
            return
        _build_context(con, profile, taxonomy_id)
        _registered[con] = key
        _scoped.pop(con, None)
    forget_materialised(con)


def forget_materialised(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] | None = None) -> None:
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


def register_scope(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Create ``scope_alliances`` and ``scope_filters`` for ``scope``'s filters on ``con`` (after the context).

    Rebuilt only when the filters or the context tables (profile, taxonomy, registry) changed
    since the last call on this connection.
    """
    key = (_registered.get(con), scope.filter_key)
    with _lock:
        if _scoped.get(con) == key:
            return
        values = {"regions": list(scope.regions), "levels": list(scope.levels), "clusters": list(scope.clusters)}
        con.execute(_SCOPE_FILTERS, values)
        con.execute(_SCOPE_FILTERED if scope.filtered else _SCOPE_ALL, values if scope.filtered else {})
        _scoped[con] = key


def _build_context(con: duckdb.DuckDBPyConnection, profile: Profile, taxonomy_id: str) -> None:
    caps = pd.DataFrame({"kind": list(profile.subsidy_caps),
                         "cap_wan": [repr(v) for v in profile.subsidy_caps.values()]})
    targets = pd.DataFrame([(t.label, t.year, t.low, t.high, t.count_from) for t in profile.targets],
                           columns=["label", "year", "low", "high", "count_from"])
    required = pd.DataFrame([(i, kind, "或".join(group)) for i, group in enumerate(profile.members.required_types, 1)
                             for kind in group], columns=["group_no", "unit_type", "group_label"])
    alliances = con.execute("select alliance_id, name, field, lead_unit from alliances").fetchall()
    ids = [a[0] for a in alliances]
    if taxonomy_id:
        tax = policy.load_taxonomy(taxonomy_id)
        entries = pd.DataFrame([(e.name, e.group, i) for i, e in enumerate(tax.entries, 1)],
                               columns=["entry", "grp", "position"])
        clusters = _classify(tax, alliances, policy.override_files(profile.settings))
    else:
        entries = pd.DataFrame({"entry": [], "grp": [], "position": []})
        clusters = pd.DataFrame({"alliance_id": ids, "cluster": UNCLASSIFIED,
                                 "reason": "政策配置未设分类体系", "raw_field": [a[2] for a in alliances]})
    lead = pd.DataFrame({"alliance_id": ids, "lead_key": [_name_key(a[3]) for a in alliances]})
    tables = {
        "profile_caps": (caps, "kind varchar, cap_wan decimal(18,6)"),
        "profile_targets": (targets, "label varchar, year integer, low integer, high integer, count_from integer"),
        "profile_required_types": (required, "group_no integer, unit_type varchar, group_label varchar"),
        "taxonomy_entries": (entries, "entry varchar, grp varchar, position integer"),
        "alliance_cluster": (clusters, "alliance_id varchar, cluster varchar, reason varchar, raw_field varchar"),
        "_alliance_lead": (lead, "alliance_id varchar, lead_key varchar"),
    }
    for name, (frame, columns) in tables.items():
        casts = ", ".join(f"cast({c.split()[0]} as {c.split(None, 1)[1]}) as {c.split()[0]}" for c in columns.split(", "))
        con.register("_context_frame", frame.astype(object))
        try:
            con.execute(f"create or replace temp table {name} as select {casts} from _context_frame")
        finally:
            con.unregister("_context_frame")
    con.execute(_LEAD_UNITS)
    con.execute(_ALLIANCE_REGION, {"regions": list(profile.regions)})


@lru_cache(maxsize=200_000)
def _name_key(value: str | None) -> str | None:
    return None if value is None else name_key(value)


_LEAD_UNITS = """
create or replace temp table lead_units as
select m.alliance_id, m.registered_in, m.joined_date, m.left_date, true as by_name
from members as m
inner join _alliance_lead as l on l.alliance_id = m.alliance_id and l.lead_key = m.unit_name_key
union all
select m.alliance_id, m.registered_in, m.joined_date, m.left_date, false
from members as m
inner join _alliance_lead as l on l.alliance_id = m.alliance_id
where m.role = '理事长单位' and m.unit_name_key is distinct from l.lead_key
"""


# The region rule (see the module docstring); each distinct 所属区域 text is matched once.
_ALLIANCE_REGION = """
create or replace temp table alliance_region as
with
region_names as (
    select
        r.raw_region,
        coalesce(
            [x for x in cast($regions as varchar[]) if x = r.raw_region][1],
            [x for x in cast($regions as varchar[]) if contains(r.raw_region, x)][1],
            [x for x in cast($regions as varchar[])
             if x in (r.raw_region || '市', r.raw_region || '区', r.raw_region || '县', r.raw_region || '地区')][1]
        ) as listed_region
    from (select distinct nullif(trim(a.region), '') as raw_region from alliances as a) as r
)
select
    a.alliance_id,
    coalesce(n.listed_region, n.raw_region, '未填') as region,
    cast(list_position(cast($regions as varchar[]), n.listed_region) as integer) as position,
    n.raw_region
from alliances as a
left join region_names as n on n.raw_region is not distinct from nullif(trim(a.region), '')
"""

_SCOPE_FILTERS = """
create or replace temp table scope_filters as
select 'region' as dimension, unnest(cast($regions as varchar[])) as value
union all select 'level', unnest(cast($levels as varchar[]))
union all select 'cluster', unnest(cast($clusters as varchar[]))
"""

_SCOPE_ALL = "create or replace temp table scope_alliances as select a.alliance_id from alliances as a"

_SCOPE_FILTERED = """
create or replace temp table scope_alliances as
select a.alliance_id
from alliances as a
left join alliance_region as r on r.alliance_id = a.alliance_id
left join alliance_cluster as c on c.alliance_id = a.alliance_id
where (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), r.region))
  and (len(cast($levels as varchar[])) = 0 or list_contains(cast($levels as varchar[]), a.level))
  and (len(cast($clusters as varchar[])) = 0
       or list_contains(cast($clusters as varchar[]), coalesce(c.cluster, '未归类')))
"""


def _classify(tax: policy.Taxonomy, alliances: list[tuple], paths: tuple[Path, ...] | None = None) -> pd.DataFrame:
    """``classify_alliances`` for (alliance_id, name, field, …) rows, each distinct field text once.

    Alliances named in the overrides file go through ``classify_alliances`` by name (人工指定);
    the others share the result of their field text, which is what ``classify_alliances``
    would give them anyway.
    """
    paths = policy.override_files() if paths is None else paths  # read at call time, so tests can point it elsewhere
    overrides = policy.read_overrides(tax, paths)
    manual = [a for a in alliances if overrides and policy.normalise(a[1] or "") in overrides]
    manual_ids = {a[0] for a in manual}
    rest = [a for a in alliances if a[0] not in manual_ids]
    records: list[tuple] = []
    if manual:
        by_name = policy.classify_alliances(tax, ((a[0], a[1], a[2]) for a in manual), paths)
        records += list(by_name.itertuples(index=False, name=None))
    fields = list(dict.fromkeys(a[2] for a in rest))
    by_field = policy.classify_alliances(tax, ((f, None, f) for f in fields), overrides_path=None)
    lookup = dict(zip(fields, zip(by_field["entry"], by_field["reason"])))
    records += [(a[0], *lookup[a[2]], a[2]) for a in rest]
    return pd.DataFrame(records, columns=["alliance_id", "cluster", "reason", "raw_field"])


# --------------------------------------------------------------------------- running


def _prepare(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, params: dict[str, Any],
             _seen: tuple[str, ...] = ()) -> tuple[QueryDoc, dict[str, Any]]:
    """Register the context and the scope, materialise required queries; return the query and its bound values."""
    doc = get_query(name)
    if not isinstance(scope, Scope):
        raise TypeError(f"scope must be queries.scope.Scope, not {type(scope).__name__}")
    profile, as_of = scope.profile, scope.as_of
    given = dict(params)
    taxonomy = given.pop(TAXONOMY_PARAM, None)
    if taxonomy is not None:
        taxonomy = str(taxonomy)
    user = _user_values(doc, as_of, given)
    register_context(con, profile, taxonomy)
    register_scope(con, scope)
    for required in doc.requires:
        if required in _seen or required == name:
            raise QueryError(f"查询 {name} 的 Requires 形成循环：{' → '.join((*_seen, name, required))}")
        _materialise(con, required, scope, taxonomy, (*_seen, name))
    available = {**context_params(profile, as_of), **user}
    missing = [n for n in doc.bound_names if n not in available]
    if missing:
        raise QueryError(f"{doc.path.name} 使用了未知参数：{'、'.join('$' + n for n in missing)}")
    return doc, {n: available[n] for n in doc.bound_names}


def _materialise(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, taxonomy: str | None,
                 seen: tuple[str, ...]) -> None:
    """Make the temp view ``name`` show the required query ``name`` for this context, as_of and filters.

    The query's own SQL, unchanged, is the body of a temp table; it is built only when no kept
    version matches the context (profile, taxonomy, registry state), as_of and the filters.
    """
    built_for = (_registered.get(con), scope.as_of, scope.filter_key)
    versions = _materialised.setdefault(con, {}).setdefault(name, {})
    table = versions.pop(built_for, None)
    if table is None:
        tax = {} if taxonomy is None else {TAXONOMY_PARAM: taxonomy}
        doc, values = _prepare(con, name, scope, tax, seen)
        table = f"_materialised_{name}_{next(_versions)}"
        con.execute(f"create temp table {table} as\n{doc.sql}", values)
        while len(versions) >= KEEP_VERSIONS:
            con.execute(f"drop table if exists {versions.pop(next(iter(versions)))}")
    versions[built_for] = table   # most recently used last
    pointed = _pointed.setdefault(con, {})
    if pointed.get(name) != table:
        con.execute(f"create or replace temp view {name} as select * from {table}")
        pointed[name] = table


def _statement(con: duckdb.DuckDBPyConnection, name: str, scope: Scope,
               params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SQL and bound values to run: the query's own, or its materialised rows when they are there.

    A query without parameters of its own that another query required on this connection for
    the same context, as_of and filters is read back from that temp table (same rows, same
    order) instead of being computed twice.
    """
    doc, values = _prepare(con, name, scope, params)
    if not doc.user_params:
        built_for = (_registered.get(con), scope.as_of, scope.filter_key)
        table = _materialised.get(con, {}).get(name, {}).get(built_for)
        if table is not None:
            return f"select * from {table}", {}
    return doc.sql, values


def _execute(con: duckdb.DuckDBPyConnection, name: str, scope: Scope,
             params: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    return con.execute(*_statement(con, name, scope, params))


def run(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, **params: Any) -> pd.DataFrame:
    """Run the named query on ``con`` under ``scope`` (its profile, as_of and filters) and return its rows.

    The scope's filters restrict every alliance-level figure to the alliances they select (the
    ``scope_alliances`` table; none chosen: no filter). ``params`` are the query's own
    parameters (see its header) plus ``taxonomy`` (a taxonomy id, "" for none; default the
    profile's). Money columns (``*_wan``) arrive as float64 converted from the exact
    DECIMALs (nearest double); round only for display. Integers and booleans are nullable
    (Int64, boolean); dates are datetime64.
    """
    sql, values = _statement(con, name, scope, params)
    with warnings.catch_warnings():
        # DuckDB notes that arrow output of an execute() result copies the rows: for these
        # result sizes the copy is cheaper than planning the query twice through con.sql().
        warnings.simplefilter("ignore", UserWarning)
        table = con.execute(sql, values).to_arrow_table()
    return _frame(table)


def _frame(table: pa.Table) -> pd.DataFrame:
    """Arrow → pandas: a third of the cost of ``.df()`` on wide per-alliance results."""
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, pc.cast(table.column(i), pa.float64()))
    return table.to_pandas(date_as_object=False, types_mapper=_nullable)


def _nullable(kind: pa.DataType) -> Any:
    if pa.types.is_integer(kind):
        return pd.Int64Dtype()
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    return None


def fetch(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, **params: Any) -> tuple[list[str], list[tuple]]:
    """Like ``run`` but with Python values (Decimal, date, None): for exact CSV/JSON output."""
    result = _execute(con, name, scope, params)
    columns = [d[0] for d in result.description]
    return columns, result.fetchall()
