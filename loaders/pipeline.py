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
from typing import Any, Callable, Iterable, Mapping

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import normalise as n
from .headers import HeaderMap, find_layout, header_key
from .read import Grid, UnreadableFile, read_grids
from .schema import (ALLIANCES, BOOL, CREDIT_CODE, DATE, ENUM, INT, LINK_ID, LINK_NAME, MONEY, NAME, SCORE,
                     TABLES, TEXT, YEAR, Column, Table)
from .store import sha256_of, sha256s

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
    tables: dict[str, pa.Table]     # Arrow, as DuckDB stores them: the store inserts them without a copy
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

    alliances: pa.Table  # alliance_id, name, name_key (text)
    child_ids: dict[str, list[str]]  # table -> distinct alliance_id values in it

    @classmethod
    def empty(cls) -> "Existing":
        return cls(pa.table({name: pa.array([], pa.string()) for name in ("alliance_id", "name", "name_key")}), {})


def prepare(paths: Iterable[Path], headers: HeaderMap | None = None, existing: Existing | None = None,
            digests: Mapping[Path, str] | None = None) -> Batch:
    """Read and validate a file set. Nothing is written.

    ``digests``: the files' SHA-256 when already known (the service hashes them to journal the
    attempt before reading); hashed here otherwise.
    """
    headers = headers or HeaderMap.load()
    existing = existing or Existing.empty()
    # The largest file is read alone (its reading is the peak of the whole import; pyarrow parses it on
    # every core), the others side by side: pyarrow and numpy release the GIL for the heavy parts.
    # Results are gathered in the given order, so problems come out the same every time.
    paths = [Path(p) for p in paths]
    digests = digests or sha256s(paths)
    sizes = [p.stat().st_size if p.is_file() else 0 for p in paths]
    largest = max(range(len(paths)), key=sizes.__getitem__, default=None)
    found = {largest: _read_file(paths[largest], headers)} if largest is not None else {}
    others = [i for i in range(len(paths)) if i != largest]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        found.update(zip(others, pool.map(lambda i: _read_file(paths[i], headers), others)))
    results = [found.pop(i) for i in range(len(paths))]
    for path, (info, _, _) in zip(paths, results):
        if info is not None:
            info.sha256 = digests.get(path) or sha256_of(path)  # a file that appeared after the hashing
    files = [info for info, _, _ in results if info is not None]
    problems = [p for _, found, _ in results for p in found]
    parts: dict[str, list[pa.Table]] = {t.name: [] for t in TABLES}
    for _, _, frames in results:
        for table_name, df in frames:
            parts[table_name].append(df)
    del results
    tables = {name: _concat(dfs) for name, dfs in parts.items() if dfs}
    del parts
    for t in TABLES:  # an empty sheet (e.g. an unfilled template sheet) must not wipe a table
        if t.name in tables and not len(tables[t.name]):
            del tables[t.name]
            problems.append(Problem(WARNING, "、".join(f.name for f in files if any(p["table"] == t.name for p in f.parts)),
                                    f"{t.title}没有数据行：登记库现有的{t.title}保持不变"))
    if not tables:
        return Batch(files, {}, problems)
    _validate_registry(tables, existing, problems)
    return Batch(files, tables, problems)


def _concat(parts: list[pa.Table]) -> pa.Table:
    """The sheets of one table end to end; a column kept as a dictionary in one sheet and not another is decoded."""
    if len(parts) > 1:
        for name in parts[0].column_names:
            types = {part.schema.field(name).type for part in parts}
            if len(types) > 1:
                parts = [part.set_column(part.column_names.index(name), name, _plain(part[name])) for part in parts]
    return pa.concat_tables(parts)


def _read_file(path: Path, headers: HeaderMap) -> tuple[FileInfo | None, list[Problem], list[tuple[str, pa.Table]]]:
    """One file: what it is, what is wrong in it, and its sheets as normalised frames."""
    problems: list[Problem] = []
    if not path.is_file():
        return None, [Problem(ERROR, path.name, f"找不到文件：{path}")], []
    info = FileInfo(path.name, "", path.stat().st_size)  # its SHA-256 comes from ``prepare``
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


def _read_sheet(grid: Grid, headers: HeaderMap, problems: list[Problem]) -> tuple[Table, pa.Table] | None:
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
    picked = {name: raw.column(pos) if pos < raw.num_columns else pa.nulls(raw.num_rows, pa.string())
              for pos, (name, _) in layout.columns.items()}
    del raw  # each column is let go once normalised (_normalise): cells and clean values never all at once
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


