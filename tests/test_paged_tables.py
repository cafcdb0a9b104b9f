"""Long tables one page at a time: 搜索 and 排序 in DuckDB over the whole result, 第 N / M 页, downloads of the whole.

A national registry's lists ran to tens of thousands of rows, all sent to the browser on every view.
Here: the paging functions (figures.tables) over hand-built frames, hostile search text included; the
合规检查 list of a generated 500-alliance registry in AppTest (one page in the element, counts, search,
sort, downloads of every row found); a short table as before; and in Chromium, a row clicked on page 2
opens that row's alliance.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages import open_page
from figures import tables
from figures.tables import View, in_view, page_of, searchable
from registries import national_scale

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-21"
LIST = "tbl_compliance_list"          # the 合规检查 list's widget keys: ui.show_table's key="compliance_list"


# ---- the paging functions ---------------------------------------------------------------------------

def frame() -> pd.DataFrame:
    """Seven rows in a query's own order (not sorted by anything), with blanks, ties and awkward text."""
    return pd.DataFrame({
        "alliance": ["重庆机器人联盟", "北京%联盟", "天津_联盟", None, "安徽'联盟", "北京机器人联盟", "Abc\\联盟"],
        "lead_unit": ["重庆大学", "北京大学", "天津大学", "南开大学", "合肥\x01工业大学", None, "ABC公司"],
        "members": [12, 30, 12, 7, None, 30, 5],
        "filed": pd.to_datetime(["2020-05-01", "2018-01-01", None, "2021-03-01", "2019-07-01", "2018-01-01",
                                 "2022-01-01"]),
    }, index=[3, 3, 0, 1, 1, 2, 9])     # a concatenated frame's repeated index: rows are found by position


def names(rows: pd.DataFrame) -> list:
    return [None if pd.isna(v) else v for v in rows["alliance"]]


def test_pages_count_and_clamp() -> None:
    f = frame()
    first = page_of(f, View(size=3))
    assert (first.total, first.page, first.pages) == (7, 1, 3)
    assert names(first.rows) == names(f.iloc[:3]) and first.positions == [0, 1, 2]
    last = page_of(f, View(size=3, page=3))
    assert names(last.rows) == names(f.iloc[6:]) and last.positions == [6]
    assert page_of(f, View(size=3, page=99)).page == 3          # past the end: the last page
    assert page_of(f, View(size=3, page=-4)).page == 1
    assert page_of(f, View(size=0)).rows.shape[0] == 7          # no size: the default page
    nothing = page_of(f, View(search="不存在的词", size=3))
    assert (nothing.total, nothing.page, nothing.pages, len(nothing.rows)) == (0, 1, 1, 0)


def test_default_order_is_the_querys_own() -> None:
    f = frame()
    assert names(in_view(f, View())) == names(f)
    assert names(page_of(f, View()).rows) == names(f)
    assert names(in_view(f, View(sort="no-such-column"))) == names(f)   # an unknown column sorts nothing


def test_text_sorts_in_pinyin_order_blanks_last() -> None:
    """安徽 (an) < 北京 (bei) < 重庆 (chong) < 天津 (tian), not code-point order (北 < 天 < 安 < 重);
    Latin after Chinese (ICU's zh order); a blank name last in both directions."""
    f = frame()
    up = names(in_view(f, View(sort="alliance")))
    assert up == ["安徽'联盟", "北京%联盟", "北京机器人联盟", "重庆机器人联盟", "天津_联盟", "Abc\\联盟", None]
    down = names(in_view(f, View(sort="alliance", descending=True)))
    assert down == [*reversed(up[:-1]), None]


def test_numbers_and_dates_sort_by_value_ties_in_query_order() -> None:
    f = frame()
    by_members = in_view(f, View(sort="members", descending=True))
    assert by_members["members"].tolist()[:5] == [30, 30, 12, 12, 7]
    assert names(by_members)[:4] == ["北京%联盟", "北京机器人联盟", "重庆机器人联盟", "天津_联盟"]   # ties: query order
    assert pd.isna(by_members["members"].iloc[-1])
    by_date = in_view(f, View(sort="filed"))
    assert names(by_date)[:2] == ["北京%联盟", "北京机器人联盟"] and pd.isna(by_date["filed"].iloc[-1])
    # a page of a sorted view is that slice of the whole sorted list
    assert names(page_of(f, View(sort="members", descending=True, size=2, page=2)).rows) == names(by_members)[2:4]


