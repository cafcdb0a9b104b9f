"""The catalogue of named queries: ``queries/*.sql``, one file per question, read from its header.

A header names the query and its Chinese title, says what it answers (``What:``), its
``$parameters`` (type, default, meaning), its result ``Columns:`` (name, Chinese label,
meaning), its ``Caveats:`` and the named queries it ``Requires:``. ``list_queries`` and
``get_query`` serve them as ``QueryDoc``; ``user_values`` types a caller's parameters the way
the header declares them. Nothing here touches a database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

QUERIES_DIR = Path(__file__).resolve().parent

# Parameters the runner supplies from as_of and the profile; a header documents the ones its SQL uses.
CONTEXT_PARAMS: dict[str, str] = {
    "as_of": "统计截止日期（--as-of，默认今天）",
    "cycle_years": "评估/复审周期（年），profile review.cycle_years；0 = 不设周期",
    "report_due_month": "年度报告截止月，profile review.report_due；不要求年报时为 NULL",
    "report_due_day": "年度报告截止日，profile review.report_due；不要求年报时为 NULL",
    "agreement_term_years": "联盟协议期限（年），profile review.agreement_term_years；0 = 不设期限",
    "overdue_action": "逾期未评估（复审）的后果，profile review.overdue_action（渭南：应撤销）；空 = 原文未规定",
    "recommender_max": "每个推荐单位每年最多推荐的联盟数，profile recommendation.max_per_recommender；0 = 不设限额",
    "act_term": "政策用语：列入名单的行为（备案 / 认定 / 确定 / 纳入试点），profile terms.act",
    "review_term": "政策用语：周期性检查（评估 / 复审），profile terms.review",
    "conditions_term": "政策用语：核对的条件（备案条件 / 认定条件 / 基本条件），profile terms.conditions",
    "member_minimum": "成员单位最低数量，profile members.minimum；0 = 不设下限",
    "counts_core_only": "最低数量只计核心成员，profile members.counts_core_only",
    "require_lead_local": "对外责任主体单位须在本地注册，profile members.lead_registered_locally",
    "core_local_share_min": "核心成员中本地单位的最低占比（0–1），profile members.core_local_share_min",
    "local_places": "本地地名（注册地含其一即为本地），profile members.local_places",
    "neighbour_places": "周边协同地区地名，profile members.neighbour_places",
    "regions": "本辖区的区域清单，profile regions.list",
}

_PARAM_TYPES = ("date", "integer", "varchar", "boolean", "double", "varchar[]")
_SECTIONS = {"what:": "what", "parameters:": "params", "columns:": "columns", "caveats:": "caveats",
             "requires:": "requires"}
_BOUND = re.compile(r"\$([A-Za-z_]\w*)")


@dataclass(frozen=True)
class ParamDoc:
    """One ``$parameter`` of a query, from its header."""

    name: str
    type: str                  # date | integer | varchar | boolean | double | varchar[] | a|b|c (choices)
    default: str | None        # as written in the header; None for runner-supplied parameters
    doc: str

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.type.split("|")) if "|" in self.type else ()

    @property
    def supplied(self) -> bool:
        """True when the runner fills it from as_of and the profile."""
        return self.name in CONTEXT_PARAMS


@dataclass(frozen=True)
class ColumnDoc:
    """One result column: name, Chinese label (for table headers and chart axes), meaning."""

    name: str
    label: str
    doc: str


@dataclass(frozen=True)
class QueryDoc:
    """A named query as its header documents it."""

    name: str
    title: str                      # Chinese title
    what: str
    params: tuple[ParamDoc, ...]
    columns: tuple[ColumnDoc, ...]
    caveats: tuple[str, ...]
    requires: tuple[str, ...]
    path: Path
    sql: str                        # the whole file, header included (DuckDB ignores comments)

    @property
    def labels(self) -> dict[str, str]:
        """Column name -> Chinese label."""
        return {c.name: c.label for c in self.columns}

    @property
    def user_params(self) -> tuple[ParamDoc, ...]:
        """The parameters a caller may set (``--param k=v``)."""
        return tuple(p for p in self.params if not p.supplied)

    @property
    def bound_names(self) -> tuple[str, ...]:
        """The ``$names`` its SQL uses, comments excluded, in first-use order."""
        return tuple(dict.fromkeys(_BOUND.findall(strip_comments(self.sql))))


class QueryError(ValueError):
    """A bad query name or parameter; the message is Chinese, for the people who run the CLI."""




# --------------------------------------------------------------------------- reading the files


def strip_comments(sql: str) -> str:
    """SQL without ``--`` comments (string literals in our files never contain ``--`` or ``$``)."""
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def parse_header(path: Path) -> QueryDoc:
    """Parse the header comment of ``path``; raise ValueError when it is missing or malformed."""
    text = path.read_text(encoding="utf-8")
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].rstrip())
    if not lines:
        raise ValueError(f"{path.name}：缺少文件头注释")
    first = lines[0].strip()
    match = re.fullmatch(r"([a-z0-9_]+)\s*[：:]\s*(.+)", first)
    if not match or match[1] != path.stem:
        raise ValueError(f"{path.name}：第一行应为“-- {path.stem}：中文标题”")
    sections: dict[str, list[str]] = {key: [] for key in _SECTIONS.values()}
    current: str | None = None
    for line in lines[1:]:
        stripped = line.strip()
        head = stripped.split(None, 1)[0].lower() if stripped else ""
        if head in _SECTIONS:
            current = _SECTIONS[head]
            rest = stripped[len(head):].strip()
            if rest:
                sections[current].append("   " + rest)
            continue
        if current is not None:
            sections[current].append(line)
    params = tuple(_param(path, entry) for entry in _entries(sections["params"]))
    columns = tuple(_column(path, entry) for entry in _entries(sections["columns"]))
    caveats = tuple(e.removeprefix("- ").strip() for e in _entries(sections["caveats"]))
    requires = tuple(r.strip() for e in _entries(sections["requires"]) for r in e.split(",") if r.strip())
    what = " ".join(s.strip() for s in sections["what"] if s.strip())
    return QueryDoc(path.stem, match[2].strip(), what, params, columns, caveats, requires, path, text)


def _entries(lines: list[str]) -> list[str]:
    """Entries start at 3 spaces of indentation; deeper lines continue the previous entry."""
    entries: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent <= 3 or not entries:
            entries.append(line.strip())
        else:
            entries[-1] += " " + line.strip()
    return entries


def _param(path: Path, entry: str) -> ParamDoc:
    m = re.fullmatch(r"\$([A-Za-z_]\w*)\s+(\S+?)(?:\s*=\s*(\S+))?\s{2,}(.+)", entry)
    if not m:
        raise ValueError(f"{path.name}：参数说明格式应为“$name  type[ = default]  说明”：{entry}")
    name, kind, default, doc = m[1], m[2], m[3], m[4]
    if "|" not in kind and kind not in _PARAM_TYPES:
        raise ValueError(f"{path.name}：参数 ${name} 的类型「{kind}」未知，应为 {'、'.join(_PARAM_TYPES)} 或 a|b|c")
    return ParamDoc(name, kind, default, doc.strip())


def _column(path: Path, entry: str) -> ColumnDoc:
    parts = re.split(r"\s{2,}", entry, maxsplit=2)
    if len(parts) != 3:
        raise ValueError(f"{path.name}：列说明格式应为“name  中文标签  说明”：{entry}")
    return ColumnDoc(*parts)


@lru_cache(maxsize=1)
def _docs() -> dict[str, QueryDoc]:
    # Read once per process: the files ship with the code (a page asked for a header per chart and table,
    # and listing and stat-ing every file each time was a few per cent of a page's server time).
    return {p.stem: parse_header(p) for p in sorted(QUERIES_DIR.glob("*.sql"))}


def list_queries() -> list[QueryDoc]:
    """Every named query, by name."""
    return list(_docs().values())


def get_query(name: str) -> QueryDoc:
    """The named query's documentation and SQL; QueryError if there is none."""
    docs = _docs()
    if name not in docs:
        raise QueryError(f"没有名为「{name}」的查询。现有：{'、'.join(docs)}")
    return docs[name]


