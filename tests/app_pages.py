"""The app's pages in Streamlit's AppTest, one way for every test: open a page, read what it shows.

No tests live here. ``open_page`` runs app.py (as a browser's first visit does) and then the page,
on the registry given, under the URL parameters given (``profile=``, ``taxonomy=``, filters …);
``metrics``, ``deltas`` and ``markdown`` read the result. ``render_chart`` builds a registered
chart outside Streamlit, for comparing a page's figure with the one its queries make.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

import auth
import figures
from loaders.registry import connect_read_only
from queries import runner
from queries.scope import Scope

APP = str(Path(__file__).resolve().parent.parent / "app.py")
AS_OF = dt.date(2026, 11, 21)   # the day the page tests read the sample registry on


def app(secrets: dict | None = None, editor: str | None = None, timeout: int = 60, **params: str) -> AppTest:
    """app.py in AppTest, not yet run: with ``secrets``, signed in as ``editor``, these URL parameters."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if secrets is not None:
        at.secrets = secrets
    if editor:
        at.session_state[auth.SESSION_KEY] = editor
    at.query_params.update(params)
    return at


def open_page(db: Path, monkeypatch: pytest.MonkeyPatch, page: str, *, secrets: dict | None = None,
              editor: str | None = None, timeout: int = 60, lists: bool = True, **params: str | None) -> AppTest:
    """pages/<page>.py on registry ``db``, as of AS_OF unless ``as_of=`` says otherwise (None: no date in
    the URL), after one run of app.py; fails the test on any exception the page raised. With ``lists``,
    the page's folded lists are then opened (open_lists), as someone reading them would."""
    monkeypatch.setenv("REGISTRY_DB", str(db))
    url = {k: v for k, v in {"as_of": AS_OF.isoformat(), **params}.items() if v is not None}
    at = app(secrets, editor, timeout, **url)
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return open_lists(at) if lists else at


def folded_lists(at: AppTest) -> list[str]:
    """The keys of the page's folded lists (ui.show_table's boxes, keyed tbl_<key>_box) that are closed."""
    keys = [user_key_from_element_id(e.proto.id) or "" for e in at.expander]
    return [k for k in keys if k.startswith("tbl_") and k.endswith("_box") and not at.session_state[k]]


def open_lists(at: AppTest) -> AppTest:
    """Open every folded list on the page (they stay open for the session) and run it again."""
    closed = folded_lists(at)
    if closed:
        for key in closed:
            at.session_state[key.removesuffix("_box") + "_open"] = True
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def view_charts(at: AppTest, key: str, labels: list[str]) -> list[list[str]]:
    """The charts drawn with each tab of the page's chart views (ui.chart_tabs ``key``, tabs ``labels``) open in
    turn, by their keys; the first tab is open again after."""
    assert [t.label for t in at.tabs][:len(labels)] == labels
    shown = []
    for label in [*labels, labels[0]]:
        at.session_state[key] = label
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown.append([c.key for c in at.get("plotly_chart")])
    return shown[:-1]


def metrics(at: AppTest) -> dict[str, str]:
    """Each metric's value by its label."""
    return {m.label: m.value for m in at.metric}


def deltas(at: AppTest) -> dict[str, str]:
    """Each metric's delta (the line under its value) by its label."""
    return {m.label: m.proto.delta for m in at.metric}


def markdown(at: AppTest) -> str:
    """The page's markdown blocks, one per line."""
    return "\n".join(m.value for m in at.markdown)


def render_chart(db: Path, chart_id: str, scope: Scope):
    """A registered chart built outside Streamlit, from the named queries on ``db``."""
    con = connect_read_only(db)

    def fetch(name: str, as_of: dt.date | None = None, **params) -> pd.DataFrame:
        return runner.run(con, name, Scope(scope.profile, as_of or scope.as_of), **params)

    try:
        return figures.render(chart_id, fetch, scope)
    finally:
        con.close()
