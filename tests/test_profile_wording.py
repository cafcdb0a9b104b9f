"""Each profile's own words and rules on every page, on a registry small enough to count by hand.

The registry below (as of 2026-06-30) is built in code; every expected figure is worked out in
the comments from its rows, never by running the queries under test. Each page is opened with
AppTest under each of the five profiles and read for its own wording (认定 under Weinan, 领域 under
Heilongjiang, 未规定 with the silent clause) and for any other jurisdiction's rule wording.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import figures
import navigation
from briefing import source
from figures import Scope
from queries.fetch import RegistryFetch
from queries.policy import list_profiles, load_profile
from registries import D, alliance_row, build, member_row
from app_pages import app, deltas, metrics, open_page

AS_OF = dt.date(2026, 6, 30)
# 数据 describes the import format itself (its headers, e.g. 备案日期 with 认定日期 accepted), not a bureau's rules.
PAGES = ("overview", "targets", "coverage", "subsidies", "reviews", "compliance", "alliance", "priorities",
         "briefing")


def _members(alliance_id: str) -> list[dict]:
    # Two enterprises, a university and an institute: meets the member types of every profile.
    return [member_row(alliance_id, f"{alliance_id}甲公司", "企业", "杭州", True, "理事长单位"),
            member_row(alliance_id, f"{alliance_id}乙公司", "企业", "杭州", True),
            member_row(alliance_id, f"{alliance_id}大学", "高校", "杭州", True),
            member_row(alliance_id, f"{alliance_id}研究院", "科研院所", "杭州", True)]


# As of 2026-06-30. Status left blank so no data cell carries a jurisdiction's word.
#   id  filed       agreement   last review  recommender (year applied)   reports
#   B1  2017-03-01  2017-03-01  —            杭州市科技局 (2017)           2025 submitted
#   B2  2019-05-10  2019-05-10  复审 2022-05-01 杭州市科技局 (2019)        —
#   B3  2024-01-10  2023-12-01  —            宁波市科技局 (2023: applied 2023-11-01) 2025 submitted
#   B4  2012-06-01  —           —            杭州市科技局 (2012)           revoked 2020-01-01
#   B5  2026-02-01  —           —            —                           —
#   B6  2019-08-01  —           —            杭州市科技局 (2019)           —
#   B7  2019-09-01  —           —            杭州市科技局 (2019)           —
# In the registry on 2026-06-30: B1 B2 B3 B5 B6 B7 = 6; filed in 2026: B5 = 1.
# 3-year cycle (Tianjin 评估, Weinan 复审): next due B1 2020-03-01, B2 2025-05-01, B6 2022-08-01,
#   B7 2022-09-01 — all before 2026-06-30: 4 overdue; B3 2027-01-10, B5 2029-02-01 not.
# Reports (Tianjin 12-31, Weinan 11-30): the latest year due by 2026-06-30 is 2025; owed by the
#   alliances filed before 2025 and in the registry (B1 B2 B3 B6 B7); B1 and B3 submitted: 3 missing.
# Heilongjiang's 5-year agreements: B1 expires 2022-03-01, B2 2024-05-10 (both expired: 2);
#   B3 2028-12-01 (not within the 18 months to 2027-12-30).
# Targets: Tianjin 十三五 counts 2016–2020 filings: B1 B2 B6 B7 = 4 of 80 → 未完成, 76 short (5%).
#   Zhejiang counts cumulatively: by 2010 none (0 of 10); by 2015 B4 (1 of 50) → 未完成, 49 short (2%).
# Zhejiang's quota (2 a year): 杭州市科技局 recommended B2 B6 B7 in 2019 — 1 over; other years ≤ 2.
REGISTRY = {
    "alliances": [
        alliance_row("B1", "杭州甲联盟", "高端装备制造（机器人）", status=None, filed_date=D("2017-03-01"),
                     agreement_date=D("2017-03-01"), applied_date=D("2017-01-10"), recommender="杭州市科技局",
                     lead_unit="B1甲公司"),
        alliance_row("B2", "杭州乙联盟", "集成电路", status=None, filed_date=D("2019-05-10"),
                     agreement_date=D("2019-05-10"), recommender="杭州市科技局", lead_unit="B2甲公司"),
        alliance_row("B3", "宁波丙联盟", "生物医药", status=None, filed_date=D("2024-01-10"),
                     agreement_date=D("2023-12-01"), applied_date=D("2023-11-01"), recommender=" 宁波市科技局 ",
                     lead_unit="B3甲公司"),
        alliance_row("B4", "杭州丁联盟", "新材料", status=None, filed_date=D("2012-06-01"),
                     revoked_date=D("2020-01-01"), recommender="杭州市科技局", lead_unit="B4甲公司"),
        alliance_row("B5", "温州戊联盟", "新能源", status=None, filed_date=D("2026-02-01"), lead_unit="B5甲公司"),
        alliance_row("B6", "杭州己联盟", "航空航天", status=None, filed_date=D("2019-08-01"),
                     recommender="杭州市科技局", lead_unit="B6甲公司"),
        alliance_row("B7", "杭州庚联盟", "节能环保", status=None, filed_date=D("2019-09-01"),
                     recommender="杭州市科技局", lead_unit="B7甲公司"),
    ],
    "members": [m for a in ("B1", "B2", "B3", "B4", "B5", "B6", "B7") for m in _members(a)],
    "events": [{"alliance_id": "B2", "event_type": "复审", "event_date": D("2022-05-01"), "result": "通过"}],
    # Kinds as the import template names them; pages name them in the profile's words.
    "subsidies": [{"alliance_id": "B1", "year": 2017, "kind": "备案补贴", "amount_yuan": "500000", "status": "已拨付"},
                  {"alliance_id": "B2", "year": 2022, "kind": "评估补贴", "amount_yuan": "300000", "status": "已拨付"}],
    "annual_reports": [{"alliance_id": "B1", "year": 2025, "submitted_date": D("2025-11-20")},
                       {"alliance_id": "B3", "year": 2025, "submitted_date": D("2025-11-25")}],
}

# Words that name another jurisdiction's rule: none may appear under the profile.
FOREIGN = {
    "tianjin-2018": ("复审", "认定", "应撤销", "协议已到期", "纳入试点", "推荐限额"),
    "weinan-2015": ("备案", "评估逾期", "协议已到期", "纳入试点", "产业集群", "推荐限额"),
    "zhejiang-2010": ("备案", "认定", "复审", "应撤销", "协议已到期", "纳入试点", "产业集群"),
    "heilongjiang-2009": ("备案", "认定", "复审", "应撤销", "产业集群", "推荐限额"),
    "most-2009": ("备案", "认定", "复审", "应撤销", "协议已到期", "产业集群", "推荐限额"),
}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("wording") / "registry.duckdb", REGISTRY)


def _open(db: Path, monkeypatch: pytest.MonkeyPatch, profile: str, page: str) -> AppTest:
    return open_page(db, monkeypatch, page, profile=profile, as_of=AS_OF.isoformat(), timeout=90)


def _texts(at: AppTest) -> list[str]:
    """Every piece of text the page shows: headings, notes, metrics, tabs, table headers, chart JSON."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [str(e.value) for e in at.get(kind)]
    out += [s.label for s in at.multiselect]
    for m in at.metric:
        out += [m.label, m.value, str(m.proto.delta), str(m.proto.help)]
    out += [t.label for t in at.tabs]
    out += [c.label for c in at.checkbox]
    out += [str(c) for d in at.dataframe for c in d.value.columns]
    out += [c.proto.spec for c in at.get("plotly_chart")]
    return out


