"""本局设置: a deployment's own settings — audited, reversible, and layered over the shipped files.

Where they live: the folder ``<registry>.settings/`` beside the registry database (for the
default ``data/registry.duckdb``, ``data/registry.duckdb.settings/``), so the shipped
``data/profiles/*.toml`` and ``data/taxonomy_overrides.csv`` stay as released and a
deployment's edits stay with its registry:

* ``profiles/<profile id>.toml`` — a layer over the shipped profile holding only what differs
  from it (``policy.merge_layer``): ``[members]`` and ``[review]`` values, and the whole
  ``[subsidy_caps]`` or ``targets`` once changed. Deleting the file restores the shipped profile.
* ``taxonomy_overrides.csv`` — rows 联盟名称,分类体系,归入 as in the shipped file; they win over it.

Every change is validated (``SettingsError``, a Chinese message naming the value and why),
written atomically, and recorded in the registry's journal (``loaders.store.record_change``):
who, when, which file, what changed in words, and the file's SHA-256 before and after, with
copies of both under ``<registry>.history/settings/``. So any change can be undone and any
earlier version restored byte for byte — and that is a recorded change too.

The 设置 page (``pages/settings.py``) is a thin form over ``change_values``, ``change_caps``,
``change_targets``, ``classify``, ``undo`` and ``restore``.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import difflib
import getpass
import hashlib
import io
import math
import os
import re
import tempfile
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from loaders import default_db
from loaders.registry import connect_read_only
from loaders.store import SETTINGS_ACTION, history_dir, read_journal, record_change

from . import policy
from .policy import (LAYER_DIR, OVERRIDE_HEADER, OVERRIDES_NAME, SUBSIDY_KINDS, UNCLASSIFIED, Profile, list_profiles,
                     load_profile, load_taxonomy, normalise)

SUFFIX = ".settings"

# The profile values the page edits: name -> (TOML table, key, label, lowest, highest, what 0 means).
COUNTS: dict[str, tuple[str, str, str, int, int, str]] = {
    "member_minimum": ("members", "minimum", "成员单位最低数量", 0, 1000, "0 表示不设下限"),
    "cycle_years": ("review", "cycle_years", "评估（复审）周期（年）", 0, 20, "0 表示不设周期"),
    "agreement_term_years": ("review", "agreement_term_years", "联盟协议期限（年）", 0, 50, "0 表示不设期限"),
}
REPORT_DUE = "report_due"
REPORT_DUE_LABEL = "年度报告截止日"
MAX_CAP_WAN = 100_000        # 万元: a cap above ten billion yuan is a typing slip
MAX_TARGET = 100_000
YEARS = (2000, 2100)
MAX_LABEL = 20
TARGET_LABELS = {"label": "目标名称", "year": "目标年份", "low": "目标下限", "high": "目标上限", "count_from": "起算年份"}

_MONTH_DAY = re.compile(r"(\d{1,2})\s*(?:-|/|月)\s*(\d{1,2})\s*日?")


class SettingsError(ValueError):
    """A change that was refused; the message (Chinese) says which value and why. Nothing was written."""


# --------------------------------------------------------------------------- where and what


def folder(db: Path | None = None) -> Path:
    """The settings folder of the registry ``db`` (default: the dashboard's registry)."""
    db = Path(db or default_db())
    return db.with_name(db.name + SUFFIX)


def profile(profile_id: str, db: Path | None = None) -> Profile:
    """The profile as this deployment uses it: shipped, with its settings layered in."""
    return load_profile(profile_id, settings=folder(db))


def profile_checked(profile_id: str, db: Path | None = None) -> tuple[Profile, str | None]:
    """The bureau's profile; when its layer cannot be read (edited by hand), the shipped one and why, in Chinese."""
    try:
        return profile(profile_id, db), None
    except ValueError as e:
        return load_profile(profile_id), (f"本局设置有误，暂按发布版计算：{e}。"
                                          "编辑人员可在“设置”页的“修改记录”中恢复以前的版本。")


def stamp(db: Path | None = None) -> str:
    """Changes whenever any setting that figures depend on does: a cache key part."""
    base = folder(db)
    files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []
    return policy.content_stamp([*policy.override_files(), *files])


def file_title(rel: str) -> str:
    """What a settings file holds, in words: 联盟归类, or the profile's name and 政策参数."""
    if rel == OVERRIDES_NAME:
        return "联盟归类"
    try:
        return f"{load_profile(Path(rel).stem).name}政策参数"
    except ValueError:  # a profile this release no longer ships
        return rel


def changes(db: Path | None = None) -> list[dict]:
    """The journal's settings changes, oldest first."""
    return [r for r in read_journal(Path(db or default_db())) if r.get("action") == SETTINGS_ACTION]


# --------------------------------------------------------------------------- validation


def _shown(value: Any) -> str:
    return "（空）" if value is None or (isinstance(value, float) and math.isnan(value)) or value == "" else str(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def whole(value: Any, label: str, low: int, high: int, note: str = "") -> int:
    """``value`` as a whole number in [low, high]; typed text (全角 digits too) is accepted."""
    number: Any = value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        number = int(text) if re.fullmatch(r"[+-]?\d+", text) else None
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        hint = f"（{note}）" if note else ""
        raise SettingsError(f"{label}应为 {low} 到 {high} 之间的整数{hint}，现为「{_shown(value)}」")
    return number


def month_day(value: Any) -> str:
    """A report due date as "MM-DD" ("" = no annual report): 11-30, 11/30 and 11月30日 are accepted."""
    if _blank(value):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _MONTH_DAY.fullmatch(text)
    if match:
        try:
            dt.date(2000, int(match[1]), int(match[2]))  # a leap year, so 02-29 is accepted
            return f"{int(match[1]):02d}-{int(match[2]):02d}"
        except ValueError:
            pass
    raise SettingsError(f"{REPORT_DUE_LABEL}应为“月-日”，如 11-30（留空表示不要求年度报告），现为「{text}」")


def amount(value: Any, label: str) -> float | None:
    """A cap in 万元: a number above 0 and at most MAX_CAP_WAN; blank = no cap."""
    if _blank(value):
        return None
    number: Any = value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            number = None
    if (isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number)
            or not 0 < number <= MAX_CAP_WAN):
        raise SettingsError(f"{label}的上限应为大于 0、不超过 {MAX_CAP_WAN:,} 的数（万元；留空表示不设上限），"
                            f"现为「{_shown(value)}」")
    return int(number) if float(number).is_integer() else round(float(number), 4)


def target_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Targets as the TOML holds them, each checked; rows left wholly blank are dropped."""
    targets: list[dict[str, Any]] = []
    for n, row in enumerate(rows, 1):
        if all(_blank(row.get(k)) for k in TARGET_LABELS):
            continue
        where = f"第 {n} 个目标"
        label = "" if _blank(row.get("label")) else unicodedata.normalize("NFKC", str(row["label"])).strip()
        if not label or len(label) > MAX_LABEL:
            raise SettingsError(f"{where}：目标名称应为 1 到 {MAX_LABEL} 个字，如“十四五”，现为「{_shown(label)}」")
        where = f"{where}（{label}）"
        year = whole(row.get("year"), f"{where}：目标年份", *YEARS)
        low = whole(row.get("low"), f"{where}：目标下限（个）", 0, MAX_TARGET)
        high = whole(row.get("high"), f"{where}：目标上限（个）", 0, MAX_TARGET, "只有一个数时上下限相同")
        if high < low:
            raise SettingsError(f"{where}：目标上限 {high} 小于下限 {low}（只有一个数时上下限相同）")
        count_from = 0 if _blank(row.get("count_from")) else whole(row.get("count_from"), f"{where}：起算年份", 0, year)
        if 0 < count_from < YEARS[0]:
            raise SettingsError(f"{where}：起算年份应为 {YEARS[0]} 到 {year} 之间的年份，或 0（自有记录起累计），"
                                f"现为「{count_from}」")
        if any(t["label"] == label for t in targets):
            raise SettingsError(f"{where}：目标名称「{label}」与前面的目标重复")
        targets.append({"label": label, "year": year, "low": low, "high": high, "count_from": count_from})
    return targets


# --------------------------------------------------------------------------- changing a profile


def change_values(profile_id: str, values: Mapping[str, Any], user: str | None = None,
                  db: Path | None = None) -> dict:
    """Set member minimum, review cycle, agreement term (names of COUNTS) and/or report_due; returns the record."""
    unknown = [k for k in values if k not in COUNTS and k != REPORT_DUE]
    if unknown:
        raise SettingsError(f"不是可修改的设置项：{'、'.join(unknown)}")
    checked: list[tuple[str, str, Any]] = []
    for name, value in values.items():
        if name == REPORT_DUE:
            checked.append(("review", "report_due", month_day(value)))
        else:
            table, key, label, low, high, note = COUNTS[name]
            checked.append((table, key, whole(value, label, low, high, note)))

    def edit(data: dict) -> None:
        for table, key, value in checked:
            data[table][key] = value
    return _change_profile(profile_id, edit, user, db)


def change_caps(profile_id: str, caps: Mapping[str, Any], user: str | None = None, db: Path | None = None) -> dict:
    """Replace the subsidy caps (万元) by 补贴类型; a blank value or a kind left out has no cap."""
    unknown = [k for k in caps if k not in SUBSIDY_KINDS]
    if unknown:
        raise SettingsError(f"「{'、'.join(unknown)}」不是补贴类型，应为：{'、'.join(SUBSIDY_KINDS)}")
    checked = {kind: amount(caps[kind], kind) for kind in SUBSIDY_KINDS if kind in caps}
    new = {kind: cap for kind, cap in checked.items() if cap is not None}

    def edit(data: dict) -> None:
        data["subsidy_caps"] = new
    return _change_profile(profile_id, edit, user, db)


def change_targets(profile_id: str, rows: Iterable[Mapping[str, Any]], user: str | None = None,
                   db: Path | None = None) -> dict:
    """Replace the targets (label, year, low, high, count_from): add, change or drop rows."""
    new = target_rows(rows)

    def edit(data: dict) -> None:
        data["targets"] = new
    return _change_profile(profile_id, edit, user, db)


def _change_profile(profile_id: str, edit: Callable[[dict], None], user: str | None, db: Path | None) -> dict:
    """Apply ``edit`` to the profile as it stands (shipped + layer) and keep only what differs from shipped."""
    if profile_id not in list_profiles():
        raise SettingsError(f"没有政策配置「{profile_id}」，现有：{'、'.join(list_profiles())}")
    db = Path(db or default_db())
    shipped_path = policy.PROFILES_DIR / f"{profile_id}.toml"
    rel = f"{LAYER_DIR}/{profile_id}.toml"

    def change(change_id: int) -> dict:
        shipped = policy.read_toml(shipped_path)
        layer_file = folder(db) / rel
        try:
            current = policy.read_toml(layer_file) if layer_file.is_file() else {}
            data = copy.deepcopy(policy.merge_layer(shipped, current, layer_file))
        except ValueError as e:  # the layer was edited by hand and cannot be read
            raise SettingsError(f"现有的本局设置文件有误，未保存：{e}。请先在“修改记录”中恢复以前的版本") from None
        edit(data)
        layer = _layer_of(shipped, data)
        text = _layer_text(profile_id, layer) if layer else None
        return _write(db, change_id, rel, text, user)
    return record_change(db, change)


def _layer_of(shipped: dict, data: dict) -> dict:
    """The values of ``data`` that differ from the shipped profile, as a layer."""
    layer: dict[str, Any] = {}
    for table in policy.LAYER_TABLES:
        changed = {k: v for k, v in data[table].items() if shipped.get(table, {}).get(k) != v}
        if changed:
            layer[table] = changed
    for key in policy.LAYER_WHOLE:
        if data.get(key) != shipped.get(key):
            layer[key] = data[key]
    return layer


def _layer_text(profile_id: str, layer: dict) -> bytes:
    name = load_profile(profile_id).name
    head = (f"# 本局设置：在发布的政策配置 data/profiles/{profile_id}.toml（{name}）之上修改的值，由“设置”页写入。\n"
            "# 只列出与发布版不同的项；删去本文件即恢复发布版。每次修改（谁、何时、改了什么）见“操作记录”页。\n\n")
    return (head + tomli_w.dumps(layer)).encode("utf-8")


# --------------------------------------------------------------------------- classifying alliances


def classify(taxonomy_id: str, assignments: Mapping[str, str], user: str | None = None,
             db: Path | None = None) -> dict:
    """Pin alliances (by name) to entries of a taxonomy, or 未归类; "" removes this deployment's row."""
    try:
        taxonomy = load_taxonomy(taxonomy_id)
    except ValueError as e:
        raise SettingsError(str(e)) from None
    db = Path(db or default_db())
    allowed = {normalise(e): e for e in (*taxonomy.entry_names, UNCLASSIFIED)}
    known = _alliance_names(db)
    checked: dict[str, tuple[str, str]] = {}  # name key -> (name as written, entry or "")
    for name, entry in assignments.items():
        name = str(name).strip()
        if not name:
            raise SettingsError("联盟名称不能为空")
        if known is not None and normalise(name) not in known:
            raise SettingsError(f"登记库中没有名为「{name}」的联盟")
        entry = "" if _blank(entry) else str(entry).strip()
        if entry and normalise(entry) not in allowed:
            raise SettingsError(f"「{entry}」不是分类体系「{taxonomy.name}」中的条目，应为："
                                f"{'、'.join(taxonomy.entry_names)}，或“{UNCLASSIFIED}”")
        checked[normalise(name)] = (name, allowed[normalise(entry)] if entry else "")
    if not checked:
        raise SettingsError("没有选择任何联盟")

    def change(change_id: int) -> dict:
        path = folder(db) / OVERRIDES_NAME
        rows = _override_rows(path.read_bytes()) if path.is_file() else []
        kept = [r for r in rows if not (r[1] == taxonomy_id and normalise(r[0]) in checked)]
        kept += [(name, taxonomy_id, entry) for name, entry in checked.values() if entry]
        text = _overrides_text(kept) if kept else None
        return _write(db, change_id, OVERRIDES_NAME, text, user)
    return record_change(db, change)


def _alliance_names(db: Path) -> set[str] | None:
    """Normalised names of the registry's alliances; None without a registry to check against."""
    if not db.exists():
        return None
    con = connect_read_only(db)
    try:
        return {normalise(n or "") for (n,) in con.execute("select name from alliances").fetchall()}
    finally:
        con.close()


def _override_rows(data: bytes) -> list[tuple[str, str, str]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    next(reader, None)
    return [(c[0].strip(), c[1].strip(), c[2].strip()) for c in reader if len(c) >= 3 and any(x.strip() for x in c)]


def _overrides_text(rows: list[tuple[str, str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OVERRIDE_HEADER)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # with BOM, as shipped: Excel/WPS open it as UTF-8


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # saved from Excel/WPS on Chinese Windows
        return data.decode("gb18030")


# --------------------------------------------------------------------------- writing, undoing, restoring


def undo(change_id: int, user: str | None = None, db: Path | None = None) -> dict:
    """Undo change ``change_id``: its file back to the bytes it had before (a new, recorded change).

    Only the latest change of a file can be undone, so nothing done after it is lost silently;
    ``restore`` goes back further.
    """
    db = Path(db or default_db())
    record = _record(db, change_id)
    later = [r["import_id"] for r in changes(db) if r["file"] == record["file"] and r["import_id"] > change_id]
    if later:
        raise SettingsError(f"第 {change_id} 号修改之后，同一设置又有修改（第 {'、'.join(map(str, later))} 号）："
                            "撤销只能从最近一次开始；要回到更早的状态，请用“恢复到以前的版本”")
    return _restore(db, record, "before", user, f"撤销第 {change_id} 号修改", expect=record["after_sha256"])


def restore(change_id: int, user: str | None = None, db: Path | None = None, *, before: bool = False) -> dict:
    """Put the file of change ``change_id`` back as that change left it (``before``: as it found it)."""
    db = Path(db or default_db())
    side = "before" if before else "after"
    note = f"恢复为第 {change_id} 号修改{'之前' if before else '之后'}的版本"
    return _restore(db, _record(db, change_id), side, user, note)


def _record(db: Path, change_id: int) -> dict:
    record = next((r for r in changes(db) if r.get("import_id") == change_id), None)
    if record is None:
        raise SettingsError(f"操作记录中没有编号为 {change_id} 的设置修改")
    return record


def snapshot(db: Path, change_id: int, side: str, rel: str) -> Path:
    """The copy of a settings file before or after a change."""
    return history_dir(db) / "settings" / f"{change_id}.{side}{Path(rel).suffix}"


def _restore(db: Path, record: dict, side: str, user: str | None, note: str, expect: str | None = "") -> dict:
    change_id = record["import_id"]
    digest = record.get(f"{side}_sha256")
    content = None
    if digest is not None:
        path = snapshot(db, change_id, side, record["file"])
        content = path.read_bytes() if path.is_file() else None
        if content is None or hashlib.sha256(content).hexdigest() != digest:
            raise SettingsError(f"第 {change_id} 号修改的存档文件缺失或已被改动（SHA-256 不符），不能用它恢复")
    return record_change(db, lambda new_id: _write(db, new_id, record["file"], content, user, note, change_id, expect))


def _write(db: Path, change_id: int, rel: str, content: bytes | None, user: str | None,
           note: str = "", restored_from: int | None = None, expect: str | None = "") -> dict:
    """Replace (or remove) one settings file, keep copies before and after, and return the journal record.

    ``expect`` (a SHA-256, None for "no file"; "" = anything) is what the file must hold now:
    an undo checks, under the writers' lock, that nobody changed the file since the change it undoes.
    """
    path = folder(db) / rel
    before = path.read_bytes() if path.is_file() else None
    if expect != "" and _sha(before) != expect:
        raise SettingsError(f"这个设置在第 {restored_from} 号修改之后又被改过（文件已不同），不能撤销：请用“恢复到以前的版本”")
    if before == content:
        raise SettingsError("没有改动：提交的设置与现在的相同" if restored_from is None
                            else f"现在的设置已与这个版本相同，无需{note}")
    summary = "；".join(describe(rel, before, content))  # also validates the new file
    if note:
        summary = f"{note}：{summary}"
    (history_dir(db) / "settings").mkdir(parents=True, exist_ok=True)
    for side, data in (("before", before), ("after", content)):
        if data is not None:
            _atomic_write(snapshot(db, change_id, side, rel), data)
    if content is None:
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, content)
    return {"import_id": change_id, "action": SETTINGS_ACTION, "outcome": "ok",
            "at": dt.datetime.now().isoformat(timespec="seconds"), "user": user or getpass.getuser(),
            "file": rel, "summary": summary, "restored_from": restored_from,
            "before_sha256": _sha(before), "after_sha256": _sha(content)}


def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --------------------------------------------------------------------------- describing a change


def describe(rel: str, before: bytes | None, after: bytes | None) -> list[str]:
    """What a new version of a settings file changes, in Chinese; an invalid new version raises SettingsError."""
    if rel == OVERRIDES_NAME:
        return _describe_overrides(before, after)
    profile_id = Path(rel).stem
    old, new = _profile_of(profile_id, before), _profile_of(profile_id, after)
    lines = [f"{label} {_value(getattr(old, t), k)} → {_value(getattr(new, t), k)}"
             for t, k, label in _PROFILE_VALUES if getattr(getattr(old, t), k) != getattr(getattr(new, t), k)]
    for kind in SUBSIDY_KINDS:
        a, b = old.subsidy_caps.get(kind), new.subsidy_caps.get(kind)
        if a != b:
            lines.append(f"{kind}上限 {_wan(a)} → {_wan(b)}")
    olds, news = {t.label: t for t in old.targets}, {t.label: t for t in new.targets}
    for label in dict.fromkeys([*olds, *news]):
        a, b = olds.get(label), news.get(label)
        if a != b:
            lines.append(f"目标「{label}」" + ("新增 " + _target(b) if a is None else "删除" if b is None
                                               else f"{_target(a)} → {_target(b)}"))
    return [f"{new.name}：" + "；".join(lines or ["与发布版相同"])]


_PROFILE_VALUES = (("members", "minimum", "成员单位最低数量"), ("review", "cycle_years", "评估周期"),
                   ("review", "report_due", REPORT_DUE_LABEL), ("review", "agreement_term_years", "协议期限"))


def _value(part: Any, key: str) -> str:
    value = getattr(part, key)
    if key == "report_due":
        return value or "不要求"
    unit = {"minimum": " 家", "cycle_years": " 年", "agreement_term_years": " 年"}[key]
    return f"{value}{unit}" if value else "未规定"


def _wan(cap: float | None) -> str:
    return "不设" if cap is None else f"{cap:g} 万元"


def _target(t: policy.Target) -> str:
    span = f"{t.low}" if t.low == t.high else f"{t.low}–{t.high}"
    since = f"，自 {t.count_from} 年起算" if t.count_from else "，累计"
    return f"{t.year} 年 {span} 个{since}"


def _profile_of(profile_id: str, layer: bytes | None) -> Profile:
    """The profile a layer (None: none) gives; an invalid layer raises SettingsError."""
    shipped_path = policy.PROFILES_DIR / f"{profile_id}.toml"
    where = Path(f"本局设置 {LAYER_DIR}/{profile_id}.toml")
    try:
        data = policy.read_toml(shipped_path)
        if layer is not None:
            data = policy.merge_layer(data, tomllib.loads(layer.decode("utf-8")), where)
        return policy.profile_from(data, shipped_path if layer is None else where)
    except (ValueError, tomllib.TOMLDecodeError) as e:
        raise SettingsError(f"设置无效，未保存：{e}") from None


def _describe_overrides(before: bytes | None, after: bytes | None) -> list[str]:
    old = {(t, normalise(n)): (n, e) for n, t, e in (_override_rows(before) if before else [])}
    new = {(t, normalise(n)): (n, e) for n, t, e in (_override_rows(after) if after else [])}
    if after is not None:
        _check_overrides(after, {t for t, _ in new})
    lines = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        name, where = (b or a)[0], _taxonomy_name(key[0])
        if a is None:
            lines.append(f"「{name}」归入「{b[1]}」（{where}）")
        elif b is None:
            lines.append(f"「{name}」取消人工归类（{where}，原为「{a[1]}」）")
        elif a[1] != b[1]:
            lines.append(f"「{name}」由「{a[1]}」改为「{b[1]}」（{where}）")
    return lines or ["归类无变化"]


def _taxonomy_name(taxonomy_id: str) -> str:
    try:
        return load_taxonomy(taxonomy_id).name
    except ValueError:  # a row for a taxonomy this release no longer ships
        return taxonomy_id


def _check_overrides(data: bytes, taxonomy_ids: set[str]) -> None:
    """The new file must read as the dashboard will read it (policy.read_overrides reads files)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / OVERRIDES_NAME
        path.write_bytes(data)
        for taxonomy_id in sorted(taxonomy_ids):
            try:
                policy.read_overrides(load_taxonomy(taxonomy_id), path)
            except ValueError as e:
                raise SettingsError(f"归类设置无效，未保存：{str(e).replace(str(path), '本局设置 ' + OVERRIDES_NAME)}") from None


def file_diff(record: dict, db: Path | None = None) -> str:
    """A settings change as a unified diff of its file, before → after ("" when its copies are gone)."""
    db = Path(db or default_db())
    texts = []
    for side in ("before", "after"):
        path = snapshot(db, record["import_id"], side, record["file"])
        if record.get(f"{side}_sha256") is None:
            texts.append([])
        elif path.is_file():
            texts.append(_decode(path.read_bytes()).splitlines(keepends=True))
        else:
            return ""
    shown = f"{folder(db).name}/{record['file']}"
    return "".join(difflib.unified_diff(*texts, fromfile=f"{shown}（修改前）", tofile=f"{shown}（修改后）"))
