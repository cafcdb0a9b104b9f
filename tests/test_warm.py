"""ui.warm: after an import, the default view (default profile, today, no filters) is computed once in the
background into the caches the pages read, so the first visitor does not pay for it."""
from __future__ import annotations

import datetime as dt
import threading

import numpy as np

from queries import bureau, runner
from queries.policy import default_profile
from queries.scope import Scope, year_before
from app_pages import open_page
from registries import REGISTRY, build


def test_a_new_import_warms_the_default_view_once(tmp_path, monkeypatch):
    import figures
    import ui

    db = build(tmp_path / "registry.duckdb", REGISTRY)
    monkeypatch.setenv("REGISTRY_DB", str(db))
    computed: list[tuple[str, dt.date]] = []
    real = ui.read
    monkeypatch.setattr(ui, "read", lambda con, name, scope, params=(): (computed.append((name, scope.as_of)),
                                                                        real(con, name, scope, params))[1])
    version = ui.db_version(db)
    built: list[str] = []
    real_render = figures.render
    monkeypatch.setattr(figures, "render", lambda chart_id, fetch, scope: (built.append(chart_id),
                                                                           real_render(chart_id, fetch, scope))[1])
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
    # and 总览's two charts are built, under the scope the page opens with (its year range): a visitor's 总览
    # without a link's filters draws them from the cache
    assert sorted(built) == ["overview_composition", "overview_coverage"]
    open_page(db, monkeypatch, "overview", as_of=None)
    assert len(built) == 2


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


def test_a_chart_is_built_once_per_import_settings_and_scope(tmp_path, monkeypatch):
    # ui._shared_chart keeps the finished figure per chart, import, settings and scope: a page's second run builds
    # nothing; another year range, filter order or registry file builds anew; a page's own fetch (no cache_key,
    # one alliance's) always builds
    import dataclasses

    import figures
    import ui

    db = build(tmp_path / "registry.duckdb", REGISTRY)
    monkeypatch.setenv("REGISTRY_DB", str(db))
    built: list[str] = []
    real = figures.render
    monkeypatch.setattr(figures, "render", lambda chart_id, fetch, scope: (built.append(chart_id),
                                                                           real(chart_id, fetch, scope))[1])
    profile, _ = bureau.profile_checked(default_profile())
    scope = Scope(profile, dt.date(2026, 11, 21), 2010, 2026)

    def shown(scope: Scope, version=None):
        fetch = ui.fetcher(version or ui.db_version(db), scope)
        return ui._shared_chart("subsidies_by_year", (fetch.cache_key, ui._view_key(scope)), fetch, scope)

    first = shown(scope)
    title, reason, fig, _ = first
    assert (title, reason) == ("历年补贴金额", None) and fig is not None
    assert all(a.text != figures.footnote(scope) for a in fig.layout.annotations)   # finished as the page shows it
    assert shown(scope) is first and built == ["subsidies_by_year"]                 # a second run: the same figure
    assert shown(dataclasses.replace(scope, year_from=2020)) is not first           # the year range is its own
    assert shown(dataclasses.replace(scope, regions=("甲区", "乙区"))) is not shown(
        dataclasses.replace(scope, regions=("乙区", "甲区")))                       # the filters' order is named
    other = build(tmp_path / "again.duckdb", REGISTRY)
    assert shown(scope, ui.db_version(other)) is not first                         # a new import
    assert len(built) == 5
    page_own = ui.fetcher(ui.db_version(db), scope)
    for _ in range(2):      # a page's own fetch, as 联盟档案 binds one alliance's
        ui.show_chart("subsidies_by_year", lambda name, **params: page_own(name, **params), scope)
    assert len(built) == 7
