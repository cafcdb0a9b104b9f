"""Policy profiles and field taxonomies, read from data files.

A *profile* (``data/profiles/<id>.toml``) holds one jurisdiction's rules for alliances:
member minimum, locality, review cycle, report deadline, subsidy caps and targets. A
*taxonomy* (``data/taxonomies/<id>.toml``) lists the industrial clusters or fields a
bureau counts alliances by, with keywords that map the free-text 产业领域 to an entry.
``data/taxonomy_overrides.csv`` lets users pin an alliance to an entry by hand.

A deployment's own settings (the 设置 page, ``queries.bureau``) live in a folder beside its
registry and are layered over these files, which stay as shipped: ``profiles/<id>.toml``
there replaces keys of ``[members]`` and ``[review]`` and the whole ``[subsidy_caps]`` or
``targets``; its ``taxonomy_overrides.csv`` adds to (and wins over) the shipped one.

Every rule lives in the data files, each with a comment citing its source clause; this
module only reads and validates them. Problems are reported as ``ValueError`` with a
Chinese message naming the file, because the people who edit these files read Chinese.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from .vocabulary import UNCLASSIFIED  # noqa: F401  (taxonomy code and its callers name it here)

REPO_ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = REPO_ROOT / "data" / "profiles"
TAXONOMIES_DIR = REPO_ROOT / "data" / "taxonomies"
OVERRIDES_PATH = REPO_ROOT / "data" / "taxonomy_overrides.csv"
DEFAULT_PROFILE = "tianjin-2018"

MANUAL_REASON = "人工指定"

# Allowed values; the unit types and subsidy kinds are those of loaders/schema.py.
ACTS = ("试点", "省级联盟", "备案", "认定")
LEVELS = ("国家级", "省级", "市级")
UNIT_TYPES = ("企业", "高校", "科研院所", "金融机构", "中介机构", "其他")
# 产学研金介: each unit type's pillar, as the member tables name it (其他, last, also takes a blank type)
PILLARS = dict(zip(UNIT_TYPES, ("产", "学", "研", "金", "介", "其他")))
SUBSIDY_KINDS = ("备案补贴", "国家试点补贴", "评估补贴", "项目经费", "其他")

OVERRIDE_HEADER = ("联盟名称", "分类体系", "归入")
# Inside a settings folder: the profile layers and the deployment's own overrides.
LAYER_DIR = "profiles"
OVERRIDES_NAME = "taxonomy_overrides.csv"
# What a layer may change: keys of the first two tables, the last two whole.
LAYER_TABLES = ("members", "review")
LAYER_WHOLE = ("subsidy_caps", "targets")
CLASSIFICATION_COLUMNS = ("alliance_id", "entry", "reason", "raw_field")

# Ids become file names: keep them to plain lower-case stems so "../x" cannot escape the folder.
_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
# Whitespace plus the invisible characters Excel and web pages leave in Chinese text.
_BLANKS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Members:
    """Who must be in an alliance (the TOML ``[members]`` table)."""

    minimum: int                                 # 0 = no minimum set
    counts_core_only: bool                       # the minimum counts core members only
    required_types: tuple[tuple[str, ...], ...]  # each group: at least one member of one of these types
    lead_registered_locally: bool
    local_places: tuple[str, ...]
    neighbour_places: tuple[str, ...]
    core_local_share_min: float                  # 0..1; 0 = not required


@dataclass(frozen=True)
class Review:
    """Evaluation cycle, annual report deadline and agreement term (``[review]``)."""

    cycle_years: int           # 0 = no cycle
    report_due: str            # "MM-DD" or "" when no annual report is required
    agreement_term_years: int  # 0 = no term
    overdue_action: str        # what the text does to an alliance overdue for review (渭南：应撤销); "" = nothing said

    def report_due_date(self, year: int) -> date | None:
        """The date by which the annual report for ``year`` is due, or None."""
        if not self.report_due:
            return None
        month, day = (int(part) for part in self.report_due.split("-"))
        return date(year, month, day)


@dataclass(frozen=True)
class Terms:
    """How the policy text words things (``[terms]``): pages say 认定 under Weinan, 领域 under Heilongjiang."""

    act: str         # entering the register: 备案 / 认定 / 确定 / 纳入试点 (新备案, 备案日期)
    conditions: str  # the conditions checked: 备案条件 / 认定条件 / 基本条件
    cluster: str     # what alliances are counted by: 产业集群 / 领域 / 重点领域 / 产业
    review: str      # the periodic check: 评估 / 复审


@dataclass(frozen=True)
class Clauses:
    """The clause behind each rule, quoted (``[clauses]``), shown beside a figure or beside 未规定."""

    cycle: str
    report: str
    agreement: str
    target: str
    caps: str


@dataclass(frozen=True)
class Recommendation:
    """A cap on how many alliances each recommending body may put forward (``[recommendation]``)."""

    max_per_recommender: int  # 0 = no cap
    clause: str


@dataclass(frozen=True)
class Target:
    """A count of filed alliances to reach by the end of ``year``."""

    label: str
    year: int
    low: int
    high: int
    count_from: int  # count filings from this year on; 0 = cumulative since the start


@dataclass(frozen=True)
class Profile:
    """One jurisdiction's rules. Mirrors the TOML; ``[regions] list`` becomes ``regions``."""

    id: str
    name: str
    title: str
    issuer: str
    source: str
    act: str
    level: str
    taxonomy: str                   # taxonomy id (data/taxonomies/<id>.toml)
    members: Members
    regions: tuple[str, ...]
    review: Review
    subsidy_caps: dict[str, float]  # 万元, by 补贴类型
    targets: tuple[Target, ...]
    terms: Terms
    clauses: Clauses
    recommendation: Recommendation
    settings: Path | None = None    # the settings folder layered in (its overrides apply too); None = as shipped

    def in_words(self, text: str) -> str:
        """A fixed Tianjin-worded name (a page or query title) in this profile's words: 备案条件核对 → 认定条件核对."""
        return (text.replace("产业集群", self.terms.cluster).replace("备案", self.terms.act)
                .replace("评估", self.terms.review))


