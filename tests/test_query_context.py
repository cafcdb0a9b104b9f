"""queries.cache / queries.context: one context per (import, profile, taxonomy, overrides), shared by every
cursor of a connection (the dashboard opens one cursor per query), built once even when cursors race,
replaced when the profile changes; the taxonomy travels in the Scope."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from loaders.registry import connect_read_only, read_cursor
from queries import cache, catalogue, runner
from queries.fetch import read
from queries.policy import load_profile
from queries.scope import Scope
from registries import AS_OF

TIANJIN = load_profile("tianjin-2018")
WEINAN = load_profile("weinan-2015")


@pytest.fixture
def builds(monkeypatch) -> list[tuple[str, str]]:
    """(profile id, taxonomy) of every context built."""
    calls: list[tuple[str, str]] = []
    real = runner._build_context

    def counted(con, profile, taxonomy_id, catalog):
        calls.append((profile.id, taxonomy_id))
        return real(con, profile, taxonomy_id, catalog)
    monkeypatch.setattr(runner, "_build_context", counted)
    return calls


def fresh(registry: Path, name: str, scope: Scope):
    """The query's rows on a connection of its own: what a context shared with other cursors must equal."""
    c = connect_read_only(registry)
    try:
        return read(c, name, scope)
    finally:
        c.close()


def contexts(con) -> list[str]:
    return sorted(r[0] for r in con.execute("select database_name from duckdb_databases() "
                                             "where starts_with(database_name, 'ctx_')").fetchall())


def test_cursors_of_one_connection_share_one_context(con, hand_registry, builds):
    scope = Scope(TIANJIN, AS_OF)
    got = {name: read(con, name, scope) for name in runner.OVERVIEW_SET}   # a new cursor per query, as ui does
    assert builds == [("tianjin-2018", "tianjin-clusters")]
    for name, frame in got.items():
        assert frame.equals(fresh(hand_registry, name, scope)), name


def test_racing_cursors_build_the_context_once(con, builds):
    scope = Scope(TIANJIN, AS_OF)
    results: list = []
    errors: list = []

    def work():
        try:
            results.append(read(con, "coverage_by_cluster", scope))
        except Exception as e:  # noqa: BLE001 — reported below
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 4
    assert builds == [("tianjin-2018", "tianjin-clusters")]
    assert all(r.equals(results[0]) for r in results)


def test_a_taxonomy_is_a_variant_kept_beside_the_profiles_own(con, hand_registry, builds):
    own, none = Scope(TIANJIN, AS_OF), Scope(TIANJIN, AS_OF, taxonomy="")
    expected = fresh(hand_registry, "coverage_by_cluster", own)
    builds.clear()
    for _ in range(2):
        assert set(read(con, "coverage_by_cluster", none)["cluster"]) == {"未归类"}
        assert read(con, "coverage_by_cluster", own).equals(expected)
    assert builds == [("tianjin-2018", ""), ("tianjin-2018", "tianjin-clusters")]
    assert len(contexts(con)) == 2


def test_a_new_profile_replaces_the_context_and_stale_cursors_recover(con, hand_registry, builds):
    old = read_cursor(con)
    try:
        tianjin, weinan = Scope(TIANJIN, AS_OF), Scope(WEINAN, AS_OF)
        expected = {s.profile.id: fresh(hand_registry, "review_schedule", s) for s in (tianjin, weinan)}
        builds.clear()
        runner.run(old, "review_schedule", tianjin)
        before = contexts(con)
        assert read(con, "review_schedule", weinan).equals(expected["weinan-2015"])
        assert len(contexts(con)) == 1 and contexts(con) != before   # the other profile's context is detached
        # the first cursor's search path named the detached context: it is pointed again, rebuilt, right
        assert runner.run(old, "review_schedule", tianjin).equals(expected["tianjin-2018"])
        assert [b[0] for b in builds] == ["tianjin-2018", "weinan-2015", "tianjin-2018"]
    finally:
        old.close()