def _charts(db: Path, profile: str, page: str) -> list[str]:
    """Every chart of the page's views that applies under the profile, as figure JSON and takeaway: those
    behind a closed tab too (ui.chart_tabs draws the open one only)."""
    title = next(p.title for p in navigation.PAGES if p.url_path == page)
    scope = Scope(load_profile(profile), AS_OF)
    out: list[str] = []
    with RegistryFetch(db, scope) as fetch:
        for chart_id, chart in figures.all_charts().items():
            if chart.page == title and page != "alliance" and not chart.why_not(fetch, scope):   # 联盟档案: one alliance's
                fig, line = figures.render(chart_id, fetch, scope)
                out += [line, fig.to_json() if fig is not None else ""]
    return out


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("profile", sorted(FOREIGN))
def test_no_other_jurisdictions_wording(registry: Path, monkeypatch: pytest.MonkeyPatch, profile: str,
                                        page: str) -> None:
    text = "\n".join(_texts(_open(registry, monkeypatch, profile, page)) + _charts(registry, profile, page))
    found = [w for w in FOREIGN[profile] if w in text]
    assert not found, f"{profile} · {page}: {found}"


def test_every_profile_has_its_wording_tested() -> None:
    assert sorted(FOREIGN) == list_profiles()


# ---- 总览 --------------------------------------------------------------------------------------