def list_profiles(directory: Path = PROFILES_DIR) -> list[str]:
    """Ids of the profiles in ``directory``, sorted."""
    return _list_ids(directory)


def default_profile() -> str:
    """The profile pages open with: $REGISTRY_PROFILE when it names one (``make run SAMPLE=…`` sets it to
    the sample's profile), else DEFAULT_PROFILE."""
    wanted = os.environ.get("REGISTRY_PROFILE", "")
    return wanted if wanted in list_profiles() else DEFAULT_PROFILE


def load_profile(profile_id: str, directory: Path = PROFILES_DIR, settings: Path | None = None) -> Profile:
    """Read and validate ``<directory>/<profile_id>.toml``, with the layer in ``settings`` when given.

    The shipped file is checked on its own first, so an error names the file that causes it.
    """
    path = _find(profile_id, directory, "政策配置")
    data = read_toml(path)
    profile = profile_from(data, path)
    if settings is None:
        return profile
    layer = layer_path(settings, path.stem)
    if layer.is_file():
        profile = profile_from(merge_layer(data, read_toml(layer), layer), layer)
    return replace(profile, settings=settings)


def layer_path(settings: Path, profile_id: str) -> Path:
    """Where a deployment's layer over profile ``profile_id`` lives in its settings folder."""
    return Path(settings) / LAYER_DIR / f"{profile_id}.toml"


def merge_layer(shipped: dict[str, Any], layer: dict[str, Any], path: Path) -> dict[str, Any]:
    """The shipped profile's data with a layer applied; a key a layer may not change raises ValueError."""
    merged = dict(shipped)
    for key, value in layer.items():
        if key in LAYER_TABLES:
            if not isinstance(value, dict):
                raise ValueError(f"{_shown(path)}：「{key}」应为表（[{key}]）")
            merged[key] = {**shipped.get(key, {}), **value}
        elif key in LAYER_WHOLE:
            merged[key] = value
        else:
            raise ValueError(f"{_shown(path)}：「{key}」不能在本局设置中修改，"
                             f"可改的只有：{'、'.join(LAYER_TABLES + LAYER_WHOLE)}")
    return merged


