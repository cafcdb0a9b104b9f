"""Benchmark: every page of the dashboard in headless Chromium on the national-scale registry.

    python bench/bench_pages.py [--db /tmp/scale.duckdb] [--runs 5] [--as-of 2026-11-21] [--pages overview,data]

Time from navigation (a new session, as when leadership opens a link) to the final render:
the script has run (``stApp`` says notRunning), the running indicator is detached and every
Plotly chart the page shows has drawn its SVG. Median of ``--runs`` runs per page, measured
side by side in one run with the floor: a bare Streamlit page showing one static Plotly
chart (written to a temporary folder and served by its own server). Goal: every page
≤ 2 × the floor and ≤ 2 s median.

When ``--db`` does not exist it is built from the national-scale set:

    python data/generate_sample.py --scale          # writes data/scale/ (not committed)
    python -m loaders load --db /tmp/scale.duckdb data/scale/*.csv

Each page is opened once before timing (queries cached for this import, Plotly loaded, the
number of charts it draws counted), as a dashboard in use would be; the app's first request
is its home page (see tests/test_e2e.py, test_page_link_as_first_request). Pages are seen
as a viewer: 数据导入 shows only its sign-in notice.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import navigation  # noqa: E402  (the page registry, beside app.py)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
GOAL_SECONDS, GOAL_RATIO = 2.0, 2.0
TIMEOUT_MS = 120_000

FLOOR_PAGE = '''import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("基准页")
fig = go.Figure(go.Bar(x=["甲", "乙", "丙", "丁"], y=[3, 5, 2, 4]))
fig.update_layout(title="一张静态图", template="plotly_white")
st.plotly_chart(fig, width="stretch")
'''

# Final render, given how many charts the page draws.
RENDERED_JS = """(charts) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;   // an element still loading
  const all = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return all.length >= charts && all.every(c => c.querySelector('.main-svg'));
}"""


def build_scale_db(db: Path) -> None:
    """The national-scale registry from data/scale/*.csv (generated first when missing)."""
    scale = ROOT / "data" / "scale"
    if not sorted(scale.glob("*.csv")):
        print("generating data/scale/ …", file=sys.stderr)
        subprocess.run([sys.executable, "data/generate_sample.py", "--scale"], cwd=ROOT, check=True)
    print(f"loading {db} from data/scale/*.csv …", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "loaders", "load", "--db", str(db), *map(str, sorted(scale.glob("*.csv")))],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(script: Path, env: dict[str, str]) -> Iterator[str]:
    """`streamlit run script` on a free port; yields its URL."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"],
                            cwd=script.parent, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"streamlit did not start: {script}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def warm_up(tab, url: str) -> int:
    """Open ``url`` once, let it settle and return how many Plotly charts it draws."""
    tab.goto(url)
    tab.wait_for_function(RENDERED_JS, arg=0, timeout=TIMEOUT_MS, polling=100)
    tab.wait_for_load_state("networkidle")
    tab.wait_for_function(RENDERED_JS, arg=0, timeout=TIMEOUT_MS, polling=100)
    return tab.locator('[data-testid="stPlotlyChart"]').count()


def timed(tab, url: str, charts: int) -> float:
    """Seconds from navigation to the final render."""
    started = time.perf_counter()
    tab.goto(url, wait_until="commit")
    tab.wait_for_function(RENDERED_JS, arg=charts, timeout=TIMEOUT_MS, polling="raf")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/scale.duckdb"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--as-of", default="2026-11-21")
    parser.add_argument("--profile", default="tianjin-2018")
    parser.add_argument("--pages", default="", help="comma-separated url paths (default: every page of app.py)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}")
    if not args.db.exists():
        build_scale_db(args.db)
    pages = [p for p in navigation.PAGES if not args.pages or p.url_path in args.pages.split(",")]
    query = f"profile={args.profile}&as_of={args.as_of}"
    load_before = os.getloadavg()[0]

    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-floor-")))
        (folder / "floor.py").write_text(FLOOR_PAGE, encoding="utf-8")
        floor_url = stack.enter_context(serve(folder / "floor.py", {}))
        app_url = stack.enter_context(serve(ROOT / "app.py", {"REGISTRY_DB": str(args.db)}))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        stack.callback(browser.close)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})

        targets = {"(floor) one static chart": (floor_url, "")}
        targets |= {f"{p.title} /{p.url_path}": (app_url, f"{p.path}?{query}") for p in pages}
        warm_up(tab, app_url)            # the app's first request: its home page
        charts = {}
        for name, (base, path) in targets.items():
            started = time.perf_counter()
            charts[name] = warm_up(tab, f"{base}/{path}")
            print(f"warm-up {name}: {time.perf_counter() - started:.1f} s, {charts[name]} charts", file=sys.stderr)
        samples: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.runs):      # round-robin, so the floor and the pages share the machine's moods
            for name, (base, path) in targets.items():
                samples[name].append(timed(tab, f"{base}/{path}", charts[name]))

    report(samples, charts, args, load_before)
    return 0


def report(samples: dict[str, list[float]], charts: dict[str, int], args: argparse.Namespace,
           load_before: float) -> None:
    """Print the table: median, min, max, ratio to the floor, goal met."""
    medians = {name: statistics.median(s) for name, s in samples.items()}
    floor = next(iter(medians.values()))
    print(f"database: {args.db}  profile: {args.profile}  as_of: {args.as_of}  runs: {args.runs}  "
          f"cpus: {os.cpu_count()}  load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"goal: every page ≤ {GOAL_RATIO:g} × floor and ≤ {GOAL_SECONDS:g} s median")
    width = max(_width(n) for n in samples) + 2
    print(f"{_pad('page', width)}{'charts':>7}{'median s':>10}{'min s':>8}{'max s':>8}{'x floor':>9}  goal")
    for name, values in samples.items():
        ratio = medians[name] / floor
        ok = medians[name] <= GOAL_SECONDS and ratio <= GOAL_RATIO
        print(f"{_pad(name, width)}{charts[name]:>7}{medians[name]:>10.2f}{min(values):>8.2f}{max(values):>8.2f}"
              f"{ratio:>9.2f}  {'ok' if ok else 'MISSED'}")


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


if __name__ == "__main__":
    sys.exit(main())
