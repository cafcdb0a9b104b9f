"""ui.warm: after an import, the default view (default profile, today, no filters) is computed once in the
background into the caches the pages read, so the first visitor does not pay for it."""
from __future__ import annotations

import datetime as dt
import threading

import numpy as np

from queries import bureau, runner
from queries.policy import default_profile
from queries.scope import Scope, year_before
from registries import REGISTRY, build


def test_a_new_import_warms_the_default_view_once(tmp_path, monkeypatch):
    import ui

    db = build(tmp_path / "registry.duckdb", REGISTRY)
    monkeypatch.setenv("REGISTRY_DB", str(db))
    computed: list[tuple[str, dt.date]] = []
    real = ui.read
    monkeypatch.setattr(ui, "read", lambda con, name, scope, params=(): (computed.append((name, scope.as_of)),
                                                                        real(con, name, scope, params))[1])
    version = ui.db_version(db)
    ui.warm(version)
    ui.warm(version)                      # a second page run of the same import starts nothing
    for thread in [t for t in threading.enumerate() if t.name == "warm-default-view"]:
        thread.join(60)
    today = dt.date.today()
    assert sorted(computed) == sorted([(n, today) for n in (*runner.OVERVIEW_SET, "region_distribution")]
                                      + [("overview_kpis", year_before(today))])
    # the visitor's page reads the same cache entries: nothing is computed again
    profile, _ = bureau.profile_checked(default_profile())
    fetch = ui.fetcher(version, Scope(profile, today))
    before = len(computed)
    for name in runner.OVERVIEW_SET:
        fetch(name)
    assert len(computed) == before


def test_the_warm_up_is_never_a_daemon(tmp_path, monkeypatch):
    # Pages run in daemon threads and a thread inherits its starter's flag: a daemon warm-up still inside DuckDB
    # at interpreter exit aborted the whole process ("FATAL: exception not rethrown", exit 134) after green tests.
    import ui

    db = build(tmp_path / "registry.duckdb", REGISTRY)
    monkeypatch.setenv("REGISTRY_DB", str(db))
    seen: list[bool] = []
    monkeypatch.setattr(ui, "_warm_default_view", lambda version: seen.append(threading.current_thread().daemon))
    page = threading.Thread(target=ui.warm, args=(ui.db_version(db),), daemon=True)   # as a page's script thread
    page.start()
    page.join(10)
    for thread in [t for t in threading.enumerate() if t.name == "warm-default-view"]:
        thread.join(10)
    assert seen == [False]


def test_the_server_warms_a_command_line_import_before_anyone_visits(tmp_path, monkeypatch):
    # server.py runs ui.watch beside the server: a new registry file (an import from the command line replaces
    # it) is warmed when it lands. Here the file is replaced twice; each new version is warmed once, no visit.
    import ui

    db = build(tmp_path / "registry.duckdb", REGISTRY)
    monkeypatch.setenv("REGISTRY_DB", str(db))
    warmed: list[ui.Version] = []
    monkeypatch.setattr(ui, "_warm_default_view", warmed.append)
    stop = threading.Event()
    watcher = threading.Thread(target=ui.watch, args=(stop, 0.05))
    watcher.start()
    try:
        versions = [ui.db_version(db)]
        for n in range(2):
            next_import = build(tmp_path / f"next-{n}.duckdb", REGISTRY)
            next_import.replace(db)                      # as loaders' atomic os.replace() lands an import
            versions.append(ui.db_version(db))
            deadline = dt.datetime.now() + dt.timedelta(seconds=30)
            while versions[-1] not in warmed and dt.datetime.now() < deadline:
                stop.wait(0.05)
    finally:
        stop.set()
        watcher.join(10)
    for thread in [t for t in threading.enumerate() if t.name == "warm-default-view"]:
        thread.join(10)
    assert len(set(versions)) == 3 and warmed == versions


def test_a_cached_result_is_shared_and_what_a_page_does_to_it_stays_on_that_page(tmp_path, monkeypatch):
    # ui._query keeps one frame per query and scope for every session (no unpickled copy per read); fetch hands
    # out a shallow copy, and pandas' copy-on-write keeps a page's changes off the shared frame
    import ui

    db = build(tmp_path / "registry.duckdb", REGISTRY)
    monkeypatch.setenv("REGISTRY_DB", str(db))
    reads: list[str] = []
    real = ui.read
    monkeypatch.setattr(ui, "read", lambda con, name, scope, params=(): (reads.append(name),
                                                                        real(con, name, scope, params))[1])
    profile, _ = bureau.profile_checked(default_profile())
    fetch = ui.fetcher(ui.db_version(db), Scope(profile, dt.date(2026, 11, 21)))
    first = fetch("alliance_directory")
    before = first.copy(deep=True)
    members = fetch("alliance_directory")["in_registry"].to_numpy()
    assert np.shares_memory(first["in_registry"].to_numpy(), members)     # one frame, not a copy per read
    first["alliance"] = "改掉的名称"                          # what a page might do to its rows
    first.loc[first.index[0], "in_registry"] = False
    again = fetch("alliance_directory")
    assert reads == ["alliance_directory"]                   # read once, shared
    assert again is not first
    assert again.equals(before)