def profile_from(data: dict[str, Any], path: Path) -> Profile:
    """Validate a profile's data (as read from ``path``, which errors name) and build the Profile."""
    top = _Table(data, path)
    top.only("id", "name", "title", "issuer", "source", "act", "level", "taxonomy",
             "members", "regions", "review", "subsidy_caps", "targets", "terms", "clauses", "recommendation")
    _check_id(top, path)
    return Profile(
        id=path.stem,
        name=top.text("name"),
        title=top.text("title"),
        issuer=top.text("issuer"),
        source=top.text("source"),
        act=top.choice("act", ACTS),
        level=top.choice("level", LEVELS),
        taxonomy=_taxonomy_ref(top),
        members=_members(top.table("members")),
        regions=_regions(top.table("regions")),
        review=_review(top.table("review")),
        subsidy_caps=_subsidy_caps(top.table("subsidy_caps")),
        targets=tuple(_target(t) for t in top.tables("targets")),
        terms=_terms(top.table("terms")),
        clauses=_clauses(top.table("clauses")),
        recommendation=_recommendation(top.table("recommendation")),
    )


def _terms(t: _Table) -> Terms:
    t.only("act", "conditions", "cluster", "review")
    return Terms(act=t.text("act"), conditions=t.text("conditions"), cluster=t.text("cluster"), review=t.text("review"))


def _clauses(t: _Table) -> Clauses:
    t.only("cycle", "report", "agreement", "target", "caps")
    return Clauses(**{key: t.text(key) for key in ("cycle", "report", "agreement", "target", "caps")})


def _recommendation(t: _Table) -> Recommendation:
    t.only("max_per_recommender", "clause")
    return Recommendation(max_per_recommender=t.integer("max_per_recommender"), clause=t.text("clause"))


def _taxonomy_ref(top: _Table) -> str:
    # Required: a profile without its own taxonomy would leave pages to borrow another bureau's.
    value = top.text("taxonomy")
    if not _ID_PATTERN.fullmatch(value):
        top.fail("taxonomy", f"应为 data/taxonomies 下的文件名（不含 .toml），现为「{value}」")
    return value


def _members(t: _Table) -> Members:
    t.only("minimum", "counts_core_only", "required_types", "lead_registered_locally",
           "local_places", "neighbour_places", "core_local_share_min")
    return Members(
        minimum=t.integer("minimum"),
        counts_core_only=t.boolean("counts_core_only"),
        required_types=_required_types(t),
        lead_registered_locally=t.boolean("lead_registered_locally"),
        local_places=t.texts("local_places"),
        neighbour_places=t.texts("neighbour_places"),
        core_local_share_min=t.share("core_local_share_min"),
    )


def _required_types(t: _Table) -> tuple[tuple[str, ...], ...]:
    groups = t.get("required_types")
    if not isinstance(groups, list) or not all(isinstance(g, list) and g for g in groups):
        t.fail("required_types", '应为非空列表的列表，如 [["企业"], ["高校", "科研院所"]]')
    for group in groups:
        for kind in group:
            if kind not in UNIT_TYPES:
                t.fail("required_types", f"含未知的单位类型「{kind}」，应为：{'、'.join(UNIT_TYPES)}")
    return tuple(tuple(group) for group in groups)


def _regions(t: _Table) -> tuple[str, ...]:
    t.only("list")
    regions = t.texts("list")
    duplicates = sorted({r for r in regions if regions.count(r) > 1})
    if duplicates:
        t.fail("list", f"有重复的区域：{'、'.join(duplicates)}")
    return regions


def _review(t: _Table) -> Review:
    t.only("cycle_years", "report_due", "agreement_term_years", "overdue_action")
    report_due = t.text("report_due", allow_empty=True)
    if report_due and not _is_month_day(report_due):
        t.fail("report_due", f"应为“月-日”（如 \"11-30\"）或空字符串，现为「{report_due}」")
    return Review(
        cycle_years=t.integer("cycle_years"),
        report_due=report_due,
        agreement_term_years=t.integer("agreement_term_years"),
        overdue_action=t.text("overdue_action", allow_empty=True),
    )


def _is_month_day(value: str) -> bool:
    match = _MONTH_DAY.fullmatch(value)
    if not match:
        return False
    try:
        date(2000, int(match[1]), int(match[2]))  # a leap year, so 02-29 is accepted
    except ValueError:
        return False
    return True


def _subsidy_caps(t: _Table) -> dict[str, float]:
    caps: dict[str, float] = {}
    for kind in t.keys():
        if kind not in SUBSIDY_KINDS:
            t.fail(kind, f"不是已知的补贴类型，应为：{'、'.join(SUBSIDY_KINDS)}")
        caps[kind] = t.number(kind, positive=True)
    return caps


