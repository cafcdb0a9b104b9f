"""数据导入: upload exports, see every problem and what would change, import only on confirmation (editors only).

Uploads are saved under their original names in a temporary folder outside the repository
(error messages name the files), checked and previewed by ``loaders.service.check``; nothing is
written until the editor confirms, and then ``loaders.service.commit`` swaps a new database file
in, so people reading the dashboard meanwhile keep seeing the old registry until their next click.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

import auth
import ui  # noqa: F401  (its import makes a first-request link run app.py's navigation)
from figures import tables
from loaders import default_db, service
from loaders.diff import Diff
from loaders.pipeline import ERROR, Batch, Problem
from loaders.read import SUFFIXES
from loaders.schema import TABLES
from loaders.store import ImportRefused, NothingToImport, RegistryChanged
from loaders.template import write_template

MAX_UPLOAD_ENV = "LIANMENG_MAX_UPLOAD_MB"
UPLOADS = Path(tempfile.gettempdir()) / "lianmeng-import"  # never inside the repository
ABANDONED_AFTER_SECONDS = 24 * 3600
PROBLEM_LABELS = {"file": "文件", "sheet": "工作表", "row": "行", "column": "列", "value": "值", "message": "问题"}


@dataclass
class Check:
    """A dry run of one set of uploaded files (``loaders.service.Check``) and where they were saved."""

    key: tuple                    # the uploads it was made from
    folder: Path                  # where they were saved, under their own names
    checked: service.Check

    @property
    def paths(self) -> list[Path]:
        return self.checked.paths

    @property
    def batch(self) -> Batch:
        return self.checked.batch

    @property
    def diff(self) -> Diff | None:
        return self.checked.diff

    def __post_init__(self) -> None:
        # The saved uploads go with the check: when it is replaced, forgotten, or its session ends
        # (Streamlit drops a closed tab's session state), the folder is removed.
        weakref.finalize(self, shutil.rmtree, self.folder, True)


def max_upload_mb() -> int:
    """The per-file size limit in MB: $LIANMENG_MAX_UPLOAD_MB (default 50), never above the server's maxUploadSize."""
    server = int(st.get_option("server.maxUploadSize"))
    try:
        return max(1, min(server, int(os.environ.get(MAX_UPLOAD_ENV, "50"))))
    except ValueError:
        return min(server, 50)


def safe_name(name: str) -> str:
    """The file's own name without any folder part, so an upload cannot be written elsewhere."""
    base = Path(name.replace("\\", "/")).name.strip().lstrip(".")
    return base or "未命名文件"


def upload_folder() -> Path:
    """A fresh folder for one dry run; folders of sessions closed without importing go after a day."""
    UPLOADS.mkdir(exist_ok=True)
    for old in UPLOADS.iterdir():
        if time.time() - old.stat().st_mtime > ABANDONED_AFTER_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=UPLOADS))


def save_uploads(uploaded: list, folder: Path, limit_mb: int) -> tuple[list[Path], list[Problem]]:
    """Write the uploads into ``folder``; oversized or same-named files become problems.

    (The uploader itself refuses other file types, in the browser and again on the server.)
    """
    paths: list[Path] = []
    problems: list[Problem] = []
    for f in uploaded:
        name = safe_name(f.name)
        target = folder / name
        if f.size > limit_mb * 1024 * 1024:
            problems.append(Problem(ERROR, name, f"文件大小 {f.size / 1048576:.1f} MB，超过上限 {limit_mb} MB"))
        elif target.exists():
            problems.append(Problem(ERROR, name, "有两个同名文件：请改名后重新上传，以免混淆"))
        else:
            target.write_bytes(f.getvalue())
            paths.append(target)
    return paths, problems


def dry_run(key: tuple, folder: Path, paths: list[Path], upload_problems: list[Problem]) -> Check:
    """Validate the saved files against the current registry and preview the change; writes nothing."""
    bar = st.progress(0.2, text=f"正在读取并校验 {len(paths):,} 个文件，并与现有登记库比对……")
    # Journaled before reading, by the editor's name: a refusal, an empty file or a crash is on record.
    checked = service.check(default_db(), paths, auth.user_name(), problems=upload_problems)
    bar.empty()
    return Check(key, folder, checked)


