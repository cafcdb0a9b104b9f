"""What every page shares: the sidebar filters (kept in the URL), cached queries, charts and tables.

The database file is replaced (never edited) by each import, so its identity — path,
inode and modification time — says which import a cached result belongs to: a new import
shows at once, and a running page keeps reading the file it opened until then.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import figures
from figures import Scope, tables
from loaders import default_db
from loaders.diff import Diff
from loaders.registry import connect_read_only, latest_import
from queries import bureau, catalogue, runner
from queries.fetch import bind, read
from queries.scope import DEFAULT_YEAR_FROM, URL_KEYS, split_values, year_before
from queries.policy import Profile, default_profile, list_profiles, load_profile

Version = tuple[str, int, int]


def _leave_legacy_mode() -> None:
    """Run app.py's navigation even when a page link is a fresh server's first request.

    Streamlit notes at its first session whether a pages/ folder sits beside app.py and, until
    st.navigation runs once, serves such a link in its legacy one-file-per-page mode (raw file
    names in the sidebar, no page config, no sign-in). Every page imports this module, so the
    first page run in that mode clears the flag and asks for a rerun: app.py then runs and resolves
    the same page (its url_path is the file's name, so the page hash is the same). The rerun is
    only requested here, not raised: it stops the page at its first element, after this import has
    finished (an import that fails half-way would hand other sessions a half-made module).
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    ctx = get_script_run_ctx()
    if PagesManager.uses_pages_directory and ctx is not None and ctx.script_requests is not None:
        PagesManager.uses_pages_directory = False
        ctx.script_requests.request_rerun(RerunData(query_string=ctx.query_string,
                                                    page_script_hash=ctx.page_script_hash))


_leave_legacy_mode()
LEVELS = ("国家级", "省级", "市级")


def db_version(path: Path | None = None) -> Version | None:
    """Identity of the current database file, or None when there is none yet."""
    path = path or default_db()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return str(path), stat.st_ino, stat.st_mtime_ns


@st.cache_resource(max_entries=2)
def _connection(version: Version):
    return connect_read_only(Path(version[0]))


@st.cache_resource(max_entries=512, show_spinner=False)
def _query(version: Version, name: str, key: tuple, params: tuple, _scope: Scope) -> pd.DataFrame:
    # Cached under ``key`` (the scope's key and the settings stamp); ``_scope`` itself is not hashed. One frame
    # shared by every session, never handed out itself (fetcher): st.cache_data would unpickle a copy of it on
    # every read, a tenth of a page's server time at national scale.
    return read(_connection(version), name, _scope, params)


def fetcher(version: Version, scope: Scope) -> figures.Fetch:
    """queries.fetch's fetch(name, as_of=None, **params) under the page's scope, cached per import and settings.

    The settings stamp (bureau.stamp) is taken once here: a change on the 设置 page shows at the next run.
    """
    stamp = bureau.stamp()
    # A shallow copy: pandas' copy-on-write keeps whatever a page does to it (a column added, a value set) off
    # the shared frame.
    fetch = bind(lambda name, at, params: _query(version, name, (*at.key, stamp), params, at).copy(deep=False), scope)
    fetch.cache_key = (version, stamp, _view_key(scope))    # what its charts depend on besides their scope (show_chart)
    return fetch


def _view_key(scope: Scope) -> tuple:
    """Everything of a scope a chart depends on, as a cache key part: its query key and the year range, and the
    filters in the order chosen (a takeaway names them in that order)."""
    return (*scope.key, scope.year_from, scope.year_to, scope.regions, scope.levels, scope.clusters)


_warmed: set[Version] = set()
_warm_lock = threading.Lock()


def warm(version: Version) -> threading.Thread | None:
    """Compute the default view of ``version`` in a background thread, once per import (the thread, or
    None when this version was warmed already).

    The default view is what a visitor without a link sees first: the default profile with this
    registry's settings, today, no filters — the overview's queries (and its KPIs a year earlier), its charts
    and the sidebar's lists. Built into the same caches the pages read (the shared context and
    st.cache_data), so the first visitor after an import, by the import page or the CLI, finds them.
    """
    with _warm_lock:
        if version in _warmed:
            return None
        _warmed.add(version)
    # Not a daemon (said outright: a thread started from a page's script thread inherits its daemon flag): a
    # daemon still inside DuckDB when the interpreter exits aborts it ("FATAL: exception not rethrown"); exit
    # waits for the warm-up instead.
    thread = threading.Thread(target=_warm_default_view, args=(version,), name="warm-default-view", daemon=False)
    thread.start()
    return thread


def watch(stop: threading.Event, seconds: float = 2.0) -> None:
    """Until ``stop`` is set, look at the registry file every ``seconds`` and warm each new version as it
    appears (server.py runs this beside the server): an import from the command line is warmed when it
    lands, not when someone next opens a page."""
    while not stop.wait(seconds):
        version = db_version()
        if version:
            warm(version)


def _warm_default_view(version: Version) -> None:
    try:
        profile, _ = bureau.profile_checked(default_profile())
        today = dt.date.today()
        scope = Scope(profile, today, DEFAULT_YEAR_FROM, today.year)    # what a link without filters opens
        fetch = fetcher(version, scope)
        for name in (*runner.OVERVIEW_SET, "region_distribution"):
            fetch(name)
        fetch("overview_kpis", as_of=year_before(scope.as_of))
        for chart in figures.all_charts().values():     # 总览's charts, finished as the page shows them
            if chart.page == "总览":
                _finished_chart(chart.id, fetch, scope)
        _import_info(version)         # the sidebar's 数据：批次 … 导入 line
    except Exception:  # noqa: BLE001 — a failed warm-up only loses the head start; the page reports real errors
        logging.getLogger(__name__).warning("warming the default view failed", exc_info=True)


def require_registry() -> Version:
    """The database version, or stop the page with a helpful message when there is no registry.

    A version seen for the first time (a new import) starts warming its default view.
    """
    version = db_version()
    if version is None:
        st.info(f"还没有登记库数据（{default_db()}）。请先导入：在命令行运行 `python -m loaders load 文件…`，"
                "或运行 `make run` 由示例数据建立。")
        st.stop()
    warm(version)
    return version


# ---- filters: the URL form of the scope (queries.scope), checked like any untrusted input -------------

EARLIEST = dt.date(2000, 1, 1)       # the date picker's and the year slider's lower bound
ALLIANCE_PAGE = "pages/alliance.py"
SAVED = "filters_saved"               # the sidebar's values, kept across page changes
FILTERS = ("f_profile", "f_as_of", "f_years", "f_region", "f_level", "f_cluster")   # their session keys
SHOWN_MAX = 40                       # characters of a bad URL value repeated back in a notice


def _latest() -> dt.date:
    """The latest date the filters accept: the end of the tenth year from today."""
    return dt.date(dt.date.today().year + 10, 12, 31)


def _param_list(key: str) -> list[str]:
    return list(split_values(st.query_params.get(key, "")))


def set_url(**params: str | None) -> None:
    """Write widget values back to the URL, the one place that does: a value sets its key when it
    changed, None or "" removes it."""
    for key, value in params.items():
        if not value:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def _quoted(value: str) -> str:
    text = value if len(value) <= SHOWN_MAX else value[:SHOWN_MAX] + "…"
    return f"「{escape_markdown(text)}」"


def viewed_profile() -> Profile:
    """The profile this session is viewing (the sidebar's choice, else the link's, else the default), so the
    navigation can name pages in its words before the page's sidebar runs."""
    profiles = list_profiles()
    wanted = st.session_state.get("f_profile") or st.query_params.get("profile", "")
    return bureau.profile_checked(wanted if wanted in profiles else default_profile())[0]


def _profile_from_url(profiles: list[str], notices: list[str]) -> str:
    wanted = st.query_params.get("profile", "")
    if wanted and wanted not in profiles:
        notices.append(f"政策配置{_quoted(wanted)}不存在，已改用“{load_profile(default_profile()).name}”")
    return wanted if wanted in profiles else default_profile()


def _date_from_url(notices: list[str]) -> dt.date:
    raw = st.query_params.get("as_of", "")
    today, latest = dt.date.today(), _latest()
    if not raw:
        return today
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        notices.append(f"统计截止日期{_quoted(raw)}不是“年-月-日”格式的日期，已改用今天（{today.isoformat()}）")
        return today
    if value < EARLIEST or value > latest:
        clamped = min(max(value, EARLIEST), latest)
        notices.append(f"统计截止日期 {value.isoformat()} 超出可选范围（{EARLIEST.isoformat()} 至 {latest.isoformat()}），"
                       f"已改为 {clamped.isoformat()}")
        return clamped
    return value


def _years_from_url(this_year: int, notices: list[str]) -> tuple[int, int]:
    low, high = EARLIEST.year, _latest().year
    years = []
    for key, default in (("from", DEFAULT_YEAR_FROM), ("to", this_year)):
        raw = st.query_params.get(key, "")
        try:
            value = int(raw) if raw else default
        except ValueError:
            notices.append(f"年份{_quoted(raw)}不是整数，已改用 {default}")
            value = default
        if not low <= value <= high:
            clamped = min(max(value, low), high)
            notices.append(f"年份 {value} 超出可选范围（{low}–{high}），已改为 {clamped}")
            value = clamped
        years.append(value)
    return min(years), max(years)


def _restore(key: str) -> None:
    """A filter widget's value as this session last had it.

    On a page change Streamlit gives the page's widgets fresh state, so the values saved at the
    end of the last page's run are put back before the widgets are made (the URL has lost them too).
    """
    saved = st.session_state.get(SAVED, {})
    if key in saved and (key not in st.session_state or saved.get("page") != _page()):
        st.session_state[key] = saved[key]


def _page() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


def _multiselect(label: str, param: str, key: str, options: list[str], placeholder: str,
                 notices: list[str], box) -> list[str]:
    """A multiselect started from the URL, drawn in ``box`` (None: folded, the value alone); values the
    registry does not have are dropped."""
    if key not in st.session_state:
        wanted = _param_list(param)
        unknown = [v for v in wanted if v not in options]
        if unknown:
            notices.append(f"{label}{'、'.join(map(_quoted, unknown[:5]))}{'等' if len(unknown) > 5 else ''}"
                           "在当前政策配置和登记库中没有，已忽略")
        st.session_state[key] = [v for v in wanted if v in options]
    else:  # e.g. a cluster of the previous profile's taxonomy
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    if box is None:
        return st.session_state[key]
    return box.multiselect(label, options, key=key, placeholder=placeholder, select_all=False)


def sidebar(version: Version) -> Scope:
    """The global filters: kept for the whole session (across pages) and written to the URL.

    A new session starts them from the URL, so a shared link reopens the same view; what the
    URL holds is checked first, and a value out of range or unknown is clamped or dropped with
    a Chinese notice, never passed to a widget that would fail on it.

    The widgets sit in a folded 筛选条件 box, drawn only while it is open (once opened it stays open
    for the session); folded, the sidebar says the filters in words and the page shows each one as
    a chip. Six filter widgets cost the browser about half a bare one-chart page on every load (issue 13).
    """
    side = st.sidebar
    notices: list[str] = []
    profiles = list_profiles()
    for key in FILTERS:
        _restore(key)
        if key in st.session_state:   # a widget's value, kept as the session's own: the folded box draws no widget
            st.session_state[key] = st.session_state[key]
    if "f_profile" not in st.session_state:
        st.session_state["f_profile"] = _profile_from_url(profiles, notices)
    if "f_as_of" not in st.session_state:
        st.session_state["f_as_of"] = _date_from_url(notices)
    if "f_years" not in st.session_state:
        st.session_state["f_years"] = _years_from_url(st.session_state["f_as_of"].year, notices)
    fold = side.expander("筛选条件", expanded=st.session_state.get(SAVED, {}).get("open", False), key="filters_box",
                         on_change="rerun")
    box = fold if fold.open else None
    profile_id = box.selectbox("政策配置", profiles, format_func=lambda p: load_profile(p).name, key="f_profile",
                               placeholder="请选择") if box else st.session_state["f_profile"]
    profile, problem = bureau.profile_checked(profile_id)
    if problem:
        st.error(problem)
    as_of = (box.date_input("统计截止日期", min_value=EARLIEST, max_value=_latest(), format="YYYY-MM-DD",
                            key="f_as_of") if box else st.session_state["f_as_of"]) or dt.date.today()
    year_from, year_to = (box.slider("年份范围", EARLIEST.year, _latest().year, key="f_years") if box
                          else st.session_state["f_years"])
    regions = _multiselect("区域", "region", "f_region",
                           _options(version, "region_distribution", "region", profile, as_of), "全部区域", notices, box)
    levels = _multiselect("级别", "level", "f_level", list(LEVELS), "全部级别", notices, box)
    clusters = _multiselect(profile.terms.cluster, "cluster", "f_cluster",   # 领域 under Heilongjiang
                            _options(version, "coverage_by_cluster", "cluster", profile, as_of),
                            f"全部{profile.terms.cluster}", notices, box)
    scope = Scope(profile, as_of, year_from, year_to, tuple(regions), tuple(levels), tuple(clusters))
    if box is None:     # folded: the filters in words (names are data: plain text, never Markdown)
        side.text(f"{profile.name}\n截至 {as_of.isoformat()}，{year_from}–{year_to}年\n{scope.describe_filters()}")
    side.caption(_freshness(version))
    wanted = scope.url_params()
    st.session_state[SAVED] = {"page": _page(), "url": wanted, "open": fold.open,
                               **{k: st.session_state[k] for k in FILTERS}}
    set_url(**{key: wanted.get(key) for key in URL_KEYS})
    if notices:
        st.warning("链接中的筛选条件有误，已调整：" + "；".join(notices) + "。", icon=":material/link_off:")
    _chips(scope)
    return scope


def _options(version: Version, query: str, column: str, profile: Profile, as_of: dt.date) -> list[str]:
    rows = fetcher(version, Scope(profile, as_of))(query)
    return [v for v in rows[column].dropna().astype(str).tolist()]


@st.cache_data(show_spinner=False)
def _import_info(version: Version) -> dict:
    return latest_import(Path(version[0]))


def _freshness(version: Version) -> str:
    info = _import_info(version)
    if not info:
        return "登记库尚无导入记录"
    return f"数据：批次 {info['import_id']}，{str(info['finished_at'])[:16]} 导入"


def page_links_keep_filters() -> dict[str, str]:
    """The current filters, as query_params for st.page_link / st.switch_page to another page."""
    return dict(st.session_state.get(SAVED, {}).get("url", {}))


def keep_filters() -> None:
    """After a page change dropped them from the URL, put this session's filters back (app.py, every page).

    Pages without the sidebar (数据导入, 操作记录) then keep them too, for the link a user copies.
    """
    if "profile" not in st.query_params:
        set_url(**page_links_keep_filters())


# ---- drill-down: a click on a chart narrows the page and shows as a chip ---------------------------

# chart id -> (what a clicked point names, the axis holding it when the point carries no customdata).
# cluster / region / year narrow the sidebar filters; kind and problem narrow their own page.
DRILLS: dict[str, tuple[str, str]] = {
    "overview_coverage": ("cluster", "x"),
    "coverage_alliances": ("cluster", "y"),
    "coverage_members": ("cluster", "y"),
    "coverage_heatmap": ("cluster", "y"),
    "subsidies_by_year": ("year", "x"),
    "subsidies_by_kind": ("kind", "x"),
    "subsidies_by_cluster": ("cluster", "y"),
    "subsidies_by_region": ("region", "y"),
    "targets_filings": ("year", "x"),
    "compliance_problems": ("problem", "y"),
}
# page-level drills: the URL parameter and the page's own widget that shows it (reset to follow the URL)
PAGE_DRILLS = {"kind": None, "problem": "c_problem"}
DIMENSION_WORDS = {"cluster": "产业集群", "region": "区域", "year": "年份", "kind": "补贴类型", "problem": "问题类型"}


def _clicked(point: dict, axis: str) -> str | None:
    """The category a clicked point stands for: its customdata when the chart carries one, else its axis value."""
    value = point.get("customdata")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None:
        value = point.get(axis)
        if isinstance(value, (list, tuple)):   # a grouped axis: [group, entry]
            value = value[-1] if value else None
    return None if value is None else str(value)


def _on_chart_click(key: str, dimension: str, axis: str) -> None:
    """Selection callback (runs before the rerun, so it may set the sidebar's widgets)."""
    points = st.session_state[key]["selection"]["points"]
    value = _clicked(points[0], axis) if points else None
    if not value:
        return
    if dimension == "year":
        try:
            year = min(max(int(float(value)), EARLIEST.year), _latest().year)
        except ValueError:
            return
        st.session_state["f_years"] = (year, year)
        set_url(**{"from": str(year), "to": str(year)})
    elif dimension in PAGE_DRILLS:
        set_url(**{dimension: value})
        if PAGE_DRILLS[dimension]:
            st.session_state.pop(PAGE_DRILLS[dimension], None)
    else:
        st.session_state[f"f_{dimension}"] = [value]
        set_url(**{dimension: value})


def drilled(dimension: str) -> str | None:
    """The value a chart click put in the URL for a page-level drill (kind, problem), if any."""
    value = st.query_params.get(dimension, "")
    return value or None


def _clear(key: str, value: Any = None) -> None:
    if key == "f_years":
        st.session_state[key] = value
    elif key.startswith("f_"):
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v != value]
    else:                                  # a page-level drill kept only in the URL
        set_url(**{key: None})
        if PAGE_DRILLS.get(key):
            st.session_state.pop(PAGE_DRILLS[key], None)


