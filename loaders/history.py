"""The import history in words: one entry per journaled attempt, read from one place.

The command line (``python -m loaders history``), the 数据 page and the 操作记录 page all show
the journal (``store.read_journal``); each lays the same entries out in its own columns. Which
attempt holds the current data is the database's own answer (``registry.state_id``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .registry import state_id
from .schema import TABLES
from .store import ACTIONS, OUTCOMES, SETTINGS_ACTION, read_journal

TITLES = {t.name: t.title for t in TABLES}


@dataclass(frozen=True)
class Entry:
    """One attempt as people read it."""

    import_id: int | None
    at: str               # when it started: "2026-01-31 09:00:00"
    action: str           # 导入 / 回滚 / 校验 / 修改设置 / —
    outcome: str          # 成功 / 被拒绝 / 中断 / 无数据
    user: str
    current: bool         # the registry's data now is what this attempt produced
    refused: bool
    errors: int | None    # a refusal: how many errors
    note: str             # what it did; a refusal: its error count and first error
    files: list[str]      # file names
    fingerprints: str     # each file with its SHA-256 prefix and the rows it held per table
    row_counts: str       # rows per table after it landed
    record: dict          # the journal record itself, for the details one view alone shows


def entries(db: Path, settings: bool = True) -> list[Entry]:
    """Every attempt on ``db``, newest first; ``settings=False`` leaves out settings changes."""
    current = state_id(db) or None
    records = [r for r in read_journal(db) if settings or r.get("action") != SETTINGS_ACTION]
    return [_entry(r, current) for r in reversed(records)]


def _entry(r: dict, current: int | None) -> Entry:
    refused = r.get("outcome") == "refused"
    files = r.get("files") or []
    fingerprints = "；".join(
        f"{f['name']}（SHA-256 {(f.get('sha256') or '')[:12]}…"
        + "".join(f"，{TITLES.get(p['table'], p['table'])} {p['rows']} 行" for p in f.get("parts") or [])
        + "）" for f in files)
    counts = r.get("row_counts") or {}
    return Entry(
        import_id=r.get("import_id"),
        at=str(r.get("at", "")).replace("T", " ")[:19],
        action=ACTIONS.get(r.get("action"), "—"),
        outcome=OUTCOMES.get(r.get("outcome"), r.get("outcome")),
        user=r.get("user") or "",
        current=r.get("outcome") == "ok" and current is not None and r.get("import_id") == current,
        refused=refused,
        errors=r.get("errors") if refused else None,
        note=(f"{r.get('errors')} 个错误，未写入任何数据。首个错误：{(r.get('first_errors') or [''])[0]}" if refused
              else r.get("summary", "")),
        files=[f["name"] for f in files] or ([r["file"]] if r.get("file") else []),
        fingerprints=fingerprints,
        row_counts="，".join(f"{TITLES.get(t, t)} {n}" for t, n in counts.items() if t != "imports"),
        record=r,
    )