def problem_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems in the order a person fixes them: file, sheet, then row as Excel numbers it."""
    frame = pd.DataFrame([{k: getattr(p, k) for k in PROBLEM_LABELS} for p in problems], columns=list(PROBLEM_LABELS))
    frame["row"] = frame["row"].astype("Int64")
    frame = frame.sort_values(["file", "sheet", "row"], na_position="first", kind="stable")
    return frame.fillna({"sheet": "", "column": "", "value": ""}).reset_index(drop=True)


def show_problems(problems: list[Problem], title: str, key: str) -> None:
    """Problems as a table with Excel-style locations, and the list as .xlsx / .csv to fix them from."""
    frame = problem_frame(problems)
    st.dataframe(frame.rename(columns=PROBLEM_LABELS), hide_index=True, width="stretch",
                 column_config={"行": st.column_config.NumberColumn(format="%d")})
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("下载 Excel", tables.to_xlsx(frame, PROBLEM_LABELS, title, "联盟看板 数据导入校验"),
                         f"{title}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         key=f"xlsx_{key}")
    right.download_button("下载 CSV", tables.to_csv(frame, PROBLEM_LABELS), f"{title}.csv", "text/csv", key=f"csv_{key}")


def show_files(batch: Batch) -> None:
    titles = {t.name: t.title for t in TABLES}
    rows = [{"文件": f.name, "工作表": part["sheet"] or "", "识别为": titles[part["table"]], "数据行": part["rows"],
             "编码": f.encoding or ""} for f in batch.files for part in f.parts]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def show_check(check: Check) -> None:
    batch = check.batch
    cols = st.columns(3)
    cols[0].metric("文件", f"{len(check.key):,} 个")
    cols[1].metric("错误", f"{len(batch.errors):,} 个")
    cols[2].metric("警告", f"{len(batch.warnings):,} 条")
    show_files(batch)
    if batch.errors:
        st.error(f"发现 {len(batch.errors):,} 个错误，这批文件不能导入，登记库没有任何改动。"
                 "请按下表（行号与 Excel 中看到的一致）修改后重新上传。")
        show_problems(batch.errors, "导入错误清单", "errors")
    if batch.warnings:
        with st.expander(f"警告（{len(batch.warnings):,} 条，不影响导入）", expanded=not batch.errors):
            show_problems(batch.warnings, "导入警告清单", "warnings")
    if batch.ok and not batch.tables:
        st.info(f"没有导入任何内容：{'、'.join(p.name for p in check.paths)} 只有表头、没有数据行，登记库保持不变。")
    if check.diff is not None:
        st.subheader("导入后的变化")
        ui.show_diff(check.diff, preview=True)


def confirm(check: Check) -> None:
    """Import the checked batch; check it again when someone changed the registry meanwhile."""
    bar = st.progress(0.3, text="正在写入新的登记库……（正在浏览的同事不受影响）")
    try:
        outcome = service.commit(check.checked, user=auth.user_name())
    except RegistryChanged:  # decided inside the writers' lock; nothing was written
        bar.empty()
        st.session_state["import_check"] = dry_run(check.key, check.folder, check.paths, [])
        st.session_state["import_rechecked"] = True
        st.rerun()
    except (ImportRefused, NothingToImport) as e:  # cannot happen after a clean check, but never a traceback
        bar.empty()
        st.error(str(e))
        return
    bar.progress(1.0, text="导入完成")
    st.session_state["import_done"] = {"import_id": outcome.import_id, "files": [p.name for p in check.paths],
                                       "counts": check.diff.counts_table(), "summary": check.diff.summary()}
    forget_check()
    st.session_state["import_generation"] = st.session_state.get("import_generation", 0) + 1  # empties the uploader
    st.rerun()


def forget_check() -> None:
    old = st.session_state.pop("import_check", None)
    if old is not None:
        shutil.rmtree(old.folder, ignore_errors=True)


def show_done(done: dict) -> None:
    st.success(f"导入完成：批次 {done['import_id']}。{done['summary']}。")
    st.dataframe(pd.DataFrame({"已导入的文件": done["files"]}), hide_index=True)
    st.dataframe(done["counts"], hide_index=True, width="stretch")
    st.page_link("pages/audit.py", label="查看操作记录；如有问题可在那里回滚到任一次导入", icon="🧾")


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "标准导入模板.xlsx"
        write_template(path)
        return path.read_bytes()


def upload_and_check(limit: int) -> None:
    """The uploader, the dry run and the confirmation. A function, not module code: the page's globals
    outlive the session (cached functions keep them), and must not keep uploads or a check alive."""
    generation = st.session_state.get("import_generation", 0)
    uploaded = st.file_uploader("选择文件", type=[s.lstrip(".") for s in SUFFIXES], accept_multiple_files=True,
                                max_upload_size=limit, key=f"import_files_{generation}")
    if not uploaded:
        forget_check()
        if "import_done" in st.session_state:
            show_done(st.session_state["import_done"])
        return
    st.session_state.pop("import_done", None)

    key = tuple((f.file_id, f.name, f.size) for f in uploaded)
    check: Check | None = st.session_state.get("import_check")
    if check is None or check.key != key:
        forget_check()
        folder = upload_folder()
        paths, upload_problems = save_uploads(uploaded, folder, limit)
        check = dry_run(key, folder, paths, upload_problems)
        st.session_state["import_check"] = check

    if st.session_state.pop("import_rechecked", False):
        st.warning("校验之后登记库已被他人更新：已按最新的登记库重新校验，请再次核对变化后确认。")
    show_check(check)
    if check.batch.ok and check.diff is not None:
        if st.button("确认导入", type="primary", key="import_confirm"):
            confirm(check)
    else:
        st.button("确认导入", type="primary", disabled=True, key="import_confirm",
                  help="有错误时不能导入：请修正文件后重新上传")


# ---- the page ------------------------------------------------------------------------------------

st.title("数据导入")
auth.require_editor()
limit = max_upload_mb()
st.markdown(f"上传本月从业务系统导出的文件（{'、'.join(s.lstrip('.') for s in SUFFIXES)}，可一次选多个，每个不超过 "
            f"{limit} MB）。系统先**只校验、不写入**：列出全部错误，并预览导入后登记库的变化；确认后才导入。"
            "每次导入都有记录，可在“操作记录”页回滚。")
st.download_button("下载标准导入模板", template_bytes(), "标准导入模板.xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="template")


upload_and_check(limit)
