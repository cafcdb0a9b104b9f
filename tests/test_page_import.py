"""数据导入 (pages/import.py): refused to viewers; dry run with every error or a change preview; import on confirmation.

The registry here is written by hand (three alliances, two subsidies), so every expected
number is worked out from the rows below. The browser test at the end runs the real server:
a viewer tries the page, an editor uploads a broken then a good file while two viewers read.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import auth
from loaders.pipeline import prepare
from loaders.registry import existing_state
from loaders.store import import_batch, read_journal
from app_pages import app, metrics
from registries import ALLIANCE_HEADER, MAGNET, PHARMA, ROBOT, SUBSIDY_HEADER, csv_bytes
from test_e2e import CHROMIUM, SHOTS, serve

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "导入测试 password"
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
EDITORS = {"editors": {"张三": HASH}}


GOOD = csv_bytes([ALLIANCE_HEADER, ROBOT[:3] + ["东丽区"] + ROBOT[4:], MAGNET,
                  ["TJ-4", "天津市新能源联盟", "丁公司", "武清区", "新能源", "市级", "2021-05-10"]])
BROKEN = csv_bytes([SUBSIDY_HEADER, [ROBOT[1], "2019", "备案补贴", "-50", "2019-02-30"],
                    ["天津市不存在的联盟", "2020", "评估补贴", "30", "2020-12-20"]])


@pytest.fixture
def registry(tmp_path: Path, monkeypatch) -> Path:
    """Import 1: ROBOT, MAGNET, PHARMA and two subsidies of ROBOT and MAGNET."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "联盟名录.csv").write_bytes(csv_bytes([ALLIANCE_HEADER, ROBOT, MAGNET, PHARMA]))
    (src / "资金补贴.csv").write_bytes(csv_bytes([SUBSIDY_HEADER, [ROBOT[1], "2019", "备案补贴", "50", "2019-12-20"],
                                                 [MAGNET[1], "2020", "评估补贴", "30", "2020-12-20"]]))
    db = tmp_path / "registry.duckdb"
    import_batch(db, prepare(sorted(src.iterdir())), user="初始化")
    monkeypatch.setenv("REGISTRY_DB", str(db))
    monkeypatch.delenv(auth.ENV_EDITORS, raising=False)
    monkeypatch.delenv("LIANMENG_MAX_UPLOAD_MB", raising=False)
    return db


def import_page(secrets: dict, editor: str | None = None) -> AppTest:
    return app(secrets, editor).switch_page("pages/import.py").run()


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    return at.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files]).run()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- who may import -------------------------------------------------------------------------------

@pytest.mark.parametrize("secrets, says", [({"note": "no editors"}, auth.HOW_TO_ENABLE), (EDITORS, auth.SIGN_IN_FIRST)],
                         ids=["no-credentials", "not-signed-in"])
def test_viewers_cannot_import(registry: Path, secrets: dict, says: str):
    before = digest(registry)
    at = import_page(secrets)
    assert not at.exception
    assert [w.value for w in at.warning] == [says]
    assert len(at.file_uploader) == 0 and len(at.button) == 0
    assert digest(registry) == before and len(read_journal(registry)) == 1


def test_a_name_not_in_the_configuration_is_no_editor(registry: Path):
    at = import_page(EDITORS, editor="冒名者")
    assert [w.value for w in at.warning] == [auth.SIGN_IN_FIRST] and len(at.file_uploader) == 0


# ---- dry run and import ---------------------------------------------------------------------------

