"""What every page shares: the registry connection and query results, cached per import.

The database file is replaced (never edited) by each import, so its identity — path,
inode and modification time — says which import a cached result belongs to: a new import
shows at once, and a running page keeps reading the file it opened until then.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from loaders import default_db
from loaders.store import connect_read_only, latest_import, read_cursor
from queries import runner
from queries.policy import DEFAULT_PROFILE, Profile, list_profiles, load_profile


def db_path() -> Path:
    return default_db()


def db_version(path: Path) -> tuple[str, int, int] | None:
    """Identity of the current database file, or None when there is none yet."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return str(path), stat.st_ino, stat.st_mtime_ns


@st.cache_resource(max_entries=2)
def _connection(version: tuple[str, int, int]):
    return connect_read_only(Path(version[0]))


@st.cache_data(max_entries=256, show_spinner=False)
def query(version: tuple[str, int, int], name: str, profile_id: str, as_of: dt.date, **params) -> pd.DataFrame:
    """A named query's result for one database version; cursor per call, one connection per version."""
    con = read_cursor(_connection(version))
    try:
        return runner.run(con, name, profile=load_profile(profile_id), as_of=as_of, **params)
    finally:
        con.close()


def require_registry() -> tuple[str, int, int]:
    """The database version, or stop the page with a helpful message when there is no registry."""
    version = db_version(db_path())
    if version is None:
        st.info(f"还没有登记库数据（{db_path()}）。请先导入：`python -m loaders load 文件…`，"
                "或运行 `make run` 由示例数据建立。")
        st.stop()
    return version


def wan(amount) -> str:
    """万元 for display: two decimals, thousands separators."""
    return f"{float(amount):,.2f} 万元"


def labels(name: str) -> dict[str, str]:
    """Chinese labels of a query's columns, from its header comment."""
    return runner.get_query(name).labels


def sidebar_filters() -> tuple[Profile, dt.date]:
    """Policy profile and as-of date, kept in the URL so a link reopens the same view."""
    params = st.query_params
    profiles = list_profiles()
    chosen = params.get("profile", DEFAULT_PROFILE)
    names = {p: load_profile(p).name for p in profiles}
    profile_id = st.sidebar.selectbox("政策配置", profiles, index=profiles.index(chosen) if chosen in profiles else
                                      profiles.index(DEFAULT_PROFILE), format_func=names.get)
    try:
        as_of = dt.date.fromisoformat(params.get("as_of", ""))
    except ValueError:
        as_of = dt.date.today()
    as_of = st.sidebar.date_input("统计截止日期", as_of, min_value=dt.date(2000, 1, 1), format="YYYY-MM-DD")
    st.query_params.update(profile=profile_id, as_of=as_of.isoformat())
    return load_profile(profile_id), as_of


@st.cache_data(show_spinner=False)
def _import_info(version: tuple[str, int, int]) -> dict:
    return latest_import(Path(version[0]))


def footnote(version: tuple[str, int, int], as_of: dt.date) -> str:
    """数据来源：…；截至…: the line every chart and table carries."""
    info = _import_info(version)
    batch = f"（批次 {info['import_id']}，{str(info['finished_at'])[:16]} 导入）" if info else ""
    return f"数据来源：联盟登记库{batch}；截至{as_of.year}年{as_of.month}月{as_of.day}日"
