"""Bureau settings (queries/bureau.py): validated, written beside the registry as TOML/CSV layered over the
shipped files, journaled with who and when, undone byte for byte, and read by the queries at once."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tomllib
from pathlib import Path

import pytest

from loaders.registry import connect_read_only
from loaders.store import HistoryError, history_dir, read_journal, rollback
from queries import bureau, policy, runner
from queries.bureau import SettingsError
from queries.scope import Scope

AS_OF = dt.date(2026, 11, 21)
TIANJIN = "tianjin-2018"
ALLIANCE = "天津市单一测试产业技术创新战略联盟"   # the one alliance of conftest.single_db
LAYER = f"profiles/{TIANJIN}.toml"


@pytest.fixture
def registry(single_db: Path, tmp_path: Path) -> Path:
    """A private copy of the one-alliance registry (import 1), so settings land in this test's folder."""
    db = tmp_path / "registry.duckdb"
    shutil.copy(single_db, db)
    shutil.copytree(history_dir(single_db), history_dir(db))
    return db


def shipped_digest() -> str:
    files = sorted(policy.PROFILES_DIR.glob("*.toml")) + [policy.OVERRIDES_PATH]
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def settings_files(db: Path) -> dict[str, bytes]:
    base = bureau.folder(db)
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()}


def run(db: Path, name: str, **params) -> list[dict]:
    con = connect_read_only(db)
    try:
        return runner.run(con, name, Scope(bureau.profile(TIANJIN, db), AS_OF), **params).to_dict("records")
    finally:
        con.close()


# ---- files on disk -------------------------------------------------------------------------------

def test_settings_live_beside_the_registry_as_reviewable_text(registry):
    before = shipped_digest()
    bureau.change_values(TIANJIN, {"member_minimum": 3, "report_due": "11月30日"}, "张三", registry)
    bureau.change_caps(TIANJIN, {"备案补贴": 40, "国家试点补贴": 50, "评估补贴": 30}, "张三", registry)
    bureau.classify("tianjin-clusters", {ALLIANCE: "新材料"}, "张三", registry)
    assert bureau.folder(registry) == registry.parent / "registry.duckdb.settings"
    files = settings_files(registry)
    assert sorted(files) == [LAYER, "taxonomy_overrides.csv"]
    layer = tomllib.loads(files[LAYER].decode("utf-8"))
    # only what differs from the shipped profile; caps, once changed, whole
    assert layer == {"members": {"minimum": 3}, "review": {"report_due": "11-30"},
                     "subsidy_caps": {"备案补贴": 40, "国家试点补贴": 50, "评估补贴": 30}}
    assert files["taxonomy_overrides.csv"].decode("utf-8-sig") == f"联盟名称,分类体系,归入\n{ALLIANCE},tianjin-clusters,新材料\n"
    assert shipped_digest() == before                      # data/profiles and the shipped overrides untouched
    assert policy.load_profile(TIANJIN).members.minimum == 10
    assert bureau.profile(TIANJIN, registry).members.minimum == 3


def test_setting_a_value_back_to_the_shipped_one_removes_the_layer(registry):
    bureau.change_values(TIANJIN, {"cycle_years": 5}, "张三", registry)
    bureau.change_values(TIANJIN, {"cycle_years": 3}, "张三", registry)
    assert settings_files(registry) == {}
    assert bureau.profile(TIANJIN, registry) == policy.load_profile(TIANJIN, settings=bureau.folder(registry))