def test_broken_file_lists_every_error_and_writes_nothing(registry: Path):
    before = digest(registry)
    at = upload(import_page(EDITORS, "张三"), ("坏的补贴.csv", BROKEN))
    assert not at.exception
    assert metrics(at)["错误"] == "3 个"
    assert at.error[0].value.startswith("发现 3 个错误，这批文件不能导入")
    errors = at.dataframe[1].value
    assert list(errors.columns) == ["文件", "工作表", "行", "列", "值", "问题"]
    assert errors.drop(columns="工作表").values.tolist() == [
        ["坏的补贴.csv", 2, "金额（万元）", "-50", "金额不能为负数：-50"],
        ["坏的补贴.csv", 2, "拨付日期", "2019-02-30", "不存在的日期：2019-02-30"],
        ["坏的补贴.csv", 3, "联盟名称", "天津市不存在的联盟", "联盟“天津市不存在的联盟”不在联盟名录中（名称须与名录一致）"],
    ]
    assert at.button(key="import_confirm").disabled
    assert [b.label for b in at.get("download_button")] == ["下载标准导入模板", "下载 Excel", "下载 CSV"]
    assert digest(registry) == before
    refused = read_journal(registry)[-1]        # the refused upload is on record: who, which file, its SHA-256
    assert (refused["outcome"], refused["user"], refused["errors"]) == ("refused", "张三", 3)
    assert [(f["name"], f["sha256"]) for f in refused["files"]] == [("坏的补贴.csv", hashlib.sha256(BROKEN).hexdigest())]


def test_good_file_preview_then_import_on_confirmation(registry: Path):
    at = upload(import_page(EDITORS, "张三"), ("联盟名录2021.csv", GOOD))
    assert not at.exception and metrics(at)["错误"] == "0 个"
    # By hand: TJ-1 moved 滨海新区 → 东丽区, TJ-4 is new, TJ-3 is not in the new list.
    assert metrics(at)["新增联盟"] == "1 个"
    assert metrics(at)["信息有变化的联盟"] == "1 个"
    assert metrics(at)["将移除的联盟"] == "1 个"
    counts = at.dataframe[1].value.set_index("表")
    assert counts.loc["联盟名录"].tolist() == [3, 3, 0, "是"]
    assert counts.loc["资金补贴"].tolist() == [2, 2, 0, "否"]
    assert not [d for d in at.dataframe if "变化的字段" in d.value.columns]   # folded: sent when opened
    at.session_state["diff_信息有变化的联盟_box"] = True
    changed = next(d.value for d in at.run().dataframe if "变化的字段" in d.value.columns)
    assert changed.values.tolist() == [["TJ-1", "天津市机器人联盟", "所属区域"]]
    assert "将不在登记库中" in at.warning[0].value
    assert len(read_journal(registry)) == 1  # still nothing written

    at.button(key="import_confirm").click().run()
    assert not at.exception
    assert at.success[0].value == "导入完成：批次 2。新增联盟 1 个，变更 1 个，移除 1 个；各表行数不变。"
    record = read_journal(registry)[-1]
    assert (record["import_id"], record["action"], record["outcome"], record["user"]) == (2, "import", "ok", "张三")
    assert [f["name"] for f in record["files"]] == ["联盟名录2021.csv"]
    assert record["files"][0]["sha256"] == hashlib.sha256(GOOD).hexdigest()
    assert sorted(existing_state(registry).alliances["alliance_id"].to_pylist()) == ["TJ-1", "TJ-2", "TJ-4"]
    assert len(at.file_uploader[0].value) == 0  # the uploader is emptied for the next batch


def test_first_import_into_a_new_installation(tmp_path: Path, monkeypatch):
    db = tmp_path / "新建" / "registry.duckdb"    # neither the file nor its folder exists yet
    monkeypatch.setenv("REGISTRY_DB", str(db))
    monkeypatch.delenv(auth.ENV_EDITORS, raising=False)
    at = upload(import_page(EDITORS, "张三"), ("联盟名录2021.csv", GOOD))
    assert not at.exception and metrics(at)["新增联盟"] == "3 个"
    assert at.dataframe[1].value.set_index("表").loc["联盟名录"].tolist() == [0, 3, 3, "是"]
    at.button(key="import_confirm").click().run()
    assert at.success[0].value.startswith("导入完成：批次 1。")
    assert sorted(existing_state(db).alliances["alliance_id"].to_pylist()) == ["TJ-1", "TJ-2", "TJ-4"]