def _target(t: _Table) -> Target:
    t.only("label", "year", "low", "high", "count_from")
    target = Target(
        label=t.text("label"),
        year=t.integer("year"),
        low=t.integer("low"),
        high=t.integer("high"),
        count_from=t.integer("count_from"),
    )
    if target.low > target.high:
        t.fail("low", f"下限 low={target.low} 大于上限 high={target.high}")
    if target.count_from > target.year:
        t.fail("count_from", f"起算年份 {target.count_from} 晚于目标年份 {target.year}")
    return target


# --------------------------------------------------------------------------- taxonomies


@dataclass(frozen=True)
class Entry:
    """One cluster or field. Its name always counts as one of its keywords."""

    name: str
    group: str
    keywords: tuple[str, ...]
    source: str = ""    # where the entry is listed (clause, code)


@dataclass(frozen=True)
class Taxonomy:
    """A list of clusters or fields that alliances are counted by."""

    id: str
    name: str
    entries: tuple[Entry, ...]
    noun: str = "产业集群"  # what its entries are called on pages: 产业集群, 领域, 重点领域, 产业
    source: str = ""       # the document that lists the entries
    basis: str = ""        # for pages: which classification this is and why the profile uses it

    @property
    def entry_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.entries)


def list_taxonomies(directory: Path = TAXONOMIES_DIR) -> list[str]:
    """Ids of the taxonomies in ``directory``, sorted."""
    return _list_ids(directory)


def load_taxonomy(taxonomy_id: str, directory: Path = TAXONOMIES_DIR) -> Taxonomy:
    """Read and validate ``<directory>/<taxonomy_id>.toml``."""
    path = _find(taxonomy_id, directory, "分类体系")
    top = _Table(read_toml(path), path)
    top.only("id", "name", "noun", "source", "basis", "entries")
    _check_id(top, path)
    entries = tuple(_entry(t) for t in top.tables("entries"))
    if not entries:
        top.fail("entries", "至少要有一个条目（[[entries]]）")
    _check_unique_entries(top, entries)
    _check_unique_keywords(top, entries)
    return Taxonomy(id=path.stem, name=top.text("name"), entries=entries, noun=top.text("noun"),
                    source=top.text("source"), basis=top.text("basis"))


def _entry(t: _Table) -> Entry:
    t.only("name", "group", "source", "keywords")
    name = t.text("name")
    keywords: list[str] = []
    seen: set[str] = set()
    # The name leads so that an exact cluster name always maps to itself.
    for keyword in (name, *t.texts("keywords")):
        key = normalise(keyword)
        if not key:
            t.fail("keywords", "含空白关键词")
        if key not in seen:  # repeats within one entry change nothing; drop them
            seen.add(key)
            keywords.append(keyword)
    return Entry(name=name, group=t.text("group", allow_empty=True), keywords=tuple(keywords), source=t.text("source"))


def _check_unique_entries(top: _Table, entries: tuple[Entry, ...]) -> None:
    names = [normalise(e.name) for e in entries]
    duplicates = sorted({e.name for e, n in zip(entries, names) if names.count(n) > 1})
    if duplicates:
        top.fail("entries", f"条目名称重复：{'、'.join(duplicates)}")


def _check_unique_keywords(top: _Table, entries: tuple[Entry, ...]) -> None:
    # A keyword listed under two entries could never decide anything: every text it
    # matches would tie. Reject it so the table stays meaningful.
    owner: dict[str, str] = {}
    for entry in entries:
        for keyword in entry.keywords:
            key = normalise(keyword)
            if key in owner and owner[key] != entry.name:
                top.fail("entries", f"关键词「{keyword}」同时出现在「{owner[key]}」和「{entry.name}」中")
            owner[key] = entry.name


# --------------------------------------------------------------------------- classification


def normalise(text: str) -> str:
    """Matching key: NFKC (full-width → half-width), no whitespace, case-folded."""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", text)).casefold()


@lru_cache(maxsize=32)
def _keyword_index(taxonomy: Taxonomy) -> tuple[tuple[str, str, str], ...]:
    """(matching key, keyword as written, entry name), in taxonomy order."""
    return tuple((normalise(k), k, e.name) for e in taxonomy.entries for k in e.keywords)


