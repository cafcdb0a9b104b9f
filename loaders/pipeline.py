"""From files to validated tables: read → find header → map → normalise → validate.

``prepare`` never writes anything. It returns a ``Batch``: the clean tables ready to store,
every problem found (errors block, warnings do not), and what each file contributed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import normalise as n
from .headers import HeaderMap, find_layout, header_key
from .read import Grid, UnreadableFile, read_grids
from .schema import (ALLIANCES, BOOL, CREDIT_CODE, DATE, ENUM, INT, LINK_ID, LINK_NAME, MONEY, NAME, SCORE,
                     TABLES, TEXT, YEAR, Column, Table)

ERROR, WARNING = "错误", "警告"
log = logging.getLogger(__name__)
MEMBER_MINIMUM_WARNING = 10
INSTRUCTION_SHEETS = frozenset({"填表说明", "说明", "使用说明"})  # the template's guide: never data  # the most common policy minimum (Tianjin, Weinan); profiles refine it


@dataclass(frozen=True)
class Problem:
    """One finding, located as the user would find it in Excel."""

    level: str
    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __post_init__(self) -> None:  # a NUL in a message would hide the rest of it from the reader
        for name in ("file", "message", "sheet", "column", "value"):
            if isinstance(getattr(self, name), str):
                object.__setattr__(self, name, n.visible(getattr(self, name)))

    def __str__(self) -> str:
        where = self.file + (f"［{self.sheet}］" if self.sheet else "")
        where += f" 第{self.row}行" if self.row else ""
        where += f"「{self.column}」列" if self.column else ""
        value = f"（值：{self.value}）" if self.value not in (None, "") and self.value not in self.message else ""
        return f"{self.level}：{where}：{self.message}{value}"


@dataclass
class FileInfo:
    """What one file contributed to a batch."""

    name: str
    sha256: str
    size: int
    encoding: str | None = None
    parts: list[dict[str, Any]] = field(default_factory=list)  # {table, sheet, rows}


@dataclass
class Batch:
    """The outcome of preparing a file set: clean tables, problems, provenance."""

    files: list[FileInfo]
    tables: dict[str, pd.DataFrame]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Existing:
    """What the current registry holds that a batch may link to or leave in place."""

    alliances: pd.DataFrame  # alliance_id, name, name_key
    child_ids: dict[str, pd.Series]  # table -> distinct alliance_id values in it

    @classmethod
    def empty(cls) -> "Existing":
        return cls(pd.DataFrame(columns=["alliance_id", "name", "name_key"]), {})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare(paths: Iterable[Path], headers: HeaderMap | None = None, existing: Existing | None = None) -> Batch:
    """Read and validate a file set. Nothing is written."""
    headers = headers or HeaderMap.load()
    existing = existing or Existing.empty()
    # Files are read in parallel: pyarrow and numpy release the GIL for the heavy parts.
    # Results are gathered in the given order, so problems come out the same every time.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda p: _read_file(Path(p), headers), paths))
    files = [info for info, _, _ in results if info is not None]
    problems = [p for _, found, _ in results for p in found]
    parts: dict[str, list[pd.DataFrame]] = {t.name: [] for t in TABLES}
    for _, _, frames in results:
        for table_name, df in frames:
            parts[table_name].append(df)
    tables = {name: pd.concat(dfs, ignore_index=True) for name, dfs in parts.items() if dfs}
    for t in TABLES:  # an empty sheet (e.g. an unfilled template sheet) must not wipe a table
        if t.name in tables and tables[t.name].empty:
            del tables[t.name]
            problems.append(Problem(WARNING, "、".join(f.name for f in files if any(p["table"] == t.name for p in f.parts)),
                                    f"{t.title}没有数据行：登记库现有的{t.title}保持不变"))
    if not tables:
        return Batch(files, {}, problems)
    _validate_registry(tables, existing, problems)
    return Batch(files, tables, problems)


def _read_file(path: Path, headers: HeaderMap) -> tuple[FileInfo | None, list[Problem], list[tuple[str, pd.DataFrame]]]:
    """One file: what it is, what is wrong in it, and its sheets as normalised frames."""
    problems: list[Problem] = []
    if not path.is_file():
        return None, [Problem(ERROR, path.name, f"找不到文件：{path}")], []
    info = FileInfo(path.name, sha256_of(path), path.stat().st_size)
    try:
        grids = read_grids(path)
    except UnreadableFile as e:
        return info, [Problem(ERROR, path.name, str(e).removeprefix(path.name + "："), row=e.row)], []
    info.encoding = grids[0].encoding if grids else None
    frames = []
    grids.reverse()
    while grids:  # each sheet's cells are let go once it is normalised: memory holds one sheet's, not all
        grid = grids.pop()
        try:
            frame = _read_sheet(grid, headers, problems)
        except Exception:  # a case no rule foresaw: the sheet is refused in Chinese, the details logged
            log.exception("%s［%s］无法处理", path.name, grid.sheet)
            problems.append(Problem(ERROR, path.name, "此表无法处理（内容不合常规），未导入：请另存为标准导入模板格式后重试",
                                    sheet=grid.sheet))
            continue
        if frame is not None:
            table, df = frame
            frames.append((table.name, df))
            info.parts.append({"table": table.name, "sheet": grid.sheet, "rows": len(df)})
    if not frames and not any(p.level == ERROR for p in problems):
        problems.append(Problem(ERROR, path.name, "文件中没有可识别的表：请检查表头是否为标准导入模板中的列名（见 "
                                                  "python -m loaders template）"))
    return info, problems, frames


def _read_sheet(grid: Grid, headers: HeaderMap, problems: list[Problem]) -> tuple[Table, pd.DataFrame] | None:
    """One sheet as a normalised frame of its table, or None when it holds no known table."""
    if grid.sheet in INSTRUCTION_SHEETS:
        return None
    layout = find_layout(grid.head, grid.sheet, grid.file, headers)
    if layout is None:
        if grid.sheet is not None and any(any(c not in (None, "") for c in row) for row in grid.head):
            problems.append(Problem(WARNING, grid.file, "未识别为任何导入表，已跳过（若应导入，请使用标准表头）",
                                    sheet=grid.sheet))
        return None
    table, header_excel_row = layout.table, layout.header_row + 1
    located = dict(level=ERROR, file=grid.file, sheet=grid.sheet, row=header_excel_row)
    first_problem = len(problems)
    for text in layout.duplicates:
        problems.append(Problem(message=f"表头“{text}”与另一列指向同一字段，无法确定用哪一列", column=text, **located))
    present = {name for name, _ in layout.columns.values()}
    for c in table.columns:
        if c.required and c.name not in present and not (c.kind == LINK_NAME and "alliance_no" in present):
            accepted = "、".join((c.header, *c.aliases))
            problems.append(Problem(message=f"缺少必填列“{c.header}”（可用表头：{accepted}）", column=c.header, **located))
    if problems[first_problem:]:  # a sheet without a required column is refused whole, before any value is read
        return None
    if layout.unknown:
        problems.append(Problem(WARNING, grid.file, f"{table.title}中以下列未识别，已忽略：{'、'.join(layout.unknown)}",
                                sheet=grid.sheet, row=header_excel_row))
    try:
        raw, first_row = grid.frame(layout.header_row)
    except Exception as e:  # e.g. a CSV row with more fields than the header
        problems.append(Problem(message=f"读取数据行失败：{e}", **located))
        return None
    picked = pd.DataFrame({name: raw.iloc[:, pos] if pos < raw.shape[1] else None
                           for pos, (name, _) in layout.columns.items()})
    picked.index = raw.index
    units = {name: unit for name, unit in layout.columns.values()}
    as_written = {name: _header_label(table, name, str(layout_header))
                  for layout_header, (name, _) in zip((grid.head[layout.header_row][p] for p in layout.columns),
                                                      layout.columns.values())}
    frame = _normalise(table, grid, picked, units, as_written, first_row, problems)
    return table, frame


ARROW_TYPES = {TEXT: pa.string(), NAME: pa.string(), LINK_NAME: pa.string(), LINK_ID: pa.string(),
               DATE: pa.date32(), MONEY: pa.decimal128(18, 2), INT: pa.int64(), YEAR: pa.int64(),
               SCORE: pa.decimal128(5, 2), BOOL: pa.bool_(), ENUM: pa.string(), CREDIT_CODE: pa.string()}
TEXT_KINDS = (TEXT, NAME, LINK_NAME, LINK_ID)


def _header_label(table: Table, name: str, written: str) -> str:
    """The column as the file names it, with the canonical header when that differs (单位性质（单位类型）)."""
    written = written.strip()
    canonical = table.column(name).header
    return written if header_key(written).startswith(header_key(canonical)) else f"{written}（{canonical}）"


def _normalise(table: Table, grid: Grid, raw: pd.DataFrame, units: dict[str, str | None], headers: dict[str, str],
               first_row: int, problems: list[Problem]) -> pd.DataFrame:
    """Typed columns of one sheet; every unreadable or missing required cell becomes a Problem."""
    # Blank rows (spacing between blocks) carry nothing; the others keep their Excel row numbers.
    cells = {name: n.Cells.of(raw[name]) for name in raw.columns}
    blank = np.ones(len(raw), dtype=bool)
    for name in raw.columns:
        blank &= n.blank_mask(cells[name])
    keep = np.flatnonzero(~blank)
    if len(keep) < len(raw):
        raw = raw.iloc[keep].reset_index(drop=True)
        cells = {name: n.Cells.of(raw[name]) for name in raw.columns}
    rows = first_row + keep
    at = dict(file=grid.file, sheet=grid.sheet)
    first_problem = len(problems)
    today = dt.date.today()
    columns: dict[str, pa.Array] = {}
    for c in table.columns:
        if c.name not in raw.columns:  # every stored column exists, typed, whatever the file held
            columns[c.name] = pa.nulls(len(raw), ARROW_TYPES[c.kind])
            if c.kind == NAME:
                columns[c.name + "_key"] = pa.nulls(len(raw), pa.string())
            continue
        if c.kind in TEXT_KINDS:
            parsed = n.checked_text_column(cells[c.name])
        elif c.kind == CREDIT_CODE:  # hundreds of thousands of distinct codes: checked vectorised
            parsed = n.credit_code_column(cells[c.name])
        elif c.kind == DATE:
            parsed = n.date_column(cells[c.name], today + dt.timedelta(days=365))  # a later date is a typo
        else:
            parsed = n.parse_column(cells[c.name], _parser(c, units.get(c.name), today), ARROW_TYPES[c.kind])
        for pos, reason in zip(parsed.bad, parsed.reasons):
            problems.append(Problem(ERROR, message=reason, row=int(rows[pos]), column=headers[c.name],
                                    value=n.cell_text(raw[c.name].iloc[pos]), **at))
        if c.required and c.kind != LINK_NAME:
            missing = ~np.asarray(parsed.values.is_valid())
            missing[parsed.bad] = False
            for pos in np.flatnonzero(missing):
                problems.append(Problem(ERROR, message=f"必填项“{c.header}”为空", row=int(rows[pos]), column=headers[c.name],
                                        **at))
        columns[c.name] = parsed.values
        if c.kind == NAME:
            columns[c.name + "_key"] = n.name_key_column(parsed.values)
    if table.links_to_alliance:
        unlinked = ~np.asarray(columns["alliance_name"].is_valid()) & ~np.asarray(columns["alliance_no"].is_valid())
        for pos in np.flatnonzero(unlinked):
            problems.append(Problem(ERROR, message="“联盟名称”和“联盟编号”均为空，无法确定所属联盟", row=int(rows[pos]),
                                    column="联盟名称", **at))
    had_errors = np.zeros(len(raw), dtype=bool)
    for problem_row in {p.row for p in problems[first_problem:]}:
        had_errors[np.searchsorted(rows, problem_row)] = True
    columns["cell_errors"] = pa.array(had_errors)  # rows already reported: no second, derived complaint
    columns["source_file"] = pa.array([grid.file] * len(raw), pa.string())
    columns["source_sheet"] = pa.array([grid.sheet] * len(raw), pa.string())
    columns["source_row"] = pa.array(rows, pa.int64())
    return pd.DataFrame({k: pd.Series(v, dtype=pd.ArrowDtype(v.type)) for k, v in columns.items()})


def _parser(c: Column, unit: str | None, today: dt.date) -> Callable[[Any], Any]:
    if c.kind == ENUM:
        return n.make_enum_parser(c.values, c.value_aliases)
    if c.kind == MONEY:
        return lambda v: n.parse_money(v, unit)
    return {INT: n.parse_int, YEAR: n.parse_year, SCORE: n.parse_score, BOOL: n.parse_bool}[c.kind]


# ---- cross-row validation -------------------------------------------------------------------

def _problem_at(df: pd.DataFrame, idx: Any, message: str, column: str | None = None, value: Any = None,
                level: str = ERROR) -> Problem:
    return Problem(level, df.at[idx, "source_file"], message,  # a CSV row concatenated with sheets has NA here
                   sheet=df.at[idx, "source_sheet"] if isinstance(df.at[idx, "source_sheet"], str) else None,
                   row=int(df.at[idx, "source_row"]), column=column,
                   value=None if value is None else n.cell_text(value))


def generated_alliance_id(key: str) -> str:
    """A stable id for an alliance exported without 联盟编号: the same name gives the same id."""
    return "L-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8].upper()


def _validate_registry(tables: dict[str, pd.DataFrame], existing: Existing, problems: list[Problem]) -> None:
    if "alliances" in tables:
        registry = _validate_alliances(tables["alliances"], problems)
    else:
        registry = existing.alliances
        if registry.empty and tables:
            problems.append(Problem(ERROR, "、".join(sorted({f for df in tables.values()
                                                              for f in df["source_file"].unique()})),
                                    "登记库中还没有联盟名录：请先导入（或同时导入）联盟名录"))
            return
    for t in TABLES:
        if t is ALLIANCES:
            continue
        if t.name in tables:
            tables[t.name] = _link(t, tables[t.name], registry, problems)
        elif "alliances" in tables and t.name in existing.child_ids:
            orphans = sorted(set(existing.child_ids[t.name]) - set(registry["alliance_id"]))
            if orphans:
                problems.append(Problem(ERROR, tables["alliances"]["source_file"].iloc[0],
                                        f"登记库现有{t.title}中有 {len(orphans)} 个联盟不在新的联盟名录中"
                                        f"（如 {'、'.join(orphans[:3])}）：请同时导入新的{t.title}，以免数据不一致"))
    _validate_children(tables, problems)
    _warn_members(tables, registry, existing, problems)


def _validate_alliances(df: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    given = df["alliance_id"].notna().to_numpy()
    ids = [i if g else (None if pd.isna(k) else generated_alliance_id(k))  # a blank name is NA here
           for i, k, g in zip(df["alliance_id"].tolist(), df["name_key"].tolist(), given)]
    df["alliance_id"] = _series(pa.array(ids, pa.string()))
    for key_col, label in (("name_key", "联盟名称"), ("alliance_id", "联盟编号")):
        dup = df[key_col].notna() & df.duplicated(key_col, keep=False)
        if key_col == "alliance_id":
            dup &= given
        for key, group in df[dup].groupby(key_col, sort=False):
            first = group.index[0]
            where = f"{df.at[first, 'source_file']} 第{df.at[first, 'source_row']}行"
            for idx in group.index[1:]:
                problems.append(_problem_at(df, idx, f"{label}重复：与 {where} 是同一个联盟",
                                            column=label, value=df.at[idx, "name" if key_col == "name_key" else key_col]))
    # Status: derive when blank; refuse when it contradicts the dates the figures rely on.
    derived = np.select([df["revoked_date"].notna(), df["filed_date"].notna(), df["applied_date"].notna()],
                        ["已撤销", "已备案", "申请中"], "组建中")
    df["status"] = _series(pa.array(np.where(df["status"].notna(), df["status"].to_numpy(dtype=object, na_value=None),
                                             derived).tolist(), pa.string()))
    ended = _mask(df["status"].isin(["已撤销", "已解散"]))
    clean = ~df["cell_errors"].to_numpy(dtype=bool)
    for idx in df.index[clean & ended & df["revoked_date"].isna().to_numpy()]:
        problems.append(_problem_at(df, idx, f"状态为“{df.at[idx, 'status']}”但撤销日期为空：统计在册联盟需要撤销日期",
                                    column="撤销日期"))
    for idx in df.index[clean & ~ended & df["revoked_date"].notna().to_numpy()]:
        problems.append(_problem_at(df, idx, f"填写了撤销日期，但状态为“{df.at[idx, 'status']}”，两者矛盾", column="状态",
                                    value=df.at[idx, "status"]))
    filed_needed = _mask(df["status"].isin(["已备案", "已认定"])) & df["filed_date"].isna().to_numpy()
    for idx in df.index[clean & filed_needed]:
        problems.append(_problem_at(df, idx, f"状态为“{df.at[idx, 'status']}”但备案日期为空", column="备案日期"))
    _check_order(df, "filed_date", "revoked_date", "撤销日期早于备案日期", "撤销日期", problems)
    _check_order(df, "applied_date", "filed_date", "备案日期早于申请日期", "备案日期", problems, WARNING)
    _check_order(df, "founded_date", "filed_date", "备案日期早于成立日期", "备案日期", problems, WARNING)
    return df[["alliance_id", "name", "name_key"]]


def _check_order(df: pd.DataFrame, early: str, late: str, message: str, column: str, problems: list[Problem],
                 level: str = ERROR) -> None:
    wrong = _mask(df[late] < df[early])
    for idx in df.index[wrong]:
        problems.append(_problem_at(df, idx, f"{message}（{df.at[idx, early]} → {df.at[idx, late]}）", column=column,
                                    value=df.at[idx, late], level=level))


def _link(table: Table, df: pd.DataFrame, registry: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Resolve each row's alliance by 联盟编号 or by normalised 联盟名称; refuse rows naming neither a known one."""
    keys = pa.array(registry["name_key"].tolist(), pa.string())
    ids = pa.array(registry["alliance_id"].tolist(), pa.string())
    name_keys = n.name_key_column(pa.array(df["alliance_name"]))
    from_name = _series(ids.take(pc.index_in(name_keys, value_set=keys)))
    numbers = pa.array(df["alliance_no"])
    from_no = _series(pc.if_else(pc.is_in(numbers, value_set=ids), numbers, pa.scalar(None, pa.string())))
    for idx in df.index[df["alliance_no"].notna() & from_no.isna()]:
        problems.append(_problem_at(df, idx, f"联盟编号“{df.at[idx, 'alliance_no']}”不在联盟名录中", column="联盟编号",
                                    value=df.at[idx, "alliance_no"]))
    unknown_name = df["alliance_no"].isna() & df["alliance_name"].notna() & from_name.isna()
    for idx in df.index[unknown_name]:
        problems.append(_problem_at(df, idx, f"联盟“{df.at[idx, 'alliance_name']}”不在联盟名录中（名称须与名录一致）",
                                    column="联盟名称", value=df.at[idx, "alliance_name"]))
    for idx in df.index[_mask(from_no != from_name)]:
        problems.append(_problem_at(df, idx, f"联盟编号“{df.at[idx, 'alliance_no']}”与联盟名称“{df.at[idx, 'alliance_name']}”"
                                             "指向不同的联盟", column="联盟编号"))
    df.insert(0, "alliance_id", from_no.where(from_no.notna(), from_name))
    return df.drop(columns=["alliance_name", "alliance_no"])