def test_uploads_are_saved_outside_the_repository_under_their_own_names(registry: Path):
    abandoned = Path(tempfile.gettempdir()) / "lianmeng-import" / "closed-session"
    abandoned.mkdir(parents=True, exist_ok=True)
    os.utime(abandoned, (time.time() - 2 * 86400,) * 2)
    at = upload(import_page(EDITORS, "张三"), ("../../联盟名录2021.csv", GOOD))
    assert not abandoned.exists()  # a session closed a day ago without importing leaves nothing behind
    check = at.session_state["import_check"]
    assert not check.folder.resolve().is_relative_to(ROOT)
    assert [p.name for p in check.paths] == ["联盟名录2021.csv"] and check.paths[0].parent == check.folder
    at.button(key="import_confirm").click().run()
    assert not check.folder.exists()  # removed once imported


def test_uploads_are_removed_when_the_session_ends(registry: Path):
    """A tab closed after the dry run: when Streamlit drops the session's state, the saved uploads go too."""
    import gc

    at = upload(import_page(EDITORS, "张三"), ("联盟名录2021.csv", GOOD))
    folder = at.session_state["import_check"].folder
    assert [p.name for p in folder.iterdir()] == ["联盟名录2021.csv"]
    del at
    gc.collect()
    assert not folder.exists()


def test_oversized_and_same_named_files_are_errors(registry: Path, monkeypatch):
    monkeypatch.setenv("LIANMENG_MAX_UPLOAD_MB", "1")
    big = GOOD + b"\r\n" * (1024 * 1024)
    at = upload(import_page(EDITORS, "张三"), ("大文件.csv", big), ("a/名录.csv", GOOD), ("b/名录.csv", GOOD))
    messages = at.dataframe[1].value["问题"].tolist()
    assert any(m.startswith("文件大小 2.0 MB，超过上限 1 MB") for m in messages)
    assert "有两个同名文件：请改名后重新上传，以免混淆" in messages
    assert at.button(key="import_confirm").disabled


def test_a_registry_changed_after_the_dry_run_is_checked_again(registry: Path, tmp_path: Path):
    at = upload(import_page(EDITORS, "张三"), ("联盟名录2021.csv", GOOD))
    other = tmp_path / "资金补贴.csv"   # meanwhile someone else imports a subsidy file
    other.write_bytes(csv_bytes([SUBSIDY_HEADER, [ROBOT[1], "2019", "备案补贴", "50", "2019-12-20"]]))
    import_batch(registry, prepare([other], existing=existing_state(registry)), user="李四")
    at.button(key="import_confirm").click().run()
    assert "已被他人更新" in at.warning[0].value
    assert len(read_journal(registry)) == 2  # nothing imported on the stale check
    assert at.dataframe[1].value.set_index("表").loc["资金补贴"].tolist()[:2] == [1, 1]
    at.button(key="import_confirm").click().run()
    assert read_journal(registry)[-1]["user"] == "张三"


# ---- in a real browser ----------------------------------------------------------------------------

SCRIPT_NAME = "<script>alert(1)</script>天津市测试联盟"
BOLD_NAME = "<b>粗体</b>联盟"
HTML_NAMES = csv_bytes([ALLIANCE_HEADER, ROBOT, MAGNET, PHARMA,
                        ["TJ-X1", SCRIPT_NAME, "<img src=x onerror=alert(2)>公司", "和平区", "人工智能", "市级", "2021-03-01"],
                        ["TJ-X2", BOLD_NAME, "戊公司", "河西区", "新材料", "市级", "2021-04-01"]])
browser_only = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                  reason="没有 Chromium：浏览器测试跳过（apt-get install chromium）")


@pytest.fixture
def server(registry: Path, tmp_path: Path):
    secrets = tmp_path / "secrets.toml"   # never the developer's own .streamlit/secrets.toml
    secrets.write_text(f'[editors]\n"张三" = "{HASH}"\n', encoding="utf-8")
    with serve(registry, editors=False, secrets=secrets) as url:
        yield url