def test_search_looks_in_every_text_column_case_ignored_all_words() -> None:
    f = frame()
    assert searchable(f) == ["alliance", "lead_unit"]
    assert names(in_view(f, View(search="大学"))) == ["重庆机器人联盟", "北京%联盟", "天津_联盟", None, "安徽'联盟"]
    assert names(in_view(f, View(search="abc"))) == ["Abc\\联盟"]            # case ignored
    assert names(in_view(f, View(search="机器人  北京"))) == ["北京机器人联盟"]   # every word, any column
    assert names(in_view(f, View(search="30"))) == []                        # numbers are not text
    assert page_of(f, View(search="大学", size=2)).pages == 3


def test_search_ignores_width_case_and_spaces_as_bureau_names_vary() -> None:
    # one registry writes （滨海） and ＡＢＣ, another (滨海) and abc; a user types either, with or without spaces
    f = pd.DataFrame({"alliance": ["天津（滨海）机器人联盟", "ABC 储能联盟", "abc储能联盟", "其他联盟"],
                      "lead_unit": ["天津大学", "ＡＢＣ公司", None, "南开大学"]})
    assert names(in_view(f, View(search="(滨海)"))) == ["天津（滨海）机器人联盟"]
    assert names(in_view(f, View(search="ａｂｃ储能"))) == ["ABC 储能联盟", "abc储能联盟"]
    assert names(in_view(f, View(search="abc 联盟"))) == ["ABC 储能联盟", "abc储能联盟"]     # every word
    assert names(in_view(f, View(search="Abc公司"))) == ["ABC 储能联盟"]                  # the lead unit's ＡＢＣ
    assert names(in_view(f, View(search="滨海）机器"))) == ["天津（滨海）机器人联盟"]


HOSTILE = ["%", "_", "'", "\\", "\x01", "%联盟", "_联", "' or '1'='1", "'; drop table t; --", "\x00", "\u202e",
           "*", "[a-z]", ".*", "$1", "?", "联盟%' --", '"', "；", "\t%\t"]


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t) for t in HOSTILE])
def test_hostile_search_text_is_literal(text: str) -> None:
    """Wildcards, quotes, SQL, regex and control characters match only where they are written."""
    f = frame()
    words = text.split()
    expected = [i for i, row in enumerate(f.itertuples(index=False))
                if all(any(w.lower() in str(v).lower() for v in (row.alliance, row.lead_unit) if pd.notna(v))
                       for w in words)]
    page = page_of(f, View(search=text, size=3))
    assert page.total == len(expected)
    assert list(in_view(f, View(search=text)).index) == list(f.iloc[expected].index)


def test_column_names_never_reach_the_sql() -> None:
    f = frame().rename(columns={"alliance": 'x" from t; drop table t; --', "lead_unit": "?"})
    got = in_view(f, View(search="北京", sort='x" from t; drop table t; --'))
    assert got.iloc[:, 0].tolist() == ["北京%联盟", "北京机器人联盟"]


def test_sessions_paging_at_once_each_get_their_own_rows() -> None:
    """Every session's run pages its own frame on the one in-memory DuckDB (a cursor each, one name "t")."""
    from concurrent.futures import ThreadPoolExecutor

    frames = [pd.DataFrame({"name": [f"表{k}-{i}" for i in range(3000)], "n": range(3000)}) for k in range(6)]

    def pages(k: int) -> bool:
        got = [in_view(frames[k], View(search=f"表{k}-1", sort="n", descending=True)) for _ in range(10)]
        return all(len(g) == 1111 and g["name"].str.startswith(f"表{k}-1").all() and g["n"].is_monotonic_decreasing
                   for g in got)

    with ThreadPoolExecutor(6) as pool:
        assert all(pool.map(pages, range(6)))


# ---- the page, in AppTest, on a generated registry with a long list -----------------------------------

@pytest.fixture(scope="module")
def long_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """500 alliances written by the national-scale generator and loaded by the CLI: 合规检查 lists ~440."""
    return national_scale(tmp_path_factory.mktemp("long"), 500)


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, object]]:
    """Every download button the page offers, by key: its label and its data (a callable: built on click)."""
    from streamlit.delta_generator import DeltaGenerator

    seen: dict[str, tuple[str, object]] = {}
    real = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        seen[kwargs.get("key", label)] = (label, data)
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return seen


def shown(at: AppTest) -> pd.DataFrame:
    [table] = [d.value for d in at.dataframe if "联盟名称" in d.value.columns]
    return table


def counts(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("第 "))


def csv_rows(data) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data().decode("utf-8-sig"))))


