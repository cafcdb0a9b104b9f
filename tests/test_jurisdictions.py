"""Each jurisdiction's sample registry under its own profile: it loads whole, its figures are right,
and nothing of another jurisdiction's taxonomy shows on any page.

Expected figures come from the files themselves (rows counted with openpyxl and csv) and from the
generator's own model of each registry (data/generate_sample.py), never from the named queries; the
未归类 fields are classified by hand below. Each registry is loaded once per session, through the
same path as `python -m loaders load` (with data/header_map.csv, the bureaus' own header spellings).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from loaders import HEADER_MAP, SAMPLES_DIR
from loaders.headers import HeaderMap
from loaders.pipeline import prepare
from loaders.registry import connect_read_only
from loaders.store import import_batch
from queries import runner
from queries.policy import UNCLASSIFIED, classify, list_taxonomies, load_profile, load_taxonomy
from queries.scope import Scope
from navigation import PAGES
from app_pages import open_page
from test_sample_data import load_generator

APP = str(Path(__file__).resolve().parent.parent / "app.py")
AS_OF = dt.date(2026, 11, 21)   # the samples' "today"
SAMPLES = {"tianjin": "tianjin-2018", "zhejiang": "zhejiang-2010", "weinan": "weinan-2015",
           "heilongjiang": "heilongjiang-2009", "most": "most-2009"}
# Each jurisdiction's own classification (see tests/test_policy.py for why each one).
OWN_TAXONOMY = {"tianjin": "tianjin-clusters", "zhejiang": "zhejiang-emerging", "weinan": "national-emerging-2018",
                "heilongjiang": "heilongjiang-fields", "most": "national-mlp-fields"}

# The 产业领域 each registry writes that its own taxonomy cannot place, worked out by hand from the
# keyword lists in data/taxonomies/ (a 支柱产业, an agricultural line, or a field outside the list).
UNMAPPED_BY_HAND = {
    "tianjin": {"现代农业", "种业", "文化创意", "海洋经济", "现代物流", "食品加工"},
    "zhejiang": {"纺织印染", "五金", "皮革制品", "茶叶", "竹木加工"},
    "weinan": {"能源化工（煤化工）", "卤阳湖盐化工", "果业（苹果）", "乳业（奶山羊）", "设施蔬菜"},
    "heilongjiang": {"石墨新材料", "玉米深加工", "生物医药", "新能源汽车", "重型装备制造"},
    "most": {"半导体照明", "航空航天"},
}
# Entries of the own taxonomy with no alliance at all in the sample (the gaps the pages report).
# MOST's 公共安全 had one pilot (矿山安全), removed after its 不合格 评估.
EMPTY_BY_HAND = {"tianjin": ["现代冶金"], "zhejiang": [], "weinan": ["相关服务业"],
                 "heilongjiang": ["乳业", "兽用生物制品"], "most": ["公共安全", "国防"]}


# ---- fixtures: the generator's model and each sample loaded once ---------------------------------

@pytest.fixture(scope="session")
def gen():
    return load_generator()


@pytest.fixture(scope="session")
def models(gen) -> dict[str, list]:
    """Each registry as the generator built it (seed 42, as committed)."""
    out = {"tianjin": gen.tianjin_registry(42)}
    for key in SAMPLES.keys() - {"tianjin"}:
        out[key] = gen.bureau_registry(gen.BUREAUS[key], 42)
    return out


@pytest.fixture(scope="session")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every sample imported through the CLI's path (data/header_map.csv included); no errors allowed."""
    out = {}
    for key in SAMPLES:
        files = sorted((SAMPLES_DIR / key).iterdir())
        batch = prepare(files, HeaderMap.load(HEADER_MAP))
        assert batch.ok, (key, [str(p) for p in batch.errors[:5]])
        out[key] = tmp_path_factory.mktemp(key) / "registry.duckdb"
        import_batch(out[key], batch)
    return out


def query(db: Path, name: str, profile_id: str, as_of: dt.date = AS_OF, **params: Any) -> list[dict]:
    con = connect_read_only(db)
    try:
        frame = runner.run(con, name, Scope(load_profile(profile_id), as_of), **params)
    finally:
        con.close()
    return frame.to_dict("records")


def active(a, day: dt.date = AS_OF) -> bool:
    return a.filed is not None and a.filed <= day and (a.revoked is None or a.revoked > day)


# ---- the committed files are the generator's, and load whole ---------------------------------------

def _content(folder: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            out[path.name] = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book}
        else:
            out[path.name] = path.read_bytes()
    return out


