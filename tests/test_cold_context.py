"""Cold queries: what does not depend on as_of or the filters is built once per import, in the context.

A new as_of or filter must cost per-alliance work, not per-member work: alliance_members reads the
context's member_stretches (one row per alliance and stretch of dates over which its members do not
change), eligibility_check its eligibility_stretches (the members and the lead checked once per
stretch), review_schedule and work_priorities its evaluation_dates,
scope_alliances its alliance_dimensions. These tests check that the staging queries no longer read
the registry's member and event rows, and that their figures on every date around each change in a
small registry equal the member-by-member rule worked out in Python (the definition they had).
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from loaders.registry import connect_read_only, sql_string
from queries import runner
from queries.policy import PILLARS, load_profile
from queries.scope import Scope
from registries import D, alliance_row, build, every_query, member_row, rows

TIANJIN = load_profile("tianjin-2018")

# B1's members come and go: its lead unit 天津甲公司 leaves on 2022-06-30, the new 理事长单位 天津己公司
# joins on 2022-07-01 (so on 2022-06-30 no lead is among the members); 上海戊公司 joins the day 甲 leaves.
# B2's members carry no dates. B3 has none. Evaluations: B1 2021-01-10 (twice: 三年评估 and 复审) and
# 2024-01-10, B2 2022-02-02; B2's 申请 is no evaluation.
TIMELINE: dict[str, list[dict]] = {
    "alliances": [
        alliance_row("B1", "变动联盟", "集成电路", region="滨海新区", level="市级", filed_date=D("2018-01-01"),
                     lead_unit="天津甲公司"),
        alliance_row("B2", "稳定联盟", "生物医药", region="南开区", level="国家级", filed_date=D("2019-01-01"),
                     lead_unit="广东甲公司"),
        alliance_row("B3", "空联盟", "新能源", region="滨海新区", level="国家级", filed_date=D("2020-01-01")),
    ],
    "members": [
        member_row("B1", "天津甲公司", "企业", "天津市", True, "理事长单位",
                   joined_date=D("2018-01-01"), left_date=D("2022-06-30")),
        member_row("B1", "北京乙公司", "企业", "北京市海淀区", True),
        member_row("B1", "河北丙大学", "高校", "河北省保定市", True, joined_date=D("2020-03-01")),
        member_row("B1", "天津丁研究院", "科研院所", "天津市南开区",
                   joined_date=D("2019-05-05"), left_date=D("2021-05-05")),
        member_row("B1", "上海戊公司", "企业", "上海市", joined_date=D("2022-06-30")),
        member_row("B1", "天津己公司", "企业", "天津市", False, "理事长单位", joined_date=D("2022-07-01")),
        member_row("B1", "无名公司", "金融机构", None),
        member_row("B2", "广东甲公司", "企业", "广东省深圳市", True, "理事长单位"),
        member_row("B2", "天津某大学", "高校", "天津市", True),
    ],
    "events": [
        {"alliance_id": "B1", "event_type": "三年评估", "event_date": D("2021-01-10"), "result": "合格"},
        {"alliance_id": "B1", "event_type": "复审", "event_date": D("2021-01-10"), "result": "通过"},
        {"alliance_id": "B1", "event_type": "三年评估", "event_date": D("2024-01-10"), "result": "合格"},
        {"alliance_id": "B2", "event_type": "复审", "event_date": D("2022-02-02"), "result": "通过"},
        {"alliance_id": "B2", "event_type": "申请", "event_date": D("2022-05-05")},
    ],
    # B1 reports late, once without a date, once early in the year; B2 hands in its 2022 report in 2021
    "annual_reports": [
        {"alliance_id": "B1", "year": 2019, "submitted_date": D("2020-01-15")},
        {"alliance_id": "B1", "year": 2020},
        {"alliance_id": "B1", "year": 2021, "submitted_date": D("2021-12-20")},
        {"alliance_id": "B1", "year": 2023, "submitted_date": D("2025-03-01")},
        {"alliance_id": "B2", "year": 2022, "submitted_date": D("2021-12-30")},
    ],
}

# every date on which something changes, the day before and after it, and one long before and after
CHANGES = sorted({D(x) for x in ("2018-01-01", "2019-01-01", "2019-05-05", "2020-01-01", "2020-03-01",
                                  "2021-01-10", "2021-05-05", "2022-02-02", "2022-06-30", "2022-07-01",
                                  "2024-01-10", "2020-01-15", "2021-12-20", "2025-03-01", "2021-12-30", "2022-12-31",
                                  "2023-12-31", "2024-12-31")})
DATES = sorted({d + timedelta(days=k) for d in CHANGES for k in (-1, 0, 1)} | {D("2000-01-01"), D("2030-12-31")})
FILTERS = [{}, {"levels": ("市级",)}, {"regions": ("滨海新区",)}, {"levels": ("国家级",), "regions": ("滨海新区",)}]


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("timeline") / "registry.duckdb", TIMELINE)


@pytest.fixture
def tcon(timeline: Path):
    c = connect_read_only(timeline)
    yield c
    c.close()


# ----------------------------------------------------------------------------- the definition, member by member


def _current(m: dict, on: date) -> bool:
    return (m.get("joined_date") is None or m["joined_date"] <= on) and (m.get("left_date") is None or m["left_date"] > on)


def _in_registry(a: dict, on: date) -> bool:
    return a.get("filed_date") is not None and a["filed_date"] <= on and (
        a.get("revoked_date") is None or a["revoked_date"] > on)


def _in_scope(a: dict, filters: dict) -> bool:
    return all(not filters.get(k) or a.get(col) in filters[k] for k, col in (("levels", "level"), ("regions", "region")))


def expected_members(on: date, filters: dict) -> list[tuple]:
    """alliance_members' figures counted member by member: (id, members, per type ×5, core, local core,
    local, neighbour, other place, unknown place, neighbour places found)."""
    local, neighbours = TIANJIN.members.local_places, TIANJIN.members.neighbour_places
    out = []
    for a in sorted(TIMELINE["alliances"], key=lambda a: a["alliance_id"]):
        if not (_in_registry(a, on) and _in_scope(a, filters)):
            continue
        ms = [m for m in TIMELINE["members"] if m["alliance_id"] == a["alliance_id"] and _current(m, on)]
        place = {id(m): (None if not m["registered_in"] else "local" if any(p in m["registered_in"] for p in local)
                         else "neighbour" if any(p in m["registered_in"] for p in neighbours) else "other") for m in ms}
        found = [p for p in neighbours if any(place[id(m)] == "neighbour" and p in m["registered_in"] for m in ms)]
        out.append((a["alliance_id"], len(ms),
                    *(sum(m["unit_type"] == t for m in ms) for t in ("企业", "高校", "科研院所", "金融机构", "中介机构")),
                    sum(m["is_core"] for m in ms), sum(m["is_core"] and place[id(m)] == "local" for m in ms),
                    *(sum(place[id(m)] == k for m in ms) for k in ("local", "neighbour", "other", None)),
                    "、".join(found)))
    return out


MEMBER_COLUMNS = ("alliance_id members enterprises universities institutes finance_bodies intermediaries core_members "
                  "local_core_members local_members neighbour_members other_place_members unknown_place_members "
                  "neighbour_places_found").split()


# ----------------------------------------------------------------------------- figures unchanged


def test_alliance_members_on_every_date_and_filter_equal_the_member_by_member_count(tcon):
    checked = 0
    for filters in FILTERS:
        for on in DATES:
            got = [tuple(r[c] for c in MEMBER_COLUMNS) for r in rows(tcon, "alliance_members", as_of=on, filters=filters)]
            assert got == expected_members(on, filters), (on, filters)
            checked += len(got)
    assert checked > 50   # the registry is in force on most dates: the comparison is not vacuous


def test_the_counts_follow_each_change_of_membership(tcon):
    # worked by hand: B1 on the day before 丁 leaves, on the day it leaves, and after 甲 leaves and 戊 joins
    def b1(on):
        return next(r for r in rows(tcon, "alliance_members", as_of=on) if r["alliance_id"] == "B1")
    assert (b1(D("2021-05-04"))["members"], b1(D("2021-05-04"))["institutes"]) == (5, 1)   # 甲 乙 丙 丁 无名
    assert (b1(D("2021-05-05"))["members"], b1(D("2021-05-05"))["institutes"]) == (4, 0)   # 丁 left that day
    on = b1(D("2022-06-30"))   # 甲 left, 戊 joined: 乙 丙 戊 无名
    assert (on["members"], on["local_members"], on["neighbour_members"], on["other_place_members"],
            on["unknown_place_members"], on["neighbour_places_found"]) == (4, 0, 2, 1, 1, "北京、河北")
    assert b1(D("2019-12-31"))["neighbour_places_found"] == "北京"   # 丙 (河北) joins only in 2020


def test_eligibility_on_every_date_and_filter_follows_the_member_by_member_count(tcon):
    """eligibility_check, eligibility_problems, eligibility_summary and work_priorities read a check made once per
    stretch (eligibility_stretches, through eligibility_on): on every date around each
    change its counts are the member-by-member ones and each count condition (Tianjin: at least 10 members, an
    enterprise, a university or institute, at least half the core members local) is reported exactly when unmet."""
    checked = 0
    for filters in FILTERS:
        for on in DATES:
            counted = {r[0]: r for r in expected_members(on, filters)}
            got = rows(tcon, "eligibility_check", as_of=on, filters=filters)
            assert sorted(r["alliance_id"] for r in got) == sorted(counted), (on, filters)
            for r in got:
                _, members, enterprises, universities, institutes, _, _, core, local_core, *_ = counted[r["alliance_id"]]
                assert (r["member_count"], r["core_member_count"], r["has_enterprise"], r["has_univ_or_institute"]) == (
                    members, core, enterprises > 0, universities + institutes > 0), (on, r)
                reasons = r["problems"].split("；")
                assert (f"成员单位{members}家，少于10家" in reasons) == (members < 10), (on, r)
                assert ("缺少企业成员" in reasons) == (enterprises == 0), (on, r)
                assert ("缺少高校或科研院所成员" in reasons) == (universities + institutes == 0), (on, r)
                assert any(x.startswith("本地核心成员占比") for x in reasons) == (core > 0 and local_core / core < 0.5)
                assert ("未标注核心成员，无法核对本地核心成员占比" in reasons) == (core == 0), (on, r)
                assert r["ok"] == (r["problems"] == "")
                checked += 1
            # eligibility_problems (typed once per stretch too): the same reasons, one row each
            typed = rows(tcon, "eligibility_problems", as_of=on, filters=filters)
            assert sorted((p["alliance_id"], p["reason"]) for p in typed) == sorted(
                (r["alliance_id"], x) for r in got for x in r["problems"].split("；") if x), (on, filters)
            # and the counts that read the same check: eligibility_summary, work_priorities' 不符合条件
            summary = {r["problem_type"]: (r["alliances"], r["checked"])
                       for r in rows(tcon, "eligibility_summary", as_of=on, filters=filters) if r["alliances"]}
            assert summary == {t: (len({p["alliance_id"] for p in typed if p["problem_type"] == t}), len(got))
                               for t in {p["problem_type"] for p in typed}}, (on, filters)
            failing = next(r["count"] for r in rows(tcon, "work_priorities", as_of=on, filters=filters)
                           if r["category"] == "不符合条件")
            assert failing == sum(not r["ok"] for r in got), (on, filters)
    assert checked > 50


def test_the_lead_unit_is_looked_up_among_the_members_of_the_day(tcon):
    def lead(on):
        return {r["alliance_id"]: r["lead_registered_locally"] for r in rows(tcon, "eligibility_check", as_of=on)}
    assert lead(D("2022-06-29"))["B1"] is True    # 天津甲公司, by name
    assert lead(D("2022-06-30"))["B1"] is None    # 甲 left; 己 not yet a member: unverifiable
    assert lead(D("2022-07-01"))["B1"] is True    # the 理事长单位 天津己公司 stands for it
    assert lead(D("2022-07-01"))["B2"] is False   # 广东甲公司
    problems = {r["alliance_id"]: r["problems"] for r in rows(tcon, "eligibility_check", as_of=D("2022-06-30"))}
    assert "无法确认对外责任主体单位在本地注册" in problems["B1"]


def test_in_registry_is_the_rule_every_list_and_flag_reads(tcon):
    """The context's in_registry macro against the definition above, around its edges: filed on the day (in),
    revoked on the day (out), no filing date (never in), revoked before filed (out)."""
    rows(tcon, "overview_kpis", as_of=D("2022-01-01"))   # registers the context on the cursor
    on = D("2022-01-01")
    cases = [(None, None), (None, D("2030-01-01")), (on, None), (on + timedelta(1), None), (on - timedelta(1), on),
             (on - timedelta(1), on + timedelta(1)), (on - timedelta(1), on - timedelta(1)), (D("2000-01-01"), None)]
    for filed, revoked in cases:
        got = tcon.execute("select in_registry(?::date, ?::date, ?::date)", [filed, revoked, on]).fetchone()[0]
        assert got is _in_registry({"filed_date": filed, "revoked_date": revoked}, on), (filed, revoked)


def test_member_current_is_the_rule_every_member_figure_reads(tcon):
    """The context's member_current macro against _current: joined on the day (in), left on the day (out),
    no dates (always in), left before joined (never in)."""
    rows(tcon, "overview_kpis")   # registers the context on the cursor
    on = D("2022-01-01")
    for joined in (None, on - timedelta(1), on, on + timedelta(1)):
        for left in (None, on - timedelta(1), on, on + timedelta(1)):
            got = tcon.execute("select member_current(?::date, ?::date, ?::date)", [joined, left, on]).fetchone()[0]
            assert got is _current({"joined_date": joined, "left_date": left}, on), (joined, left)


def test_unit_types_and_pillars_in_order_and_a_blank_type_counts_as_the_last(tcon):
    """The member tables' types and 产学研金介 pillars come from policy.PILLARS, one place for all three queries."""
    rows(tcon, "overview_kpis")   # registers the context on the cursor
    assert tcon.execute("select unit_type, pillar from unit_types order by position").fetchall() == \
        list(PILLARS.items()) == [("企业", "产"), ("高校", "学"), ("科研院所", "研"), ("金融机构", "金"),
                                  ("中介机构", "介"), ("其他", "其他")]
    positions = tcon.execute("select unit_type_position('高校'), unit_type_position('其他'), "
                             "unit_type_position(null), unit_type_position('外星机构')").fetchone()
    assert positions == (2, 6, 6, 6)
    kinds = tcon.execute("select subsidy_kind_position('备案补贴'), subsidy_kind_position('其他'), "
                         "subsidy_kind_position(null)").fetchone()
    assert kinds == (1, 5, 6)   # 备案补贴 first, a blank kind after every listed one


