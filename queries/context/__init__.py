"""The query context: the policy profile and its taxonomy as tables and bound parameters.

A query sees the profile two ways. Scalars arrive as bound parameters (``context_params``:
``$as_of``, ``$cycle_years``, … — the names ``catalogue.CONTEXT_PARAMS`` documents). Lists and
rules arrive as tables, built by ``build`` into one catalog per context (queries.cache decides
when, and shares it between cursors):

``profile_caps(kind, cap_wan)``
    subsidy caps (万元) by 补贴类型; kinds without a cap are absent.
``profile_targets(label, year, low, high, count_from)``
    the profile's targets; ``count_from = 0`` means cumulative since the start.
``profile_required_types(group_no, unit_type, group_label)``
    member types required: at least one member of some type of each group.
``taxonomy_entries(entry, grp, position)``
    the clusters/fields of the taxonomy, in its order (empty when there is none).
``alliance_keys(alliance_key, alliance_id)``
    every alliance's integer key: its ``rowid`` in the registry's ``alliances`` table. The per-alliance
    tables below carry it, ``scope_alliances`` carries it, and the rules and queries join on it (or on
    ``alliances.rowid``) rather than on the text ``alliance_id``: a join of 84,000 alliances on an
    integer in a dense range is DuckDB's perfect hash join, a third of the cost of hashing the ids.
    A registry file is written whole by each import and never changed in place (loaders.store), and
    a context is built per import, so the rowids it read are the ones every query of it sees.
``alliance_cluster(alliance_key, alliance_id, cluster, reason, raw_field)``
    every alliance classified by ``policy.classify_alliances`` (overrides applied);
    unmapped ones carry 未归类 and the reason.
``cluster_list(cluster, cluster_group, position)``
    the taxonomy's entries, then 未归类: the rows of every by-cluster table (``cluster_list.sql``).
``lead_units`` and ``alliance_region``
    the lead-unit and region rules, as SQL in this folder (``lead_units.sql``, ``alliance_region.sql``).
``lead_local(alliance_key, valid_from, valid_to, lead_local)``
    whether the lead unit among the current members is registered locally, per stretch of dates
    (``lead_local.sql``): what ``eligibility_check`` reads at any as_of.
``evaluation_dates(alliance_key, valid_from, valid_to)``
    each alliance's evaluation dates, each until the next (``evaluation_dates.sql``): the latest
    evaluation on any as_of, for ``review_schedule`` and ``work_priorities``.
``alliance_dimensions(alliance_key, alliance_id, region, level, cluster, name_rank)``
    what the sidebar's filters match, per alliance (``alliance_dimensions.sql``; read by ``scope_alliances.sql``),
    and its place in name order: ``scope_alliances`` carries it, and every list ordered by alliance sorts by
    that integer rather than by the names.
``member_stretches(alliance_key, valid_from, valid_to, members, enterprises, …, neighbour_mask)``
    every alliance's members counted by type, core and place, per stretch of dates over which they
    do not change (``member_stretches.sql``): what ``alliance_members`` reads at any as_of.
``eligibility_stretches(alliance_key, valid_from, valid_to, member_count, …, problems)`` and ``eligibility_on(as_of, scope)``
    every alliance checked against the profile's member conditions, per stretch of dates over which its
    members and lead do not change (``eligibility_stretches.sql``), and a table macro giving the alliances in
    the registry on as_of and in the cursor's scope each the check of the stretch holding as_of
    (``eligibility_on.sql``): what ``eligibility_check``, ``eligibility_problems``, ``eligibility_summary``
    and ``work_priorities`` read at any as_of.
``eligibility_problems_on(as_of, scope)``
    a table macro: the unmet conditions of ``eligibility_on``, one row per alliance and reason, typed
    (``eligibility_problems_on.sql``): the rows of ``eligibility_problems`` and the counts of ``eligibility_summary``.
``status_words(word_key, word)`` and ``status_word(key)``
    the status words (queries.vocabulary.WORDS), e.g. ``status_word('unclassified')`` = 未归类.
``unit_types(position, unit_type, pillar)`` and ``unit_type_position(unit_type)``
    the member unit types in their order with their 产学研金介 pillar (``policy.PILLARS``), and a member's
    type as its position there (a blank type counts as 其他, the last): what the member tables list and sort by.
``subsidy_kind_position(kind)``
    a subsidy kind's place in ``policy.SUBSIDY_KINDS`` (备案补贴 first; a blank kind last): how money lists sort kinds.
``member_current(joined_date, left_date, on_date)``
    true when a member belongs to its alliance on a date: joined by then, or no joining date, and not left by
    then. The one statement of the rule (``current_in_stretches``, ``alliance_detail``, the member queries).
``in_registry(filed_date, revoked_date, as_of)``
    true when an alliance is in the registry on as_of: filed on or before it and not revoked by then. The
    one statement of the rule every "在册" list, count and flag reads (the macros below, ``work_priorities``,
    ``alliance_directory``, ``alliance_detail``, ``cluster_assignments``).
``current_in_stretches(dated)``
    a table macro: each dated row (joined / left) with every stretch of dates it is current in (by
    ``member_current``; ``current_in_stretches.sql``, read by ``lead_local.sql`` and ``member_stretches.sql``).
``subsidies_counted(as_of, year_from := 0, year_to := 9999)``
    a table macro: the subsidy rows every money figure sums on as_of — not 已收回, of a year up to as_of's and
    within the range given (``subsidies_counted.sql``).
``report_due_year(as_of, due_month, due_day)``
    a table macro: the latest report year already due on as_of (``report_due_year.sql``).
``alliance_members_on(as_of, scope, neighbour_places)`` and ``review_schedule_on(as_of, scope, …)``
    table macros: the rows of ``alliance_members`` and ``review_schedule`` (one per alliance in the registry
    on as_of and in scope), unordered (``alliance_members_on.sql``, ``review_schedule_on.sql``). Those
    queries order them; ``overview_kpis``, ``region_distribution``, ``coverage_by_cluster``, ``cross_region``,
    ``member_composition`` and ``alliance_detail`` read them directly, without materialising the lists:
    each reads only the columns (and ``alliance_detail`` the one alliance) it needs.

The scope's tables (``scope_alliances``, ``scope_filters``) are per cursor, from
``scope_alliances.sql`` and ``scope_filters.sql`` here: see ``scope_statements``.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.normalise import name_key_column, text_column

from .. import policy, vocabulary
from ..policy import UNCLASSIFIED, Profile
from ..scope import Scope

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def rule(name: str) -> str:
    """The SQL of ``context/NAME.sql``."""
    return (HERE / f"{name}.sql").read_text(encoding="utf-8")


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


def build(con: duckdb.DuckDBPyConnection, profile: Profile, taxonomy_id: str, catalog: str) -> None:
    """Create the context tables for ``profile`` and taxonomy ``taxonomy_id`` ("" = none) in ``catalog``.

    ``con``'s current database is the registry; ``catalog`` is an empty attached database on its search path.
    """
    caps = pd.DataFrame({"kind": list(profile.subsidy_caps),
                         "cap_wan": [repr(v) for v in profile.subsidy_caps.values()]})
    targets = pd.DataFrame([(t.label, t.year, t.low, t.high, t.count_from) for t in profile.targets],
                           columns=["label", "year", "low", "high", "count_from"])
    required = pd.DataFrame([(i, kind, "或".join(group)) for i, group in enumerate(profile.members.required_types, 1)
                             for kind in group], columns=["group_no", "unit_type", "group_label"])
    # as Arrow columns: 84,000 alliances as Python tuples took 0.14 s, their frames as much again
    alliances = con.sql("select rowid as alliance_key, alliance_id, name, field, lead_unit from alliances").to_arrow_table()
    if taxonomy_id:
        tax = policy.load_taxonomy(taxonomy_id)
        entries = pd.DataFrame([(e.name, e.group, i) for i, e in enumerate(tax.entries, 1)],
                               columns=["entry", "grp", "position"])
        clusters = classify(tax, alliances, policy.override_files(profile.settings))
        clusters = clusters.add_column(0, "alliance_key", alliances["alliance_key"])
    else:
        entries = pd.DataFrame({"entry": [], "grp": [], "position": []})
        clusters = pa.table({"alliance_key": alliances["alliance_key"], "alliance_id": alliances["alliance_id"],
                             "cluster": pa.repeat(UNCLASSIFIED, alliances.num_rows),
                             "reason": pa.repeat("政策配置未设分类体系", alliances.num_rows),
                             "raw_field": alliances["field"]})
    lead = pa.table({"alliance_key": alliances["alliance_key"], "alliance_id": alliances["alliance_id"],
                     "lead_key": name_key_column(text_column(alliances["lead_unit"]))})
    tables = {
        "profile_caps": (caps, "kind varchar, cap_wan decimal(18,6)"),
        "profile_targets": (targets, "label varchar, year integer, low integer, high integer, count_from integer"),
        "profile_required_types": (required, "group_no integer, unit_type varchar, group_label varchar"),
        "taxonomy_entries": (entries, "entry varchar, grp varchar, position integer"),
        "alliance_cluster": (clusters, "alliance_key bigint, alliance_id varchar, cluster varchar, reason varchar, "
                                       "raw_field varchar"),
        "_alliance_lead": (lead, "alliance_key bigint, alliance_id varchar, lead_key varchar"),
        "alliance_keys": (alliances.select(["alliance_key", "alliance_id"]), "alliance_key bigint, alliance_id varchar"),
        "_alliance_name_rank": (_name_ranks(alliances), "alliance_key bigint, name_rank integer"),
        "unit_types": (pd.DataFrame([(i, kind, pillar) for i, (kind, pillar) in enumerate(policy.PILLARS.items(), 1)],
                                    columns=["position", "unit_type", "pillar"]),
                       "position integer, unit_type varchar, pillar varchar"),
        "status_words": (pd.DataFrame(list(vocabulary.WORDS.items()), columns=["word_key", "word"]),
                         "word_key varchar, word varchar"),
    }
    for name, (frame, columns) in tables.items():
        casts = ", ".join(f"cast({c.split()[0]} as {c.split(None, 1)[1]}) as {c.split()[0]}" for c in columns.split(", "))
        con.register("_context_frame", frame.astype(object) if isinstance(frame, pd.DataFrame) else frame)
        try:
            con.execute(f"create table {catalog}.main.{name} as select {casts} from _context_frame")
        finally:
            con.unregister("_context_frame")
    con.execute(f"create macro {catalog}.main.status_word(k) as (select word from status_words where word_key = k)")
    # a value's place in its list's order (policy, as loaders/schema.py stores them); a blank (or unknown) one is
    # 其他 for a unit type (the last type), after all the others for a subsidy kind. A TINYINT: as a sort key
    # it made subsidy_cap_check's ORDER BY 3–5 of its ~50 ms cheaper at 450k than list_position's INTEGER.
    for macro, values, blank in (("unit_type_position", policy.UNIT_TYPES, len(policy.UNIT_TYPES)),
                                 ("subsidy_kind_position", policy.SUBSIDY_KINDS, len(policy.SUBSIDY_KINDS) + 1)):
        listed = ", ".join(f"'{value}'" for value in values)
        con.execute(f"create macro {catalog}.main.{macro}(v) as "
                    f"cast(coalesce(list_position([{listed}], v), {blank}) as tinyint)")
    # a member on a date: joined by then (a blank date: from the start) and not yet left (a blank date: still in)
    con.execute(f"create macro {catalog}.main.member_current(joined_date, left_date, on_date) as "
                "(joined_date is null or joined_date <= on_date) and (left_date is null or left_date > on_date)")
    # in the registry on as_of: filed by then (a blank filing date: not yet) and not revoked by then
    con.execute(f"create macro {catalog}.main.in_registry(filed_date, revoked_date, as_of) as "
                "coalesce(filed_date <= as_of, false) and (revoked_date is null or revoked_date > as_of)")
    # the rules read the registry (the current database) and the tables above (``catalog`` is on the search path)
    con.execute(f"create macro {catalog}.main.current_in_stretches(dated) as table\n{rule('current_in_stretches')}")
    con.execute(f"create macro {catalog}.main.subsidies_counted(as_of, year_from := 0, year_to := 9999) as table\n"
                f"{rule('subsidies_counted')}")
    con.execute(f"create table {catalog}.main.lead_units as\n{rule('lead_units')}")
    con.execute(f"create table {catalog}.main.lead_local as\n{rule('lead_local')}",
                {"local_places": list(profile.members.local_places)})
    con.execute(f"create table {catalog}.main.cluster_list as\n{rule('cluster_list')}")
    con.execute(f"create table {catalog}.main.alliance_region as\n{rule('alliance_region')}",
                {"regions": list(profile.regions)})
    con.execute(f"create table {catalog}.main.evaluation_dates as\n{rule('evaluation_dates')}")
    con.execute(f"create table {catalog}.main.alliance_dimensions as\n{rule('alliance_dimensions')}")
    con.execute(f"create table {catalog}.main.member_stretches as\n{rule('member_stretches')}",
                {"local_places": list(profile.members.local_places),
                 "neighbour_places": list(profile.members.neighbour_places)})
    m = profile.members
    con.execute(f"create table {catalog}.main.eligibility_stretches as\n{rule('eligibility_stretches')}",
                {"member_minimum": m.minimum, "counts_core_only": m.counts_core_only,
                 "require_lead_local": m.lead_registered_locally, "core_local_share_min": m.core_local_share_min,
                 "local_places": list(m.local_places)})
    con.execute(f"create macro {catalog}.main.eligibility_on(as_of, scope) as table\n{rule('eligibility_on')}")
    con.execute(f"create macro {catalog}.main.eligibility_problems_on(as_of, scope) as table\n"
                f"{rule('eligibility_problems_on')}")
    con.execute(f"create macro {catalog}.main.report_due_year(as_of, due_month, due_day) as table\n"
                f"{rule('report_due_year')}")
    con.execute(f"create macro {catalog}.main.alliance_members_on(as_of, scope, neighbour_places) as table\n"
                f"{rule('alliance_members_on')}")
    con.execute(f"create macro {catalog}.main.review_schedule_on(as_of, scope, cycle_years, report_due_month, "
                f"report_due_day, agreement_term_years, overdue_action) as table\n{rule('review_schedule_on')}")


def _name_ranks(alliances: pa.Table) -> pa.Table:
    """Each alliance's place in name order (name, then id: byte order, as DuckDB sorts text), for
    alliance_dimensions. Sorted here in Arrow: a window in SQL took three times as long (84,000 alliances)."""
    order = pc.sort_indices(alliances, sort_keys=[("name", "ascending"), ("alliance_id", "ascending")]).to_numpy()
    ranks = np.empty(len(order), dtype=np.int32)
    ranks[order] = np.arange(1, len(order) + 1, dtype=np.int32)
    return pa.table({"alliance_key": alliances["alliance_key"], "name_rank": ranks})


def scope_statements(scope: Scope) -> list[tuple[str, dict[str, Any]]]:
    """The statements (SQL, bound values) that make ``scope_filters`` and ``scope_alliances`` on a cursor."""
    values = {"regions": list(scope.regions), "levels": list(scope.levels), "clusters": list(scope.clusters)}
    return [(rule("scope_filters"), values), (rule("scope_alliances"), values)]


def classify(tax: policy.Taxonomy, alliances: pa.Table, paths: tuple[Path, ...] | None = None) -> pa.Table:
    """``classify_alliances`` for an Arrow table of alliances (alliance_id, name, field), each distinct field once.

    Returns alliance_id, cluster, reason and raw_field. Alliances named in the overrides file go through
    ``classify_alliances`` by name (人工指定); the others share the result of their field text, which is
    what ``classify_alliances`` would give them anyway.
    """
    paths = policy.override_files() if paths is None else paths  # read at call time, so tests can point it elsewhere
    overrides = policy.read_overrides(tax, paths)
    field = alliances["field"]
    fields = pc.unique(field)
    by_field = policy.classify_alliances(tax, ((f, None, f) for f in fields.to_pylist()), overrides_path=None)
    at = pc.index_in(field, value_set=fields, skip_nulls=False)    # a blank field is classified as blank
    cluster = pa.array(by_field["entry"], pa.string()).take(at)
    reason = pa.array(by_field["reason"], pa.string()).take(at)
    if overrides:   # the few named in the file, by name, as classify_alliances does
        names = alliances["name"].to_pylist()
        manual = [i for i, n in enumerate(names) if policy.normalise(n or "") in overrides]
        if manual:
            ids, fields_of = alliances["alliance_id"].to_pylist(), field.to_pylist()
            by_name = policy.classify_alliances(tax, ((ids[i], names[i], fields_of[i]) for i in manual), paths)
            cluster, reason = cluster.to_pylist(), reason.to_pylist()
            for i, entry, why in zip(manual, by_name["entry"], by_name["reason"]):
                cluster[i], reason[i] = entry, why
            cluster, reason = pa.array(cluster, pa.string()), pa.array(reason, pa.string())
    return pa.table({"alliance_id": alliances["alliance_id"], "cluster": cluster, "reason": reason,
                     "raw_field": field})