def _normalise(table: Table, grid: Grid, raw: dict[str, pa.ChunkedArray], units: dict[str, str | None],
               headers: dict[str, str], first_row: int, problems: list[Problem]) -> pa.Table:
    """Typed columns of one sheet; every unreadable or missing required cell becomes a Problem.

    Columns are parsed side by side (pyarrow's kernels release the GIL); their problems are kept in column
    order. ``raw`` (cells by column name) is emptied as the columns are done.
    """
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        # Blank rows (spacing between blocks) carry nothing; the others keep their Excel row numbers.
        names = list(raw)
        cells = dict(zip(names, pool.map(lambda name: n.Cells.of(raw[name]), names)))
        blank = np.ones(len(raw[names[0]]) if names else 0, dtype=bool)
        for name in names:
            if not blank.any():  # a column filled in every row (the alliance's name, mostly): no row is blank
                break
            blank &= n.blank_mask(cells[name])
        keep = np.flatnonzero(~blank)
        if len(keep) < len(blank):
            del cells
            for name in names:
                raw[name] = raw[name].take(keep)
            cells = dict(zip(names, pool.map(lambda name: n.Cells.of(raw[name]), names)))
        rows = first_row + keep
        size = len(keep)
        at = dict(file=grid.file, sheet=grid.sheet)
        first_problem = len(problems)
        today = dt.date.today()

        def parse(c: Column) -> tuple[dict[str, pa.Array], list[Problem]]:
            if c.name not in raw:  # every stored column exists, typed, whatever the file held
                return ({c.name: pa.nulls(size, ARROW_TYPES[c.kind])}
                        | ({c.name + "_key": pa.nulls(size, pa.string())} if c.kind == NAME else {})), []
            if c.kind in TEXT_KINDS:
                parsed = n.checked_text_column(cells[c.name])
            elif c.kind == CREDIT_CODE:  # hundreds of thousands of distinct codes: checked vectorised
                parsed = n.credit_code_column(cells[c.name])
            elif c.kind == DATE:
                parsed = n.date_column(cells[c.name], today + dt.timedelta(days=365))  # a later date is a typo
            else:
                parsed = n.parse_column(cells[c.name], _parser(c, units.get(c.name), today), ARROW_TYPES[c.kind])
            found = [Problem(ERROR, message=reason, row=int(rows[pos]), column=headers[c.name],
                             value=n.cell_text(raw[c.name][int(pos)].as_py()), **at)
                     for pos, reason in zip(parsed.bad, parsed.reasons)]
            if c.required and c.kind != LINK_NAME:
                missing = ~np.asarray(parsed.values.is_valid())
                missing[parsed.bad] = False
                found += [Problem(ERROR, message=f"必填项“{c.header}”为空", row=int(rows[pos]), column=headers[c.name], **at)
                          for pos in np.flatnonzero(missing)]
            values = {c.name: parsed.values}
            if c.kind == NAME:
                values[c.name + "_key"] = n.stored_key_column(parsed.values)
            return values, found

        columns: dict[str, pa.Array] = {}
        for c, (values, found) in zip(table.columns, pool.map(parse, table.columns)):
            columns.update(values)
            problems.extend(found)
            raw.pop(c.name, None)  # this column's cells are done with
            cells.pop(c.name, None)
    if table.links_to_alliance:
        unlinked = ~np.asarray(columns["alliance_name"].is_valid()) & ~np.asarray(columns["alliance_no"].is_valid())
        for pos in np.flatnonzero(unlinked):
            problems.append(Problem(ERROR, message="“联盟名称”和“联盟编号”均为空，无法确定所属联盟", row=int(rows[pos]),
                                    column="联盟名称", **at))
    had_errors = np.zeros(size, dtype=bool)
    for problem_row in {p.row for p in problems[first_problem:]}:
        had_errors[np.searchsorted(rows, problem_row)] = True
    columns["cell_errors"] = pa.array(had_errors)  # rows already reported: no second, derived complaint
    columns["source_file"] = _constant(grid.file, size)
    columns["source_sheet"] = _constant(grid.sheet, size)
    columns["source_row"] = pa.array(rows, pa.int32())  # a sheet has at most 1,048,576 rows
    return pa.table(columns)