def _series(values: pa.Array) -> pd.Series:
    return pd.Series(values, dtype=pd.ArrowDtype(values.type))


def _mask(condition: pd.Series) -> np.ndarray:
    """A boolean condition as numpy, missing counted as False."""
    return condition.to_numpy(dtype=bool, na_value=False)


def _validate_children(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    members = tables.get("members")
    if members is not None:
        linked = members["alliance_id"].notna()
        for cols, label in ((["alliance_id", "unit_name_key"], "单位名称"), (["alliance_id", "credit_code"], "统一社会信用代码")):
            dup = linked & members[cols[1]].notna() & members.duplicated(cols, keep="first")
            for idx in members.index[dup]:
                problems.append(_problem_at(members, idx, f"同一联盟中{label}重复（同一单位出现两次）", column=label,
                                            value=members.at[idx, cols[1]]))
        _check_order(members, "joined_date", "left_date", "退出日期早于加入日期", "退出日期", problems)
    reports = tables.get("annual_reports")
    if reports is not None:
        dup = reports["alliance_id"].notna() & reports.duplicated(["alliance_id", "year"], keep="first")
        for idx in reports.index[dup]:
            problems.append(_problem_at(reports, idx, f"同一联盟 {reports.at[idx, 'year']} 年度的年度报告重复", column="年度"))
    subsidies = tables.get("subsidies")
    if subsidies is not None:
        subsidies["status"] = subsidies["status"].fillna("已拨付")
        same = ["alliance_id", "year", "kind", "amount_yuan", "paid_date", "doc_no"]
        dup = subsidies["alliance_id"].notna() & subsidies.duplicated(same, keep="first")
        for idx in subsidies.index[dup]:
            problems.append(_problem_at(subsidies, idx, "与另一行的联盟、年度、类型、金额、日期和文号完全相同，疑似重复录入",
                                        level=WARNING))


def _warn_members(tables: dict[str, pd.DataFrame], registry: pd.DataFrame, existing: Existing,
                  problems: list[Problem]) -> None:
    """Warn (never block) about alliances below the usual member minimum or with no members."""
    if "members" not in tables or "alliances" not in tables:
        return
    alliances, members = tables["alliances"], tables["members"]
    current = members[members["left_date"].isna() & members["alliance_id"].notna()]
    counts = alliances["alliance_id"].map(current["alliance_id"].value_counts()).fillna(0).astype(int)
    active = _mask(alliances["status"].isin(["已备案", "已认定"]))
    few = alliances[active & (counts < MEMBER_MINIMUM_WARNING).to_numpy()]
    # Thousands of warnings on a national registry: read the columns once, not cell by cell.
    for file, sheet, row, name, count in zip(few["source_file"].tolist(), few["source_sheet"].tolist(),
                                             few["source_row"].tolist(), few["name"].tolist(),
                                             counts[few.index].tolist()):
        message = ("没有成员单位记录" if count == 0 else
                   f"现有成员单位 {count} 家，少于 {MEMBER_MINIMUM_WARNING} 家（天津、渭南等地的最低要求）")
        problems.append(Problem(WARNING, file, f"联盟“{name}”{message}", sheet=sheet if isinstance(sheet, str) else None,
                                row=int(row)))
