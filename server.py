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
from starlette.responses import Response
from starlette.routing import Route

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


# The kinds of element the pages draw, by the name of the frontend chunk that draws each (Streamlit loads
# an element's code only once its first message arrives; see page_html).
ELEMENT_CHUNKS = ("PlotlyChart", "DataFrame", "Multiselect", "DateInput", "Selectbox", "Metric", "PageLink",
                  "DownloadButton", "TextInput")


def page_html() -> bytes:
    """Streamlit's own index.html for the app's pages: told where the server is, what it will draw, and that it is Chinese.

    Where the server is: opened at a page's link (/reviews), Streamlit's frontend cannot tell a page from the
    folder the app is served from: it first asks /reviews/_stcore/health, gets a 404 and waits before it asks
    /_stcore/health, about 0.12 s on every link opened (measured in Chromium: the websocket opened 0.24 s after
    navigation at /import, 0.15 s at /). Every page's link is one segment below the app's folder, so the page
    tells the frontend that folder before it starts (window.__streamlit.BACKEND_BASE_URL, the frontend's
    setting for where its server is), worked out from the address the page was opened at: behind a proxy that
    adds a prefix (/kanban/reviews) it is still right.

    What it will draw: the frontend fetches and compiles a chart's or a table's code only when the element's
    first message arrives, after the websocket has opened and the script has run (~0.9 s into a first visit).
    The page names those chunks (ELEMENT_CHUNKS, this Streamlit's file names) as module preloads, so the
    browser fetches and compiles them meanwhile. Measured side by side (5 server starts each, 120k rows): the
    first page after a start 1.40× → 1.25× the floor's (bench/run.py's own first-page runs: 1.38× → 1.32–1.36×);
    warm pages 0.05–0.09 s faster. Preloading every chunk a page ends up loading was slower than none (1.46×):
    the main bundle then waits behind them. Evaluating the chart code at the start instead (a module script)
    gained nothing more on warm pages: Plotly sets itself up at its first chart.
    """
    static = Path(st.__file__).parent / "static"
    html = (static / "index.html").read_text(encoding="utf-8")
    where = '<script>window.__streamlit = {BACKEND_BASE_URL: new URL(".", window.location.href).href};</script>'
    preloads = "".join(f'<link rel="modulepreload" href="./static/js/{chunk.name}">'
                       for name in ELEMENT_CHUNKS for chunk in sorted((static / "static" / "js").glob(f"{name}.*.js")))
    return html.replace('<html lang="en">', '<html lang="zh-CN">', 1).replace("<head>", "<head>" + where + preloads,
                                                                              1).encode()


def page_routes() -> list[Route]:
    """The app's address and each page's link (under server.baseUrlPath, if set) answered with page_html()."""
    import navigation

    body = page_html()

    async def page(_request) -> Response:
        return Response(body, media_type="text/html", headers={"Cache-Control": "no-cache"})

    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return [Route(f"{prefix}/{path}", page, methods=["GET", "HEAD"])
            for path in ("", *(p.url_path for p in navigation.PAGES))]


app = st.App(Path(__file__).with_name("app.py"), lifespan=warm_on_start, routes=page_routes())
