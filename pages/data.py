"""数据: where the figures come from — every import attempt, how fresh the data is, rows per table,
the import template and the schema. Describes the whole registry; the sidebar filters do not apply."""
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import streamlit as st

import ui
from figures import tables
from loaders import ROOT, default_db, history
from loaders.registry import data_dates, latest_import, table_counts
from loaders.schema import TABLES
from loaders.store import ACTIONS
from loaders.template import write_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLES = {t.name: t.title for t in TABLES} | {"imports": "导入历史"}


@st.cache_data(show_spinner=False)
def registry_facts(version: ui.Version) -> tuple[dict, dict, dict]:
    """Latest import, rows per table and latest dates of the database file ``version`` names."""
    db = Path(version[0])
    return latest_import(db), table_counts(db), data_dates(db)


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    """标准导入模板.xlsx, generated from loaders/schema.py."""
    buffer = io.BytesIO()
    write_template(buffer)
    return buffer.getvalue()


def history_frame(db: Path) -> pd.DataFrame:
    """The journal's imports and rollbacks (settings changes are on 操作记录), newest first, with Chinese headers."""
    return pd.DataFrame([{
        "批次": e.import_id,
        "当前": "✓" if e.current else "",
        "时间": e.at,
        "操作": e.action,
        "结果": e.outcome,
        "操作人": e.user,
        "说明": e.note,
        "文件（SHA-256 前12位，行数）": e.fingerprints,
        "导入后行数": e.row_counts,
    } for e in history.entries(db, settings=False)])


def plain_table(frame: pd.DataFrame, title: str, key: str, note: str, source: str) -> None:
    """A table already carrying Chinese headers (it is no named query), with the same downloads as ui.show_table."""
    st.dataframe(frame, hide_index=True, width="stretch")
    left, right, _ = st.columns([1, 1, 4])
    # built only when clicked: the journal grows with every import
    left.download_button("下载 Excel", lambda: tables.to_xlsx(frame, {}, title, note), f"{title}.xlsx", XLSX,
                         key=f"xlsx_{key}")
    right.download_button("下载 CSV", lambda: tables.to_csv(frame, {}), f"{title}.csv", "text/csv", key=f"csv_{key}")
    st.caption(note, help=f"供分析人员：{source}")


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


st.title("数据")
version = ui.db_version()
if version is None:
    st.info(f"还没有登记库数据（{default_db()}）。下载下面的标准导入模板，填好后在命令行运行 "
            "`python -m loaders load 文件…` 导入，或运行 `make run` 由示例数据建立。")
else:
    scope = ui.sidebar(version)
    db = Path(version[0])
    last, counts, dates = registry_facts(version)
    st.caption("本页说明整个登记库，不受左侧筛选条件影响。")

    st.subheader("数据新鲜度")
    cols = st.columns(4)
    imported = ""
    if last:
        finished = pd.Timestamp(last["finished_at"])
        cols[0].metric("最近一次导入", finished.strftime("%Y-%m-%d"))
        cols[1].metric("距今", f"{(dt.date.today() - finished.date()).days} 天")
        imported = (f"最近一次导入：{finished:%Y-%m-%d %H:%M}，批次 {last['import_id']}"
                    f"（{ACTIONS.get(last['action'], last['action'])}），操作人 {last['user_name']}。")
    else:
        cols[0].metric("最近一次导入", "—")
    act = scope.profile.terms.act
    cols[2].metric(f"数据截至（最新{act}日期）", day(dates["filed_date"]),
                   help=f"登记库中最晚的{act}日期：数据反映的是到这一天为止的情况")
    cols[3].metric("最新评审事项", day(dates["event_date"]), help="评审记录中最晚的事项日期（评估、复审、年报等）")
    st.caption(imported + f"其他表的最新日期：补贴拨付 {day(dates['paid_date'])}；年报提交 {day(dates['submitted_date'])}。")
    if counts["alliances"] == 0:
        st.info("登记库是空的。下载下面的标准导入模板，填好后在“数据导入”页或用 `python -m loaders load 文件…` 导入。")

    st.subheader("各表行数")
    stamp = dt.date.today().isoformat()
    counts_frame = pd.DataFrame({"表": [TITLES[t] for t in counts], "库内表名": list(counts),
                                 "行数": list(counts.values())})
    plain_table(counts_frame, f"各表行数_{stamp}", "counts", "数据来源：联盟登记库（当前数据状态）", db.name)

    st.subheader("导入历史")
    st.caption("每一次导入尝试都记在这里，包括被拒绝和中断的；回滚也占一个批次号。✓ 为当前数据状态。")
    journal = history_frame(db)   # not cached: a refused import changes the journal but not the database file
    if not journal.empty:
        plain_table(journal, f"导入历史_{stamp}", "journal",
                    "数据来源：联盟登记库的导入记录",
                    f"{db.name}.history/journal.jsonl（命令行：python -m loaders history）")
    else:
        st.info("还没有导入记录。")

st.subheader("标准导入模板")
st.caption("每张表一个工作表，带必填标记、下拉选项和“填表说明”。")
st.download_button("下载标准导入模板.xlsx", template_bytes, "标准导入模板.xlsx", XLSX, key="template")

with st.expander("数据结构说明", key="schema_box", on_change="rerun") as box:
    if box.open:            # folded: sends nothing
        st.markdown((ROOT / "docs" / "schema.md").read_text(encoding="utf-8"))