def _chips(scope: Scope) -> None:
    """What narrows this page, one chip each; clicking a chip clears it."""
    chips = [(f"{word}：{v}", f"f_{dim}", v) for dim, word, values in
             (("region", "区域", scope.regions), ("level", "级别", scope.levels),
              ("cluster", scope.profile.terms.cluster, scope.clusters))
             for v in values]
    default_years = (DEFAULT_YEAR_FROM, scope.as_of.year)
    if (scope.year_from, scope.year_to) != default_years:
        years = f"{scope.year_from}年" if scope.year_from == scope.year_to else f"{scope.year_from}–{scope.year_to}年"
        chips.append((f"年份：{years}", "f_years", default_years))
    chips += [(f"{DIMENSION_WORDS[d]}：{st.query_params[d]}", d, None) for d in PAGE_DRILLS if st.query_params.get(d)]
    if not chips:
        return
    with st.container(horizontal=True, key="filter_chips"):
        st.caption("已筛选（点击清除）：", width="content")
        for i, (label, key, value) in enumerate(chips):
            st.button(label, key=f"chip_{i}_{label}", icon=":material/close:", on_click=_clear, args=(key, value),
                      type="secondary", help="清除这项筛选")


# ---- footnotes -----------------------------------------------------------------------------------

def source_line(scope: Scope, query: str, version: Version | None = None) -> str:
    """数据来源：联盟登记库（…导入）；统计口径：…；截至… — where a figure comes from, in words a leader reads."""
    info = _import_info(version) if (version := version or db_version()) else {}
    imported = f"（{str(info['finished_at'])[:10]} 导入）" if info else ""
    basis = [scope.profile.in_words(catalogue.get_query(query).title), f"按“{scope.profile.name}”政策配置"]
    for word, values in (("区域", scope.regions), ("级别", scope.levels), (scope.profile.terms.cluster, scope.clusters)):
        if values:
            basis.append(f"{word}：{'、'.join(values)}")
    d = scope.as_of
    return f"数据来源：联盟登记库{imported}；统计口径：{'，'.join(basis)}；截至{d.year}年{d.month}月{d.day}日"


