"""设置 (pages/settings.py): viewers read the bureau's settings, editors change them; every change is on 操作记录,
can be undone, and shows on the other pages at once (AppTest here; a real browser at the end)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import auth
import app_pages
import test_e2e as e2e
from app_pages import metrics
from loaders.store import history_dir, journal_path, read_journal
from queries import bureau

ROOT = Path(__file__).resolve().parent.parent
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("设置测试 password")
EDITORS = {"editors": {"张三": HASH}}
TIANJIN = "tianjin-2018"
SEED = "天津市种业产业技术创新战略联盟"     # 产业领域 种业: no Tianjin cluster keyword, so 未归类 in the sample


def copy_registry(source: Path, folder: Path, monkeypatch) -> Path:
    db = folder / "registry.duckdb"
    shutil.copy(source, db)
    shutil.copytree(history_dir(source), history_dir(db))
    monkeypatch.setenv("REGISTRY_DB", str(db))
    monkeypatch.delenv(auth.ENV_EDITORS, raising=False)
    return db


@pytest.fixture
def single(single_db: Path, tmp_path: Path, monkeypatch) -> Path:
    return copy_registry(single_db, tmp_path, monkeypatch)


def app(secrets: dict, editor: str | None = None) -> AppTest:
    return app_pages.app(secrets, editor, timeout=90, as_of="2026-11-21")


def go_to(at: AppTest, page: str) -> AppTest:
    """The same session moves on to pages/<page>.py."""
    return at.switch_page(f"pages/{page}.py").run()


def click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.main.button if b.label == label]
    return button.click().run()


def open_tab(at: AppTest, label: str) -> AppTest:
    """The 设置 page with tab ``label`` open: only the open tab runs."""
    at.session_state["settings_tab"] = label
    return at.run()


def settings_files(db: Path) -> dict[str, bytes]:
    base = bureau.folder(db)
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()}


# ---- viewers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("secrets, editor, says", [({"note": "no editors"}, None, "编辑功能未启用"),
                                                    (EDITORS, None, "请在左侧边栏登录"),
                                                    (EDITORS, "冒名者", "请在左侧边栏登录")],
                         ids=["no-credentials", "not-signed-in", "unknown-name"])
def test_viewers_read_the_settings_but_cannot_change_them(single, secrets, editor, says):
    bureau.change_values(TIANJIN, {"member_minimum": 3}, "李四", single)
    files, journal = settings_files(single), journal_path(single).read_bytes()
    at = go_to(app(secrets, editor), "settings")
    assert not at.exception
    assert says in at.info[0].value
    assert metrics(at)["成员单位最低数量"] == "3 家"
    assert "与发布版不同：成员单位最低数量（发布版 10 家）" in [c.value for c in at.caption]
    for tab in ("政策参数", "目标", "补贴上限", "联盟归类", "修改记录"):
        open_tab(at, tab)
        assert [b.label for b in at.main.button] == [], tab        # no form, no undo
        main = at.main
        assert len(main.text_input) == 0 and len(main.number_input) == 0 and len(main.multiselect) == 0, tab
    history = at.dataframe[-1].value
    assert history.loc[0, ["编号", "操作人", "内容"]].tolist() == [2, "李四", "天津市（2018）：成员单位最低数量 10 家 → 3 家"]
    assert "+minimum = 3" in at.code[0].value
    assert settings_files(single) == files and journal_path(single).read_bytes() == journal


# ---- editors -------------------------------------------------------------------------------------

def test_editor_changes_values_and_every_page_follows_at_once(single):
    at = app(EDITORS, "张三")
    go_to(at, "compliance")
    assert metrics(at)["不符合至少一项"] == "1 个"               # 3 members < 10
    go_to(at, "settings")
    at.number_input(key="sv_minimum").set_value(3)
    click(at, "保存政策参数")
    assert not at.exception
    assert at.success[0].value == "已保存（第 2 号修改）：天津市（2018）：成员单位最低数量 10 家 → 3 家"
    assert metrics(at)["成员单位最低数量"] == "3 家"
    record = read_journal(single)[-1]
    assert (record["action"], record["user"], record["file"]) == ("settings", "张三", f"profiles/{TIANJIN}.toml")
    go_to(at, "compliance")                                 # same session, caches warm
    assert metrics(at)["不符合至少一项"] == "0 个"
    go_to(at, "audit")
    row = at.dataframe[0].value.iloc[0]
    assert (row["批次"], row["操作"], row["操作人"], row["说明"]) == (
        2, "修改设置", "张三", "天津市（2018）：成员单位最低数量 10 家 → 3 家")
    assert "+minimum = 3" in at.code[0].value                  # the details show the file's diff


def test_a_bad_value_is_explained_and_nothing_is_saved(single):
    journal = journal_path(single).read_bytes()
    at = go_to(app(EDITORS, "张三"), "settings")
    at.text_input(key="sv_due").set_value("13-01")
    click(at, "保存政策参数")
    assert at.error[0].value == "未保存：年度报告截止日应为“月-日”，如 11-30（留空表示不要求年度报告），现为「13-01」"
    assert journal_path(single).read_bytes() == journal and settings_files(single) == {}
    open_tab(at, "补贴上限")
    at.text_input(key="sc_评估补贴").set_value("-30")
    click(at, "保存补贴上限")
    assert "评估补贴的上限应为大于 0" in at.error[0].value
    assert settings_files(single) == {}


def test_editor_adds_a_target_and_sets_caps(single):
    at = open_tab(go_to(app(EDITORS, "张三"), "settings"), "目标")
    new = "（新增目标）"
    at.text_input(key=f"st_label_{new}").set_value("十四五")
    at.number_input(key=f"st_year_{new}").set_value(2025)
    at.number_input(key=f"st_low_{new}").set_value(100)
    at.number_input(key=f"st_high_{new}").set_value(120)
    at.number_input(key=f"st_from_{new}").set_value(2021)
    click(at, "保存目标")
    assert at.success[0].value.endswith("目标「十四五」新增 2025 年 100–120 个，自 2021 年起算")
    targets = at.dataframe[0].value
    assert targets["目标"].tolist() == ["十三五", "十四五"]
    open_tab(at, "补贴上限")
    at.text_input(key="sc_备案补贴").set_value("40")
    click(at, "保存补贴上限")
    assert at.success[0].value.endswith("备案补贴上限 50 万元 → 40 万元")
    profile = bureau.profile(TIANJIN, single)
    assert profile.subsidy_caps["备案补贴"] == 40 and [t.label for t in profile.targets] == ["十三五", "十四五"]


def test_editor_classifies_an_alliance_then_undoes_it(sample_db: Path, tmp_path: Path, monkeypatch):
    db = copy_registry(sample_db, tmp_path, monkeypatch)
    at = open_tab(go_to(app(EDITORS, "张三"), "settings"), "联盟归类")
    assert "6 个联盟未归类，0 个已人工归类" in " ".join(c.value for c in at.caption)
    at.multiselect(key="sk_names_tianjin-clusters").select(SEED)
    at.selectbox(key="sk_entry_tianjin-clusters").select("生物医药与健康")
    click(at, "保存归类")
    assert not at.exception
    assert at.success[0].value.endswith(f"「{SEED}」归入「生物医药与健康」（天津市十大高端产业集群）")
    assert "5 个联盟未归类，1 个已人工归类" in " ".join(c.value for c in at.caption)
    change_id = read_journal(db)[-1]["import_id"]
    open_tab(at, "修改记录")
    at.selectbox(key="sh_chosen").select(change_id)
    at.button(key="sh_undo").click().run()
    assert at.success[0].value.startswith(f"已保存（第 {change_id + 1} 号修改）：撤销第 {change_id} 号修改：")
    open_tab(at, "联盟归类")
    assert "6 个联盟未归类，0 个已人工归类" in " ".join(c.value for c in at.caption)
    assert settings_files(db) == {}


# ---- a real browser ------------------------------------------------------------------------------

@pytest.mark.skipif(not Path(e2e.CHROMIUM).exists(), reason=f"没有 Chromium（{e2e.CHROMIUM}）：浏览器测试跳过")
def test_an_edit_in_the_browser_shows_on_another_page(sample_db: Path, tmp_path: Path, monkeypatch, browser):
    """An editor lowers 十三五's lower bound from 80 to 50 on 设置; 目标进度, opened afresh, then reads
    已完成 with 58 − 50 = 8 to spare (58 = the sample's filings 2016–2020, as in test_e2e)."""
    from playwright.sync_api import expect

    db = copy_registry(sample_db, tmp_path, monkeypatch)
    with e2e.serve(db) as url:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            e2e.open_page(tab, url)
            e2e.open_page(tab, f"{url}/targets?{e2e.FILTERS}", "目标进度")
            assert e2e.metric_value(tab, "结果") == "未完成"
            assert e2e.metric_value(tab, "与下限相比") == "少 22 个"          # 58 − 80

            e2e.open_page(tab, f"{url}/settings?{e2e.FILTERS}", "设置")
            e2e.sign_in(tab)
            e2e.wait_rendered(tab, "设置")
            tab.get_by_role("tab", name="目标").click()
            tab.get_by_label("新增或修改哪个目标").click()
            tab.get_by_role("option", name="十三五").click()
            e2e.wait_rendered(tab)
            # the chosen target's form is drawn by the rerun the choice starts (the new-target form may linger a
            # moment beside it): type into the form that holds 十三五
            form = tab.get_by_test_id("stForm").filter(has=tab.locator('input[value="十三五"]'))
            form.wait_for(timeout=e2e.TIMEOUT_MS)
            # …and only that form: on a loaded machine the lingering one was still matched when typing began
            expect(form).to_have_count(1, timeout=e2e.TIMEOUT_MS)
            low = form.get_by_label("下限（个）")
            low.fill("50")
            low.press("Tab")
            expect(low).to_have_value("50")
            form.get_by_role("button", name="保存目标").click()
            tab.get_by_text("目标「十三五」2020 年 80–100 个，自 2016 年起算 → 2020 年 50–100 个，自 2016 年起算").wait_for(
                timeout=e2e.TIMEOUT_MS)
            e2e.wait_rendered(tab)
            e2e.SHOTS.mkdir(exist_ok=True)
            e2e.screenshot(tab, e2e.SHOTS / "settings_saved.png")
            e2e.assert_no_traceback(tab, "设置")

            e2e.open_page(tab, f"{url}/targets?{e2e.FILTERS}", "目标进度")       # a new session, as a link opens
            assert e2e.metric_value(tab, "“十三五”目标") == "50–100 个"
            assert e2e.metric_value(tab, "已完成") == "58 个"
            assert e2e.metric_value(tab, "结果") == "已完成"
            assert e2e.metric_value(tab, "与下限相比") == "超出 8 个"
            e2e.screenshot(tab, e2e.SHOTS / "settings_targets_after.png")
        finally:
            tab.close()
    assert read_journal(db)[-1]["user"] == e2e.EDITOR


def test_data_page_keeps_listing_imports_only(single):
    """数据 is about where the figures come from: settings changes are on 操作记录, and never 'current data'."""
    bureau.change_values(TIANJIN, {"member_minimum": 3}, "李四", single)
    at = go_to(app({"note": "no editors"}), "data")
    assert not at.exception
    history = at.dataframe[1].value
    assert history[["批次", "操作", "当前"]].values.tolist() == [[1, "导入", "✓"]]


def test_a_broken_hand_edited_layer_is_reported_and_the_shipped_profile_used(single):
    layer = bureau.folder(single) / f"profiles/{TIANJIN}.toml"
    layer.parent.mkdir(parents=True)
    layer.write_text("[members]\nminimum = 三\n", encoding="utf-8")
    at = go_to(app({"note": "no editors"}), "compliance")
    assert not at.exception
    assert at.error[0].value.startswith("本局设置有误，暂按发布版计算：")
    assert "registry.duckdb.settings/profiles/tianjin-2018.toml" in at.error[0].value
    assert metrics(at)["不符合至少一项"] == "1 个"                   # 3 members < the shipped 10
