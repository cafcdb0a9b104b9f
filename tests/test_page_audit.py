"""操作记录 (pages/audit.py): everyone reads the record; only editors roll back, after confirming; a rollback
restores exactly the earlier query results."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import auth
from loaders.pipeline import prepare
from loaders.registry import connect_read_only, existing_state
from loaders.store import ImportRefused, history_dir, import_batch, journal_path, read_journal
from queries import catalogue, runner
from queries.policy import DEFAULT_PROFILE, load_profile
from queries.scope import Scope
from app_pages import app, metrics
from registries import ALLIANCE_HEADER, MAGNET, PHARMA, ROBOT, SUBSIDY_HEADER, csv_bytes

ROOT = Path(__file__).resolve().parent.parent
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("审计测试 password")
EDITORS = {"editors": {"张三": HASH}}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_bytes(csv_bytes(rows))
    return path


def land(db: Path, user: str, *paths: Path) -> None:
    batch = prepare(list(paths), existing=existing_state(db))
    assert batch.ok, [str(p) for p in batch.errors]
    import_batch(db, batch, user=user)


@pytest.fixture
def two_imports(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """Import 1 by 张三: ROBOT and MAGNET. Import 2 by 李四: PHARMA added and one subsidy. Returns (db, file of 2)."""
    db = tmp_path / "registry.duckdb"
    land(db, "张三", write_csv(tmp_path / "名录1.csv", [ALLIANCE_HEADER, ROBOT, MAGNET]))
    second = write_csv(tmp_path / "名录2.csv", [ALLIANCE_HEADER, ROBOT, MAGNET, PHARMA])
    subsidy = write_csv(tmp_path / "补贴.csv", [SUBSIDY_HEADER, [PHARMA[1], "2020", "备案补贴", "50", "2020-12-20"]])
    land(db, "李四", second, subsidy)
    monkeypatch.setenv("REGISTRY_DB", str(db))
    monkeypatch.delenv(auth.ENV_EDITORS, raising=False)
    return db, second


def audit_page(secrets: dict, editor: str | None = None) -> AppTest:
    return app(secrets, editor).switch_page("pages/audit.py").run()


# ---- reading the record ---------------------------------------------------------------------------

def test_everyone_reads_who_did_what_and_when(two_imports):
    db, second = two_imports
    at = audit_page({"note": "no editors"})
    assert not at.exception
    record = at.dataframe[0].value
    assert record[["批次", "操作", "结果", "操作人", "当前数据"]].values.tolist() == [
        [2, "导入", "成功", "李四", "✔"], [1, "导入", "成功", "张三", ""]]
    assert record.loc[0, "文件"] == "名录2.csv、补贴.csv"
    assert record.loc[0, "时间"][:10] == dt.date.today().isoformat()
    files = at.dataframe[1].value                        # details of the newest batch
    assert files.loc[0, "SHA-256"] == hashlib.sha256(second.read_bytes()).hexdigest()
    # What import 2 changed, by hand: PHARMA added; 联盟名录 2 → 3, 资金补贴 0 → 1.
    assert (metrics(at)["新增联盟"], metrics(at)["信息有变化的联盟"], metrics(at)["移除的联盟"]) == ("1 个", "0 个", "0 个")
    counts = at.dataframe[2].value.set_index("表")
    assert counts.loc["联盟名录"].tolist() == [2, 3, 1] and counts.loc["资金补贴"].tolist() == [0, 1, 1]


def test_the_first_import_is_compared_with_an_empty_registry(two_imports):
    at = audit_page({"note": "no editors"})
    at.selectbox(key="audit_detail").select(1).run()
    assert "登记库原为空" in " ".join(c.value for c in at.caption)
    assert metrics(at)["新增联盟"] == "2 个"


def test_a_refused_import_is_listed_with_its_errors(two_imports, tmp_path: Path):
    db, _ = two_imports
    broken = write_csv(tmp_path / "坏的补贴.csv", [SUBSIDY_HEADER, [ROBOT[1], "2019", "备案补贴", "-5", "2019-12-20"]])
    with pytest.raises(ImportRefused):
        import_batch(db, prepare([broken], existing=existing_state(db)), user="王五")
    at = audit_page({"note": "no editors"})
    first = at.dataframe[0].value.iloc[0]
    assert (first["批次"], first["结果"], first["操作人"], first["说明"]) == (3, "被拒绝", "王五", "1 个错误，未写入")
    assert "金额不能为负数" in at.dataframe[2].value.loc[0, "错误"]


def test_no_record_yet(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("REGISTRY_DB", str(tmp_path / "registry.duckdb"))
    at = audit_page({"note": "no editors"})
    assert not at.exception
    assert at.info[0].value.startswith("还没有任何导入记录")


@pytest.mark.parametrize("registry", ["empty_db", "single_db"])
def test_empty_and_single_alliance_registries(registry: str, request: pytest.FixtureRequest, monkeypatch):
    monkeypatch.setenv("REGISTRY_DB", str(request.getfixturevalue(registry)))
    at = audit_page(EDITORS, "张三")
    assert not at.exception
    assert at.dataframe[0].value["批次"].tolist() == [1]
    assert "还没有可以回滚到的更早状态。" in [c.value for c in at.caption]


# ---- who may roll back ----------------------------------------------------------------------------

@pytest.mark.parametrize("secrets, editor, says", [({"note": "no editors"}, None, "编辑功能未启用"),
                                                    (EDITORS, None, "请在左侧边栏登录"),
                                                    (EDITORS, "冒名者", "请在左侧边栏登录")],
                         ids=["no-credentials", "not-signed-in", "unknown-name"])
def test_viewers_cannot_roll_back(two_imports, secrets, editor, says):
    db, _ = two_imports
    journal = journal_path(db).read_bytes()
    at = audit_page(secrets, editor)
    assert says in at.caption[-1].value
    assert [b.label for b in at.button] == [] and len(at.checkbox) == 0
    assert journal_path(db).read_bytes() == journal


def test_editor_rolls_back_only_after_confirming(two_imports):
    db, _ = two_imports
    at = audit_page(EDITORS, "张三")
    [target] = at.selectbox(key="audit_target").options
    assert target.startswith("批次 1（") and "张三" in target
    # Rolling back to 1, by hand: PHARMA goes, 联盟名录 3 → 2, 资金补贴 1 → 0.
    rollback_counts = [d.value for d in at.dataframe if "表" in d.value.columns][-1].set_index("表")
    assert rollback_counts.loc["联盟名录"].tolist() == [3, 2, -1]
    assert rollback_counts.loc["资金补贴"].tolist() == [1, 0, -1]
    button = at.button(key="audit_rollback")
    assert button.disabled
    at.checkbox[0].check().run()
    at.button(key="audit_rollback").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("已回滚到批次 1 的数据（新批次 3）")
    record = read_journal(db)[-1]
    assert (record["action"], record["user"], record["restored_from"], record["row_counts"]["alliances"]) == \
           ("rollback", "张三", 1, 2)
    assert at.dataframe[0].value.loc[0, ["批次", "操作", "操作人", "当前数据"]].tolist() == [3, "回滚", "张三", "✔"]
    assert not at.checkbox[0].value  # the next rollback needs its own confirmation


# ---- a rollback restores exactly the earlier figures ----------------------------------------------

def every_query(db: Path, alliance_id: str) -> dict[str, pd.DataFrame]:
    """Every named query's rows, for ``alliance_id`` where the query is about one alliance."""
    profile = load_profile(DEFAULT_PROFILE)
    con = connect_read_only(db)
    try:
        out = {}
        for doc in catalogue.list_queries():
            params = {p.name: alliance_id for p in doc.user_params if p.default is None}
            out[doc.name] = runner.run(con, doc.name, Scope(profile, dt.date(2024, 12, 31)), **params)
        return out
    finally:
        con.close()


def test_rollback_from_the_page_restores_every_query_result(sample_db: Path, tmp_path: Path, monkeypatch):
    db = tmp_path / "registry.duckdb"
    shutil.copy(sample_db, db)
    shutil.copytree(history_dir(sample_db), history_dir(db))
    monkeypatch.setenv("REGISTRY_DB", str(db))
    monkeypatch.delenv(auth.ENV_EDITORS, raising=False)
    first = existing_state(db).alliances.to_pylist()[0]
    before = every_query(db, first["alliance_id"])
    land(db, "李四", write_csv(tmp_path / "资金补贴.csv",
                              [SUBSIDY_HEADER, [first["name"], "2024", "备案补贴", "50", "2024-06-30"]]))
    assert not every_query(db, first["alliance_id"])["subsidy_totals"].equals(before["subsidy_totals"])

    at = audit_page(EDITORS, "张三")
    at.checkbox[0].check().run()
    at.button(key="audit_rollback").click().run()
    assert not at.exception
    after = every_query(db, first["alliance_id"])
    assert list(after) == list(before)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