def _constant(value: str | None, size: int) -> pa.Array:
    """One value for a whole sheet (its file, its sheet): a byte a row, not a copy of the text in every row."""
    if value is None:  # a CSV's sheet; a null in a dictionary would stop tables of several files being combined
        return pa.nulls(size, pa.dictionary(pa.int8(), pa.string()))
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(size, dtype=np.int8)), pa.array([value], pa.string()))


def _parser(c: Column, unit: str | None, today: dt.date) -> Callable[[Any], Any]:
    if c.kind == ENUM:
        return n.make_enum_parser(c.values, c.value_aliases)
    if c.kind == MONEY:
        return lambda v: n.parse_money(v, unit)
    return {INT: n.parse_int, YEAR: n.parse_year, SCORE: n.parse_score, BOOL: n.parse_bool}[c.kind]


# ---- cross-row validation -------------------------------------------------------------------
# Each table is registered with DuckDB as it is (Arrow, no copy) with its row position ``_i``; a
# check is one query returning the positions of the rows at fault, in row order, and only those
# rows are read back to word the problems.

def generated_alliance_id(key: str) -> str:
    """A stable id for an alliance exported without 联盟编号: the same name gives the same id."""
    return "L-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8].upper()


def _register(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register(name, table.append_column("_i", pa.array(np.arange(len(table), dtype=np.int64))))


def _found(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Rows of a check's query: the row position first, then whatever the query adds."""
    return con.execute(sql).fetchall()


def _at(table: pa.Table, positions: list[int]) -> list[dict[str, Any]]:
    """The rows at ``positions`` as dicts, read from the table only for them."""
    return table.take(pa.array(positions, pa.int64())).to_pylist() if positions else []


def _problem_at(row: dict[str, Any], message: str, column: str | None = None, value: Any = None,
                level: str = ERROR) -> Problem:
    return Problem(level, row["source_file"], message, sheet=row["source_sheet"], row=int(row["source_row"]),
                   column=column, value=None if value is None else n.cell_text(value))


def _validate_registry(tables: dict[str, pa.Table], existing: Existing, problems: list[Problem]) -> None:
    with duckdb.connect() as con:
        if "alliances" in tables:
            tables["alliances"] = _validate_alliances(con, tables["alliances"], problems)
            alliances = tables["alliances"]
            registry = pa.table({"alliance_id": _plain(alliances["alliance_id"]),
                                 "name_key": _name_key(alliances)})
        else:
            registry = existing.alliances.select(["alliance_id", "name_key"])
            if not len(registry) and tables:
                files = sorted({f for table in tables.values() for f in pc.unique(table["source_file"]).to_pylist()})
                problems.append(Problem(ERROR, "、".join(files), "登记库中还没有联盟名录：请先导入（或同时导入）联盟名录"))
                return
        for t in TABLES:
            if t is ALLIANCES:
                continue
            if t.name in tables:
                tables[t.name] = _link(tables[t.name], registry, problems)
            elif "alliances" in tables and t.name in existing.child_ids:
                orphans = sorted(set(existing.child_ids[t.name]) - set(registry["alliance_id"].to_pylist()))
                if orphans:
                    problems.append(Problem(ERROR, tables["alliances"]["source_file"][0].as_py(),
                                            f"登记库现有{t.title}中有 {len(orphans)} 个联盟不在新的联盟名录中"
                                            f"（如 {'、'.join(orphans[:3])}）：请同时导入新的{t.title}，以免数据不一致"))
        _validate_children(con, tables, problems)
        _warn_members(con, tables, problems)


def _repeats(con: duckdb.DuckDBPyConnection, table: str, keys: list[str], where: str = "true") -> list[tuple[int, int]]:
    """(row, first row with the same ``keys``) for every row that repeats an earlier one, in row order.

    Missing values count as equal, as they would to a person comparing the rows. The hashes that
    repeat are found first (an aggregate of one number per row, not of the keys' text: about 100 MB
    less at 1.7M members); only their rows are then ranked, by the keys themselves.
    """
    hashed = f"hash({', '.join(keys)})"
    return _found(con, f"""with d as (select {hashed} as h from {table} where {where} group by h having count(*) > 1)
                           select _i, first from (
                               select _i, first_value(_i) over w as first, row_number() over w as nth
                               from {table} where {where} and {hashed} in (select h from d)
                               window w as (partition by {', '.join(keys)} order by _i))
                           where nth > 1 order by _i""")


def _validate_alliances(con: duckdb.DuckDBPyConnection, df: pa.Table, problems: list[Problem]) -> pa.Table:
    ids, keys = _plain(df["alliance_id"]), _name_key(df)
    given = ids.is_valid()
    generate = pc.and_(pc.invert(given), keys.is_valid())  # a blank name gets no id
    if pc.any(generate).as_py():
        made = pa.array([generated_alliance_id(k) for k in keys.filter(generate).to_pylist()], pa.string())
        ids = pc.replace_with_mask(ids, generate, made)
    df = df.set_column(df.column_names.index("alliance_id"), "alliance_id", ids)
    # Status: derive when blank; refuse when it contradicts the dates the figures rely on.
    derived = pc.case_when(pc.make_struct(df["revoked_date"].is_valid(), df["filed_date"].is_valid(),
                                          df["applied_date"].is_valid()), "已撤销", "已备案", "申请中", "组建中")
    df = df.set_column(df.column_names.index("status"), "status", pc.coalesce(_plain(df["status"]), derived))
    _register(con, "alliances", df.append_column("given", given))
    for key, label, value, where in (("coalesce(name_key, name)", "联盟名称", "name", "name is not null"),
                                     ("alliance_id", "联盟编号", "alliance_id", "given")):
        found = sorted(_repeats(con, "alliances", [key], where), key=lambda pair: (pair[1], pair[0]))  # group by group
        positions = sorted({p for pair in found for p in pair})
        rows = dict(zip(positions, _at(df, positions)))
        for i, first in found:
            same = f"{rows[first]['source_file']} 第{rows[first]['source_row']}行"
            problems.append(_problem_at(rows[i], f"{label}重复：与 {same} 是同一个联盟", column=label, value=rows[i][value]))
    ended = "status in ('已撤销', '已解散')"
    for condition, message, column, value in (
            (f"{ended} and revoked_date is null", "状态为“{}”但撤销日期为空：统计在册联盟需要撤销日期", "撤销日期", False),
            (f"not ({ended}) and revoked_date is not null", "填写了撤销日期，但状态为“{}”，两者矛盾", "状态", True),
            ("status in ('已备案', '已认定') and filed_date is null", "状态为“{}”但备案日期为空", "备案日期", False)):
        for row in _at(df, [i for i, in _found(con, f"select _i from alliances where not cell_errors and {condition} "
                                                      "order by _i")]):
            problems.append(_problem_at(row, message.format(row["status"]), column=column,
                                        value=row["status"] if value else None))
    _check_order(con, "alliances", df, "filed_date", "revoked_date", "撤销日期早于备案日期", "撤销日期", problems)
    _check_order(con, "alliances", df, "applied_date", "filed_date", "备案日期早于申请日期", "备案日期", problems, WARNING)
    _check_order(con, "alliances", df, "founded_date", "filed_date", "备案日期早于成立日期", "备案日期", problems, WARNING)
    return df


def _name_key(df: pa.Table) -> pa.Array:
    """Each alliance name's key for matching: stored only where it differs from the name (``n.stored_key_column``)."""
    return pc.coalesce(_plain(df["name_key"]), _plain(df["name"]))


def _plain(column: pa.ChunkedArray) -> pa.Array:
    """A column as plain values, for the kernels that take no dictionary."""
    column = column.combine_chunks()
    return column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column


def _check_order(con: duckdb.DuckDBPyConnection, name: str, df: pa.Table, early: str, late: str, message: str,
                 column: str, problems: list[Problem], level: str = ERROR) -> None:
    for row in _at(df, [i for i, in _found(con, f"select _i from {name} where {late} < {early} order by _i")]):
        problems.append(_problem_at(row, f"{message}（{row[early]} → {row[late]}）", column=column, value=row[late],
                                    level=level))


def _link(df: pa.Table, registry: pa.Table, problems: list[Problem]) -> pa.Table:
    """Resolve each row's alliance by 联盟编号 or by normalised 联盟名称; refuse rows naming neither a known one."""
    keys, ids = _plain(registry["name_key"]), _plain(registry["alliance_id"])
    names, numbers = df["alliance_name"].combine_chunks(), _plain(df["alliance_no"])
    if not pa.types.is_dictionary(names.type):  # a member list names each alliance hundreds of times: look each up once
        names = pc.dictionary_encode(names)
    found = pc.index_in(n.name_key_column(names.dictionary), value_set=keys).fill_null(-1).to_numpy()
    from_name = n.dictionary(np.append(found, -1)[names.indices.fill_null(-1).to_numpy()], ids)
    from_no = pc.if_else(pc.is_in(numbers, value_set=ids), numbers, pa.scalar(None, pa.string()))
    numbered = np.asarray(numbers.is_valid())
    if numbered.any():  # some rows give 联盟编号: ids as plain text (else they stay codes into the registry's ids)
        from_name = from_name.cast(pa.string())
        alliance_id = pc.coalesce(from_no, from_name)
        disagree = numbered & np.asarray(pc.fill_null(pc.not_equal(from_no, from_name), False))
    else:
        alliance_id, disagree = from_name, numbered
    checks = (
        (numbered & ~np.asarray(from_no.is_valid()),
         lambda r: (f"联盟编号“{r['alliance_no']}”不在联盟名录中", "联盟编号", r["alliance_no"])),
        (~numbered & np.asarray(names.is_valid()) & ~np.asarray(from_name.is_valid()),
         lambda r: (f"联盟“{r['alliance_name']}”不在联盟名录中（名称须与名录一致）", "联盟名称", r["alliance_name"])),
        (disagree,
         lambda r: (f"联盟编号“{r['alliance_no']}”与联盟名称“{r['alliance_name']}”指向不同的联盟", "联盟编号", None)))
    for wrong, word in checks:
        for row in _at(df, np.flatnonzero(wrong).tolist()):
            message, column, value = word(row)
            problems.append(_problem_at(row, message, column=column, value=value))
    return df.drop_columns(["alliance_name", "alliance_no"]).add_column(0, "alliance_id", alliance_id)


def _validate_children(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], problems: list[Problem]) -> None:
    if "subsidies" in tables:
        subsidies = tables["subsidies"]
        tables["subsidies"] = subsidies.set_column(subsidies.column_names.index("status"), "status",
                                                   pc.coalesce(subsidies["status"], pa.scalar("已拨付")))
    for name in ("members", "annual_reports", "subsidies"):
        if name in tables:
            _register(con, name, tables[name])
    if "members" in tables:
        members = tables["members"]
        for key, column, label in (("coalesce(unit_name_key, unit_name)", "unit_name", "单位名称"),
                                   ("credit_code", "credit_code", "统一社会信用代码")):
            found = _repeats(con, "members", ["alliance_id", key], f"alliance_id is not null and {column} is not null")
            for row in _at(members, [i for i, _ in found]):
                problems.append(_problem_at(row, f"同一联盟中{label}重复（同一单位出现两次）", column=label, value=row[column]))
        _check_order(con, "members", members, "joined_date", "left_date", "退出日期早于加入日期", "退出日期", problems)
    if "annual_reports" in tables:
        found = _repeats(con, "annual_reports", ["alliance_id", "year"], "alliance_id is not null")
        for row in _at(tables["annual_reports"], [i for i, _ in found]):
            problems.append(_problem_at(row, f"同一联盟 {row['year']} 年度的年度报告重复", column="年度"))
    if "subsidies" in tables:
        found = _repeats(con, "subsidies", ["alliance_id", "year", "kind", "amount_yuan", "paid_date", "doc_no"],
                         "alliance_id is not null")
        for row in _at(tables["subsidies"], [i for i, _ in found]):
            problems.append(_problem_at(row, "与另一行的联盟、年度、类型、金额、日期和文号完全相同，疑似重复录入", level=WARNING))


def _warn_members(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], problems: list[Problem]) -> None:
    """Warn (never block) about alliances below the usual member minimum or with no members."""
    if "members" not in tables or "alliances" not in tables:
        return
    found = _found(con, f"""select a._i, coalesce(c.members, 0) from alliances a
                            left join (select alliance_id, count(*) as members from members
                                       where left_date is null and alliance_id is not null group by alliance_id) c
                                 on a.alliance_id = c.alliance_id
                            where a.status in ('已备案', '已认定') and coalesce(c.members, 0) < {MEMBER_MINIMUM_WARNING}
                            order by a._i""")
    for row, (_, count) in zip(_at(tables["alliances"], [i for i, _ in found]), found):
        message = ("没有成员单位记录" if count == 0 else
                   f"现有成员单位 {count} 家，少于 {MEMBER_MINIMUM_WARNING} 家（天津、渭南等地的最低要求）")
        problems.append(_problem_at(row, f"联盟“{row['name']}”{message}", level=WARNING))