def analyst_note(queries: tuple[str, ...] | list[str]) -> str:
    return "供分析人员：" + "、".join(f"查询 {q}（queries/{q}.sql）" for q in queries)


# ---- charts and tables -----------------------------------------------------------------------

# Plotly's interface words in Chinese: Streamlit's bundle registers no locale, so the plot carries its own.
PLOTLY_ZH = {
    "dictionary": {
        "Download plot": "下载图片（SVG）", "Download plot as a png": "下载图片（PNG）",
        "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
        "Snapshot succeeded": "图片已生成", "Sorry, there was a problem downloading your snapshot!": "图片生成失败",
        "Zoom": "缩放", "Pan": "平移", "Box Select": "框选", "Lasso Select": "套索选择", "Zoom in": "放大",
        "Zoom out": "缩小", "Autoscale": "自动缩放", "Reset axes": "重置坐标轴", "Reset view": "重置视图",
        "Toggle Spike Lines": "显示/隐藏辅助线", "Show closest data on hover": "悬停显示最近的数据",
        "Compare data on hover": "悬停比较数据", "Produced with Plotly.js": "由 Plotly.js 生成",
        "Double-click to zoom back out": "双击恢复原始大小", "Click to enter Plot title": "点击输入图表标题",
        "Click to enter X axis title": "点击输入横轴标题", "Click to enter Y axis title": "点击输入纵轴标题",
        "Click to enter Colorscale title": "点击输入色标标题", "Click to enter radial axis title": "点击输入径向轴标题",
        "new text": "新文字", "trace": "数据系列",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": [f"{m}月" for m in range(1, 13)], "shortMonths": [f"{m}月" for m in range(1, 13)],
        "date": "%Y-%m-%d", "decimal": ".", "thousands": ",",
    },
}
MODEBAR = [["toImage"]]       # one button: the SVG download; zoom and pan only get in a reader's way