def test_long_list_sends_one_page_and_downloads_every_row(long_db: Path, monkeypatch, offered) -> None:
    at = open_page(long_db, monkeypatch, "compliance", timeout=120)
    first = shown(at)
    assert len(first) == tables.PAGE_SIZE
    label, data = offered["csv_compliance_list"]
    everything = csv_rows(data)                   # the download: every row, in the list's own order
    n = len(everything)
    assert tables.PAGE_SIZE < n <= 500
    pages = -(-n // tables.PAGE_SIZE)
    assert counts(at) == f"第 1 / {pages} 页，共 {n:,} 条"
    assert label == f"下载全部 {n:,} 条（CSV）" and offered["xlsx_compliance_list"][0] == f"下载全部 {n:,} 条（Excel）"
    names = [r["联盟名称"] for r in everything]
    assert first["联盟名称"].tolist() == names[:tables.PAGE_SIZE]

    at.pagination(key=f"{LIST}_page").select(2).run()
    assert counts(at) == f"第 2 / {pages} 页，共 {n:,} 条"
    assert shown(at)["联盟名称"].tolist() == names[tables.PAGE_SIZE:2 * tables.PAGE_SIZE]
    at.pagination(key=f"{LIST}_page").select(1).run()
    assert shown(at)["联盟名称"].tolist() == names[:tables.PAGE_SIZE]
    at.pagination(key=f"{LIST}_page").select(pages).run()
    assert shown(at)["联盟名称"].tolist() == names[(pages - 1) * tables.PAGE_SIZE:]
    at.selectbox(key=f"{LIST}_size").set_value(500).run()                 # a new page size: back to page 1
    assert counts(at) == f"第 1 / 1 页，共 {n:,} 条" and shown(at)["联盟名称"].tolist() == names


def test_search_narrows_and_the_download_holds_what_it_found(long_db: Path, monkeypatch, offered) -> None:
    at = open_page(long_db, monkeypatch, "compliance", timeout=120)
    everything = csv_rows(offered["csv_compliance_list"][1])
    n = len(everything)
    word = everything[n // 2]["联盟名称"][:3]          # a city, e.g. 三亚市
    texts = ("联盟名称", "存在问题", "联盟编号")
    expected = [r["联盟名称"] for r in everything if any(word in r[c] for c in texts)]
    assert 0 < len(expected) < n
    at.pagination(key=f"{LIST}_page").select(2).run()
    at.text_input(key=f"{LIST}_search").input(word).run()
    assert not at.exception
    pages = -(-len(expected) // tables.PAGE_SIZE)
    assert counts(at) == f"第 1 / {pages} 页，共 {len(expected):,} 条，全表 {n:,} 条"   # a new search starts at page 1
    assert shown(at)["联盟名称"].tolist() == expected[:tables.PAGE_SIZE]
    label, data = offered["csv_compliance_list"]
    assert label == f"下载全部 {len(expected):,} 条（CSV）"
    assert [r["联盟名称"] for r in csv_rows(data)] == expected

    # % is literal: the problems' "低于50.0%" has it, a name does not
    at.text_input(key=f"{LIST}_search").input("%").run()
    with_percent = [r["联盟名称"] for r in everything if any("%" in r[c] for c in texts)]
    assert [r["联盟名称"] for r in csv_rows(offered["csv_compliance_list"][1])] == with_percent
    for hostile in ("'; drop table t; --", "_%_", "\\"):
        at.text_input(key=f"{LIST}_search").input(hostile).run()
        assert not at.exception
        assert any("没有找到含" in i.value for i in at.info), hostile
        assert offered["csv_compliance_list"][0] == "下载全部 0 条（CSV）"


def test_sort_runs_over_the_whole_list_and_survives_a_page_change(long_db: Path, monkeypatch, offered) -> None:
    at = open_page(long_db, monkeypatch, "compliance", timeout=120)
    everything = csv_rows(offered["csv_compliance_list"][1])
    at.selectbox(key=f"{LIST}_order").set_value(("member_count", True)).run()
    members = [int(r["成员单位数"]) for r in everything]
    top = shown(at)["成员单位数"].tolist()
    assert top == sorted(members, reverse=True)[:tables.PAGE_SIZE]
    ordered = csv_rows(offered["csv_compliance_list"][1])
    assert [int(r["成员单位数"]) for r in ordered] == sorted(members, reverse=True)
    at.text_input(key=f"{LIST}_search").input("联盟").run()

    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/compliance.py").run()
    assert not at.exception
    assert at.selectbox(key=f"{LIST}_order").value == ("member_count", True)
    assert at.text_input(key=f"{LIST}_search").value == "联盟"
    assert shown(at)["成员单位数"].tolist() == top


def test_a_short_table_looks_as_before(sample_db: Path, monkeypatch, offered) -> None:
    at = open_page(sample_db, monkeypatch, "compliance", timeout=120)
    assert len(shown(at)) <= tables.PAGE_SIZE
    assert not [w for w in at.text_input if w.key and w.key.startswith("tbl_")]
    assert not at.pagination and not [c for c in at.caption if c.value.startswith("第 ")]
    assert offered["csv_compliance_list"][0] == "下载 CSV" and offered["xlsx_compliance_list"][0] == "下载 Excel"


# ---- in Chromium: a row on page 2 opens its own alliance ----------------------------------------------

@pytest.fixture(scope="module")
def long_server(long_db: Path):
    from tests.test_e2e import serve

    with serve(long_db) as url:
        yield url


@pytest.mark.parametrize("path, title", [("alliance", "联盟档案"), ("compliance", "合规检查")])
def test_row_click_on_page_two_opens_that_alliance(long_server: str, browser, path: str, title: str) -> None:
    """联盟档案's own list (its picker opens the row) and 合规检查's (a switch to 联盟档案)."""
    from tests.test_e2e import wait_rendered

    # the grid's cells are drawn on a canvas; its screen-reader copy names the rows shown
    first_name = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')]
                          .map(c => c.textContent.trim()).find(t => t.endsWith('联盟')) || null"""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    try:
        tab.goto(f"{long_server}/{path}?as_of={AS_OF}")
        wait_rendered(tab, title)
        if path == "compliance":    # its list is folded under its title and count until opened
            tab.locator('[data-testid="stExpander"] summary').filter(has_text="核对结果").click()
            wait_rendered(tab)
        on_first_page = tab.wait_for_function(first_name).json_value()
        tab.get_by_test_id("stPaginationNext").click()
        tab.get_by_text("第 2 / ").first.wait_for()
        wait_rendered(tab)
        name = tab.wait_for_function(f"() => {{ const n = ({first_name})(); return n !== {on_first_page!r} && n; }}"
                                     ).json_value()
        grid = tab.locator('[data-testid="stDataFrame"]').last
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        tab.mouse.click(box["x"] + 18, box["y"] + 35 + 17)     # the first row's selection box
        tab.get_by_role("heading", name=name, exact=True).first.wait_for(timeout=60_000)
        assert "alliance=L-" in tab.url
    finally:
        context.close()


def test_alliance_pickers_offer_a_bounded_list_and_search_reaches_every_alliance(long_db: Path, monkeypatch) -> None:
    # 联盟档案 and 简报导出 pick one alliance: a national registry's 20,000 names would all travel as options
    ui = __import__("ui")
    at = open_page(long_db, monkeypatch, "alliance", timeout=120)
    pick = at.selectbox(key="a_pick")
    assert len(pick.options) == ui.PICK_OPTIONS and "找到 500 个，列出前 200 个" in pick.label
    last = shown(at)                               # the list under the picker still pages through every one
    assert len(last) == tables.PAGE_SIZE
    import duckdb
    with duckdb.connect(str(long_db), read_only=True) as con:
        ids = [r[0] for r in con.execute("select alliance_id from alliances").fetchall()]
    beyond = next(i for i in ids if all(i not in o for o in pick.options))   # not among the 200 offered
    at.text_input(key="a_search").input(beyond).run()
    pick = at.selectbox(key="a_pick")
    assert [o for o in pick.options if beyond in o] and "列出前" not in pick.label
    brief = open_page(long_db, monkeypatch, "briefing", timeout=120)
    brief.session_state["brief_alliance_box"] = True      # 简报导出's picker, folded until opened
    assert len(brief.run().selectbox(key="brief_alliance_pick").options) == ui.PICK_OPTIONS


def test_an_import_that_adds_every_alliance_sends_one_page_of_them(long_db: Path, monkeypatch, offered) -> None:
    # 操作记录 lists what an import changed: a first national import adds all of them (6 MiB at 1.7M rows)
    at = open_page(long_db, monkeypatch, "audit", timeout=120)
    folded = [d for d in at.dataframe if "联盟编号" in d.value.columns]
    assert not folded and "diff_新增的联盟" not in offered      # folded: nothing of the lists is sent
    at.session_state["diff_新增的联盟_box"] = True
    at.run()
    [added] = [d.value for d in at.dataframe if "联盟编号" in d.value.columns and "变化的字段" not in d.value.columns]
    assert len(added) == tables.PAGE_SIZE
    assert any(c.value == f"列出前 {tables.PAGE_SIZE} 个，共 500 个；全部见下载。" for c in at.caption)
    label, data = offered["diff_新增的联盟"]
    assert label == "下载全部 500 个（CSV）" and len(csv_rows(data)) == 500