def test_the_latest_evaluation_on_every_date(tcon):
    evaluations = {"B1": [D("2021-01-10"), D("2024-01-10")], "B2": [D("2022-02-02")], "B3": []}
    for on in DATES:
        got = {r["alliance_id"]: r["last_evaluation_date"] for r in rows(tcon, "review_schedule", as_of=on)}
        expected = {a: max([d for d in dates if d <= on], default=None) for a, dates in evaluations.items()
                    if _in_registry(next(x for x in TIMELINE["alliances"] if x["alliance_id"] == a), on)}
        assert got == expected, on


def test_annual_reports_on_every_date(tcon):
    reports = TIMELINE["annual_reports"]

    def counted(r, on):
        return r["year"] <= on.year and (r.get("submitted_date") is None or r["submitted_date"] <= on)
    for on in DATES:
        for filters in FILTERS[:2]:
            for r in rows(tcon, "review_schedule", as_of=on, filters=filters):
                mine = [x for x in reports if x["alliance_id"] == r["alliance_id"] and counted(x, on)]
                assert r["last_report_year"] == max((x["year"] for x in mine), default=None), (on, r)
                due = r["report_year"] is not None and not any(x["year"] == r["report_year"] for x in mine)
                assert r["report_missing"] == due, (on, r)
    # by hand: on 2025-02-28 B1's 2024 report is due and missing, its latest is 2021 (2023's comes on 03-01)
    b1 = next(r for r in rows(tcon, "review_schedule", as_of=D("2025-02-28")) if r["alliance_id"] == "B1")
    assert (b1["last_report_year"], b1["report_year"], b1["report_missing"]) == (2021, 2024, True)
    missing = {r["item"]: r["count"] for r in rows(tcon, "work_priorities", as_of=D("2023-01-05"))
               if r["category"] == "年报未交"}
    assert missing == {"2022年度报告": 2}   # B1 and B3 owe 2022; B2's (handed in early) counts from 2022-01-01


