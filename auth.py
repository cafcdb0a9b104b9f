"""Who is looking: a viewer (every read page) or an editor (import, rollback, taxonomy overrides, targets).

Pages use ``is_editor()``, ``require_editor()``, ``user_name()`` and ``hide_personal()`` (联系人/联系电话);
``app.py`` calls ``sidebar_login()`` before navigation. Editors are configured outside the
repository, in one of two ways (README, section 编辑权限):

* **Passwords** — ``[editors]`` in ``.streamlit/secrets.toml`` (``username = "<argon2 hash>"``)
  and/or the environment variable ``LIANMENG_EDITORS`` (``name:<hash>;name2:<hash>``).
  Hashes come from ``python -m auth hash``; a plain-text password is never accepted.
  Sign-in lasts for the browser session (a reload asks again).
* **An identity provider (OIDC)** — an ``[auth]`` section makes Streamlit's ``st.login`` the
  sign-in; the editors are the e-mail addresses in ``[oidc_editors] emails = [...]``.

With neither, everybody is a viewer and editor pages say how to enable editing.
"""
from __future__ import annotations

import argparse
import functools
import getpass
import math
import os
import re
import sqlite3
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd
import streamlit as st
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from loaders import default_db
from loaders.schema import TABLES

ENV_EDITORS = "LIANMENG_EDITORS"
SESSION_KEY = "auth_editor"
SECTION_EDITORS, SECTION_OIDC, SECTION_OIDC_EDITORS = "editors", "auth", "oidc_editors"
MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5                                   # free attempts per user name
FIRST_DELAY_SECONDS, MAX_DELAY_SECONDS = 30, 300   # then a delay that doubles, up to five minutes
FORGET_AFTER_SECONDS = 3600
ARGON2_HASH = re.compile(r"\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+")

HOW_TO_ENABLE = ("编辑功能未启用：目前没有配置任何编辑账号，所有人只能浏览。管理员可用 `python -m auth hash` 生成口令哈希，"
                 "写入 `.streamlit/secrets.toml` 的 `[editors]` 一节或环境变量 `LIANMENG_EDITORS`，"
                 "也可接入本单位的统一身份认证（见 README“编辑权限”一节）。")
SIGN_IN_FIRST = "此页仅限编辑人员使用：请先在左侧边栏“编辑人员登录”中登录。"
OIDC_SIGN_IN_FIRST = "此页仅限编辑人员使用：请先在左侧边栏用统一身份认证登录。"

# Personal data (联系人, 联系电话), by column name and by Chinese header: for editors only.
PERSONAL = frozenset(name for t in TABLES for c in t.columns if c.personal for name in (c.name, c.header))

_hasher = PasswordHasher()


# ---- configuration -----------------------------------------------------------------------------

@dataclass
class Config:
    """The editors as configured: password hashes by user name, or OIDC and its editor e-mails."""

    passwords: dict[str, str] = field(default_factory=dict)
    oidc: bool = False
    oidc_provider: str | None = None       # a named provider ([auth.NAME]); None for [auth] itself
    oidc_editors: frozenset[str] = frozenset()
    problems: list[str] = field(default_factory=list)  # Chinese notes for the administrator

    @property
    def enabled(self) -> bool:
        return self.oidc or bool(self.passwords)


def parse_env_editors(value: str) -> tuple[dict[str, str], list[str]]:
    """``name:<argon2 hash>`` entries separated by ``;`` or new lines (an argon2 hash contains commas)."""
    editors: dict[str, str] = {}
    problems: list[str] = []
    for entry in value.replace("\n", ";").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        name, sep, hashed = entry.partition(":")
        if not sep or not name.strip():
            problems.append(f"环境变量 {ENV_EDITORS} 中有一项不是“用户名:哈希”的格式，已忽略")
            continue
        editors[name.strip()] = hashed.strip()
    return editors, problems