def test_overview_tianjin(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "tianjin-2018", "overview")
    m = metrics(at)
    assert (m["在册联盟"], m["2026年新备案"], m["评估逾期"], m["2025年度报告未交"]) == ("6 个", "1 个", "4 个", "3 个")
    assert m["协议到期"] == "未规定"
    target = "“十三五”目标 80–100 个"
    assert m[target] == "已完成 4 个"
    assert deltas(at)[target] == "未完成，比下限少 76 个（完成率 5%）"
    assert any("天津市（2018）未规定：协议期限（第九条（二）" in c.value for c in at.caption)
    # 4 members each, Tianjin asks ≥ 10: all 6 in the registry fail
    # the chart views first (ui.chart_tabs), then 需关注
    assert [t.label for t in at.tabs] == ["按产业集群", "成员构成", "评估逾期（4）", "年度报告未交（3）", "不符合备案条件（6）"]


def test_overview_weinan_flags_overdue_re_reviews_for_revocation(registry: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "weinan-2015", "overview")
    m = metrics(at)
    assert (m["2026年新认定"], m["复审逾期"], m["2025年度报告未交"]) == ("1 个", "4 个", "3 个")
    assert (m["协议到期"], m["数量目标"]) == ("未规定", "未规定")
    assert [t.label for t in at.tabs][:4] == ["按产业", "成员构成", "复审逾期·应撤销（4）", "年度报告未交（3）"]
    warning = at.warning[0].value
    assert "4 个联盟逾期未复审，应撤销" in warning and "第15条" in warning and "未复审的联盟将撤销其资质" in warning
    overdue = at.dataframe[0].value
    assert sorted(overdue["联盟名称"]) == sorted(["杭州甲联盟", "杭州乙联盟", "杭州己联盟", "杭州庚联盟"])
    assert set(overdue["处理"]) == {"应撤销"}
    assert "认定日期" in overdue.columns


@pytest.mark.parametrize("profile", ["zhejiang-2010", "heilongjiang-2009", "most-2009"])
def test_overview_no_cycle_reads_unset_not_zero(registry: Path, monkeypatch: pytest.MonkeyPatch, profile: str) -> None:
    p = load_profile(profile)
    at = _open(registry, monkeypatch, profile, "overview")
    m = metrics(at)
    assert m["评估逾期"] == "未规定" and m["年度报告"] == "未规定"
    assert not deltas(at)["评估逾期"]                       # no arrow, no "+0"
    silent = next(c.value for c in at.caption if c.value.startswith(f"{p.name}未规定："))
    assert p.clauses.cycle in silent and p.clauses.report in silent
    assert not any(t.label.startswith("评估逾期") or t.label.startswith("年度报告") for t in at.tabs)


def test_overview_zhejiang_targets_both_closed(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "zhejiang-2010", "overview")
    latest = "“2015年”目标 50 个"
    assert metrics(at)[latest] == "已完成 1 个"
    assert deltas(at)[latest] == "未完成，比下限少 49 个（完成率 2%）"
    assert any(c.value.startswith("“2010年”目标（累计确定 10 个）未完成：实际 0 个，比下限少 10 个") for c in at.caption)
    assert metrics(at)["2026年新确定"] == "1 个"


