"""Benchmark: every named query on the national-scale registry.

    python bench/bench_queries.py [--db PATH] [--profile tianjin-2018] [--as-of 2026-11-21] [--repeat 15]
                                  [--filter region=…,… --filter level=市级 --filter cluster=…]

The database is the national-scale set (≥ 20,000 alliances, ≥ 400,000 members), built with

    python data/generate_sample.py --scale --out /tmp/scale_csv
    python -m loaders load --db /tmp/scale.duckdb /tmp/scale_csv/*.csv

When ``--db`` does not exist it is built that way first (from data/scale/*.csv if present,
else from a fresh ``generate_sample.py --scale`` run in a temporary folder). ``--synthetic``
(or a failing generator or loader) writes a synthetic registry of the same size straight
into the schema instead — a fallback that needs neither.

Each query runs ``--repeat`` times through ``runner.run`` (the pages' call, DataFrame
included) on one read-only connection, as a page would. The context tables (classification
of every alliance, lead units) are built once beforehand and timed separately. Queries with
``Requires:`` are timed twice: as a page re-runs them (required tables reused) and "cold",
with the required queries rebuilt every run (what the first run after a new as_of, profile
or import costs). A query is always computed in its own row, never read back from the table
another query materialised it into. The overview set is ``runner.OVERVIEW_SET`` run back to
back as the page runs it (overview_kpis also a year earlier), both ways: warm is a second
render of the page on the same connection (what the page itself materialised is reused).
Everything is timed twice: without filters, and with the dashboard's filters (``--filter``
as in ``python -m queries run``; by default the two largest regions, level 市级 and the two
largest clusters). "Cold" also rebuilds ``scope_alliances``, as after a change of filters.
Per-alliance queries are given the first alliance in scope.
Goal on the 2-core machine: each query ≤ 100 ms median, the overview set ≤ 300 ms median.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from loaders.registry import connect_read_only  # noqa: E402
from loaders.schema import ddl  # noqa: E402
from queries import cache, catalogue, runner  # noqa: E402
from queries.policy import DEFAULT_PROFILE, load_profile  # noqa: E402
from queries.scope import Scope, parse_filters  # noqa: E402

QUERY_GOAL_MS = 100.0
OVERVIEW_GOAL_MS = 300.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/scale.duckdb"))
    parser.add_argument("--profile", default=DEFAULT_PROFILE)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 21))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--filter", action="append", default=None, metavar="DIM=V1,V2",
                        help="the filtered pass's filters, as in python -m queries run (default: the two regions "
                             "with most alliances, level=市级, the two clusters with most alliances)")
    parser.add_argument("--synthetic", action="store_true", help="(re)write a synthetic registry at --db first")
    args = parser.parse_args(argv)

    if args.synthetic:
        print(f"writing a synthetic national-scale registry to {args.db} …", file=sys.stderr)
        synthetic_registry(args.db)
    elif not args.db.exists():
        build_scale_db(args.db)
    profile = load_profile(args.profile)
    con = connect_read_only(args.db)
    sizes = {t: con.execute(f"select count(*) from {t}").fetchone()[0]
             for t in ("alliances", "members", "subsidies", "events", "annual_reports")}
    print(f"database: {args.db}  profile: {args.profile}  as_of: {args.as_of}  repeat: {args.repeat}")
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in sizes.items()))

    context = context_ms(args.db, args.profile)
    runner.register_context(con, profile)
    whole = Scope(profile, args.as_of)
    filtered = Scope(profile, args.as_of, **parse_filters(args.filter)) if args.filter else _default_filters(con, whole)
    ok = True
    for scope in (whole, filtered):
        ok &= _bench(con, args.repeat, scope)
    print()
    required = sorted({r for doc in catalogue.list_queries() for r in doc.requires})
    print(f"cold = the query's Requires ({', '.join(required)}) and scope_alliances rebuilt on every run, as after "
          "new filters, as_of, profile or import; otherwise they are reused on the connection")
    print(f"context tables, once per connection, profile and import (classify {sizes['alliances']:,} alliances, "
          f"find lead units, align regions): {context:.1f} ms")
    print(f"load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
          "(other processes share the machine)")
    con.close()
    return 0 if ok else 1


def _default_filters(con, whole: Scope) -> Scope:
    """A filter on all three dimensions that keeps a realistic share of the registry."""
    regions = runner.run(con, "region_distribution", whole)
    clusters = runner.run(con, "coverage_by_cluster", whole)
    top = lambda frame, column: tuple(frame.nlargest(2, "alliances_active")[column])  # noqa: E731
    return replace(whole, regions=top(regions, "region"), levels=("市级",), clusters=top(clusters, "cluster"))


def _callers(con, scope: Scope):
    """``run(name)`` under ``scope``, ``forget()`` (as after new filters, as_of, profile or import) and the
    queries that can be run (per-alliance ones get the first alliance in scope)."""
    runner.run(con, "overview_kpis", scope)
    samples = {"alliance_id": con.execute("select min(alliance_id) from scope_alliances").fetchone()[0]}
    required = {doc.name: [p.name for p in doc.user_params if p.default is None] for doc in catalogue.list_queries()}

    def run(name: str):
        return runner.run(con, name, scope, **{n: samples[n] for n in required[name]})

    def forget() -> None:
        cache.forget_materialised(con)
        cache._scoped.pop(con, None)

    docs = [doc for doc in catalogue.list_queries() if set(required[doc.name]) <= set(samples)]
    return run, forget, docs


def cold_times(db: Path, profile_name: str, as_of: date, repeat: int) -> dict[str, float]:
    """Every query's median ms cold — its Requires and scope_alliances rebuilt before each run — without
    filters and with the default filters (the slower of the two), on one connection whose context is built."""
    con = connect_read_only(db)
    try:
        profile = load_profile(profile_name)
        runner.register_context(con, profile)
        whole = Scope(profile, as_of)
        out: dict[str, float] = {}
        for scope in (whole, _default_filters(con, whole)):
            run, forget, docs = _callers(con, scope)
            for doc in docs:
                ms = statistics.median(_times(repeat, lambda: run(doc.name), before=forget))
                out[doc.name] = max(ms, out.get(doc.name, 0.0))
        return out
    finally:
        con.close()


def context_ms(db: Path, profile_name: str) -> float:
    """The context tables built on a new connection (once per connection, profile and import)."""
    con = connect_read_only(db)
    try:
        started = time.perf_counter()
        runner.register_context(con, load_profile(profile_name))
        return (time.perf_counter() - started) * 1000
    finally:
        con.close()


def _bench(con, repeat: int, scope: Scope) -> bool:
    """Time every query and the overview set under ``scope``; print the table; True when within the goals."""
    as_of = scope.as_of
    run, forget, docs = _callers(con, scope)
    results: list[tuple[str, float, float, float | None, int]] = []
    for doc in docs:
        run(doc.name)   # warm-up: builds its Requires
        # the query itself is always computed: another query may have materialised it (read back otherwise)
        warm = _times(repeat, lambda: run(doc.name), before=lambda: cache.forget_materialised(con, (doc.name,)))
        cold = None
        if doc.requires:  # again with its required queries rebuilt, as on a new as_of or registry
            cold = statistics.median(_times(repeat, lambda: run(doc.name), before=forget))
        rows = len(run(doc.name))
        results.append((doc.name, statistics.median(warm), _p90(warm), cold, rows))

    year_ago = as_of.replace(year=as_of.year - 1) if (as_of.month, as_of.day) != (2, 29) else as_of - timedelta(365)

    def overview_set() -> None:
        # as pages/overview.py runs it: the KPI row also a year earlier, for the change on last year
        for name in runner.OVERVIEW_SET:
            run(name)
            if name == "overview_kpis":
                runner.run(con, name, replace(scope, as_of=year_ago))

    forget()          # only what the page itself materialises: a second render of it on the same connection
    overview_set()
    overview = _times(repeat, overview_set)
    overview_cold = _times(repeat, overview_set, before=forget)
    in_scope = con.execute("select count(*) from scope_alliances").fetchone()[0]

    width = max(len(r[0]) for r in results)
    print()
    print(f"filters: {scope.describe_filters()} — {in_scope:,} alliances in scope_alliances")
    print()
    print(f"| {'query':<{width}} | median ms | p90 ms | cold median ms |   rows | median ≤ {QUERY_GOAL_MS:.0f} ms |")
    print(f"|{'-' * (width + 2)}|----------:|-------:|---------------:|-------:|:--------------:|")
    for name, median, p90, cold, n in results:
        cold_text = f"{cold:14.1f}" if cold is not None else f"{'–':>14}"
        print(f"| {name:<{width}} | {median:9.1f} | {p90:6.1f} | {cold_text} | {n:6d} | "
              f"{'yes' if median <= QUERY_GOAL_MS else 'NO':^14} |")
    om, oc = statistics.median(overview), statistics.median(overview_cold)
    print()
    print(f"overview set ({', '.join(runner.OVERVIEW_SET)}; overview_kpis also a year earlier, as the page does): "
          f"median {om:.1f} ms, p90 {_p90(overview):.1f} ms; "
          f"cold median {oc:.1f} ms — goal ≤ {OVERVIEW_GOAL_MS:.0f} ms: {'yes' if om <= OVERVIEW_GOAL_MS else 'NO'}")
    return all(r[1] <= QUERY_GOAL_MS for r in results) and om <= OVERVIEW_GOAL_MS


def build_scale_db(db: Path) -> None:
    """The national-scale set through the real generator and loader; synthetic if either fails."""
    csvs = sorted((ROOT / "data" / "scale").glob("*.csv"))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if not csvs:
                print("generating the national-scale set (data/generate_sample.py --scale) …", file=sys.stderr)
                subprocess.run([sys.executable, str(ROOT / "data" / "generate_sample.py"), "--scale", "--out", tmp],
                               check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
                csvs = sorted(Path(tmp).glob("*.csv"))
            print(f"loading {len(csvs)} files into {db} (python -m loaders load) …", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "loaders", "load", "--db", str(db), *map(str, csvs)],
                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"generator or loader failed ({e}); writing a synthetic registry instead", file=sys.stderr)
            synthetic_registry(db)


def _times(repeat: int, call, before=None) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``call``; ``before`` runs untimed before each."""
    out = []
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- fallback data