@pytest.mark.parametrize("key", [k for k in SAMPLES if k != "tianjin"])   # Tianjin: tests/test_sample_data.py
def test_committed_sample_is_what_the_generator_writes(gen, key: str, tmp_path: Path) -> None:
    gen.main(["--sample", key, "--out", str(tmp_path)])
    assert _content(tmp_path) == _content(SAMPLES_DIR / key)


# Which registry table each file (or sheet) of a sample holds, read off the files by eye.
FILE_TABLES: dict[str, dict[str, str | dict[str, str]]] = {
    "tianjin": {"天津市产业技术创新战略联盟备案名单.xlsx": {"联盟名录": "alliances", "评审记录": "events"},
                "成员单位名单.csv": "members", "资金补贴拨付明细.xlsx": "subsidies", "年度报告.csv": "annual_reports"},
    "zhejiang": {"浙江省产业技术创新战略联盟名单.xlsx": "alliances", "联盟成员单位.csv": "members",
                 "联盟资助经费.xlsx": "subsidies"},
    "weinan": {"渭南市产业技术创新战略联盟认定名单.xlsx": {"认定名单": "alliances", "复审情况": "events"},
               "联盟成员单位名册.csv": "members", "认定复审资助经费.xlsx": "subsidies",
               "年度工作总结报送情况.xlsx": "annual_reports"},
    "heilongjiang": {"黑龙江省产业技术创新战略联盟试点名单.xlsx": "alliances", "试点联盟成员单位.xlsx": "members",
                     "省应用技术研究与开发资金支持联盟项目.xlsx": "subsidies"},
    "most": {"产业技术创新战略联盟试点名单.xlsx": "alliances", "试点联盟成员单位.csv": "members",
             "试点联盟评估结果.xlsx": "events", "国家科技计划支持情况.xlsx": "subsidies"},
}


def _rows_in_files(key: str) -> Counter:
    """Data rows per registry table, counted from the files: below the header row, not blank."""
    counts: Counter = Counter()
    assert sorted(p.name for p in (SAMPLES_DIR / key).iterdir()) == sorted(FILE_TABLES[key])
    for name, table in FILE_TABLES[key].items():
        path = SAMPLES_DIR / key / name
        if path.suffix == ".csv":
            raw = path.read_bytes()
            text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("gbk")
            counts[table] += sum(1 for r in list(csv.reader(text.splitlines()))[1:] if any(r))
            continue
        for ws in openpyxl.load_workbook(path):
            grid = list(ws.iter_rows(values_only=True))
            header = next(i for i, r in enumerate(grid) if sum(c is not None for c in r) > 2)   # under the title
            target = table[ws.title] if isinstance(table, dict) else table
            counts[target] += sum(1 for r in grid[header + 1:] if any(c not in (None, "") for c in r))
    return counts


@pytest.mark.parametrize("key", SAMPLES)
def test_every_row_of_every_file_lands(dbs, models, key: str) -> None:
    con = connect_read_only(dbs[key])
    try:
        stored = {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("alliances", "members", "subsidies", "events", "annual_reports")}
    finally:
        con.close()
    files = _rows_in_files(key)
    assert stored == {t: files[t] for t in stored}
    model = models[key]
    assert stored["alliances"] == len(model)
    assert stored["members"] == sum(len(a.members) for a in model)


# ---- figures: each profile's own, against the model -----------------------------------------------

@pytest.mark.parametrize("key", SAMPLES)
def test_headline_figures(dbs, models, key: str) -> None:
    model, profile_id = models[key], SAMPLES[key]
    [kpi] = query(dbs[key], "overview_kpis", profile_id)
    live = [a for a in model if active(a)]
    assert kpi["active_alliances"] == len(live)
    assert kpi["members"] == sum(1 for a in live for m in a.members
                                 if m.joined <= AS_OF and (m.left is None or m.left > AS_OF))
    paid = sum(Decimal(str(s.amount_wan)) for a in model for s in a.subsidies
               if s.year <= AS_OF.year and s.status != "已收回")
    assert Decimal(str(kpi["subsidy_total_wan"])) == paid


@pytest.mark.parametrize("key", SAMPLES)
def test_coverage_under_the_own_taxonomy(dbs, models, key: str) -> None:
    profile = load_profile(SAMPLES[key])
    assert profile.taxonomy == OWN_TAXONOMY[key]
    taxonomy = load_taxonomy(profile.taxonomy)
    model = models[key]
    assert {a.field for a in model if classify(taxonomy, a.field)[0] == UNCLASSIFIED} == UNMAPPED_BY_HAND[key]
    want = Counter(classify(taxonomy, a.field)[0] for a in model if active(a))
    rows = query(dbs[key], "coverage_by_cluster", profile.id)
    assert [r["cluster"] for r in rows] == [*taxonomy.entry_names, UNCLASSIFIED]   # nothing of another list
    assert {r["cluster"]: r["alliances_active"] for r in rows} == {e: want[e] for e in (*taxonomy.entry_names,
                                                                                      UNCLASSIFIED)}
    assert [r["cluster"] for r in rows if not r["covered"] and r["cluster"] != UNCLASSIFIED] == EMPTY_BY_HAND[key]
    assigned = query(dbs[key], "cluster_assignments", profile.id)
    assert {r["raw_field"] for r in assigned if r["cluster"] == UNCLASSIFIED} == UNMAPPED_BY_HAND[key]