def show_chart(chart_id: str, fetch: figures.Fetch, scope: Scope, *, takeaway: bool = True) -> None:
    """A registered chart with its takeaway and source line; clicking a cluster, region, year or kind drills.

    A chart that does not apply under the profile (figures.Chart.applies) shows why instead.
    """
    title, reason, fig, line = _finished_chart(chart_id, fetch, scope)
    if reason:
        st.info(f"{title}：{reason}")
        return
    if fig is None:
        st.info(f"{title}：当前筛选条件下没有数据。")
        return
    key = f"chart_{chart_id}"
    config = {"displaylogo": False, "locale": "zh-CN", "locales": {"zh-CN": PLOTLY_ZH}, "modeBarButtons": MODEBAR,
              "toImageButtonOptions": {"format": "svg", "filename": f"{title}_{scope.as_of.isoformat()}"}}
    if chart_id in DRILLS:
        dimension, axis = DRILLS[chart_id]
        st.plotly_chart(fig, width="stretch", key=key, config=config, on_select=lambda: _on_chart_click(
            key, dimension, axis), selection_mode="points")
        word = scope.profile.terms.cluster if dimension == "cluster" else DIMENSION_WORDS[dimension]
        st.caption(f"点击图中的{word}可按其筛选本页。")
    else:
        st.plotly_chart(fig, width="stretch", key=key, config=config)
    if takeaway and line:
        st.caption(escape_markdown(line))
    queries = figures.all_charts()[chart_id].queries
    st.caption(escape_markdown(source_line(scope, queries[0])), help=analyst_note(queries))