def test_a_hand_edited_layer_is_checked_and_named(registry):
    layer = bureau.folder(registry) / LAYER
    layer.parent.mkdir(parents=True)
    layer.write_text('[members]\nminimum = -2\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"registry\.duckdb\.settings/profiles/tianjin-2018\.toml.*members\.minimum"):
        bureau.profile(TIANJIN, registry)
    layer.write_text('regions = { list = ["甲区"] }\n', encoding="utf-8")
    with pytest.raises(ValueError, match="「regions」不能在本局设置中修改"):
        bureau.profile(TIANJIN, registry)


# ---- validation --------------------------------------------------------------------------------

BAD = [
    ("values", {"member_minimum": -1}, "成员单位最低数量应为 0 到 1000 之间的整数（0 表示不设下限），现为「-1」"),
    ("values", {"member_minimum": 1001}, "现为「1001」"),
    ("values", {"member_minimum": "十"}, "成员单位最低数量应为 0 到 1000 之间的整数"),
    ("values", {"member_minimum": 2.5}, "现为「2.5」"),
    ("values", {"member_minimum": True}, "现为「True」"),
    ("values", {"member_minimum": None}, "现为「（空）」"),
    ("values", {"cycle_years": 21}, "评估（复审）周期（年）应为 0 到 20 之间的整数"),
    ("values", {"agreement_term_years": -3}, "联盟协议期限（年）应为 0 到 50 之间的整数"),
    ("values", {"report_due": "13-01"}, "年度报告截止日应为“月-日”，如 11-30（留空表示不要求年度报告），现为「13-01」"),
    ("values", {"report_due": "02-30"}, "现为「02-30」"),
    ("values", {"report_due": "年底"}, "现为「年底」"),
    ("values", {"quota": 2}, "不是可修改的设置项：quota"),
    ("caps", {"备案补贴": 0}, "备案补贴的上限应为大于 0、不超过 100,000 的数（万元；留空表示不设上限），现为「0」"),
    ("caps", {"评估补贴": -30}, "评估补贴的上限应为大于 0"),
    ("caps", {"评估补贴": "三十"}, "现为「三十」"),
    ("caps", {"评估补贴": float("inf")}, "现为「inf」"),
    ("caps", {"评估补贴": 100_001}, "不超过 100,000"),
    ("caps", {"奖励": 5}, "「奖励」不是补贴类型"),
    ("targets", [{"label": "", "year": 2025, "low": 1, "high": 2}], "第 1 个目标：目标名称应为 1 到 20 个字"),
    ("targets", [{"label": "十四五", "year": 1999, "low": 1, "high": 2}], "第 1 个目标（十四五）：目标年份应为 2000 到 2100"),
    ("targets", [{"label": "十四五", "year": 2025, "low": 90, "high": 80}], "目标上限 80 小于下限 90"),
    ("targets", [{"label": "十四五", "year": 2025, "low": -1, "high": 80}], "目标下限（个）应为 0 到 100000"),
    ("targets", [{"label": "十四五", "year": 2025, "low": 1, "high": 2, "count_from": 2026}], "起算年份应为 0 到 2025"),
    ("targets", [{"label": "十四五", "year": 2025, "low": 1, "high": 2, "count_from": 1990}], "起算年份应为 2000 到 2025"),
    ("targets", [{"label": "十四五", "year": 2025, "low": 1, "high": 2},
                 {"label": "十四五", "year": 2030, "low": 1, "high": 2}], "第 2 个目标（十四五）：目标名称「十四五」与前面的目标重复"),
    ("classify", {ALLIANCE: "大豆"}, "「大豆」不是分类体系「天津市十大高端产业集群」中的条目"),
    ("classify", {"不存在的联盟": "新材料"}, "登记库中没有名为「不存在的联盟」的联盟"),
    ("classify", {" ": "新材料"}, "联盟名称不能为空"),
    ("classify", {}, "没有选择任何联盟"),
    ("same", {"member_minimum": 10}, "没有改动"),
]


def change(kind: str, value, db: Path) -> dict:
    if kind == "caps":
        return bureau.change_caps(TIANJIN, value, "张三", db)
    if kind == "targets":
        return bureau.change_targets(TIANJIN, value, "张三", db)
    if kind == "classify":
        return bureau.classify("tianjin-clusters", value, "张三", db)
    return bureau.change_values(TIANJIN, value, "张三", db)


@pytest.mark.parametrize("kind, value, message", BAD, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BAD)])
def test_bad_values_are_refused_in_chinese_and_change_nothing(registry, kind, value, message):
    journal = read_journal(registry)
    with pytest.raises(SettingsError) as refused:
        change(kind, value, registry)
    assert message in str(refused.value)
    assert settings_files(registry) == {}
    assert read_journal(registry) == journal


def test_typed_text_is_accepted_as_people_type_it(registry):
    bureau.change_values(TIANJIN, {"member_minimum": "１２", "report_due": "6/30"}, "张三", registry)
    bureau.change_caps(TIANJIN, {"备案补贴": "60", "评估补贴": " 25.5 ", "国家试点补贴": ""}, "张三", registry)
    p = bureau.profile(TIANJIN, registry)
    assert (p.members.minimum, p.review.report_due, p.subsidy_caps) == (12, "06-30", {"备案补贴": 60.0, "评估补贴": 25.5})


# ---- audit ---------------------------------------------------------------------------------------

