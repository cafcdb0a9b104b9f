"""Pages in headless Chromium against the floor: a bare Streamlit page showing one static Plotly chart.

Used by bench/run.py (the one entry point). Two measurements, each side by side with the floor in one run:

* ``warm_pages``: every page of navigation.PAGES, timed from navigation (a new session, as when
  leadership opens a link, from an empty tab) to the final render (browser.RENDERED_JS with the page's
  number of charts). Each page is opened once before timing (queries cached for this import, Plotly loaded,
  charts counted), then pages and floor are timed round-robin so they share the machine's moods.
  Per page it also records the server's and the browser's CPU seconds per load, the page's own
  JavaScript and layout seconds (Chromium's performance metrics) and the bytes its websocket
  messages carry: where the time goes.
* ``first_pages``: the first page a freshly started server serves (the app's home page against the
  floor's only page), each server started anew per run.

Pages are seen as a viewer: 数据导入 shows only its sign-in notice. The app's first request is its
home page (a deep link as a fresh server's first request runs legacy mode; issue 12).
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from bench.browser import CHROMIUM, CHROMIUM_FLAGS, RENDERED_JS, SERVER, cpu_seconds, descendants, serve

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 300_000        # 评估与报告 took ~60 s at 1.7M rows before issue 13
FLOOR_NAME = "(floor) one static chart"
FLOOR_PAGE = '''import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("基准页")
fig = go.Figure(go.Bar(x=["甲", "乙", "丙", "丁"], y=[3, 5, 2, 4]))
fig.update_layout(title="一张静态图", template="plotly_white")
st.plotly_chart(fig, width="stretch")
'''
QUIET = ("--server.fileWatcherType", "none")


@dataclass
class PageTimes:
    """One page's timed loads and where their time went."""

    seconds: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    browser_cpu: list[float] = field(default_factory=list)
    script: list[float] = field(default_factory=list)   # the page's JavaScript seconds (Chromium's ScriptDuration)
    layout: list[float] = field(default_factory=list)   # its layout and style recalculation seconds
    charts: int = 0
    ws_bytes: int = 0          # websocket payload of one load (the warm-up)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def warm_pages(db: Path, pages, runs: int, query: str) -> dict[str, PageTimes]:
    """The floor first, then every page: median seconds of ``runs`` warm loads each, with CPU and bytes."""
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        floor_script = _floor_script(stack)
        floor_url, floor_proc = stack.enter_context(serve(floor_script, extra=QUIET))
        app_url, app_proc = stack.enter_context(serve(SERVER, {"REGISTRY_DB": str(db)}, extra=QUIET))
        servers = {floor_proc.pid, app_proc.pid}
        tab = _tab(stack, sync_playwright)
        devtools = tab.context.new_cdp_session(tab)
        devtools.send("Performance.enable")
        received = [0]
        tab.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.__setitem__(
            0, received[0] + len(payload))))
        targets = {FLOOR_NAME: (floor_url, floor_proc.pid, "")}
        targets |= {f"{p.title} /{p.url_path}": (app_url, app_proc.pid, f"{p.path}?{query}") for p in pages}
        _load(tab, app_url, 0)                  # the app's first request: its home page
        results = {name: PageTimes() for name in targets}
        for name, (base, _, path) in targets.items():
            received[0] = 0
            _load(tab, f"{base}/{path}", 0)
            tab.wait_for_load_state("networkidle")
            _wait(tab, 0)
            results[name].ws_bytes = received[0]
            results[name].charts = tab.locator('[data-testid="stPlotlyChart"]').count()
        for _ in range(runs):
            for name, (base, server, path) in targets.items():
                _blank(tab)
                browser = [p for p in descendants(os.getpid()) if p not in servers]
                before = {p: cpu_seconds([p]) for p in [server, *browser]}
                started = time.perf_counter()
                _load(tab, f"{base}/{path}", results[name].charts)
                seconds = time.perf_counter() - started
                browser = [p for p in descendants(os.getpid()) if p not in servers]
                r = results[name]
                r.seconds.append(seconds)
                r.server_cpu.append(cpu_seconds([server]) - before[server])
                r.browser_cpu.append(sum(cpu_seconds([p]) - before.get(p, 0.0) for p in browser))
                # Chromium's counters start again with each document: what this load's page has spent
                metrics = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
                r.script.append(metrics.get("ScriptDuration", 0.0))
                r.layout.append(metrics.get("LayoutDuration", 0.0) + metrics.get("RecalcStyleDuration", 0.0))
    return results


def first_pages(db: Path, runs: int) -> dict[str, list[float]]:
    """Seconds from navigation to the final render of the first page a just-started server serves.

    The final render waits for as many charts as the page draws (counted on an untimed start first,
    on its second load):
    a fresh app's first run may pause between reruns with no chart on the page yet.
    """
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {FLOOR_NAME: [], "app home page": []}
    with ExitStack() as stack:
        floor_script = _floor_script(stack)
        tab = _tab(stack, sync_playwright)
        servers = ((FLOOR_NAME, floor_script, {}), ("app home page", SERVER, {"REGISTRY_DB": str(db)}))
        charts = {}
        for name, script, env in servers:
            with serve(script, env, extra=QUIET) as (url, _):
                for _ in range(2):      # counted on the second, warm load: the first may pause with no chart yet
                    _load(tab, url, 0)
                    tab.wait_for_load_state("networkidle")
                    _wait(tab, 0)
                charts[name] = tab.locator('[data-testid="stPlotlyChart"]').count()
        for _ in range(runs):
            for name, script, env in servers:
                with serve(script, env, extra=QUIET) as (url, _):
                    _blank(tab)
                    started = time.perf_counter()
                    _load(tab, url, charts[name])
                    out[name].append(time.perf_counter() - started)
    return out


def _floor_script(stack: ExitStack) -> Path:
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-floor-")))
    (folder / "floor.py").write_text(FLOOR_PAGE, encoding="utf-8")
    return folder / "floor.py"


def _tab(stack: ExitStack, sync_playwright):
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}")
    playwright = stack.enter_context(sync_playwright())
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    stack.callback(browser.close)
    return browser.new_page(viewport={"width": 1400, "height": 1000})


def _blank(tab) -> None:
    """Leave the last page for an empty one before a timed load, so no load pays for tearing down the page
    timed before it: the floor loaded 0.45 s after 资金补贴 against 0.33 s after itself (0.39 s even after a
    1.5 s pause), and in turn every app page follows another app page while the floor follows 设置."""
    tab.goto("about:blank")


def _load(tab, url: str, charts: int) -> None:
    tab.goto(url, wait_until="commit")
    _wait(tab, charts)


def _wait(tab, charts: int) -> None:
    tab.wait_for_function(RENDERED_JS, arg=charts, timeout=TIMEOUT_MS, polling="raf")