def load_config(secrets: Mapping | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the editors from secrets and the environment (arguments for tests; defaults: the app's)."""
    config = Config()
    if secrets is None:
        secrets, problem = _read_secrets()
        config.problems += [problem] if problem else []
    environ = os.environ if environ is None else environ
    if isinstance(secrets.get(SECTION_OIDC), Mapping):
        section = secrets[SECTION_OIDC]
        config.oidc = True
        if "client_id" not in section:  # providers configured by name: [auth.microsoft] …
            config.oidc_provider = next((k for k, v in section.items() if isinstance(v, Mapping)), None)
        emails = (secrets.get(SECTION_OIDC_EDITORS) or {}).get("emails", [])
        config.oidc_editors = frozenset(str(e).strip().lower() for e in emails)
        if not config.oidc_editors:
            config.problems.append(f"已配置统一身份认证，但 [{SECTION_OIDC_EDITORS}] emails 为空：所有人只能浏览")
        return config
    passwords = {str(k): str(v) for k, v in (secrets.get(SECTION_EDITORS) or {}).items()}
    from_env, problems = parse_env_editors(environ.get(ENV_EDITORS, ""))
    passwords.update(from_env)
    config.problems += problems
    for name, hashed in list(passwords.items()):
        if not ARGON2_HASH.fullmatch(hashed):  # a plain-text password or the example's placeholder
            del passwords[name]
            config.problems.append(f"编辑账号“{name}”的口令不是有效的 argon2 哈希，已忽略：请用 python -m auth hash 生成")
    config.passwords = passwords
    return config


def _read_secrets() -> tuple[Mapping, str | None]:
    """The app's secrets as a plain dict ({} without a secrets file), and a note when a file is unreadable."""
    try:
        return st.secrets.to_dict(), None
    except FileNotFoundError:  # Streamlit raises this both for "no file" and for a file it cannot parse
        from streamlit import config as st_config

        unreadable = [p for p in st_config.get_option("secrets.files") if Path(p).is_file()]
        return {}, f"无法读取 {unreadable[0]}（请检查 TOML 格式）" if unreadable else None


# ---- passwords ---------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    """An argon2id hash to put in secrets.toml or LIANMENG_EDITORS."""
    return _hasher.hash(password)


def throttle_key(name: str) -> str:
    """One counter per person however the name is typed: width, case and spaces do not make a new one."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


class Throttle:
    """Sign-in attempts per user name, counted before the password is checked, in a SQLite file.

    The file (``<registry>.signin.sqlite``) is shared by every session and every server process
    of the registry, and ``BEGIN IMMEDIATE`` makes check-and-count one step, so parallel
    sessions get no more checks than one. The first MAX_FAILURES attempts are free; then each
    must wait a delay that doubles up to MAX_DELAY_SECONDS — a growing delay, not a lock-out, so
    a stranger typing badly can slow a known editor down but never shut them out. A quiet
    FORGET_AFTER_SECONDS, or a correct password, clears the count.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        db = default_db()
        return self._path or db.with_name(db.name + ".signin.sqlite")

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("create table if not exists attempts (name text primary key, failures integer, last real)")
        return con

    def admit(self, name: str, now: float | None = None) -> float:
        """0 when ``name`` may have its password checked now (the attempt is counted); else seconds to wait."""
        now = time.time() if now is None else now
        key = throttle_key(name)
        con = self._connect()
        try:
            con.execute("begin immediate")  # one writer at a time, across processes: check and count together
            row = con.execute("select failures, last from attempts where name = ?", [key]).fetchone()
            failures, last = row if row and now - row[1] < FORGET_AFTER_SECONDS else (0, now)
            delay = delay_after(failures)
            wait = last + delay - now if delay else 0.0  # no delay due: clocks of racing sessions do not matter
            if wait > 0:
                con.execute("rollback")
                return wait
            con.execute("insert or replace into attempts values (?, ?, ?)", [key, failures + 1, now])
            con.execute("delete from attempts where ? - last > ?", [now, FORGET_AFTER_SECONDS])  # no pile of guesses
            con.execute("commit")
            return 0.0
        finally:
            con.close()

    def succeeded(self, name: str) -> None:
        con = self._connect()
        try:
            con.execute("delete from attempts where name = ?", [throttle_key(name)])
        finally:
            con.close()


def delay_after(failures: int) -> float:
    """Seconds the next attempt waits after ``failures`` counted attempts."""
    if failures < MAX_FAILURES:
        return 0.0
    return float(min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - MAX_FAILURES)))


throttle = Throttle()


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password: keeps unknown names as slow as known ones")


