"""What every page shares: the sidebar filters (kept in the URL), cached queries, charts and tables.

The database file is replaced (never edited) by each import, so its identity — path,
inode and modification time — says which import a cached result belongs to: a new import
shows at once, and a running page keeps reading the file it opened until then.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import figures
from figures import Scope, tables
from loaders import default_db
from loaders.registry import connect_read_only, latest_import, read_cursor
from queries import bureau, runner
from queries.policy import default_profile, list_profiles, load_profile

Version = tuple[str, int, int]
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


@st.cache_data(max_entries=512, show_spinner=False)
def _query(version: Version, name: str, profile_id: str, as_of: dt.date, regions: tuple, levels: tuple,
           clusters: tuple, params: tuple, settings: str) -> pd.DataFrame:
    # ``settings`` (bureau.stamp) is only a cache key: a change on the 设置 page shows at once.
    con = read_cursor(_connection(version))
    try:
        return runner.run(con, name, profile=bureau.profile_checked(profile_id)[0], as_of=as_of,
                          filters=runner.Filters(regions=regions, levels=levels, clusters=clusters), **dict(params))
    finally:
        con.close()


def fetcher(version: Version, scope: Scope) -> figures.Fetch:
    """fetch(name, as_of=None, **params): a named query's rows under the page's filters, cached per import.

    ``as_of`` overrides the scope's date, e.g. for the same figures a year earlier.
    """
    def fetch(name: str, as_of: dt.date | None = None, **params: Any) -> pd.DataFrame:
        return _query(version, name, scope.profile.id, as_of or scope.as_of, scope.regions, scope.levels,
                      scope.clusters, tuple(sorted(params.items())), bureau.stamp())
    return fetch


def require_registry() -> Version:
    """The database version, or stop the page with a helpful message when there is no registry."""
    version = db_version()
    if version is None:
        st.info(f"还没有登记库数据（{default_db()}）。请先导入：在命令行运行 `python -m loaders load 文件…`，"
                "或运行 `make run` 由示例数据建立。")
        st.stop()
    return version


# ---- filters ---------------------------------------------------------------------------------

def _param_list(key: str) -> list[str]:
    raw = st.query_params.get(key, "")
    return [v for v in raw.split(",") if v]


def _param_int(key: str) -> int | None:
    try:
        return int(st.query_params.get(key, ""))
    except ValueError:
        return None


def sidebar(version: Version) -> Scope:
    """The global filters, read from and written back to the URL so a link reopens the same view."""
    side = st.sidebar
    profiles = list_profiles()
    default = default_profile()   # the loaded sample's profile under `make run SAMPLE=…`
    chosen = st.query_params.get("profile", default)
    profile_id = side.selectbox("政策配置", profiles,
                                index=profiles.index(chosen if chosen in profiles else default),
                                format_func=lambda p: load_profile(p).name, key="f_profile")
    profile, problem = bureau.profile_checked(profile_id)
    if problem:
        st.error(problem)
    try:
        as_of = dt.date.fromisoformat(st.query_params.get("as_of", ""))
    except ValueError:
        as_of = dt.date.today()
    as_of = side.date_input("统计截止日期", as_of, min_value=dt.date(2000, 1, 1), format="YYYY-MM-DD", key="f_as_of")
    this_year = as_of.year
    year_from = _param_int("from") or 2010
    year_to = _param_int("to") or this_year
    year_from, year_to = side.slider("年份范围", 2000, max(this_year + 5, year_to), (year_from, year_to),
                                     key="f_years")
    regions_known = _options(version, "region_distribution", "region", profile_id, as_of)
    regions = side.multiselect("区域", regions_known, [r for r in _param_list("region") if r in regions_known],
                               placeholder="全部区域", key="f_region")
    levels = side.multiselect("级别", LEVELS, [v for v in _param_list("level") if v in LEVELS],
                              placeholder="全部级别", key="f_level")
    clusters_known = _options(version, "coverage_by_cluster", "cluster", profile_id, as_of)
    clusters = side.multiselect("产业集群", clusters_known, [c for c in _param_list("cluster") if c in clusters_known],
                                placeholder="全部集群", key="f_cluster")
    wanted = {"profile": profile_id, "as_of": as_of.isoformat(), "from": str(year_from), "to": str(year_to),
              "region": ",".join(regions), "level": ",".join(levels), "cluster": ",".join(clusters)}
    for key, value in wanted.items():
        if value and st.query_params.get(key) != value:
            st.query_params[key] = value
        elif not value and key in st.query_params:
            del st.query_params[key]
    side.caption(_freshness(version))
    return Scope(profile, as_of, year_from, year_to, tuple(regions), tuple(levels), tuple(clusters))


def _options(version: Version, query: str, column: str, profile_id: str, as_of: dt.date) -> list[str]:
    rows = _query(version, query, profile_id, as_of, (), (), (), (), bureau.stamp())
    return [v for v in rows[column].dropna().astype(str).tolist()]


@st.cache_data(show_spinner=False)
def _import_info(version: Version) -> dict:
    return latest_import(Path(version[0]))


def _freshness(version: Version) -> str:
    info = _import_info(version)
    if not info:
        return "登记库尚无导入记录"
    return f"数据：批次 {info['import_id']}，{str(info['finished_at'])[:16]} 导入"


def page_links_keep_filters() -> str:
    """The current filters as a query string, for links between pages."""
    return "&".join(f"{k}={v}" for k, v in st.query_params.to_dict().items())


# ---- charts and tables -----------------------------------------------------------------------

def show_chart(chart_id: str, fetch: figures.Fetch, scope: Scope, *, takeaway: bool = True) -> None:
    """A registered chart with its takeaway; the modebar downloads an SVG named after the chart."""
    fig, line = figures.render(chart_id, fetch, scope)
    if fig is None:
        st.info(f"{figures.all_charts()[chart_id].title}：当前筛选条件下没有数据。")
        return
    title = figures.all_charts()[chart_id].title
    st.plotly_chart(fig, width="stretch", key=f"chart_{chart_id}", config={
        "displaylogo": False, "locale": "zh-CN",
        "toImageButtonOptions": {"format": "svg", "filename": f"{title}_{scope.as_of.isoformat()}"},
    })
    if takeaway and line:
        st.caption(escape_markdown(line))


def show_table(frame: pd.DataFrame, query: str, scope: Scope, title: str, *, key: str | None = None,
               columns: list[str] | None = None, height: int | None = None) -> None:
    """A query's rows with Chinese headers, and .xlsx / .csv downloads of exactly those rows."""
    labels = runner.get_query(query).labels
    shown = frame[columns] if columns else frame
    if shown.empty:
        st.info(f"{title}：没有符合条件的记录。")
        return
    money = {labels.get(c, c): st.column_config.NumberColumn(format="%.2f") for c in shown.columns
             if str(c).endswith("_wan")}
    st.dataframe(tables.for_display(shown).rename(columns=labels), hide_index=True, width="stretch",
                 height=height or "auto", column_config=money)
    note = f"{figures.footnote(scope)}（查询 {query}）"
    stem = tables.neutralise(f"{title}_{scope.as_of.isoformat()}")  # titles hold names: inert as file names too
    key = key or query
    left, right, _ = st.columns([1, 1, 4])
    # Files are built only when clicked: a national registry's lists run to tens of thousands of rows.
    left.download_button("下载 Excel", lambda: tables.to_xlsx(shown, labels, title, note), f"{stem}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx_{key}")
    right.download_button("下载 CSV", lambda: tables.to_csv(shown, labels), f"{stem}.csv", "text/csv",
                          key=f"csv_{key}")
    st.caption(note)


def escape_markdown(text: str) -> str:
    """Text shown through a Markdown element exactly as written (names may hold * _ [ ] < > …)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)


def wan(amount: Any) -> str:
    """万元 for display: two decimals, thousands separators."""
    return f"{float(amount):,.2f} 万元"