# ----------------------------------------------------------------------------- per import, not per as_of


def _scanned(con, name: str, scope: Scope) -> set[str]:
    """The tables the plan of ``name`` (its own SQL, Requires materialised) scans."""
    doc, values = runner._prepare(con, name, scope, {})
    plan = "\n".join(r[1] for r in con.execute("explain " + doc.sql, values).fetchall())
    return {found.split(".")[-1] for found in re.findall(r"Table: ([\w\".]+)", plan)}


def test_staging_queries_read_per_alliance_context_tables_not_member_or_event_rows(tcon):
    scope = Scope(TIANJIN, D("2023-03-03"), levels=("市级",))
    assert {"member_stretches"} <= _scanned(tcon, "alliance_members", scope) and "members" not in _scanned(
        tcon, "alliance_members", scope)
    assert "eligibility_stretches" in _scanned(tcon, "eligibility_check", scope)   # checked once per stretch
    assert not {"members", "lead_units", "member_stretches"} & _scanned(tcon, "eligibility_check", scope)
    for name in ("eligibility_problems", "work_priorities"):   # no staging table between
        scanned = _scanned(tcon, name, scope)
        assert "eligibility_stretches" in scanned and not {"members", "eligibility_check", "alliance_members"} & scanned
    for name in ("review_schedule", "work_priorities"):
        scanned = _scanned(tcon, name, scope)
        assert "evaluation_dates" in scanned and "events" not in scanned, name


