"""操作记录: every import, rollback and settings change — who, when, which files (SHA-256), what changed; rollback.

Everyone may read the record (it comes from ``<db>.history/journal.jsonl``, which
``loaders.store`` appends for every attempt). Rolling back is for editors only, shows what
it would change (``loaders.diff.compare`` of the current file with the chosen snapshot) and
asks for confirmation; the rollback is itself recorded and can be undone.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

import auth
import ui  # noqa: F401  (its import makes a first-request link run app.py's navigation)
from loaders import default_db, history
from loaders.diff import Diff, compare
from loaders.registry import state_id
from loaders.schema import TABLES
from loaders.store import DATA_ACTIONS, SETTINGS_ACTION, HistoryError, history_dir, read_journal, rollback
from queries import bureau

TITLES = {t.name: t.title for t in TABLES}


def snapshot(db: Path, import_id: int) -> Path:
    return history_dir(db) / f"{import_id}.duckdb"


def record_table(db: Path) -> pd.DataFrame:
    """One row per attempt, newest first, in Chinese."""
    return pd.DataFrame([{
        "批次": e.import_id,
        "时间": e.at,
        "操作": e.action,
        "结果": e.outcome,
        "操作人": e.user,
        "当前数据": "✔" if e.current else "",
        "说明": f"{e.errors} 个错误，未写入" if e.refused else e.note,
        "文件": "、".join(e.files),
    } for e in history.entries(db)])


@st.cache_data(show_spinner=False, max_entries=64)
def change_of(db: str, import_id: int, before_id: int | None) -> Diff | None:
    """What a landed import changed: its snapshot against the one before it (snapshots never change)."""
    after = snapshot(Path(db), import_id)
    before = snapshot(Path(db), before_id) if before_id is not None else None
    if not after.exists() or (before is not None and not before.exists()):
        return None
    return compare(before, after)


def show_details(db: Path, records: list[dict]) -> None:
    """One attempt in full: files with their SHA-256, rows after, and what it changed."""
    ids = [r["import_id"] for r in reversed(records) if isinstance(r.get("import_id"), int)]
    chosen = st.selectbox("查看批次详情", ids, format_func=lambda i: f"批次 {i}", key="audit_detail")
    record = next(r for r in reversed(records) if r.get("import_id") == chosen)
    if record.get("action") == SETTINGS_ACTION:  # a settings change: the file's text before and after
        st.caption(f"设置修改：{record.get('summary', '')}（可在“设置”页撤销）")
        st.code(bureau.file_diff(record, db) or "（这次修改的存档文件已不在）", language="diff")
        return
    if record.get("restored_from") is not None:
        st.caption(f"这次回滚把登记库恢复为批次 {record['restored_from']} 的数据。")
    files = [{"文件": f["name"], "大小（字节）": f.get("size"), "SHA-256": f.get("sha256"),
              "内容": "；".join(f"{p.get('sheet') or ''}→{TITLES.get(p['table'], p['table'])} {p['rows']} 行"
                              for p in f.get("parts", []))} for f in record.get("files", [])]
    if files:
        st.dataframe(pd.DataFrame(files), hide_index=True, width="stretch")
    if record.get("outcome") == "refused":
        st.caption("被拒绝的导入没有写入任何数据。前几个错误：")
        st.dataframe(pd.DataFrame({"错误": record.get("first_errors", [])}), hide_index=True, width="stretch")
        return
    if record.get("outcome") != "ok":
        st.caption(record.get("summary", ""))
        return
    landed = [r["import_id"] for r in records
              if r.get("outcome") == "ok" and r.get("action") in DATA_ACTIONS and r["import_id"] < chosen]
    diff = change_of(str(db), chosen, landed[-1] if landed else None)
    if diff is None:
        st.caption("这次操作的快照文件已不在，无法列出它改变了什么。")
        return
    st.caption(f"这次操作带来的变化（与批次 {landed[-1]} 之后的数据相比）：" if landed else "这次操作带来的变化（登记库原为空）：")
    ui.show_diff(diff)


def show_rollback(db: Path, records: list[dict], current: int | None) -> None:
    """Editors choose an earlier state, see what would change, confirm, and roll back."""
    st.subheader("回滚")
    if done := st.session_state.pop("audit_done", None):
        st.success(done)
    if not auth.is_editor():
        config = auth.load_config()
        st.caption("回滚需要编辑权限：" + ("请在左侧边栏登录。" if config.enabled else auth.HOW_TO_ENABLE))
        return
    targets = [r for r in reversed(records) if r.get("outcome") == "ok" and r["import_id"] != current
               and snapshot(db, r["import_id"]).exists()]
    if not targets:
        st.caption("还没有可以回滚到的更早状态。")
        return
    by_id = {r["import_id"]: r for r in targets}
    target = st.selectbox("把登记库恢复为哪一次操作之后的数据", list(by_id), key="audit_target",
                          format_func=lambda i: f"批次 {i}（{str(by_id[i].get('at', ''))[:16].replace('T', ' ')}，"
                                                f"{by_id[i].get('user')}，{by_id[i].get('summary', '')}）")
    st.caption("回滚后登记库将变为：")
    ui.show_diff(compare(db, snapshot(db, target)), key="rollback_diff")
    # The key changes with every new record, so a rollback leaves the box unticked for the next one.
    agreed = st.checkbox(f"我已核对上述变化，确认把登记库恢复为批次 {target} 的数据",
                         key=f"audit_agree_{target}_{len(records)}")
    if st.button("回滚", type="primary", disabled=not agreed, key="audit_rollback"):
        try:
            outcome = rollback(db, target, user=auth.user_name())
        except HistoryError as e:
            st.error(f"无法回滚：{e}")
            return
        st.session_state["audit_done"] = (f"已{outcome.summary}（新批次 {outcome.import_id}）。"
                                          "这次回滚也记录在上表中，需要时可以再回滚。")
        st.rerun()


# ---- the page ------------------------------------------------------------------------------------

st.title("操作记录")
db = default_db()
records = read_journal(db)
if not records:
    st.info("还没有任何导入记录。编辑人员可在“数据导入”页上传文件；每次导入和回滚都会记录在这里。")
    st.stop()
current = state_id(db) or None
st.caption("每一次导入、回滚（包括被拒绝的导入）和设置修改：谁、何时、哪些文件（含 SHA-256 指纹）、改了什么。"
           "“当前数据”一栏标出登记库现在的数据来自哪一次操作。")
st.dataframe(record_table(db), hide_index=True, width="stretch")
show_details(db, records)
show_rollback(db, records, current)