def _finished_chart(chart_id: str, fetch: figures.Fetch, scope: Scope) -> tuple:
    """_chart, shared across sessions for a fetcher's fetch; a page's own fetch (one alliance's) builds each run."""
    shared = getattr(fetch, "cache_key", None)
    return _shared_chart(chart_id, (shared, _view_key(scope)), fetch, scope) if shared else _chart(chart_id, fetch, scope)


def _chart(chart_id: str, fetch: figures.Fetch, scope: Scope) -> tuple:
    """A registered chart as a page shows it: (title, why it does not apply or None, figure or None, takeaway).

    The figure is finished here and never changed after (_shared_chart hands the same one to every session).
    """
    chart = figures.all_charts()[chart_id]
    title = chart.title_for(scope.profile)
    reason = chart.why_not(fetch, scope)
    if reason:
        return title, reason, None, ""
    fig, line = figures.render(chart_id, fetch, scope)
    if fig is None:
        return title, None, None, line
    # On screen the source line sits under the chart (in words, with the query a hover away), so the
    # figure keeps no footnote of its own: at phone width it would collide with rotated tick labels.
    stamp = figures.footnote(scope)
    fig.layout.annotations = [a for a in fig.layout.annotations if a.text != stamp]
    # below the plot, in the figure's own bottom margin (container coordinates): clear of axis titles at any width
    fig.update_layout(legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, xanchor="left", x=0))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    figures.fit_margins(fig)
    if chart_id in DRILLS:
        fig.update_layout(clickmode="event+select", dragmode=False)
    return title, None, fig, line