def test_a_new_as_of_or_filter_does_not_read_the_member_rows_again(timeline: Path, tmp_path: Path):
    # a writable copy: after the context is built, its member and event rows are deleted; a cold query at
    # another date and filter must still count them (from the context, built once for this import)
    copy = tmp_path / "registry.duckdb"
    copy.write_bytes(timeline.read_bytes())
    fresh = connect_read_only(timeline)
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {sql_string(copy)} as registry")
        con.execute("use registry")
        rows(con, "overview_kpis", as_of=D("2020-06-30"))                 # builds the context
        con.execute("delete from members")
        con.execute("delete from events")
        for on, filters in ((D("2022-06-30"), {}), (D("2024-02-01"), {"levels": ("市级",)})):
            for name in ("alliance_members", "eligibility_check", "review_schedule", "overview_kpis"):
                assert rows(con, name, as_of=on, filters=filters) == rows(fresh, name, as_of=on, filters=filters), name
    finally:
        con.close()
        fresh.close()


def test_the_scope_is_read_from_the_per_alliance_dimensions(tcon):
    scope = Scope(TIANJIN, D("2023-03-03"), regions=("滨海新区",), levels=("国家级",))
    runner.register_context(tcon, TIANJIN)
    runner.register_scope(tcon, scope)
    assert [r[0] for r in tcon.execute("select alliance_id from scope_alliances").fetchall()] == ["B3"]
    dims = tcon.execute("select alliance_id, region, level, cluster from alliance_dimensions order by 1").fetchall()
    assert [d[:3] for d in dims] == [("B1", "滨海新区", "市级"), ("B2", "南开区", "国家级"), ("B3", "滨海新区", "国家级")]
    # name order (变动联盟 < 稳定联盟 < 空联盟 by code point), the key lists ordered by alliance sort by
    by_rank = tcon.execute("select alliance_id from alliance_dimensions order by name_rank").fetchall()
    assert [r[0] for r in by_rank] == [a["alliance_id"] for a in sorted(TIMELINE["alliances"], key=lambda a: (a["name"], a["alliance_id"]))]


