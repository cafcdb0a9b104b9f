"""End to end: the real Streamlit server in headless Chromium, every page of navigation.PAGES.

Each page is opened from its own link with the filters in the query string, as a link shared
by e-mail would be, and must show its title and one figure of the sample registry on
2026-11-21 with those filters still in the URL; screenshots go to tests/screenshots/<page>.png
for a person to look at. A second server on the empty registry must show no traceback on any
page, and a page link must work as the very first request a fresh server gets.

Skipped, with the reason shown, on a machine without Chromium (.ci/run installs it).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

from bench import browser
from bench.browser import CHROMIUM, CHROMIUM_FLAGS, RENDERED_JS  # noqa: F401  (the browser tests import them from here)
import server
from navigation import PAGES, Page
from queries.policy import load_profile

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
FILTERS = "profile=tianjin-2018&as_of=2026-11-21"
TIMEOUT_MS = 60_000     # generous: a loaded 2-core machine can take this long on a cold page

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有 Chromium（{CHROMIUM}）：浏览器测试跳过（apt-get install chromium）")


# One figure each page shows for the sample registry under FILTERS, worked out by hand from the
# sample or in the page's own tests: (metric label, its value) or (None, text on the page); and the
# page's own query parameters.
EXPECTED: dict[str, tuple[str | None, str, str]] = {
    "overview": ("在册联盟", "107 个", ""),               # 112 filed by 2026-11-21 − 5 revoked
    "targets": ("已完成", "58 个", ""),                   # 十三五: filings 2016–2020
    "coverage": ("已覆盖", "9 个", ""),                   # 10 clusters, 现代冶金 empty
    "subsidies": ("累计拨付", "7,414.70 万元", ""),       # 279 payments, not recovered
    "reviews": ("评估逾期", "8 个", ""),                  # (test_page_priorities.by_hand)
    "compliance": ("不符合至少一项", "10 个", ""),        # the ten sample alliances under 10 members
    "alliance": ("成员单位", "35 家", "&alliance=L-5F6B6B09"),   # 天津工业机器人产业技术创新战略联盟
    "priorities": (None, "= 1420万元", "&year=2027"),     # 39 evaluations × 30 + 5 filings × 50
    "briefing": (None, "截至 2026-11-21", ""),             # the export says which filters it was made under
    "data": ("数据截至（最新备案日期）", "2026-08-18", ""),
    "import": ("错误", "0 个", ""),                       # a dry run of the sample's 年度报告.csv
    "audit": ("新增联盟", "120 个", ""),                  # the sample import added every alliance
    "settings": ("成员单位最低数量", "10 家", ""),        # tianjin-2018 as shipped: 第十一条（三）
}
EDITOR, PASSWORD = "e2e", "e2e-口令-only-for-tests"
UPLOAD = ROOT / "data" / "sample" / "tianjin" / "年度报告.csv"


# ---- server and browser ----------------------------------------------------------------------

@contextmanager
def serve(db: Path, *, editors: bool = True, log: Path | None = None, secrets: Path | None = None) -> Iterator[str]:
    """`streamlit run server.py` on a free port against ``db`` (bench/browser.py's server); yields its URL.

    ``editors``: the test editor can sign in; ``log``: the server's output is kept there; ``secrets``: the
    secrets file the server reads (editors listed there), never the developer's own .streamlit/secrets.toml.
    """
    from auth import ENV_EDITORS, hash_password

    env = {"REGISTRY_DB": str(db), ENV_EDITORS: f"{EDITOR}:{hash_password(PASSWORD)}" if editors else None}
    try:
        with browser.serve(browser.SERVER, env, log=log, extra=("--secrets.files", str(secrets)) if secrets else ()) as (url, _):
            yield url
    except browser.ServerDidNotStart as e:
        pytest.fail(str(e))


def wait_rendered(tab, title: str | None = None) -> None:
    """Wait for the final render (and for the page's title, when given)."""
    if title:
        tab.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    tab.wait_for_function(RENDERED_JS, timeout=TIMEOUT_MS, polling=100)


def open_page(tab, url: str, title: str | None = None) -> None:
    """Go to ``url`` (a new session, as a shared link opens) and wait for the final render."""
    tab.goto(url)
    wait_rendered(tab, title)


def sign_in(tab) -> None:
    """Sign in as the test editor through the sidebar form (editor pages ask for it in each new session)."""
    tab.get_by_text("编辑人员登录", exact=True).click()
    tab.get_by_label("用户名").fill(EDITOR)
    tab.get_by_label("口令").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.get_by_text(f"已登录：{EDITOR}").wait_for(timeout=TIMEOUT_MS)


def metric_value(tab, label: str) -> str:
    """The value of the st.metric whose label is ``label``."""
    metric = tab.locator('[data-testid="stMetric"]').filter(
        has=tab.locator('[data-testid="stMetricLabel"]', has_text=label))
    return metric.first.locator('[data-testid="stMetricValue"]').inner_text(timeout=5_000).strip()


def open_app_page(tab, url: str, page: Page, query: str) -> None:
    """Open one of the app's pages from its link; sign in first on the editors' page."""
    if page.url_path == "import":
        open_page(tab, f"{url}/{page.path}?{query}")
        sign_in(tab)
        wait_rendered(tab, page.title)
    else:
        open_page(tab, f"{url}/{page.path}?{query}", page.title)


def require_file(page: Page) -> None:
    if not (ROOT / page.file).exists():
        pytest.skip(f"{page.file} 尚不存在")


@pytest.fixture(scope="module")
def sample_tab(sample_server: str, browser):
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_page(tab, sample_server)
    yield sample_server, tab
    tab.close()


class EmptyServer(NamedTuple):
    url: str
    tab: object
    first_link_nav: str      # the sidebar navigation shown when a page link was the server's first request
    first_link_title: str    # and the browser tab's title then
    first_link_page: bool    # the page's own title, the sign-in box and the wide layout were there


@pytest.fixture(scope="module")
def empty_server(empty_db: Path, browser):
    with serve(empty_db) as url:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_page(tab, f"{url}/data?{FILTERS}")
        nav = tab.locator('[data-testid="stSidebarNav"]')
        first_link_nav = nav.inner_text() if nav.count() else ""
        main = tab.locator('[data-testid="stMainBlockContainer"]').bounding_box()
        first_link_page = (tab.get_by_role("heading", name="数据", exact=True).count() > 0
                           and tab.get_by_text("编辑人员登录").count() > 0          # the sign-in box
                           and main["width"] > 1000)                                # the wide layout
        first_link_title = tab.title()
        open_page(tab, url)
        yield EmptyServer(url, tab, first_link_nav, first_link_title, first_link_page)
        tab.close()


def screenshot(tab, path: Path) -> None:
    """The whole page: the main area scrolls inside the window, so grow the window to its height first."""
    height = tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 1000")
    tab.set_viewport_size({"width": 1400, "height": max(1000, min(height, 10_000))})
    tab.screenshot(path=path)
    tab.set_viewport_size({"width": 1400, "height": 1000})


def assert_no_traceback(tab, where: str) -> None:
    assert tab.locator('[data-testid="stException"]').count() == 0, f"{where}：页面显示了异常"
    body = tab.inner_text("body")
    assert "Traceback" not in body, f"{where}：页面显示了 Traceback"
    assert "Page not found" not in body, f"{where}：链接打开的不是这一页"


# ---- the tests -------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_page_on_the_sample(page: Page, sample_tab) -> None:
    require_file(page)
    url, tab = sample_tab
    if page.url_path not in EXPECTED:
        pytest.fail(f"EXPECTED 中还没有“{page.title}”页（{page.url_path}）的样例数字")
    label, value, extra = EXPECTED[page.url_path]
    open_app_page(tab, url, page, FILTERS + extra)
    if page.url_path == "import":
        tab.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(UPLOAD)
        tab.get_by_text("导入后的变化").wait_for(timeout=TIMEOUT_MS)
        wait_rendered(tab)
    SHOTS.mkdir(exist_ok=True)
    screenshot(tab, SHOTS / f"{page.url_path}.png")
    assert_no_traceback(tab, page.title)
    if label:
        assert metric_value(tab, label) == value
    else:
        tab.get_by_text(value).first.wait_for(timeout=5_000)
    # the link reopens the same view: the filters are still in the URL and, where there is one, the sidebar
    # says them beside its folded 筛选条件 box (its date picker is drawn once the box is opened: test_interaction)
    assert "as_of=2026-11-21" in tab.url and "profile=tianjin-2018" in tab.url
    sidebar = tab.locator('[data-testid="stSidebar"]')
    if sidebar.locator('[data-testid="stExpander"]').filter(has_text="筛选条件").count():
        assert "天津市（2018）" in sidebar.inner_text() and "截至 2026-11-21" in sidebar.inner_text()


@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_page_on_the_empty_registry(page: Page, empty_server: EmptyServer) -> None:
    require_file(page)
    open_app_page(empty_server.tab, empty_server.url, page, FILTERS)
    assert_no_traceback(empty_server.tab, f"{page.title}（空登记库）")


def test_page_link_as_first_request(empty_server: EmptyServer) -> None:
    """A shared link opened right after the server starts gets the app's navigation, not one page per file."""
    missing = [p.file for p in PAGES if not (ROOT / p.file).exists()]
    if missing:
        pytest.skip(f"{'、'.join(missing)} 尚不存在")
    assert "看板" in empty_server.first_link_nav and "总览" in empty_server.first_link_nav, empty_server.first_link_nav
    assert "app" not in empty_server.first_link_nav.split()            # not the raw file names of legacy mode
    assert empty_server.first_link_title in ("数据", "联盟看板"), empty_server.first_link_title
    assert empty_server.first_link_page


PRELOADS_JS = "() => [...document.querySelectorAll('link[rel=modulepreload]')].map(l => l.href)"


def test_a_page_link_goes_straight_to_the_server(empty_server: EmptyServer, browser) -> None:
    """Opened at a page's link, the frontend asks the app's own /_stcore/ first, never /<page>/_stcore/ (a 404 and
    a wait of ~0.12 s on every link opened); the page says it is Chinese and has the code of the charts, tables
    and filters it will draw fetched from the start; links and the sidebar still work."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    asked: list[str] = []
    fetched: dict[str, int] = {}
    tab.on("request", lambda r: asked.append(r.url.removeprefix(empty_server.url)))
    tab.on("response", lambda r: fetched.__setitem__(r.url, r.status))
    open_page(tab, f"{empty_server.url}/data?{FILTERS}", "数据")
    assert "/_stcore/health" in asked, asked
    assert not [u for u in asked if "_stcore" in u and not u.startswith("/_stcore/")], asked
    assert tab.evaluate("() => document.documentElement.lang") == "zh-CN"
    ours = [url for url in tab.evaluate(PRELOADS_JS) if url.rsplit("/", 1)[1].split(".")[0] in server.ELEMENT_CHUNKS]
    assert len(ours) == len(server.ELEMENT_CHUNKS), ours  # each element kind the pages draw, in this Streamlit's files
    assert all(fetched.get(url) == 200 for url in ours), {url: fetched.get(url) for url in ours}
    open_page(tab, f"{empty_server.url}/?{FILTERS}")   # the app's own address: the same page
    assert tab.evaluate("() => document.documentElement.lang") == "zh-CN"
    assert set(ours) <= set(tab.evaluate(PRELOADS_JS))
    assert_no_traceback(tab, "数据")
    tab.locator('[data-testid="stSidebarNavLink"]', has_text="合规检查").click()
    tab.get_by_role("heading", name="合规检查").wait_for(timeout=TIMEOUT_MS)
    assert tab.url.startswith(f"{empty_server.url}/compliance")
    tab.close()


TITLES_JS = "() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].map(t => t.textContent)"
MARGINS_GREW_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => !gd.data.some(t => t.type === 'pie'))
  .map(gd => [gd.layout.title.text, ['l', 'r', 'b'].filter(side => gd._fullLayout._size[side] > gd.layout.margin[side] + 0.5)
              .map(side => `${side} ${gd.layout.margin[side]} → ${Math.round(gd._fullLayout._size[side])}`)])
  .filter(([, grew]) => grew.length)"""


@pytest.mark.parametrize("profile", ["tianjin-2018", "zhejiang-2010", "heilongjiang-2009", "weinan-2015", "most-2009"])
def test_charts_are_drawn_once_in_margins_that_fit(sample_tab, profile: str) -> None:
    """figures.fit_margins gives each chart the margins its labels, titles, legend and colour bar need, so
    Plotly's automargin finds nothing to push and does not draw the chart a second time."""
    url, tab = sample_tab
    views_seen = 0
    for page in [p for p in PAGES if p.url_path in ("overview", "targets", "coverage", "subsidies", "reviews",
                                                    "compliance")]:
        open_page(tab, f"{url}/{page.path}?profile={profile}&as_of=2026-11-21", load_profile(profile).in_words(page.title))
        tab.wait_for_function(RENDERED_JS, arg=tab.locator('[data-testid="stPlotlyChart"]').count())
        assert tab.evaluate(MARGINS_GREW_JS) == [], page.title
        # the page's other chart views (ui.chart_tabs draws only the open tab's chart), each in turn
        views = tab.locator('[class*="st-key-"][class*="_charts"] [role="tab"]')
        drawn = {page.title: tab.evaluate(TITLES_JS)}
        views_seen += views.count()
        for i in range(1, views.count()):
            name = views.nth(i).inner_text()
            views.nth(i).click()
            tab.wait_for_timeout(400)     # the rerun has started
            wait_rendered(tab)
            tab.wait_for_function(RENDERED_JS, arg=tab.locator('[data-testid="stPlotlyChart"]').count())
            assert tab.evaluate(MARGINS_GREW_JS) == [], f"{page.title}（{name}）"
            drawn[name] = tab.evaluate(TITLES_JS)
        # one chart a view (a view that does not apply under the profile says why instead), each its own
        shown = [t for titles in drawn.values() for t in titles]
        assert all(len(t) <= 1 for t in drawn.values()) and len(set(shown)) == len(shown), drawn
    assert views_seen >= 8, "the chart views' tabs were not found"   # 总览 2, 资金补贴 4, 合规检查 2 under any profile