def test_every_change_is_journaled_with_who_when_and_what(registry):
    start = dt.datetime.now().replace(microsecond=0)
    bureau.change_values(TIANJIN, {"member_minimum": 3}, "张三", registry)
    bureau.change_targets(TIANJIN, [{"label": "十三五", "year": 2020, "low": 80, "high": 100, "count_from": 2016},
                                    {"label": "十四五", "year": 2025, "low": 100, "high": 120, "count_from": 2021}],
                          "李四", registry)
    bureau.classify("tianjin-clusters", {ALLIANCE: "新材料"}, "王五", registry)
    end = dt.datetime.now()
    records = read_journal(registry)
    assert [r["action"] for r in records] == ["import", "settings", "settings", "settings"]
    changes = records[1:]
    assert [r["import_id"] for r in changes] == [2, 3, 4]          # one numbering with the imports
    assert [r["user"] for r in changes] == ["张三", "李四", "王五"]
    assert all(start <= dt.datetime.fromisoformat(r["at"]) <= end for r in changes)
    assert [r["file"] for r in changes] == [LAYER, LAYER, "taxonomy_overrides.csv"]
    assert [r["summary"] for r in changes] == [
        "天津市（2018）：成员单位最低数量 10 家 → 3 家",
        "天津市（2018）：目标「十四五」新增 2025 年 100–120 个，自 2021 年起算",
        f"「{ALLIANCE}」归入「新材料」（天津市十大高端产业集群）",
    ]
    assert changes[0]["before_sha256"] is None
    assert changes[0]["after_sha256"] == changes[1]["before_sha256"]
    assert bureau.changes(registry) == changes
    assert "+minimum = 3" in bureau.file_diff(changes[0], registry)


def test_registry_rollback_skips_settings_changes(registry):
    bureau.change_values(TIANJIN, {"member_minimum": 3}, "张三", registry)
    with pytest.raises(HistoryError, match="批次 2 不是一次成功的导入"):
        rollback(registry, 2)


# ---- undo and restore ----------------------------------------------------------------------------

def test_undo_and_restore_give_back_the_files_byte_for_byte(registry):
    first = bureau.change_values(TIANJIN, {"member_minimum": 3}, "张三", registry)
    after_first = settings_files(registry)
    second = bureau.change_caps(TIANJIN, {"备案补贴": 40}, "李四", registry)
    after_second = settings_files(registry)

    with pytest.raises(SettingsError, match="第 2 号修改之后，同一设置又有修改（第 3 号）"):
        bureau.undo(first["import_id"], "王五", registry)
    undone = bureau.undo(second["import_id"], "王五", registry)
    assert settings_files(registry) == after_first
    assert undone["restored_from"] == second["import_id"] and undone["user"] == "王五"
    assert undone["summary"] == ("撤销第 3 号修改：天津市（2018）：备案补贴上限 40 万元 → 50 万元；"
                                 "国家试点补贴上限 不设 → 50 万元；评估补贴上限 不设 → 30 万元")

    bureau.restore(second["import_id"], "王五", registry)                 # the version change 3 made
    assert settings_files(registry) == after_second
    bureau.restore(first["import_id"], "王五", registry, before=True)    # as shipped: no layer at all
    assert settings_files(registry) == {}
    with pytest.raises(SettingsError, match="无需恢复为第 2 号修改之前的版本"):
        bureau.restore(first["import_id"], "王五", registry, before=True)

    classified = bureau.classify("tianjin-clusters", {ALLIANCE: "新材料"}, "张三", registry)
    bureau.undo(classified["import_id"], "张三", registry)
    assert settings_files(registry) == {}


def test_a_tampered_copy_is_not_restored(registry):
    first = bureau.change_values(TIANJIN, {"member_minimum": 3}, "张三", registry)
    bureau.change_values(TIANJIN, {"member_minimum": 4}, "张三", registry)
    (history_dir(registry) / "settings" / f"{first['import_id']}.after.toml").write_text("[members]\nminimum = 1\n")
    with pytest.raises(SettingsError, match="存档文件缺失或已被改动"):
        bureau.restore(first["import_id"], "张三", registry)
    assert bureau.profile(TIANJIN, registry).members.minimum == 4


# ---- the figures follow --------------------------------------------------------------------------
# The one alliance: 3 members (企业 and 高校 in 天津, a 北京 院所; the first two core), filed 2019-06-28,
# last evaluated 2022-06-30, 备案补贴 50 万元 in 2019, 产业领域 “工业机器人”.