def test_overview_heilongjiang_agreements(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "heilongjiang-2009", "overview")
    assert metrics(at)["协议已到期"] == "2 个"
    assert metrics(at)["2026年新纳入试点"] == "1 个"
    assert [t.label for t in at.tabs][:3] == ["按领域", "成员构成", "协议已到期（2）"]
    assert sorted(at.dataframe[0].value["联盟名称"]) == ["杭州乙联盟", "杭州甲联盟"]


def test_overview_target_open_shows_rate_and_gap(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On 2019-12-31 Tianjin's 十三五 is still open: 2016–2019 filings B1 B2 B6 B7 = 4 of 80.
    monkeypatch.setenv("REGISTRY_DB", str(registry))
    at = app(timeout=90, as_of="2019-12-31", profile="tianjin-2018")
    at.run()
    target = "“十三五”目标 80–100 个"
    assert metrics(at)[target] == "已完成 4 个"
    assert deltas(at)[target] == "进行中，距下限还差 76 个（完成率 5%）"


# ---- 评估与报告 ----------------------------------------------------------------------------------

def test_reviews_heilongjiang_agreement_chart_and_unset_rules(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = load_profile("heilongjiang-2009")
    at = _open(registry, monkeypatch, "heilongjiang-2009", "reviews")
    assert metrics(at) == {"评估逾期": "未规定", "年度报告未交": "未规定", "协议已到期": "2 个", "协议未来18个月到期": "0 个"}
    assert any(p.clauses.cycle in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 1
    assert any("协议已到期 2 个、须重新签署，未来18个月到期 0 个" in c.value for c in at.caption)


def test_reviews_weinan(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "weinan-2015", "reviews")
    m = metrics(at)
    assert (m["复审逾期"], m["2025年度报告未交"], m["协议到期"]) == ("4 个", "3 个", "未规定")
    assert any(t.value == "复审与报告" for t in at.title)
    assert any("4 个联盟逾期未复审，应撤销——第15条" in e.value for e in at.error)
    assert any("另有 4 个已逾期，应撤销（第15条" in c.value for c in at.caption)


def test_subsidy_kinds_in_weinans_words(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "weinan-2015", "subsidies")
    # 50 万元 认定补贴 (B1, 2017) and 30 万元 复审补贴 (B2, 2022): the larger leads
    line = "按补贴类型：认定补贴最多，50.00 万元，占 62.5%（共 2 个补贴类型有补贴）。"
    at.session_state["subsidies_charts"] = "按类型"      # the chart's tab
    at.run()
    assert any(c.value.replace("\\", "") == line for c in at.caption)   # captions escape Markdown (50\.00)
    assert metrics(at)["累计拨付"] == "80.00 万元"


# ---- 年度工作重点 --------------------------------------------------------------------------------

def test_work_plan_heilongjiang_re_signing(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "heilongjiang-2009", "priorities")
    text = "\n".join(m.value for m in at.markdown)
    # plan year 2027: 2 expired, B3's expires 2028 — none within 2027
    assert "督促重新签署联盟协议" in text and "协议已到期 2 个、2027年内到期 0 个" in text
    assert "附表2　协议已到期及2027年内到期的联盟" in text


def test_work_plan_weinan_revocation(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "weinan-2015", "priorities")
    text = "\n".join(m.value for m in at.markdown)
    assert "按期开展三年复审" in text
    assert "逾期未复审的应撤销（第15条" in text and "已逾期（4个，应撤销）" in text


# ---- 合规检查: Zhejiang's recommender quota -----------------------------------------------------

def test_zhejiang_recommender_quota(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "zhejiang-2010", "compliance")
    assert any(s.value == "推荐限额" for s in at.subheader)
    assert any("推荐限额：每个推荐单位每年最多推荐 2 个（四（七）" in m.value for m in at.markdown)
    assert any("1 个推荐单位在 1 个年度超出限额，共多推荐 1 个" in e.value for e in at.error)
    over = at.dataframe[-1].value
    assert over[["推荐单位", "推荐年度", "推荐数", "限额", "超出"]].values.tolist() == [["杭州市科技局", 2019, 3, 2, 1]]
    assert over.iloc[0]["联盟"] == "杭州乙联盟、杭州己联盟、杭州庚联盟"
    assert any("另有 1 个联盟未填推荐单位" in c.value for c in at.caption)   # B5


@pytest.mark.parametrize("profile", ["tianjin-2018", "weinan-2015", "heilongjiang-2009", "most-2009"])
def test_no_quota_section_without_a_quota(registry: Path, monkeypatch: pytest.MonkeyPatch, profile: str) -> None:
    at = _open(registry, monkeypatch, profile, "compliance")
    assert not any(s.value == "推荐限额" for s in at.subheader)


# ---- briefing: only what applies ------------------------------------------------------------

def _catalogue(registry: Path, profile: str) -> list[figures.Chart]:
    scope = Scope(load_profile(profile), AS_OF)
    with RegistryFetch(registry, scope) as fetch:
        return source.catalogue(fetch=fetch, scope=scope)


@pytest.mark.parametrize("profile", sorted(FOREIGN))
def test_briefing_catalogue_holds_what_applies(registry: Path, profile: str) -> None:
    p = load_profile(profile)
    charts = _catalogue(registry, profile)
    ids = [c.id for c in charts]
    titles = [c.title for c in charts]
    assert len(set(titles)) == len(titles)                          # no chart twice
    assert "overview_coverage" not in ids                            # it repeats coverage_alliances
    assert ("reviews_due_by_month" in ids) == bool(p.review.cycle_years)
    assert ("reviews_timeline" in ids) == bool(p.review.cycle_years)
    assert ("reviews_agreements" in ids) == bool(p.review.agreement_term_years)
    assert ("targets_progress" in ids) == bool(p.targets)
    assert "targets_filings" in ids and "compliance_problems" in ids
    if profile == "tianjin-2018":                                   # its fields all map to Tianjin's clusters
        assert "各产业集群在册联盟数" in titles
    assert not any("{" in t for t in titles)


def test_briefing_leaves_out_an_all_unclassified_taxonomy(tmp_path: Path) -> None:
    # Every field unknown to Tianjin's clusters: 100% 未归类, so no chart by cluster.
    rows = {"alliances": [alliance_row("X1", "某甲联盟", "奇怪领域", status=None, filed_date=D("2020-01-01")),
                          alliance_row("X2", "某乙联盟", "另一奇怪领域", status=None, filed_date=D("2021-01-01"))]}
    db = build(tmp_path / "registry.duckdb", rows)
    ids = [c.id for c in _catalogue(db, "tianjin-2018")]
    assert not {"coverage_alliances", "coverage_members", "coverage_heatmap", "subsidies_by_cluster"} & set(ids)
    assert "targets_filings" in ids


def test_briefing_page_offers_only_the_profiles_charts(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(registry, monkeypatch, "heilongjiang-2009", "briefing")
    labels = [c.label for c in at.checkbox]
    assert "联盟协议到期（须重新签署）" in labels
    assert not any("评估" in label for label in labels)
    assert labels.count("各领域在册联盟数") <= 1


def test_work_plan_word_file_in_weinans_words(registry: Path) -> None:
    import io

    from docx import Document

    from figures import work_plan

    scope = Scope(load_profile("weinan-2015"), AS_OF)
    with RegistryFetch(registry, scope) as fetch:
        plan = work_plan.build_plan(fetch, scope, 2027)
    document = Document(io.BytesIO(work_plan.to_docx(plan)))
    headers = [cell.text for table in document.tables for cell in table.rows[0].cells]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "认定日期" in headers and "处理" in headers
    assert "备案" not in "\n".join(headers) + body
    assert "已逾期（4个，应撤销）" in body