def check_password(config: Config, name: str, password: str) -> bool:
    """True when ``password`` matches the editor ``name``; unknown names cost the same time."""
    hashed = config.passwords.get(name)
    try:
        return _hasher.verify(hashed or _dummy_hash(), password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


# ---- who is looking ----------------------------------------------------------------------------

def _user_info() -> dict:
    try:
        return st.user.to_dict()
    except Exception:  # outside a running app
        return {}


def user_name() -> str | None:
    """The signed-in person (password user name or OIDC e-mail), None for an anonymous viewer."""
    config = load_config()
    if config.oidc:
        info = _user_info()
        if not info.get("is_logged_in"):
            return None
        return str(info.get("email") or info.get("name") or "") or None
    name = st.session_state.get(SESSION_KEY)
    return name if name in config.passwords else None  # an editor removed from the config is out at once


def is_editor() -> bool:
    """True when the signed-in person may import, roll back and change overrides and targets."""
    config = load_config()
    name = user_name()
    if name is None:
        return False
    return name.lower() in config.oidc_editors if config.oidc else True


def require_editor() -> None:
    """Stop the page with an explanation unless the viewer is an editor."""
    if is_editor():
        return
    config = load_config()
    if not config.enabled:
        st.warning(HOW_TO_ENABLE)
    elif config.oidc and user_name():
        st.warning(f"你的账号（{user_name()}）没有编辑权限：此页仅限编辑人员使用。如需开通，请联系管理员。")
    else:
        st.warning(OIDC_SIGN_IN_FIRST if config.oidc else SIGN_IN_FIRST)
    for problem in config.problems:
        st.caption(f"配置提示：{problem}")
    st.stop()


def hide_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without personal data (联系人, 联系电话) unless the viewer is an editor."""
    if is_editor():
        return frame
    return frame.drop(columns=[c for c in frame.columns if c in PERSONAL])


# ---- sidebar -----------------------------------------------------------------------------------

def sidebar_login() -> None:
    """The sidebar's sign-in box: password form, identity-provider button, or a read-only note."""
    config = load_config()
    side = st.sidebar
    if not config.enabled:
        side.caption("只读浏览（编辑功能未启用）")
        return
    if config.oidc:
        _sidebar_oidc(config)
        return
    name = user_name()
    if name is not None:
        side.caption(f"已登录：{name}（编辑）")
        if side.button("退出登录", key="auth_sign_out"):
            del st.session_state[SESSION_KEY]
            st.rerun()
        return
    with side.expander("编辑人员登录"):
        with st.form("auth_sign_in", clear_on_submit=True, border=False):
            given = st.text_input("用户名", key="auth_user").strip()
            password = st.text_input("口令", type="password", key="auth_password")
            submitted = st.form_submit_button("登录")
        if submitted and (failure := _sign_in(config, given, password)):
            st.error(failure)


def _sign_in(config: Config, name: str, password: str) -> str | None:
    """Sign in and rerun, or say why not."""
    try:
        wait = throttle.admit(name)
    except sqlite3.Error as e:  # fail closed: no count, no check
        return f"暂时无法登录：登录记录文件不可用（{e}），请联系管理员。"
    if wait:
        return f"登录失败次数过多：为防止猜测口令，请 {math.ceil(wait)} 秒后再试。"
    if not check_password(config, name, password):
        return "用户名或口令不正确。"
    throttle.succeeded(name)
    st.session_state[SESSION_KEY] = name
    st.rerun()


def _sidebar_oidc(config: Config) -> None:
    side = st.sidebar
    info = _user_info()
    if not info.get("is_logged_in"):
        if side.button("统一身份认证登录", key="auth_oidc_sign_in"):
            try:
                st.login(config.oidc_provider) if config.oidc_provider else st.login()
            except Exception as e:  # e.g. Authlib missing, or an incomplete [auth] section
                side.error(f"统一身份认证未就绪：{e}")
        return
    role = "编辑" if is_editor() else "只读"
    side.caption(f"已登录：{user_name()}（{role}）")
    if side.button("退出登录", key="auth_oidc_sign_out"):
        st.logout()


# ---- command line ------------------------------------------------------------------------------

def main(argv: list[str] | None = None, read_password: Callable[[str], str] = getpass.getpass) -> int:
    """``python -m auth hash [--user NAME]``: make an argon2 hash of a password typed without echo."""
    parser = argparse.ArgumentParser(prog="python -m auth", description="联盟看板编辑账号工具")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    p = sub.add_parser("hash", help="生成口令的 argon2 哈希（输入不回显）", description="生成口令的 argon2 哈希（输入不回显）")
    p.add_argument("--user", default="用户名", help="编辑账号的用户名，用于打印可直接粘贴的配置行")
    args = parser.parse_args(argv)
    password = read_password("口令：")
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"口令至少 {MIN_PASSWORD_LENGTH} 个字符。", file=sys.stderr)
        return 1
    if read_password("再输入一次：") != password:
        print("两次输入不一致。", file=sys.stderr)
        return 1
    hashed = hash_password(password)
    print(hashed)
    quoted = '"' + args.user.replace("\\", "\\\\").replace('"', '\\"') + '"'  # a TOML key: Chinese must be quoted
    print(f"\n.streamlit/secrets.toml：\n[{SECTION_EDITORS}]\n{quoted} = \"{hashed}\"", file=sys.stderr)
    print(f"\n或环境变量（注意用单引号，哈希中有 $）：\n{ENV_EDITORS}='{args.user}:{hashed}'", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