def test_a_change_alters_the_query_results_at_once(registry):
    con = connect_read_only(registry)   # one connection throughout: its cached context must notice each change

    def rows(name: str, **params) -> list[dict]:
        return runner.run(con, name, Scope(bureau.profile(TIANJIN, registry), AS_OF), **params).to_dict("records")

    try:
        [check] = rows("eligibility_check")
        assert (check["member_count"], check["ok"]) == (3, False)             # 3 < 10
        bureau.change_values(TIANJIN, {"member_minimum": 3, "cycle_years": 5}, "张三", registry)
        [check] = rows("eligibility_check")
        assert (check["ok"], check["problems"]) == (True, "")                 # 3 ≥ 3; types, lead, core share fine
        [schedule] = rows("review_schedule")
        assert schedule["next_evaluation_due"].date() == dt.date(2027, 6, 30)  # 2022-06-30 + 5 years

        [cap] = rows("subsidy_cap_check")
        assert (cap["cap_wan"], cap["over_cap"]) == (50, False)
        bureau.change_caps(TIANJIN, {"备案补贴": 40}, "张三", registry)
        [cap] = rows("subsidy_cap_check")
        assert (cap["cap_wan"], cap["over_cap"], cap["excess_wan"]) == (40, True, 10)   # 50 − 40

        bureau.change_targets(TIANJIN, [{"label": "测试", "year": 2020, "low": 2, "high": 3, "count_from": 2019}],
                              "张三", registry)
        [row] = [r for r in rows("target_progress") if isinstance(r["target_label"], str)]
        assert (row["year"], row["target_label"], row["achieved"], row["gap"]) == (2020, "测试", 1, 1)  # 2 − 1

        before = {r["cluster"]: r["alliances_active"] for r in rows("coverage_by_cluster")}
        assert before["高端装备"] == 1 and before["新材料"] == 0                # 机器人 is a 高端装备 keyword
        bureau.classify("tianjin-clusters", {ALLIANCE: "新材料"}, "张三", registry)
        after = {r["cluster"]: r["alliances_active"] for r in rows("coverage_by_cluster")}
        assert (after["高端装备"], after["新材料"]) == (0, 1)
        [assigned] = rows("cluster_assignments")
        assert (assigned["cluster"], assigned["reason"]) == ("新材料", policy.MANUAL_REASON)
    finally:
        con.close()
    assert run(registry, "coverage_by_cluster")[6]["cluster"] == "新材料"   # and a fresh reader sees the same


def test_the_command_line_lists_undoes_and_reads_the_settings(registry, capsys):
    from queries.__main__ import main

    bureau.change_caps(TIANJIN, {"备案补贴": 40}, "张三", registry)
    assert main(["settings", "--db", str(registry)]) == 0
    listed = capsys.readouterr().out
    assert f"本局设置：{bureau.folder(registry)}" in listed
    assert "张三  天津市（2018）政策参数：天津市（2018）：备案补贴上限 50 万元 → 40 万元；" in listed
    assert main(["run", "subsidy_cap_check", "--db", str(registry), "--as-of", "2026-11-21", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split(",")[4] == "40"      # cap_wan, from the layer
    assert main(["settings", "--db", str(registry), "--undo", "2", "--user", "李四"]) == 0
    assert capsys.readouterr().out.startswith("已保存（第 3 号修改）：撤销第 2 号修改：")
    assert settings_files(registry) == {} and read_journal(registry)[-1]["user"] == "李四"
    assert main(["settings", "--db", str(registry), "--undo", "2"]) == 1
    assert "错误：第 2 号修改之后，同一设置又有修改（第 3 号）" in capsys.readouterr().err   # undone already


def test_undo_refuses_when_the_file_changed_since(registry):
    """Someone edited the layer by hand after the change: undoing it would lose that edit silently."""
    first = bureau.change_values(TIANJIN, {"member_minimum": 3}, "张三", registry)
    layer = bureau.folder(registry) / LAYER
    layer.write_bytes(layer.read_bytes() + b"\n[review]\ncycle_years = 4\n")
    edited = layer.read_bytes()
    with pytest.raises(SettingsError, match="第 2 号修改之后又被改过"):
        bureau.undo(first["import_id"], "李四", registry)
    assert layer.read_bytes() == edited


def test_a_change_over_an_unreadable_layer_is_refused_in_chinese(registry):
    layer = bureau.folder(registry) / LAYER
    layer.parent.mkdir(parents=True)
    layer.write_text("[members\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="现有的本局设置文件有误，未保存：.*不是有效的 TOML 文件"):
        bureau.change_values(TIANJIN, {"cycle_years": 4}, "张三", registry)
    assert layer.read_text(encoding="utf-8") == "[members\n"
