"""A Streamlit server on a free port and headless Chromium: what the page benchmarks (and the browser tests) drive.

One place for how a server is started and waited for, and for the "final render" test, so that the
benchmark and tests/test_e2e.py time and check the same thing.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The app as `make run` serves it: server.py (app.py's pages, warmed before the first visitor).
SERVER = Path(__file__).resolve().parent.parent / "server.py"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
START_SECONDS = 60

# Final render, given how many charts the page draws: the script has run (stApp says notRunning), the
# running indicator is gone, no element is still loading its code (Plotly arrives lazily, as a skeleton
# first) and every Plotly chart has drawn its SVG.
RENDERED_JS = """(charts) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const all = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return all.length >= (charts || 0) && all.every(c => c.querySelector('.main-svg'));
}"""


class ServerDidNotStart(RuntimeError):
    """The server exited or did not answer its health check in time; the message holds its log when kept."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(script: Path, env: dict[str, str] | None = None, *, log: Path | None = None,
          extra: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run script` on a free port (cwd: the script's folder); yields its URL and process.

    ``env`` is laid over this process's environment (a value of None removes the name); ``log`` keeps
    the server's output; ``extra`` are more ``streamlit run`` options.
    """
    port = free_port()
    environ = {**os.environ}
    for name, value in (env or {}).items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    out = log.open("w") if log else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false", *extra],
                            cwd=script.parent, env=environ, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise ServerDidNotStart(f"Streamlit 未能在 {START_SECONDS} 秒内启动：{script}"
                                            + (f"\n{log.read_text()}" if log else ""))
                time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:     # a busy server may not get round to its SIGTERM handler
            proc.kill()
            proc.wait(10)
        if log:
            out.close()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (Linux /proc; 0 for one that is gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])      # utime, stime
    return total / tick


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