FIELDS = ["高端装备制造（机器人）", "集成电路", "航空航天装备", "新能源汽车", "生物医药", "光伏", "稀土永磁材料",
          "节能环保", "精细化工", "特钢", "智慧农业", "文化创意"]
REGIONS = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区",
           "武清区", "宝坻区", "宁河区", "静海区", "蓟州区", "滨海新区"]
PLACES = ["天津市"] * 8 + ["北京市", "河北省石家庄市", "上海市", "广东省深圳市"]
TYPES = ["企业"] * 6 + ["高校", "科研院所", "金融机构", "中介机构"]
STAGES = ["申请", "形式审查", "技术审查", "专家评审", "公示"]


def synthetic_registry(path: Path, alliances: int = 20_000, members_per: int = 21, seed: int = 42) -> None:
    """A registry of ``alliances`` alliances with about ``members_per`` members each, straight into the schema."""
    import pandas as pd

    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    start = date(2010, 1, 1)
    a_rows, m_rows, s_rows, e_rows, r_rows = [], [], [], [], []
    for i in range(alliances):
        aid = f"S{i:06d}"
        name = f"合成联盟{i:06d}"
        applied = start + timedelta(days=rng.randrange(0, 6000))
        filed = applied + timedelta(days=rng.randrange(40, 120)) if rng.random() < 0.93 else None
        revoked = filed + timedelta(days=rng.randrange(400, 2000)) if filed and rng.random() < 0.05 else None
        status = "已撤销" if revoked else ("已备案" if filed else "申请中")
        lead = f"{name}牵头公司"
        a_rows.append((aid, name, name, lead, rng.choice(REGIONS), rng.choice(FIELDS), "市级", status, applied,
                       filed, revoked))
        day = applied
        for stage in STAGES:
            e_rows.append((aid, stage, day, "通过"))
            day += timedelta(days=rng.randrange(5, 30))
        for k in range(rng.randrange(members_per - 12, members_per + 12)):
            unit = lead if k == 0 else f"单位{rng.randrange(0, 150_000):06d}"
            m_rows.append((aid, unit, unit, rng.choice(TYPES), "理事长单位" if k == 0 else "成员单位",
                           rng.choice(PLACES), k < 5))
        if filed:
            s_rows.append((aid, filed.year, "备案补贴", rng.choice(["300000", "500000", "600000"]), "已拨付"))
            for y in range(filed.year + 3, 2027, 3):
                e_rows.append((aid, "三年评估", date(y, filed.month, min(filed.day, 28)), "合格"))
                s_rows.append((aid, y, "评估补贴", "300000", "已拨付"))
            for y in range(filed.year, 2026):
                if rng.random() < 0.9:
                    r_rows.append((aid, y, date(y, 12, rng.randrange(1, 29))))
    frames = {
        "alliances": pd.DataFrame(a_rows, columns=["alliance_id", "name", "name_key", "lead_unit", "region", "field",
                                                   "level", "status", "applied_date", "filed_date", "revoked_date"]),
        "members": pd.DataFrame(m_rows, columns=["alliance_id", "unit_name", "unit_name_key", "unit_type", "role",
                                                 "registered_in", "is_core"]),
        "subsidies": pd.DataFrame(s_rows, columns=["alliance_id", "year", "kind", "amount_yuan", "status"]),
        "events": pd.DataFrame(e_rows, columns=["alliance_id", "event_type", "event_date", "result"]),
        "annual_reports": pd.DataFrame(r_rows, columns=["alliance_id", "year", "submitted_date"]),
    }
    con = duckdb.connect(str(path))
    try:
        con.execute(ddl())
        for table, frame in frames.items():
            con.register("frame", frame.astype(object))
            con.execute(f"insert into {table} by name select * from frame")
            con.unregister("frame")
    finally:
        con.close()

if __name__ == "__main__":
    sys.exit(main())