def test_zhejiang_targets_2010_and_2015(dbs, models) -> None:
    # 二（三）: about 10 by 2010, about 50 by 2015, counted from the start
    model = models["zhejiang"]
    for year, label in ((2010, "2010年"), (2015, "2015年")):
        [kpi] = query(dbs["zhejiang"], "overview_kpis", "zhejiang-2010", as_of=dt.date(year, 12, 31))
        assert kpi["next_target_label"] == label
        assert kpi["next_target_achieved"] == sum(1 for a in model if a.filed.year <= year)
    assert [sum(1 for a in model if a.filed.year <= y) for y in (2010, 2015)] == [9, 48]


def test_zhejiang_recommenders_break_the_quota_twice(models) -> None:
    # 四（七）: each recommender 1–2 per batch; the sample breaks it in two batches, for the quota check to find
    per_batch = Counter((a.filed, a.recommender) for a in models["zhejiang"])
    assert sorted(n for n in per_batch.values() if n > 2) == [3, 3]


def test_weinan_rereviews_reports_and_core_members(dbs, models) -> None:
    model = models["weinan"]
    rows = query(dbs["weinan"], "review_schedule", "weinan-2015")
    overdue = {a.name for a in model if "overdue" in a.fate.flags and active(a)}
    assert len(overdue) == 3
    assert {r["alliance"] for r in rows if r["status"] == "逾期"} == overdue
    assert sum(a.status == "已撤销" for a in model) == 2
    # 14: the 2025 report (due 2025-11-30) from every alliance in the registry certified before 2025
    owing = {a.name for a in model if active(a) and a.filed.year < 2025 and not any(r.year == 2025 for r in a.reports)}
    assert {r["alliance"] for r in rows if r["report_missing"]} == owing
    # 6（2）: at least ten core members — two certified alliances have fewer
    short = {a.name for a in model if sum(m.core for m in a.members) < 10}
    assert len(short) == 2 and short == {a.name for a in model if "small" in a.fate.flags}


def test_heilongjiang_agreements_run_five_years(dbs, models) -> None:
    # 6: agreements re-signed every 3–5 years; the profile takes 5; the export holds the latest signing
    model = {a.name: a for a in models["heilongjiang"]}
    rows = query(dbs["heilongjiang"], "review_schedule", "heilongjiang-2009")
    signed = {name: a.renewed or a.agreement for name, a in model.items()}
    want = {name: day.replace(year=day.year + 5) for name, day in signed.items()}
    assert {r["alliance"]: r["agreement_expiry"].date() for r in rows} == want
    expired = sum(1 for day in want.values() if day < AS_OF)
    assert 0 < expired < len(want)   # some lapsed, some re-signed in time


def test_most_pilots_and_removals(dbs, models) -> None:
    model = models["most"]
    con = connect_read_only(dbs["most"])
    try:
        by_status = dict(con.execute("select status, count(*) from alliances group by status").fetchall())
        evaluations = con.execute("select count(*) from events where event_type = '三年评估'").fetchone()[0]
    finally:
        con.close()
    assert by_status == {"已备案": sum(a.revoked is None for a in model), "已撤销": 2}
    assert evaluations == sum(e.kind == "三年评估" for a in model for e in a.events)


# ---- every page under the profile: no other jurisdiction's taxonomy ------------------------------

def _foreign(key: str) -> tuple[set[str], set[str]]:
    """Other taxonomies' entries: all of them (for labels), and those that cannot hide in prose by accident."""
    own = load_taxonomy(OWN_TAXONOMY[key])
    others = {e for t in list_taxonomies() if t != own.id for e in load_taxonomy(t).entry_names} - set(own.entry_names)
    prose = {e for e in others if len(e) >= 3 and not any(e in mine for mine in own.entry_names)}
    return others, prose


