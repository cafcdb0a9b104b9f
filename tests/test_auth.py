"""Viewer and editor (auth.py): configuration, password checks, throttling, the hash CLI, sign-in and OIDC."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import auth

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "正确的马 battery staple"
# argon2 is slow on purpose; a hash records its own cost, so tests verify against a cheap one.
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)

# A page of its own: auth alone, so each AppTest run goes through sidebar_login (app.py's pages/
# folder makes AppTest run a switched-to page without app.py).
PROBE = """
import streamlit as st
import auth
auth.sidebar_login()
st.write("editor" if auth.is_editor() else "viewer")
st.write(f"user={auth.user_name()}")
auth.require_editor()
st.write("editor page body")
"""


def probe(secrets: dict, user: dict | None = None) -> AppTest:
    at = AppTest.from_string(PROBE, default_timeout=30)
    at.secrets = secrets
    if user is not None:
        at.user = user
    return at.run()


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


@pytest.fixture(autouse=True)
def no_env_editors(monkeypatch, tmp_path: Path):
    monkeypatch.delenv(auth.ENV_EDITORS, raising=False)
    monkeypatch.setenv("REGISTRY_DB", str(tmp_path / "registry.duckdb"))  # the sign-in counter lives beside it


# ---- configuration ------------------------------------------------------------------------------

def test_env_editors_are_name_hash_pairs_separated_by_semicolons_or_lines():
    other = HASH.replace("$argon2id$", "$argon2i$")  # any other hash will do
    editors, problems = auth.parse_env_editors(f"张三:{HASH}; li.si : {other}\n\nwang:{HASH}\nbroken-entry")
    assert editors == {"张三": HASH, "li.si": other, "wang": HASH}
    assert problems == [f"环境变量 {auth.ENV_EDITORS} 中有一项不是“用户名:哈希”的格式，已忽略"]


def test_secrets_and_environment_are_merged_and_plain_text_refused():
    config = auth.load_config({"editors": {"张三": HASH, "李四": "password123"}},
                              {auth.ENV_EDITORS: f"王五:{HASH}"})
    assert set(config.passwords) == {"张三", "王五"}
    assert config.enabled and not config.oidc
    assert any("李四" in p and "不是有效的 argon2 哈希" in p for p in config.problems)


def test_the_example_secrets_file_enables_nobody():
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8"))
    config = auth.load_config(example, {})
    assert not config.enabled
    assert "不是有效的 argon2 哈希" in config.problems[0]


def test_nothing_configured_means_editing_is_off():
    config = auth.load_config({}, {})
    assert not config.enabled and config.passwords == {}


def test_oidc_section_switches_to_identity_provider_with_editor_emails():
    secrets = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s",
                        "client_id": "c", "client_secret": "x", "server_metadata_url": "https://idp/.well-known"},
               "oidc_editors": {"emails": [" Zhang@KJJ.gov.cn "]}, "editors": {"张三": HASH}}
    config = auth.load_config(secrets, {})
    assert config.oidc and config.oidc_provider is None
    assert config.oidc_editors == frozenset({"zhang@kjj.gov.cn"})
    assert config.passwords == {}  # one way to sign in, not two


def test_named_oidc_provider_and_missing_editor_list():
    secrets = {"auth": {"redirect_uri": "r", "cookie_secret": "s", "kjj": {"client_id": "c"}}}
    config = auth.load_config(secrets, {})
    assert config.oidc_provider == "kjj"
    assert config.problems and "emails 为空" in config.problems[0]


# ---- passwords ------------------------------------------------------------------------------------

def test_password_check():
    config = auth.load_config({"editors": {"张三": HASH}}, {})
    assert auth.check_password(config, "张三", PASSWORD)
    assert not auth.check_password(config, "张三", PASSWORD + "x")
    assert not auth.check_password(config, "李四", PASSWORD)  # unknown name, same password
    assert not auth.check_password(auth.load_config({"editors": {"张三": "$argon2id$broken"}}, {}), "张三", PASSWORD)


def test_throttle_gives_free_attempts_then_a_growing_delay_never_a_lock(tmp_path: Path):
    throttle = auth.Throttle(tmp_path / "signin.sqlite")
    for second in range(auth.MAX_FAILURES):
        assert throttle.admit("张三", now=100.0 + second) == 0
    last = 100.0 + auth.MAX_FAILURES - 1
    assert throttle.admit("张三", now=last + 1) == auth.FIRST_DELAY_SECONDS - 1   # the 6th waits 30 s after the 5th
    assert throttle.admit("李四", now=last + 1) == 0                              # other names are not slowed
    waits = []
    for _ in range(6):  # each attempt let through doubles the next wait, up to the ceiling
        now = last + auth.delay_after(auth.MAX_FAILURES + len(waits))
        assert throttle.admit("张三", now=now - 0.5) > 0
        assert throttle.admit("张三", now=now) == 0
        waits.append(now - last)
        last = now
    assert waits == [30, 60, 120, 240, 300, 300]
    assert throttle.admit("张三", now=last + auth.FORGET_AFTER_SECONDS + 1) == 0  # a quiet hour forgets
    throttle.succeeded("李四")
    assert all(throttle.admit("李四", now=last + i) == 0 for i in range(auth.MAX_FAILURES))


def test_throttle_counts_one_name_however_it_is_typed(tmp_path: Path):
    throttle = auth.Throttle(tmp_path / "signin.sqlite")
    for spelling in ["Editor", "editor", " EDITOR ", "ｅｄｉｔｏｒ", "Ed itor"]:
        assert throttle.admit(spelling, now=100.0) == 0
    assert throttle.admit("eDiToR", now=100.0) > 0


def _admit_at_once(path: str, name: str, ready, results) -> None:
    ready.wait()
    results.put(auth.Throttle(Path(path)).admit(name))


def test_parallel_sessions_and_processes_get_no_more_checks_than_the_limit(tmp_path: Path):
    """12 sessions at once — threads of one server and separate server processes — share one count."""
    import multiprocessing
    import queue
    import threading

    path = str(tmp_path / "signin.sqlite")
    context = multiprocessing.get_context("fork")
    ready, results = context.Barrier(12), context.Queue()
    processes = [context.Process(target=_admit_at_once, args=(path, f"张三{' ' * (i % 3)}", ready, results))
                 for i in range(12)]
    for process in processes:
        process.start()
    waits = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert sorted(w == 0 for w in waits).count(True) == auth.MAX_FAILURES, waits

    ready, out = threading.Barrier(12), queue.Queue()
    threads = [threading.Thread(target=_admit_at_once, args=(path, "李四", ready, out)) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    waits = [out.get() for _ in threads]
    assert [w == 0 for w in waits].count(True) == auth.MAX_FAILURES, waits


def test_hash_cli_reads_the_password_twice_without_echo(capsys):
    typed = iter([PASSWORD, PASSWORD])
    assert auth.main(["hash", "--user", "张三"], read_password=lambda prompt: next(typed)) == 0
    out, err = capsys.readouterr()
    hashed = out.strip()
    assert hashed.startswith("$argon2id$")
    assert auth.check_password(auth.load_config({"editors": {"张三": hashed}}, {}), "张三", PASSWORD)
    block = err.split("secrets.toml：")[1].split("\n\n")[0]
    assert tomllib.loads(block) == {"editors": {"张三": hashed}}  # pastes as valid TOML
    assert PASSWORD not in out + err


@pytest.mark.parametrize("typed, says", [(["short", "short"], "至少"), ([PASSWORD, PASSWORD + "!"], "不一致")])
def test_hash_cli_refuses_short_or_mistyped_passwords(capsys, typed, says):
    answers = iter(typed)
    assert auth.main(["hash"], read_password=lambda prompt: next(answers)) == 1
    assert says in capsys.readouterr().err


# ---- in the app -----------------------------------------------------------------------------------

def test_without_credentials_everyone_reads_and_editor_pages_say_how_to_enable():
    at = probe({"note": "no editors here"})
    assert "viewer" in texts(at)
    assert [w.value for w in at.warning] == [auth.HOW_TO_ENABLE]
    assert "editor page body" not in texts(at)
    assert "只读浏览" in at.sidebar.caption[0].value


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input(key="auth_user").input(name)
    at.sidebar.text_input(key="auth_password").input(password)
    return at.sidebar.button[0].click().run()


def test_password_sign_in_and_sign_out():
    at = probe({"editors": {"张三": HASH}})
    assert "viewer" in texts(at) and [w.value for w in at.warning] == [auth.SIGN_IN_FIRST]
    sign_in(at, "张三", "wrong password")
    assert "viewer" in texts(at)
    assert [e.value for e in at.sidebar.error] == ["用户名或口令不正确。"]
    sign_in(at, "张三", PASSWORD)
    assert "editor" in texts(at) and "user=张三" in texts(at) and "editor page body" in texts(at)
    assert at.sidebar.caption[0].value == "已登录：张三（编辑）"
    at.sidebar.button(key="auth_sign_out").click().run()
    assert "viewer" in texts(at) and "user=None" in texts(at)


def test_too_many_wrong_passwords_lock_the_name_even_with_the_right_one():
    at = probe({"editors": {"张三": HASH}})
    for _ in range(auth.MAX_FAILURES):
        sign_in(at, "张三", "wrong password")
    sign_in(at, "张三", PASSWORD)
    assert "viewer" in texts(at)
    assert "失败次数过多" in at.sidebar.error[0].value


def test_an_editor_removed_from_the_configuration_is_signed_out_at_once():
    at = probe({"editors": {"张三": HASH}})
    sign_in(at, "张三", PASSWORD)
    assert "editor" in texts(at)
    at.secrets = {"editors": {"李四": HASH}}
    at.run()
    assert "viewer" in texts(at)


OIDC = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s", "client_id": "c",
                 "client_secret": "x", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"},
        "oidc_editors": {"emails": ["zhang@kjj.example.cn"]}}


def test_oidc_editor_by_email():
    at = probe(OIDC, {"is_logged_in": True, "email": "Zhang@kjj.example.cn", "name": "张三"})
    assert "editor" in texts(at) and "editor page body" in texts(at)
    assert at.sidebar.caption[0].value == "已登录：Zhang@kjj.example.cn（编辑）"


def test_oidc_signed_in_but_not_an_editor():
    at = probe(OIDC, {"is_logged_in": True, "email": "li@kjj.example.cn"})
    assert "viewer" in texts(at)
    assert "没有编辑权限" in at.warning[0].value
    assert at.sidebar.caption[0].value == "已登录：li@kjj.example.cn（只读）"


def test_oidc_not_signed_in_offers_the_provider_button():
    at = probe(OIDC, {"is_logged_in": False})
    assert "viewer" in texts(at)
    assert [w.value for w in at.warning] == [auth.OIDC_SIGN_IN_FIRST]
    assert at.sidebar.button[0].label == "统一身份认证登录"


def test_hide_personal_keeps_contacts_from_viewers():
    at = AppTest.from_string("""
import pandas as pd
import streamlit as st
import auth
frame = pd.DataFrame({"联盟名称": ["甲"], "联系人": ["张三"], "contact_phone": ["022-1"]})
st.write(",".join(auth.hide_personal(frame).columns))
""", default_timeout=30)
    at.secrets = {"editors": {"张三": HASH}}
    at.run()
    assert at.markdown[0].value == "联盟名称"
    at.session_state[auth.SESSION_KEY] = "张三"
    at.run()
    assert at.markdown[0].value == "联盟名称,联系人,contact_phone"