# --------------------------------------------------------------------------- parameters


def _convert(doc: QueryDoc, p: ParamDoc, value: Any) -> Any:
    """A user parameter's value (from the CLI as text, or from Python) in its declared type."""
    if p.choices:
        value = str(value)
        if value not in p.choices:
            raise QueryError(f"查询 {doc.name} 的参数 {p.name} 应为 {' | '.join(p.choices)} 之一，现为「{value}」")
        return value
    try:
        if p.type == "integer":
            return value if isinstance(value, int) and not isinstance(value, bool) else int(str(value))
        if p.type == "double":
            return float(value)
        if p.type == "date":
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if p.type == "boolean":
            if isinstance(value, bool):
                return value
            return {"true": True, "1": True, "是": True, "false": False, "0": False, "否": False}[str(value).lower()]
    except (ValueError, KeyError) as e:
        raise QueryError(f"查询 {doc.name} 的参数 {p.name} 应为 {p.type}，现为「{value}」") from e
    return str(value)


def user_values(doc: QueryDoc, as_of: date, given: dict[str, Any]) -> dict[str, Any]:
    """Declared user parameters: given values, else defaults (``as_of.year`` / ``as_of.year+1`` allowed)."""
    known = {p.name: p for p in doc.user_params}
    for name in given:
        if name not in known:
            accepted = "、".join(known) or "无"
            raise QueryError(f"查询 {doc.name} 没有参数「{name}」。可用参数：{accepted}")
    values: dict[str, Any] = {}
    for name, p in known.items():
        raw = given.get(name, p.default)
        if raw is None:
            raise QueryError(f"查询 {doc.name} 缺少参数 {name}")
        if raw == "as_of.year":
            raw = as_of.year
        elif raw == "as_of.year+1":
            raw = as_of.year + 1
        values[name] = _convert(doc, p, raw)
    return values
