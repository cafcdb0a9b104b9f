"""End to end: the real Streamlit server in headless Chromium, on the sample registry.

Skipped, with the reason shown, on a machine without Chromium (.ci/run installs it).
Screenshots go to tests/screenshots/ for a person to look at.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from loaders import ROOT, SAMPLE_DIR
from loaders.pipeline import prepare
from loaders.store import import_batch

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="没有 Chromium：浏览器测试跳过（apt-get install chromium）")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("e2e") / "registry.duckdb"
    import_batch(db, prepare(sorted(SAMPLE_DIR.iterdir())))
    port = _free_port()
    env = {**os.environ, "REGISTRY_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("Streamlit 未在 60 秒内启动")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def test_overview_shows_the_registry_figures(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_selector("text=在册联盟", timeout=30_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=30_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "overview.png", full_page=True)
    assert page.title() == "联盟看板"
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert "107 个" in metrics          # alliances in the registry on the as-of date (sample: 112 filed − 5 revoked)
    assert "现代冶金" in page.inner_text("body")  # the empty cluster is flagged
    page.close()
