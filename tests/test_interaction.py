"""How the dashboard behaves for a new user, in headless Chromium against the sample registry.

Filters set once stay on every page; a link with broken or hostile filters gets a Chinese
notice, never an error; every visible word is Chinese (outside a short allow-list of file
formats and ids); no request leaves the machine; a click on a chart narrows the page and a
chip clears it; a row of an alliance list opens its 联盟档案; and every page is laid out at
390, 1440 and 1920 px, with screenshots in tests/screenshots/<width>/ for a person to read.

The browser reports a Chinese locale (zh-CN), as a bureau's computers do.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_e2e import (CHROMIUM, FILTERS, PAGES, ROOT, SHOTS, TIMEOUT_MS, Page, assert_no_traceback,  # noqa: F401
                            require_file, wait_rendered)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有 Chromium（{CHROMIUM}）：浏览器测试跳过（apt-get install chromium）")

# A cluster, region and level that the sample has together (Tianjin's 高端装备 in 滨海新区, 市级).
NARROW = {"region": "滨海新区", "level": "市级", "cluster": "高端装备"}

# Visible text: text nodes, tooltips and placeholders of empty inputs, on elements a person can see.
# Icons (their ligature names) and code (commands and file names an administrator copies) are not prose.
VISIBLE_TEXT = """(roots) => {
  const out = [];
  const seen = (el) => {
    if (!el || el.closest('[data-testid="stIconMaterial"], script, style, noscript, code, pre')) return false;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > 0;   // not a screen-reader-only node
  };
  for (const root of document.querySelectorAll(roots)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (node.textContent.trim() && seen(node.parentElement)) out.push(node.textContent.trim());
    }
    for (const el of root.querySelectorAll('[placeholder], [data-title], [title]')) {
      if (!seen(el)) continue;
      if (el.getAttribute('placeholder') && !el.value) out.push(el.getAttribute('placeholder'));
      for (const a of ['data-title', 'title']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out;
}"""
# What opening or hovering a widget adds: dropdowns and menus (portals), a chart's toolbar, a table's toolbar.
OPENED = '[data-baseweb="popover"], [role="dialog"], [role="menu"], .modebar, [data-testid="stElementToolbar"]'
# Table cells are drawn on a canvas; their screen-reader copy is where a missing value would say "None".
TABLE_CELLS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')]
  .map(c => c.textContent.trim())"""
LATIN = re.compile(r"[A-Za-z]{2,}")
# file formats and the office software they open in
ALLOWED = {"Excel", "Word", "PowerPoint", "WPS", "CSV", "SVG", "PNG", "PDF", "PPTX", "docx", "xlsx", "csv", "zip", "SHA"}
ALLIANCE_ID = re.compile(r"\bL-[0-9A-F]{8}\b")
LATEST = f"{dt.date.today().year + 10}-12-31"     # the latest 统计截止日期 the sidebar accepts
HOSTILE = [
    # out of range, unknown, markup
    "profile=no-such-bureau&as_of=1999-01-01&from=1900&to=99999999999999999999"
    "&region=%3Cscript%3Ealert(1)%3C/script%3E&level=%E7%9C%81%E9%83%A8%E7%BA%A7&cluster=%E4%B8%8D%E5%AD%98%E5%9C%A8",
    # malformed, control characters, path tricks, each page's own parameters
    "profile=&as_of=2026-02-30&from=abc&to=-5&region=,,,&cluster=%00%01&alliance=L-NOPE"
    "&taxonomy=../../etc/passwd&year=99999&show=x&problem=*&kind=%E2%80%AE",
]


@pytest.fixture(scope="module")
def server(sample_server: str) -> str:
    return sample_server


@pytest.fixture
def tab(browser, server: str):
    """A fresh browser context: a new session, in a Chinese locale."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    yield context.new_page()
    context.close()


def go(tab, url: str, title: str | None = None) -> None:
    tab.goto(url)
    wait_rendered(tab, title)


def rerendered(tab) -> None:
    """After a click: the rerun has started and finished."""
    tab.wait_for_timeout(400)
    wait_rendered(tab)


def query(tab) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(tab.url).query).items()}


def has_sidebar_filters(tab) -> bool:
    return filter_box(tab).count() > 0


def filter_box(tab):
    return tab.locator('[data-testid="stSidebar"] [data-testid="stExpander"]').filter(has_text="筛选条件")


def open_filters(tab) -> None:
    """Unfold the sidebar's 筛选条件 box (drawn only while open; it then stays open for the session)."""
    filter_box(tab).locator("summary").click()
    tab.get_by_role("spinbutton", name="day, 统计截止日期").first.wait_for()
    rerendered(tab)


def click_nav(tab, title: str) -> None:
    tab.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first.click()
    wait_rendered(tab, title)


def click_plot_point(tab, chart_index: int = 0) -> None:
    """Click the largest bar (or cell) of a chart, as a person would (Plotly's drag layer takes the event)."""
    chart = tab.locator('[data-testid="stPlotlyChart"]').nth(chart_index)
    chart.scroll_into_view_if_needed()
    boxes = [b for b in (p.bounding_box() for p in chart.locator("g.point path, g.point rect").all()) if b]
    box = max(boxes, key=lambda b: b["width"] * b["height"])
    tab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    rerendered(tab)


def open_view(tab, label: str, title: str) -> None:
    """Open the chart view ``label`` (ui.chart_tabs: only the open tab's chart is drawn) and wait for its chart."""
    tab.get_by_role("tab", name=label, exact=True).click()
    tab.locator('[data-testid="stPlotlyChart"] .gtitle').filter(has_text=title).first.wait_for(timeout=TIMEOUT_MS)
    wait_rendered(tab)


def chart_index(tab, title: str) -> int:
    titles = tab.locator('[data-testid="stPlotlyChart"]').evaluate_all(
        "cs => cs.map(c => (c.querySelector('.gtitle') || {}).textContent || '')")
    return next(i for i, t in enumerate(titles) if title in t)


# ---- filters that stay ------------------------------------------------------------------------

def test_filters_kept_on_every_page(tab, server: str) -> None:
    """Set by a link once, the filters are in the URL and the sidebar of every page reached from the sidebar."""
    missing = [p.file for p in PAGES if not (ROOT / p.file).exists()]
    if missing:
        pytest.skip(f"{'、'.join(missing)} 尚不存在")
    wanted = {"profile": "tianjin-2018", "as_of": "2026-11-21", **NARROW}
    go(tab, f"{server}/?{FILTERS}&" + "&".join(f"{k}={v}" for k, v in NARROW.items()), "总览")
    folded = tab.locator('[data-testid="stSidebar"]').inner_text()   # folded: the filters in words, no widgets
    assert "天津市" in folded and "截至 2026-11-21" in folded and all(v in folded for v in NARROW.values()), folded
    assert tab.get_by_role("combobox", name="政策配置").count() == 0
    open_filters(tab)                         # opened once, open on every page after
    for page in [*PAGES[1:], PAGES[0]]:
        click_nav(tab, page.title)
        assert_no_traceback(tab, page.title)
        got = query(tab)
        assert {k: got.get(k) for k in wanted} == wanted, f"{page.title}：{tab.url}"
        if has_sidebar_filters(tab):
            sidebar = tab.locator('[data-testid="stSidebar"]')
            assert "天津市" in sidebar.get_by_role("combobox", name="政策配置").input_value(), page.title
            for value in NARROW.values():
                assert sidebar.get_by_text(value, exact=True).count(), f"{page.title}：侧栏没有“{value}”"


def test_lists_open_on_request_and_stay_open(tab, server: str) -> None:
    """A page opens with its figures and charts; each list is folded under its title and count, drawn when
    opened, and still open after a visit to another page (its count may differ: the label is a new box)."""
    go(tab, f"{server}/reviews?{FILTERS}", "评估与报告")
    grids = tab.locator('[data-testid="stDataFrame"]')
    lists = tab.locator('[data-testid="stMain"] [data-testid="stExpander"]')
    labels = lists.all_inner_texts()
    assert grids.count() == 0 and len(labels) >= 3, labels
    assert all(re.search(r"（[\d,]+ 条）$", label.strip()) for label in labels), labels
    lists.first.locator("summary").click()
    grids.first.wait_for()
    rerendered(tab)
    assert grids.count() == 1
    click_nav(tab, "总览")
    click_nav(tab, "评估与报告")
    grids.first.wait_for()
    assert grids.count() == 1


def test_profile_chosen_in_the_sidebar_is_kept(tab, server: str) -> None:
    """The issue's walk: pick 浙江 in the sidebar, go to 目标进度 — still Zhejiang's target, not Tianjin's."""
    go(tab, f"{server}/?{FILTERS}", "总览")
    open_filters(tab)
    tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    tab.get_by_role("option", name=re.compile("浙江")).first.click()
    rerendered(tab)
    assert query(tab)["profile"] == "zhejiang-2010"
    for title in ("目标进度", "评估与报告", "总览"):
        click_nav(tab, title)
        assert query(tab)["profile"] == "zhejiang-2010", f"{title}：{tab.url}"
        assert "浙江" in tab.get_by_role("combobox", name="政策配置").input_value()


def test_links_in_pages_keep_filters(tab, server: str) -> None:
    """需关注 on 总览 links to its page, with the filters."""
    go(tab, f"{server}/?{FILTERS}&level=市级", "总览")
    tab.get_by_role("link", name="到“评估与报告”页查看").first.click()
    wait_rendered(tab, "评估与报告")
    got = query(tab)
    assert (got.get("profile"), got.get("as_of"), got.get("level")) == ("tianjin-2018", "2026-11-21", "市级"), tab.url


@pytest.mark.parametrize("path", ["overview", "no-such-page"])
def test_unknown_path_opens_home(tab, server: str, path: str) -> None:
    """/overview (the home page is /) and a mistyped path open 总览 with the filters, without an English dialog."""
    go(tab, f"{server}/{path}?{FILTERS}", "总览")
    assert_no_traceback(tab, f"/{path}")
    assert tab.get_by_role("dialog").count() == 0
    assert query(tab).get("as_of") == "2026-11-21"


# ---- untrusted URL parameters (issue 9, item 7) ----------------------------------------------------

@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_hostile_query_strings(tab, server: str, page: Page) -> None:
    """Out-of-range dates and years, unknown profiles, regions and clusters, markup and control characters:
    clamped or dropped with a Chinese notice; never a Streamlit error, a traceback or a server path."""
    require_file(page)
    for hostile in HOSTILE:
        go(tab, f"{server}/{page.path}?{hostile}")
        where = f"{page.title}（{hostile[:40]}…）"
        assert_no_traceback(tab, where)
        body = tab.inner_text("body")
        for leak in ("Error", "Exception", "Streamlit", str(ROOT), ".py"):
            assert leak not in body, f"{where}：页面显示了“{leak}”"
        if has_sidebar_filters(tab):
            assert "链接中的筛选条件有误" in body, where
            got = query(tab)
            assert "2000-01-01" <= got["as_of"] <= LATEST, where
            assert 2000 <= int(got["from"]) <= int(got["to"]), where
            assert got["profile"] in {p.stem for p in (ROOT / "data" / "profiles").glob("*.toml")}, where
            assert "<script>" not in got.get("region", ""), where


def test_hostile_values_are_named_in_the_notice(tab, server: str) -> None:
    go(tab, f"{server}/targets?{HOSTILE[0]}", "目标进度")
    notice = tab.locator('[data-testid="stAlert"]').filter(has_text="链接中的筛选条件有误").inner_text()
    for part in ("政策配置「no-such-bureau」不存在", "1999-01-01 超出可选范围", "已改为 2000-01-01", "年份 1900",
                 "区域「<script>alert(1)</script>」", "级别「省部级」", "产业集群「不存在」"):
        assert part in notice, notice
    assert query(tab)["as_of"] == "2000-01-01"
    go(tab, f"{server}/targets?profile=tianjin-2018&as_of=9999-12-31&from=2030&to=2001", "目标进度")
    notice = tab.locator('[data-testid="stAlert"]').filter(has_text="链接中的筛选条件有误").inner_text()
    assert "9999-12-31 超出可选范围" in notice, notice
    got = query(tab)
    assert got["as_of"] == LATEST and (got["from"], got["to"]) == ("2001", "2030")


# ---- every word Chinese, nothing off the machine -----------------------------------------------

def latin_words(texts: list[str], data: set[str] = frozenset()) -> set[str]:
    """Latin words outside the allow-list, alliance ids and the registry's own data (e.g. the importing user's name)."""
    words = set()
    for text in texts:
        words |= {w for w in LATIN.findall(ALLIANCE_ID.sub("", text)) if w not in ALLOWED | data}
    return words


@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_page_in_chinese_offline_at_three_widths(browser, server: str, page: Page, sample_db: Path) -> None:
    """Every page on a wall screen with every select, date picker, chart and table toolbar opened in turn:
    no Latin word a user can see outside the allow-list, no "None" in a table, no request to any other
    host. Then at 1440 and, freshly opened, at 390 px: nothing wider than the window, KPI cards stacked on
    the phone. A full-page screenshot at each width, in tests/screenshots/<width>/, for a person to read."""
    from loaders.store import read_journal

    require_file(page)
    users = {w for entry in read_journal(sample_db) for w in LATIN.findall(str(entry.get("user") or ""))}
    context = browser.new_context(viewport={"width": 1920, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    hosts: set[str] = set()
    tab.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    try:
        go(tab, f"{server}/{page.path}?{FILTERS}", page.title)
        texts, cells = tab.evaluate(VISIBLE_TEXT, "body"), tab.evaluate(TABLE_CELLS)
        for selector in ('[data-testid="stSelectbox"]', '[data-testid="stMultiSelect"]',
                         '[data-testid="stDateInput"]', '[data-testid="stPlotlyChart"]', '[data-testid="stDataFrame"]',
                         '[data-testid="stMainMenu"]'):
            for widget in tab.locator(selector).all():
                if not widget.is_visible():
                    continue
                if selector.endswith(('Chart"]', 'Frame"]')):
                    widget.hover()      # their toolbars show on hover
                else:
                    widget.click()
                tab.wait_for_timeout(150)
                texts += tab.evaluate(VISIBLE_TEXT, OPENED)
                tab.keyboard.press("Escape")
        assert not latin_words(texts, users), f"{page.title}：页面上有英文 {sorted(latin_words(texts, users))}"
        assert not {c for c in cells if c in ("None", "nan", "NaN", "NaT", "null")}, f"{page.title}：表格空值显示为英文"
        screenshot_at(tab, page, 1920)
        tab.set_viewport_size({"width": 1440, "height": 1000})
        rerendered(tab)
        screenshot_at(tab, page, 1440)
        tab.set_viewport_size({"width": 390, "height": 900})
        go(tab, f"{server}/{page.path}?{FILTERS}", page.title)   # a phone opens the link afresh
        screenshot_at(tab, page, 390)
        lefts = tab.locator('[data-testid="stMain"] [data-testid="stMetric"]').evaluate_all(
            "ms => ms.map(m => Math.round(m.getBoundingClientRect().left))")
        assert len(set(lefts)) <= 1, f"{page.title} @ 390px：指标卡没有上下排列 {lefts}"
        assert hosts == {urlsplit(server).netloc}, f"{page.title}：请求了其他主机 {hosts}"
    finally:
        context.close()


def screenshot_at(tab, page: Page, width: int) -> None:
    """Check nothing is wider than the window, then shoot the whole page (the main area scrolls inside it)."""
    overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.title} @ {width}px：页面比窗口宽 {overflow}px"
    folder = SHOTS / str(width)
    folder.mkdir(parents=True, exist_ok=True)
    height = tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 900")
    size = tab.viewport_size
    tab.set_viewport_size({"width": width, "height": max(900, min(height, 12_000))})
    tab.screenshot(path=folder / f"{page.url_path}.png")
    tab.set_viewport_size(size)


def test_plotly_speaks_chinese(tab, server: str) -> None:
    """The chart toolbar is one Chinese button (download), not Plotly's English zoom/pan set."""
    go(tab, f"{server}/?{FILTERS}", "总览")
    chart = tab.locator('[data-testid="stPlotlyChart"]').first
    chart.hover()
    titles = chart.locator(".modebar-btn").evaluate_all("bs => bs.map(b => b.getAttribute('data-title'))")
    assert titles == ["下载图片（SVG）"]


# ---- click to drill ---------------------------------------------------------------------------

def test_chart_click_narrows_and_chip_clears(tab, server: str) -> None:
    go(tab, f"{server}/?{FILTERS}", "总览")
    before = tab.locator('[data-testid="stMetric"]').first.inner_text()
    click_plot_point(tab, chart_index(tab, "各产业集群在册联盟数"))
    cluster = query(tab).get("cluster")
    assert cluster, f"点击后 URL 没有产业集群：{tab.url}"
    chip = tab.get_by_role("button", name=f"产业集群：{cluster}")
    assert chip.count() == 1
    assert tab.locator('[data-testid="stMetric"]').first.inner_text() != before   # 在册联盟 narrowed
    chip.click()
    rerendered(tab)
    assert "cluster" not in query(tab) and tab.get_by_role("button", name=f"产业集群：{cluster}").count() == 0


def test_year_and_kind_clicks_on_subsidies(tab, server: str) -> None:
    go(tab, f"{server}/subsidies?{FILTERS}", "资金补贴")
    click_plot_point(tab, chart_index(tab, "历年补贴金额"))
    got = query(tab)
    assert got["from"] == got["to"], tab.url
    assert tab.get_by_role("button", name=f"年份：{got['from']}年").count() == 1
    open_view(tab, "按类型", "各类补贴金额")
    click_plot_point(tab, chart_index(tab, "各类补贴金额"))
    kind = query(tab).get("kind")
    assert kind, tab.url
    tab.get_by_text(f"“{kind}”补贴（按联盟、年度合计）").first.wait_for(timeout=TIMEOUT_MS)


def test_problem_click_on_compliance_then_row_opens_alliance(tab, server: str) -> None:
    go(tab, f"{server}/compliance?{FILTERS}", "合规检查")
    click_plot_point(tab, chart_index(tab, "不符合各项备案条件的联盟数"))
    problem = query(tab).get("problem")
    assert problem, tab.url
    assert tab.get_by_role("button", name=f"问题类型：{problem}").count() == 1
    # the page's own 问题类型 box shows it too (a row click below sends it back: the list must stay narrowed)
    assert problem in tab.locator('[data-testid="stMultiSelect"]').filter(has_text="问题类型").inner_text()
    # the first row's selection box, at the left edge of the list's first row
    grid = tab.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    tab.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    wait_rendered(tab, "联盟档案")
    got = query(tab)
    assert re.fullmatch(r"L-[0-9A-F]{8}", got.get("alliance", "")), tab.url
    assert got.get("profile") == "tianjin-2018" and got.get("as_of") == "2026-11-21"
    tab.get_by_text(f"联盟编号 {got['alliance']}").first.wait_for(timeout=TIMEOUT_MS)


def test_an_open_tab_stays_open_when_a_filter_changes_its_count(tab, server: str) -> None:
    """总览's 需关注 tabs run only the open one (ui.tabs). Their labels carry counts, so a filter makes them new
    tabs to Streamlit: the open one is kept by its position, not lost to the first."""
    selected = '.st-key-attention [data-testid="stTab"][aria-selected="true"]'
    go(tab, f"{server}/?{FILTERS}", "总览")
    last = tab.locator('[data-testid="stTab"]').last
    before = last.inner_text()
    last.click()
    rerendered(tab)
    assert tab.locator(selected).inner_text() == before
    click_plot_point(tab, chart_index(tab, "在册联盟数"))          # the largest cluster: a narrower page
    after = tab.locator(selected).inner_text()
    assert after != before and after.split("（")[0] == before.split("（")[0], (before, after)