def takeaway(chart_id: str, fetch: figures.Fetch, scope: Scope) -> str:
    """A registered chart's takeaway line under ``scope`` ("" when it cannot say one), shared across sessions
    like the charts (简报导出 shows one beside each of its two dozen checkboxes)."""
    shared = getattr(fetch, "cache_key", None)
    return _shared_takeaway(chart_id, (shared, _view_key(scope)), fetch, scope) if shared else \
        _takeaway(chart_id, fetch, scope)


def _takeaway(chart_id: str, fetch: figures.Fetch, scope: Scope) -> str:
    try:
        return figures.all_charts()[chart_id].takeaway(fetch, scope)
    except Exception:  # noqa: BLE001 — a preview line; a pack or page reports the chart's own error
        return ""


@st.cache_resource(max_entries=256, show_spinner=False)
def _shared_takeaway(chart_id: str, key: tuple, _fetch: figures.Fetch, _scope: Scope) -> str:
    return _takeaway(chart_id, _fetch, _scope)


@st.cache_resource(max_entries=256, show_spinner=False)
def _shared_chart(chart_id: str, key: tuple, _fetch: figures.Fetch, _scope: Scope) -> tuple:
    # Cached under ``key`` (the fetcher's import, settings and scope, and the chart's scope): building a figure
    # through Plotly's validators was most of a chart page's server time (py-spy, 资金补贴 at 450k: 76% of the
    # script's samples in show_chart, 0.12 s a load). st.plotly_chart only reads the figure.
    return _chart(chart_id, _fetch, _scope)


def _on_row_click(key: str, alliance_ids: list[str], here: bool) -> None:
    rows = st.session_state[key]["selection"]["rows"]
    if not rows:
        return
    if here:      # 联盟档案's own list: its picker opens the alliance (a switch to the page it is on keeps the old URL)
        st.session_state["a_pick"] = st.query_params["alliance"] = alliance_ids[rows[0]]   # the URL: kept selectable
    else:
        st.session_state["_open_alliance"] = alliance_ids[rows[0]]
        st.session_state.pop("a_pick", None)   # 联盟档案's picker then follows the URL


def _first_page(key: str) -> None:
    st.session_state[f"tbl_{key}_page"] = 1


def _view(key: str, shown: pd.DataFrame, labels: dict[str, str], searching: bool) -> tables.View:
    """搜索 and 排序 above a long table. Every value lives in the session under the table's key (kept
    across reruns, a row click and back, and page changes); a new search, order or page size goes back
    to page 1. The page and its size are chosen under the table (_pager). Few widgets on purpose: each
    costs the browser tens of milliseconds on every page load."""
    k = f"tbl_{key}"
    texts = tables.searchable(shown) if searching else []
    with st.container(horizontal=True, vertical_alignment="bottom", key=f"{k}_tools"):
        search = ""
        if texts:
            words = "、".join(labels.get(c, c) for c in texts[:3]) + ("等" if len(texts) > 3 else "")
            search = st.text_input("搜索", key=f"{k}_search", on_change=_first_page, args=(key,), max_chars=100,
                                   placeholder=f"{words}中的文字，多个词用空格分开", persist_state="session",
                                   help="在表中各文字列里查找（不区分全角半角、大小写，忽略空格）；多个词须同时出现") or ""
        # one choice: a column and its direction (None: the query's own order)
        orders = [None, *((c, d) for c in shown.columns for d in (False, True))]
        order = st.selectbox("排序", orders, key=f"{k}_order", on_change=_first_page, args=(key,),
                             format_func=lambda o: "默认顺序" if o is None
                             else f"{labels.get(o[0], o[0])}（{'降序' if o[1] else '升序'}）",
                             persist_state="session", width=260)
    sort, descending = order or (None, False)
    return tables.View(search, sort, descending, st.session_state.get(f"{k}_page", 1),
                       st.session_state.get(f"{k}_size", tables.PAGE_SIZE))


def _pager(key: str, page: tables.Page, everything: int) -> None:
    """The page buttons, 第 N / M 页, 共 X 条 and rows per page, under a long table."""
    k = f"tbl_{key}"
    if st.session_state.get(f"{k}_page", 1) != page.page:   # a search left fewer pages: show the last
        st.session_state[f"{k}_page"] = page.page
    with st.container(horizontal=True, vertical_alignment="center", key=f"{k}_pager"):
        st.pagination(page.pages, key=f"{k}_page", persist_state="session")
        found = f"，全表 {everything:,} 条" if page.total != everything else ""
        st.caption(f"第 {page.page} / {page.pages} 页，共 {page.total:,} 条{found}", width="content")
        st.selectbox("每页行数", tables.PAGE_SIZES, key=f"{k}_size", on_change=_first_page, args=(key,),
                     index=tables.PAGE_SIZES.index(tables.PAGE_SIZE), format_func=lambda n: f"每页 {n} 条",
                     label_visibility="collapsed", width=140, persist_state="session")