def test_per_alliance_tables_and_the_scope_key_each_alliance_by_its_row_in_alliances(tcon):
    """alliance_key is the alliance's rowid in the registry's alliances, in every table that carries it."""
    runner.register_context(tcon, TIANJIN)
    runner.register_scope(tcon, Scope(TIANJIN, D("2023-03-03")))
    keys = tcon.execute("select rowid, alliance_id from alliances order by 1").fetchall()
    assert tcon.execute("select alliance_key, alliance_id from alliance_keys order by 1").fetchall() == keys
    for table in ("alliance_cluster", "alliance_region", "alliance_dimensions", "scope_alliances"):
        assert tcon.execute(f"select alliance_key, alliance_id from {table} order by 1").fetchall() == keys, table
    by_id = {a: k for k, a in keys}
    # B2's one evaluation; B3, without members, has no member stretch (eligibility_on gives it the no-member row)
    assert tcon.execute("select alliance_key, valid_from from evaluation_dates where valid_from = date '2022-02-02'"
                        ).fetchall() == [(by_id["B2"], D("2022-02-02"))]
    for table in ("member_stretches", "eligibility_stretches", "lead_local"):
        found = {k for (k,) in tcon.execute(f"select distinct alliance_key from {table} where alliance_key is not null"
                                           ).fetchall()}
        assert found == {by_id["B1"], by_id["B2"]}, table


def test_the_figures_do_not_depend_on_the_order_alliances_were_written_in(timeline, tmp_path):
    """The key is a row number: the same registry written in another order gives every query the same rows."""
    reordered = dict(TIMELINE, alliances=list(reversed(TIMELINE["alliances"])),
                     members=list(reversed(TIMELINE["members"])))
    other = connect_read_only(build(tmp_path / "reversed.duckdb", reordered))
    same = connect_read_only(timeline)
    try:
        assert other.execute("select alliance_id from alliances order by rowid limit 1").fetchone() == ("B3",)
        for name, params in every_query():
            for on, filters in ((D("2021-01-10"), {}), (D("2022-06-30"), {"levels": ("市级",)})):
                assert rows(other, name, as_of=on, filters=filters, **params) == \
                    rows(same, name, as_of=on, filters=filters, **params), (name, on)
    finally:
        other.close()
        same.close()
