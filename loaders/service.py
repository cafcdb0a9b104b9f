"""The import service: check → preview → commit, the one path from files to the registry.

Both the command line (``python -m loaders check|load|init``) and the 数据导入 page call it:

* ``check`` reads and validates the files against the current registry (``pipeline.prepare``),
  journals a refusal or an empty file set (``store.refuse``, ``store.note_empty``), and for a clean
  batch previews the change (``diff.preview_import``). Nothing is written to the registry.
* ``commit`` stores a checked batch (``store.import_batch``). Inside the writers' lock it first
  checks that the registry is still the one the batch was checked against, and raises
  ``RegistryChanged`` (nothing written) when another import or rollback landed meanwhile.
* ``load`` is both in one journaled attempt, for the command line.

A registry of an older schema version is upgraded first (``store.upgrade``, loaders/migrations.py),
so the check reads the registry in the shape the import will write.

Every attempt is journaled as started before its files are read (``store.attempt``), so a refusal,
an empty file or a crash is on record with the user's name. Nothing here imports Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import HEADER_MAP
from .diff import Diff, preview_import
from .headers import HeaderMap
from .pipeline import Batch, Problem, prepare
from .registry import existing_state, state_id
from .store import (Attempt, ImportRefused, NothingToImport, Outcome, attempt, import_batch, note_empty, path_records,
                    refuse, sha256s, upgrade)


@dataclass
class Check:
    """A dry run of one file set: what was read, every problem, and what importing it would change."""

    db: Path
    paths: list[Path]
    batch: Batch
    state: int                     # the registry state it was checked against (``registry.state_id``)
    diff: Diff | None = field(default=None)  # None while the batch has errors or no data rows

    @property
    def importable(self) -> bool:
        """True when the batch has no errors and at least one data row."""
        return self.batch.ok and bool(self.batch.tables)


def check(db: Path, paths: list[Path], user: str | None = None, header_map: Path | None = None,
          problems: Iterable[Problem] = (), action: str = "import", preview: bool = True) -> Check:
    """Validate ``paths`` against the registry ``db`` and preview the change; writes nothing to the registry.

    ``problems``: found before the files were read (an oversized upload); ``action``: "import" for a
    dry run before an import (a refusal takes a batch number), "check" for a check only.
    """
    if action == "import":
        upgrade(db, user)
    paths = [Path(p) for p in paths]
    digests = sha256s(paths)  # once: the journal records them before reading, the batch's files carry them
    with attempt(db, path_records(paths, digests), user, action) as within:
        return _check(db, paths, digests, within, header_map, list(problems), preview)


def commit(checked: Check, user: str | None = None) -> Outcome:
    """Store a checked batch as the new registry state.

    RegistryChanged (nothing written, nothing journaled for people) when the registry moved on
    since ``checked`` was made; ImportRefused / NothingToImport when the batch cannot be imported.
    """
    checked.db.parent.mkdir(parents=True, exist_ok=True)
    return import_batch(checked.db, checked.batch, user, expected=checked.state)


def load(db: Path, paths: list[Path], user: str | None = None, header_map: Path | None = None) -> tuple[Check, Outcome]:
    """Check and commit in one journaled attempt (the command line's ``load``); raises as ``commit`` does."""
    upgrade(db, user)
    paths = [Path(p) for p in paths]
    digests = sha256s(paths)
    with attempt(db, path_records(paths, digests), user) as within:  # journaled before reading: a kill is recorded too
        checked = _check(db, paths, digests, within, header_map, [], preview=False)
        if not checked.batch.ok:
            raise ImportRefused(checked.batch)
        if not checked.batch.tables:
            raise NothingToImport(checked.batch)
        return checked, import_batch(db, checked.batch, within=within, expected=checked.state)


def _check(db: Path, paths: list[Path], digests: dict[Path, str], within: Attempt, header_map: Path | None,
           problems: list[Problem], preview: bool) -> Check:
    state = state_id(db)
    headers = HeaderMap.load(header_map or (HEADER_MAP if HEADER_MAP.exists() else None))
    batch = prepare(paths, headers, existing_state(db), digests) if paths else Batch([], {}, [])
    batch.problems[:0] = problems
    if not batch.ok:
        refuse(within, batch)
    elif not batch.tables:
        note_empty(within, batch)
    checked = Check(db, paths, batch, state)
    if preview and checked.importable:
        checked.diff = preview_import(db, batch)
    return checked
