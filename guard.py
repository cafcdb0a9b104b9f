"""Unexpected errors: the details go to the server log under an id; the user sees a Chinese note and the id.

``app.py`` runs every page inside ``errors_reported()``. With ``client.showErrorDetails = "none"``
(.streamlit/config.toml) nothing of a traceback — paths, code, data — reaches the browser.
"""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import Iterator

import streamlit as st
from streamlit.logger import get_logger

log = get_logger("lianmeng")


def error_note(error_id: str) -> str:
    """What the user reads in place of a traceback."""
    return (f"出错了：这一步没有完成（错误编号 {error_id}）。登记库不会因此改动。请刷新页面重试；"
            f"如仍出错，请把错误编号告诉管理员，管理员可在服务器日志中按编号查到详情。")


@contextmanager
def errors_reported() -> Iterator[None]:
    """Catch what a page did not expect: log it in full with an id, show the id. (st.stop and st.rerun pass.)"""
    try:
        yield
    except Exception:  # Streamlit's stop and rerun are BaseExceptions: they pass through
        error_id = secrets.token_hex(4).upper()
        log.exception("页面出错，错误编号 %s", error_id)
        st.error(error_note(error_id))