def _labels(at: AppTest) -> set[str]:
    """Category labels of every chart and the cells of every table column that holds taxonomy entries."""
    labels: set[str] = set()
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            for axis in ("x", "y", "labels"):
                values = trace.get(axis)
                if isinstance(values, list):
                    labels |= {v for v in values if isinstance(v, str)}
            if isinstance(trace.get("name"), str):
                labels.add(trace["name"])
    cluster_headers = {"产业集群", "领域", "重点领域", "产业", "集群", "归入"}
    for frame in at.dataframe:
        for column in frame.value.columns:
            if str(column) in cluster_headers:
                labels |= {str(v) for v in frame.value[column].dropna()}
    return labels


def _prose(at: AppTest, names: list[str]) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "success", "error", "title", "header",
                                  "subheader") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    text = "\n".join(str(p) for p in parts)
    for name in sorted(names, key=len, reverse=True):   # alliance names are data, whatever words they hold
        text = text.replace(name, "")
    return text


@pytest.fixture(scope="session")
def alliance_names(dbs) -> dict[str, list[str]]:
    out = {}
    for key, db in dbs.items():
        con = connect_read_only(db)
        try:
            out[key] = [r[0] for r in con.execute("select name from alliances").fetchall()]
        finally:
            con.close()
    return out


@pytest.mark.parametrize("page", [p.file for p in PAGES])
@pytest.mark.parametrize("key", SAMPLES)
def test_every_page_shows_only_the_own_taxonomy(dbs, alliance_names, monkeypatch: pytest.MonkeyPatch,
                                                key: str, page: str) -> None:
    monkeypatch.setenv("REGISTRY_PROFILE", SAMPLES[key])   # as `make run SAMPLE=…` starts the app
    at = open_page(dbs[key], monkeypatch, Path(page).stem, as_of=AS_OF.isoformat(), timeout=120)
    # the sample's profile is preselected on every page with the sidebar filters (not the editors' pages):
    # named in the folded 筛选条件 box's summary, and chosen in its selectbox once the box is open
    with_filters = "ui.sidebar(" in (Path(APP).parent / page).read_text(encoding="utf-8")
    summary = [t.value.splitlines()[0] for t in at.sidebar.text]
    assert summary == ([load_profile(SAMPLES[key]).name] if with_filters else [])
    at.session_state["filters_box"] = True
    at.run()
    assert [s.value for s in at.selectbox if s.key == "f_profile"] == ([SAMPLES[key]] if with_filters else [])
    others, prose = _foreign(key)
    assert not _labels(at) & others
    text = _prose(at, alliance_names[key])
    assert not [e for e in prose if e in text]


# ---- every page of each bureau's own sample, in a real browser ------------------------------------

# What a person reads (the grids' cells are drawn on canvas and hold data, not wording).
VISIBLE_TEXT_JS = """() => [...document.querySelectorAll(
    '[data-testid="stSidebarNav"], [data-testid="stHeading"], [data-testid="stMarkdown"], [data-testid="stCaptionContainer"],'
    + '[data-testid="stMetric"], [data-testid="stAlert"], [data-testid="stTab"], [data-testid="stExpander"] summary,'
    + '[data-testid="stWidgetLabel"], .gtitle, .xtitle, .ytitle, .xtick, .ytick, .legendtext')]
    .map(e => e.innerText ?? e.textContent).join('\\n')"""


@pytest.mark.parametrize("key", [k for k in SAMPLES if k != "tianjin"])   # Tianjin: tests/test_e2e.py
def test_every_page_in_the_browser_speaks_only_for_its_bureau(dbs, models, alliance_names, browser,
                                                              monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """The bureau's sample opened as `make run SAMPLE=…` opens it: its figures on 总览, and on no page another
    jurisdiction's rule words (tests/test_profile_wording.py FOREIGN) or taxonomy entries."""
    from tests.test_e2e import open_page, serve, wait_rendered
    from test_profile_wording import FOREIGN

    profile = SAMPLES[key]
    monkeypatch.setenv("REGISTRY_PROFILE", profile)
    _, prose = _foreign(key)
    live = sum(active(a) for a in models[key])
    with serve(dbs[key]) as url:
        tab = browser.new_page(viewport={"width": 1440, "height": 1000})
        try:
            for page in PAGES:
                open_page(tab, f"{url}/{page.path}?as_of={AS_OF.isoformat()}")
                wait_rendered(tab)
                text = tab.evaluate(VISIBLE_TEXT_JS)
                for name in sorted(alliance_names[key], key=len, reverse=True):
                    text = text.replace(name, "")
                assert not [w for w in FOREIGN[profile] if w in text], (key, page.url_path)
                assert not [e for e in prose if e in text], (key, page.url_path)
                if page.default:
                    assert tab.get_by_text(f"{live} 个", exact=True).count(), (key, "在册联盟")
        finally:
            tab.close()