def _settle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
    page.wait_for_timeout(300)


def _active_alliances(page, server: str) -> str:
    """The overview's 在册联盟 as this reader sees it now (a fresh page load)."""
    page.goto(server)
    page.wait_for_selector("text=在册联盟", timeout=30_000)
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="在册联盟")
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


@browser_only
def test_upload_flow_in_a_browser_while_others_read(server: str, tmp_path: Path, browser):
    broken, good = tmp_path / "坏的补贴.csv", tmp_path / "联盟名录（含特殊字符）.csv"
    broken.write_bytes(BROKEN)
    good.write_bytes(HTML_NAMES)
    SHOTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(3)]   # three sessions
    try:
        pages = [context.new_page() for context in contexts]
        editor, *viewers = pages
        for page in pages:
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for viewer in viewers:
            viewer.goto(server)
            assert _active_alliances(viewer, server) == "3 个"

        # A viewer opens the editor pages directly: locked, nothing to upload or roll back.
        viewers[0].goto(server + "/import")
        viewers[0].wait_for_selector("text=此页仅限编辑人员使用", timeout=30_000)
        assert viewers[0].locator('input[type="file"]').count() == 0
        viewers[0].goto(server + "/audit")
        viewers[0].wait_for_selector("text=回滚需要编辑权限", timeout=30_000)
        assert viewers[0].get_by_role("button", name="回滚", exact=True).count() == 0

        editor.goto(server)
        editor.wait_for_selector("text=在册联盟", timeout=30_000)
        _settle(editor)
        editor.get_by_text("编辑人员登录").click()
        editor.get_by_label("用户名").fill("张三")
        editor.get_by_label("口令").fill(PASSWORD)
        editor.get_by_role("button", name="登录").click()
        editor.wait_for_selector("text=已登录：张三（编辑）", timeout=30_000)
        editor.get_by_role("link", name="数据导入").click()
        editor.wait_for_selector("text=选择文件", timeout=30_000)

        editor.locator('input[type="file"]').set_input_files([str(broken)])
        editor.wait_for_selector("text=发现 3 个错误", timeout=30_000)
        _settle(editor)
        editor.screenshot(path=SHOTS / "import_errors.png", full_page=True)
        assert editor.get_by_role("button", name="确认导入").is_disabled()

        editor.get_by_role("button", name=f"Remove {broken.name}").click()
        _settle(editor)
        editor.locator('input[type="file"]').set_input_files([str(good)])
        editor.wait_for_selector("text=导入后的变化", timeout=30_000)
        _settle(editor)
        editor.get_by_text("新增的联盟（2）").click()
        _settle(editor)
        editor.screenshot(path=SHOTS / "import_preview.png", full_page=True)
        editor.get_by_role("button", name="确认导入").click()
        seen = [_active_alliances(v, server) for v in viewers]    # reading while the import runs
        editor.wait_for_selector("text=导入完成", timeout=30_000)
        _settle(editor)
        editor.screenshot(path=SHOTS / "import_done.png", full_page=True)
        seen += [_active_alliances(v, server) for v in viewers]
        assert set(seen) <= {"3 个", "5 个"} and seen[-1] == "5 个"

        # Every page, with the HTML-named alliances in the registry: text, never markup; no script runs.
        for path in ("overview", "targets", "coverage", "subsidies", "reviews", "compliance", "priorities", "briefing",
                     "data", "audit", "alliance?alliance=TJ-X1"):
            viewers[1].goto(f"{server}/{path}")
            viewers[1].wait_for_selector("h1", timeout=30_000)   # the page's script is running
            _settle(viewers[1])
            assert viewers[1].locator('[data-testid="stException"]').count() == 0, f"{path}：页面报错"
        viewers[1].screenshot(path=SHOTS / "alliance_html_name.png", full_page=True)
        assert SCRIPT_NAME in viewers[1].inner_text("body")   # the alliance's own page shows its name as written
    finally:
        for context in contexts:
            context.close()
    assert dialogs == []
