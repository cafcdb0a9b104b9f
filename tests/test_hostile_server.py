"""Server-side limits and error handling, checked against a running server from a second process.

.streamlit/config.toml sets the upload limit the import page states, hides error details and
the developer toolbar; app.py runs every page inside guard.errors_reported(), so a failure shows
a Chinese note with an error id while the traceback goes to the server log under that id.
"""
from __future__ import annotations

import logging
import os
import re
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import guard
from tests.test_e2e import CHROMIUM, serve

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
ERROR_ID = re.compile(r"错误编号 ([0-9A-F]{8})")


def test_config_limits_uploads_hides_details_and_the_toolbar():
    assert CONFIG["client"]["showErrorDetails"] == "none"
    # no developer items for users; "minimal" rather than "viewer", whose own menu is English (issue 12)
    assert CONFIG["client"]["toolbarMode"] == "minimal"
    assert CONFIG["browser"]["gatherUsageStats"] is False
    assert CONFIG["runner"]["postScriptGC"] is False    # a full collection after each page run held its last messages
    # the server's limit is the page's documented default, and the README says the same number
    source = (ROOT / "pages" / "import.py").read_text(encoding="utf-8")
    default = int(re.search(r'os\.environ\.get\(MAX_UPLOAD_ENV, "(\d+)"\)', source)[1])
    assert CONFIG["server"]["maxUploadSize"] == default
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"每个文件默认不超过 {default} MB" in readme and "server.address" in readme


GUARDED = """
import streamlit as st
import guard

with guard.errors_reported():
    st.write("before")
    if st.session_state.get("fail", True):
        raise ValueError("/srv/secret/path 与 SELECT * FROM alliances")
    st.stop()
"""


def test_an_unexpected_error_shows_an_id_in_chinese_and_logs_the_traceback():
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    guard.log.addHandler(handler)
    try:
        at = AppTest.from_string(GUARDED, default_timeout=30).run()
    finally:
        guard.log.removeHandler(handler)
    assert not at.exception
    [note] = [e.value for e in at.error]
    error_id = ERROR_ID.search(note)[1]
    assert note == guard.error_note(error_id)
    assert "secret" not in note and "SELECT" not in note
    [record] = records
    assert error_id in record.getMessage() and "secret" in str(record.exc_info[1])
    at.session_state["fail"] = False          # st.stop inside the guard still just stops
    assert not at.run().exception and not at.error


# ---- a running server, probed from this process -------------------------------------------------

@pytest.fixture(scope="module")
def broken_server(tmp_path_factory):
    """The app on a registry file that is not a database at all (a disk error, a wrong file copied in)."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "registry.duckdb"
    db.write_bytes(os.urandom(8192))
    log = folder / "server.log"
    with serve(db, editors=False, log=log) as url:
        yield url, log


def test_the_server_refuses_an_upload_over_the_limit_before_reading_it(broken_server):
    url, _ = broken_server
    limit = CONFIG["server"]["maxUploadSize"] * 1024 * 1024

    def put(size: int) -> int | str:
        request = urllib.request.Request(f"{url}/_stcore/upload_file/session/file", data=b"x" * size, method="PUT")
        try:
            return urllib.request.urlopen(request, timeout=60).status
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, ConnectionError) as e:
            return f"closed: {e}"

    assert put(1024) == 403                                 # an answer: the request was read (and refused)
    assert str(put(limit + 1024 * 1024)).startswith("closed")  # over the limit: cut off, never buffered
    assert urllib.request.urlopen(url + "/_stcore/health", timeout=5).status == 200


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"没有 Chromium（{CHROMIUM}）：浏览器测试跳过")
def test_a_page_that_fails_shows_an_error_id_and_no_traceback(broken_server, browser):
    url, log = broken_server
    tab = browser.new_page()
    try:
        tab.goto(url)
        tab.get_by_text("错误编号").first.wait_for(timeout=60_000)
        text = tab.locator('[data-testid="stApp"]').inner_text()
        tab.screenshot(path=str(ROOT / "tests" / "screenshots" / "hostile_error_id.png"))
        menus = tab.locator('[data-testid="stMainMenu"]').count()   # toolbarMode = "minimal": no menu at all
        deploy = tab.get_by_text("Deploy", exact=True).count()
    finally:
        tab.close()
    error_id = ERROR_ID.search(text)[1]
    assert "Traceback" not in text and "duckdb" not in text.lower() and str(log.parent) not in text
    assert menus == 0 and deploy == 0          # so no Clear cache, Rerun or Deploy for a user to find
    server_log = log.read_text()
    assert f"错误编号 {error_id}" in server_log and "Traceback" in server_log
