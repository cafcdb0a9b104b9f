"""联盟看板's server: `streamlit run server.py` serves app.py, warmed before the first visitor.

Streamlit runs nothing of an app until a browser connects, so the first visitor after a start
would pay for the imports, the registry's shared context and the default view's queries. As an
ASGI app (st.App) the server has a start-up hook: it imports what the pages use and computes the
default view of the registry on disk before it answers, and then watches the registry file, so
an import from the command line is warmed when it lands, not when someone next opens a page
(an import from the 数据导入 page warms itself). The pages are app.py's, unchanged.
"""
from __future__ import annotations

import asyncio
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

WARM_WAIT_SECONDS = 30      # the longest a start waits for the warm-up; past it the warm-up goes on behind
WATCH_SECONDS = 2.0         # how often the registry file is looked at for a new import


@asynccontextmanager
async def warm_on_start(_app):
    from streamlit.runtime.pages_manager import PagesManager

    # app.py routes with st.navigation: a link as the first request never runs the legacy one-file-per-page
    # mode Streamlit picks for a pages/ folder beside the script (ui's import-time fallback covers
    # `streamlit run app.py`, where no start-up hook runs).
    PagesManager.uses_pages_directory = False
    import ui   # the pages' modules (pandas, DuckDB, Plotly), loaded once here instead of in a visit

    version = ui.db_version()
    first = ui.warm(version) if version else None
    if first is not None:
        await asyncio.to_thread(first.join, WARM_WAIT_SECONDS)
    stop = threading.Event()
    watcher = threading.Thread(target=ui.watch, args=(stop, WATCH_SECONDS), name="watch-registry")
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


app = st.App(Path(__file__).with_name("app.py"), lifespan=warm_on_start)