def classify(taxonomy: Taxonomy, field_text: str | None) -> tuple[str, str]:
    """Map a free-text 产业领域 to an entry name, or to 未归类; returns (entry, reason).

    The longest matching keyword wins, so "新能源汽车" beats "新能源". When the longest
    match is shared by different entries the text is left 未归类 with both names in the
    reason: a person has to decide, the dashboard never guesses.
    """
    text = normalise(field_text or "")
    if not text:
        return UNCLASSIFIED, "产业领域为空"
    hits = [(len(key), keyword, entry) for key, keyword, entry in _keyword_index(taxonomy) if key in text]
    if not hits:
        return UNCLASSIFIED, "未匹配任何关键词"
    longest = max(length for length, _, _ in hits)
    winners: dict[str, str] = {}  # entry -> its first keyword of the longest length
    for length, keyword, entry in hits:
        if length == longest:
            winners.setdefault(entry, keyword)
    if len(winners) > 1:
        names = "".join(f"「{entry}」" for entry in winners)
        return UNCLASSIFIED, f"同时匹配{names}，无法确定"
    [(entry, keyword)] = winners.items()
    return entry, f"关键词「{keyword}」"


def classify_alliances(
    taxonomy: Taxonomy,
    rows: Iterable[tuple[str, str, str | None]],
    overrides_path: Path | Sequence[Path] | None = OVERRIDES_PATH,
) -> pd.DataFrame:
    """Classify (alliance_id, alliance_name, field_text) rows.

    Returns columns alliance_id, entry, reason, raw_field. A row of the overrides csv for
    this taxonomy and the alliance's name wins over the keywords (reason 人工指定); several
    files are layered as ``read_overrides`` does. ``overrides_path=None`` ignores overrides.
    """
    overrides = read_overrides(taxonomy, overrides_path) if overrides_path else {}
    records = []
    for alliance_id, alliance_name, field_text in rows:
        manual = overrides.get(normalise(alliance_name or ""))
        entry, reason = (manual, MANUAL_REASON) if manual else classify(taxonomy, field_text)
        records.append((alliance_id, entry, reason, field_text))
    return pd.DataFrame.from_records(records, columns=list(CLASSIFICATION_COLUMNS))


def override_files(settings: Path | None = None) -> tuple[Path, ...]:
    """The overrides files that apply, lowest first: the shipped one, then the settings folder's."""
    return (OVERRIDES_PATH,) + ((Path(settings) / OVERRIDES_NAME,) if settings is not None else ())


def content_stamp(paths: Iterable[Path]) -> str:
    """A digest of the files' contents (a missing file counts as missing): changes whenever one does.

    Contents rather than modification times, which can tie for two quick writes.
    """
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"\0missing")
    return digest.hexdigest()


def read_overrides(taxonomy: Taxonomy, path: Path | Sequence[Path] = OVERRIDES_PATH) -> dict[str, str]:
    """Manual assignments for ``taxonomy``: normalised alliance name -> entry name.

    Rows for other taxonomies are skipped. An entry that is not in the taxonomy, a blank
    cell or two rows giving one alliance different entries raise ValueError naming the
    csv line. 未归类 is accepted, to confirm that an alliance is outside every entry.
    A missing file means no overrides. Given several files, a later file's row for an
    alliance wins over an earlier file's.
    """
    if not isinstance(path, Path):
        return {key: entry for one in path for key, entry in read_overrides(taxonomy, Path(one)).items()}
    if not path.exists():
        return {}
    canonical = {normalise(name): name for name in (*taxonomy.entry_names, UNCLASSIFIED)}
    found: dict[str, tuple[str, int]] = {}  # name key -> (entry, line)
    for line, name, taxonomy_id, entry in _override_rows(path):
        if taxonomy_id != taxonomy.id:
            continue
        target = canonical.get(normalise(entry))
        if target is None:
            raise ValueError(f"{_shown(path)} 第{line}行：「{entry}」不是分类体系「{taxonomy.name}」"
                             f"（{taxonomy.id}）中的条目，应为：{'、'.join(taxonomy.entry_names)}")
        key = normalise(name)
        if key in found and found[key][0] != target:
            raise ValueError(f"{_shown(path)} 第{line}行：联盟「{name}」已在第{found[key][1]}行归入"
                             f"「{found[key][0]}」，不能再归入「{target}」")
        found[key] = (target, line)
    return {key: target for key, (target, _) in found.items()}