def show_table(frame: pd.DataFrame, query: str, scope: Scope, title: str, *, key: str | None = None,
               columns: list[str] | None = None, height: int | None = None, search: bool = True,
               folded: bool = True) -> None:
    """A query's rows with Chinese headers, .xlsx / .csv downloads of exactly those rows and a source line.

    The list sits folded under its title and row count (``folded=False``: shown at once, for a page's
    main list or one already inside a box of the page's): a page opens with its figures and charts,
    and a list reaches the browser when someone opens it. It stays open for the session, whatever the
    count (the count is in the label). A table costs a page load about as much as a chart (issue 13).

    A table longer than a page (tables.PAGE_SIZE rows) sends the browser one page at a time, with
    搜索, 排序 and page controls; searching and sorting run in DuckDB over the whole result, and the
    downloads hold every row the search finds, in the chosen order. In a list of alliances, clicking a
    row opens that alliance's 联盟档案. ``search=False`` leaves out the 搜索 box where the page has its own.
    """
    shown = frame[columns] if columns else frame
    if shown.empty:
        st.info(f"{title}：没有符合条件的记录。")
        return
    key = key or query
    if not folded:
        _table(frame, shown, query, scope, title, key, height, search)
        return
    opened = f"tbl_{key}_open"
    box = st.expander(f"{escape_markdown(title)}（{len(shown):,} 条）", expanded=st.session_state.get(opened, False),
                      key=f"tbl_{key}_box", on_change=_remember_fold, args=(key,))
    if box.open:
        with box:
            _table(frame, shown, query, scope, title, key, height, search)


def _remember_fold(key: str) -> None:
    st.session_state[f"tbl_{key}_open"] = st.session_state[f"tbl_{key}_box"]


def _table(frame: pd.DataFrame, shown: pd.DataFrame, query: str, scope: Scope, title: str, key: str,
           height: int | None, search: bool) -> None:
    labels = figures.column_labels(query, scope.profile)   # 认定日期 under Weinan, 领域 under Heilongjiang
    paged = len(shown) > tables.PAGE_SIZE
    view = _view(key, shown, labels, search) if paged else tables.View()
    page = tables.page_of(shown, view) if paged else tables.Page.whole(shown)
    money = {labels.get(c, c): st.column_config.NumberColumn(format="%.2f") for c in shown.columns
             if str(c).endswith("_wan")}
    table = dict(hide_index=True, width="stretch", height=height or "auto", column_config=money, placeholder="—")
    data = tables.for_display(page.rows).rename(columns=labels)
    # a list of alliances (not one alliance's own members, events or subsidies)
    opens_alliance = "alliance_id" in frame.columns and (query == "alliance_directory"
                                                         or not query.startswith("alliance_"))
    if paged and page.total == 0:
        st.info(f"没有找到含“{escape_markdown(view.search)}”的记录。")
    elif opens_alliance:
        ids = frame["alliance_id"].iloc[page.positions].astype(str).tolist()   # this page's rows, in order
        here = query == "alliance_directory"
        st.dataframe(data, key=f"table_{key}", on_select=lambda: _on_row_click(f"table_{key}", ids, here),
                     selection_mode="single-row", **table)
        st.caption("点击一行左侧的选择框，打开该联盟的档案。")
        target = st.session_state.pop("_open_alliance", None)
        if target:
            st.switch_page(ALLIANCE_PAGE, query_params={**scope.url_params(), "alliance": target})
    else:
        st.dataframe(data, **table)
    if paged:
        _pager(key, page, len(shown))
    note = source_line(scope, query)
    stem = tables.neutralise(f"{title}_{scope.as_of.isoformat()}")  # titles hold names: inert as file names too
    row = st.container(horizontal=True)   # the two buttons side by side at any width
    # Files are built only when clicked: a national registry's lists run to tens of thousands of rows.
    # A long table's files hold every row its search finds, in the chosen order, and say so.
    def whole() -> pd.DataFrame:
        return tables.in_view(shown, view)

    label = (lambda kind: f"下载全部 {page.total:,} 条（{kind}）") if paged else (lambda kind: f"下载 {kind}")
    row.download_button(label("Excel"), lambda: tables.to_xlsx(whole(), labels, title, note), f"{stem}.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx_{key}",
                        disabled=page.total == 0)
    row.download_button(label("CSV"), lambda: tables.to_csv(whole(), labels), f"{stem}.csv", "text/csv",
                        key=f"csv_{key}", disabled=page.total == 0)
    st.caption(escape_markdown(note), help=analyst_note([query]))


def tabs(labels: list[str], key: str) -> list:
    """st.tabs where only the open tab runs and reaches the browser: write each as
    ``with tab:`` / ``if tab.open:``. A hidden tab's tables cost a page load as much as shown ones.
    The open tab is remembered by position, so a label that carries a count (…逾期（12）) stays
    open when a filter changes the count (a new label is a new widget to Streamlit)."""
    at = min(st.session_state.get(f"{key}_at", 0), len(labels) - 1)
    return st.tabs(labels, key=key, default=labels[at], on_change=_remember_tab, args=(key, labels))