def test_the_scope_carries_the_taxonomy(con):
    scope = Scope(WEINAN, AS_OF, taxonomy="tianjin-clusters")
    assert scope.taxonomy_id == "tianjin-clusters" and Scope(WEINAN, AS_OF).taxonomy_id == WEINAN.taxonomy
    assert scope.key != Scope(WEINAN, AS_OF).key
    by_scope = runner.run(con, "coverage_by_cluster", scope)
    assert list(by_scope["cluster"])[-1] == "未归类" and len(by_scope) > 1
    # one way in: the taxonomy is the scope's, never a query parameter
    with pytest.raises(catalogue.QueryError):
        runner.run(con, "coverage_by_cluster", Scope(WEINAN, AS_OF), taxonomy="tianjin-clusters")


def test_context_tables_live_in_the_context_not_the_cursor(con):
    runner.run(con, "overview_kpis", Scope(TIANJIN, AS_OF))
    [catalog] = contexts(con)
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = $c",
                                         {"c": catalog}).fetchall()}
    assert {"profile_caps", "profile_targets", "profile_required_types", "taxonomy_entries", "alliance_cluster",
            "lead_units", "alliance_region"} <= tables
    temp = {r[0] for r in con.execute("select table_name from duckdb_tables() where temporary").fetchall()}
    assert {"scope_alliances", "scope_filters"} <= temp and not temp & tables
    assert cache.context_of(con) == catalog


def test_a_page_reuses_its_staging_queries_across_reads(con, hand_registry, monkeypatch):
    # fetch.read lends an idle cursor: target_outlook builds target_progress and target_trajectory, the
    # page's next reads find them (as a new cursor per read would not)
    scope = Scope(TIANJIN, AS_OF)
    expected = {name: fresh(hand_registry, name, scope) for name in runner.OVERVIEW_SET}
    built: list[str] = []
    real = cache.materialise

    def counted(c, name, built_for, build):
        return real(c, name, built_for, lambda table: (built.append(name), build(table))[1])
    monkeypatch.setattr(cache, "materialise", counted)
    for name in runner.OVERVIEW_SET:
        assert read(con, name, scope).equals(expected[name]), name
    assert built and sorted(built) == sorted(set(built))     # each staging query built once for the whole page


def test_a_changed_setting_reaches_staging_queries_on_a_reused_cursor(con, hand_registry):
    # members.minimum is a bound value, not a context table: the context is kept, the staging rebuilt
    import dataclasses
    lenient = dataclasses.replace(TIANJIN, members=dataclasses.replace(TIANJIN.members, minimum=1))
    strict, loose = Scope(TIANJIN, AS_OF), Scope(lenient, AS_OF)
    expected = [fresh(hand_registry, "eligibility_summary", s) for s in (strict, loose)]
    assert not expected[0].equals(expected[1])
    for i in (0, 1, 0):
        assert read(con, "eligibility_summary", (strict, loose)[i]).equals(expected[i])
    assert len(contexts(con)) == 1


def test_a_profile_switch_leaves_a_running_querys_context_alone(con, hand_registry):
    # two sessions on two profiles at once: neither sees its context detached under a running query
    tianjin, weinan = Scope(TIANJIN, AS_OF), Scope(WEINAN, AS_OF)
    expected = [fresh(hand_registry, "overview_kpis", s) for s in (tianjin, weinan)]
    errors: list = []

    def session(i: int) -> None:
        try:
            for _ in range(6):
                assert read(con, "overview_kpis", (tianjin, weinan)[i]).equals(expected[i])
        except Exception as e:  # noqa: BLE001 — reported below
            errors.append(e)
    threads = [threading.Thread(target=session, args=(i % 2,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_busy_cursors_context_is_kept(con):
    other = read_cursor(con)
    try:
        runner.run(other, "coverage_by_cluster", Scope(TIANJIN, AS_OF))
        with cache.busy(other):
            runner.run(con, "coverage_by_cluster", Scope(WEINAN, AS_OF))
            assert len(contexts(con)) == 2          # tianjin's stays while `other` runs on it
        runner.run(con, "coverage_by_cluster", Scope(load_profile("zhejiang-2010"), AS_OF))
        assert len(contexts(con)) == 1              # …and goes at the next switch
    finally:
        other.close()