def _override_rows(path: Path) -> list[tuple[int, str, str, str]]:
    """(line number, 联盟名称, 分类体系, 归入) of the non-blank data rows."""
    reader = csv.reader(io.StringIO(_read_csv_text(path), newline=""))
    header = tuple(cell.strip() for cell in next(reader, []))
    if header[:3] != OVERRIDE_HEADER:
        raise ValueError(f"{_shown(path)} 第1行：表头应为「{','.join(OVERRIDE_HEADER)}」")
    rows = []
    for cells in reader:
        cells = [c.strip() for c in cells[:3]] + [""] * (3 - len(cells[:3]))
        if not any(cells):
            continue
        for column, cell in zip(OVERRIDE_HEADER, cells):
            if not cell:
                raise ValueError(f"{_shown(path)} 第{reader.line_num}行：缺少「{column}」")
        rows.append((reader.line_num, *cells))
    return rows


def _read_csv_text(path: Path) -> str:
    # The file ships as UTF-8 with BOM, but Excel/WPS on Chinese Windows save CSV as GBK.
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


# --------------------------------------------------------------------------- file helpers


def _list_ids(directory: Path) -> list[str]:
    return sorted(p.stem for p in Path(directory).glob("*.toml"))


def _find(item_id: str, directory: Path, what: str) -> Path:
    if not isinstance(item_id, str) or not _ID_PATTERN.fullmatch(item_id):
        raise ValueError(f"{what}编号「{item_id}」无效：只能用小写字母、数字和连字符")
    path = Path(directory) / f"{item_id}.toml"
    if not path.is_file():
        known = "、".join(_list_ids(directory)) or "（无）"
        raise ValueError(f"未找到{what}「{item_id}」：{_shown(path)} 不存在。现有：{known}")
    return path


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's data; a syntax error raises ValueError naming the file."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{_shown(path)} 不是有效的 TOML 文件：{e}") from e


def _check_id(top: _Table, path: Path) -> None:
    # The id is how other files refer to this one; it must agree with the file name.
    if top.text("id") != path.stem:
        top.fail("id", f"应与文件名一致，即 \"{path.stem}\"")


def _shown(path: Path) -> str:
    """The path as people see it: relative to the repository when inside it."""
    try:
        return Path(path).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


class _Table:
    """Typed access to one TOML table; each problem raises ValueError naming file and key."""

    def __init__(self, data: dict[str, Any], path: Path, prefix: str = "") -> None:
        self._data = data
        self._path = path
        self._prefix = prefix

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ValueError(f"{_shown(self._path)}：「{self._prefix}{key}」{problem}")

    def keys(self) -> list[str]:
        return list(self._data)

    def only(self, *allowed: str) -> None:
        """Reject keys outside the schema: usually a misspelling that would otherwise be ignored."""
        for key in self._data:
            if key not in allowed:
                self.fail(key, "不是可用的配置项（拼写错误？）")

    def get(self, key: str) -> Any:
        if key not in self._data:
            raise ValueError(f"{_shown(self._path)}：缺少必填项「{self._prefix}{key}」")
        return self._data[key]

    def text(self, key: str, *, allow_empty: bool = False) -> str:
        value = self.get(key)
        if not isinstance(value, str):
            self.fail(key, "应为文字（加英文双引号）")
        if not allow_empty and not value.strip():
            self.fail(key, "不能为空")
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in choices:
            self.fail(key, f"应为 {'、'.join(choices)} 之一，现为「{value}」")
        return value

    def integer(self, key: str) -> int:
        value = self.get(key)
        # bool is a subclass of int in Python; true/false is never a count.
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(key, f"应为不小于 0 的整数，现为 {value!r}")
        return value

    def number(self, key: str, *, positive: bool = False) -> float:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (positive and value == 0):
            self.fail(key, f"应为{'大于' if positive else '不小于'} 0 的数，现为 {value!r}")
        return float(value)

    def share(self, key: str) -> float:
        value = self.number(key)
        if value > 1:
            self.fail(key, f"是比例，应在 0 到 1 之间，现为 {value}")
        return value

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            self.fail(key, f"应为 true 或 false，现为 {value!r}")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "应为文字列表，如 [\"甲\", \"乙\"]，且不含空项")
        return tuple(value)

    def table(self, key: str) -> _Table:
        value = self.get(key)
        if not isinstance(value, dict):
            self.fail(key, f"应为表（[{self._prefix}{key}]）")
        return _Table(value, self._path, f"{self._prefix}{key}.")

    def tables(self, key: str) -> list[_Table]:
        """An array of tables ([[key]]); ``key = []`` means none."""
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, f"应为表数组（[[{key}]]），没有时写 {key} = []")
        return [_Table(v, self._path, f"{self._prefix}{key}[{i}].") for i, v in enumerate(value, 1)]