def _remember_tab(key: str, labels: list[str]) -> None:
    st.session_state[f"{key}_at"] = labels.index(st.session_state[key])


def chart_tabs(views: dict[str, str], fetch: figures.Fetch, scope: Scope, key: str, *,
               said: tuple[str, ...] = ()) -> None:
    """Charts that show one figure from several sides, one tab each (label → chart id; one view: no tabs): a
    page opens with one chart, and the others are drawn when their tab is opened. Each chart costs the browser
    about as much as the whole bare page it is measured against (bench/run.py), so a page drawing two was
    slower than the goal. ``said``: charts whose takeaway the page already says above."""
    if len(views) == 1:
        chart_id, = views.values()
        show_chart(chart_id, fetch, scope, takeaway=chart_id not in said)
        return
    for tab, chart_id in zip(tabs(list(views), key), views.values()):
        with tab:
            if tab.open:
                show_chart(chart_id, fetch, scope, takeaway=chart_id not in said)


# A picker lists at most this many alliances: each option travels to the browser, and a national
# registry holds about 20,000 (84,000 options took 14 s of page JavaScript at 1.7M member rows).
PICK_OPTIONS = 200


def pick_alliance(directory: pd.DataFrame, key: str, *, wanted: str = "") -> tuple[str | None, pd.DataFrame]:
    """查找联盟 and 选择联盟: a search box over name, id and lead unit, then a list of what it finds (at most
    PICK_OPTIONS; ``wanted`` stays selectable). Returns the chosen alliance id (or None) and the rows found."""
    text = st.text_input("查找联盟", key=f"{key}_search", placeholder="输入联盟名称、联盟编号或对外责任主体单位的一部分，如：机器人",
                         help="不区分全角半角、大小写，忽略空格")
    # name, id or lead unit; the tables' search (width, case and spaces ignored)
    found = directory.loc[tables.in_view(directory[["alliance", "alliance_id", "lead_unit"]],
                                         tables.View(search=text)).index]
    options = found["alliance_id"].head(PICK_OPTIONS).tolist()
    if wanted and wanted not in options:
        options.insert(0, wanted)  # the open alliance (a link, a row clicked) stays selectable while searching
    # the names of the options only: a national directory's 84,000 turned into Python strings were most of the page
    offered = directory[directory["alliance_id"].isin(options)]
    names = dict(zip(offered["alliance_id"].tolist(), offered["alliance"].tolist()))
    count = (f"找到 {len(found):,} 个" if len(found) <= PICK_OPTIONS
             else f"找到 {len(found):,} 个，列出前 {PICK_OPTIONS} 个，可在上方输入更多文字缩小范围")
    chosen = st.selectbox(f"选择联盟（{count}）", options, index=options.index(wanted) if wanted else None,
                          format_func=lambda i: f"{names[i]}（{i}）", placeholder="从列表中选择，或在此输入名称筛选",
                          filter_mode="contains", key=f"{key}_pick")
    return chosen, found


def show_diff(diff: Diff, *, preview: bool = False, key: str = "diff") -> None:
    """Alliances added / changed / removed and rows per table, before and after: an import's preview
    (``preview``, with what the import will do) or what a past import or a rollback did."""
    cols = st.columns(3)
    cols[0].metric("新增联盟", f"{len(diff.added):,} 个")
    cols[1].metric("信息有变化的联盟", f"{len(diff.changed):,} 个")
    cols[2].metric("将移除的联盟" if preview else "移除的联盟", f"{len(diff.removed):,} 个")
    st.dataframe(diff.counts_table(), hide_index=True, width="stretch")
    if preview:
        st.caption("文件中有哪张表，就整体替换登记库中的那张表；文件中没有的表保持原样。")
        if not diff.removed.empty:
            st.warning(f"导入后有 {len(diff.removed):,} 个联盟将不在登记库中（它们不在这次的联盟名录里）。"
                       "如不应移除，请补全名录后重新上传。导入后也可在“操作记录”页回滚。")
    for title, frame in diff.alliance_lists().items():
        box = st.expander(f"{title}（{len(frame):,}）", key=f"{key}_{title}_box", on_change="rerun")
        if not box.open:        # folded: sends nothing
            continue
        # a first national import adds every alliance: the browser gets one page, the download all of them
        box.dataframe(frame.head(tables.PAGE_SIZE), hide_index=True, width="stretch")
        if len(frame) > tables.PAGE_SIZE:
            box.caption(f"列出前 {tables.PAGE_SIZE} 个，共 {len(frame):,} 个；全部见下载。")
            box.download_button(f"下载全部 {len(frame):,} 个（CSV）", lambda frame=frame: tables.to_csv(frame, {}),
                                tables.neutralise(f"{title}.csv"), "text/csv", key=f"{key}_{title}")


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_markdown(text: object) -> str:
    """Text shown through a Markdown element exactly as written: every Markdown (and Streamlit
    :color[] / :material/…: / $math$) sign in names and other registry text shown as itself."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def wan(amount: Any) -> str:
    """万元 for display: two decimals, thousands separators."""
    return f"{float(amount):,.2f} 万元"
