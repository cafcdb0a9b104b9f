"""The import service (loaders/service.py): check → preview → commit, the one path of the CLI and the page."""
from __future__ import annotations

from pathlib import Path

import pytest

from loaders import history, pipeline, service, store
from loaders.registry import state_id, table_counts
from loaders.store import (ImportRefused, NothingToImport, RegistryChanged, _raw_journal, read_journal, rollback,
                           sha256_of)
from test_diff import HEADER, MAGNET, PHARMA, ROBOT, alliances, subsidies, write_csv


def test_check_previews_and_writes_nothing_then_commit_lands(db: Path, tmp_path: Path):
    first = service.check(db, [alliances(tmp_path, ROBOT, MAGNET), subsidies(tmp_path, "50")], user="张三")
    assert first.importable and first.state == 0 and not db.exists()
    assert sorted(first.diff.added["alliance_id"]) == ["TJ-1", "TJ-2"]
    assert read_journal(db) == []                       # a clean dry run shows no outcome to people
    outcome = service.commit(first, user="张三")
    assert outcome.import_id == 1 and state_id(db) == 1
    assert table_counts(db)["alliances"] == 2 and table_counts(db)["subsidies"] == 1
    assert [(r["import_id"], r["outcome"], r["user"]) for r in read_journal(db)] == [(1, "ok", "张三")]


def test_a_check_made_before_another_import_landed_is_not_committed(db: Path, tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    service.commit(service.check(db, [alliances(tmp_path / "a", ROBOT, MAGNET)], user="张三"))
    stale = service.check(db, [alliances(tmp_path / "b", ROBOT, MAGNET, PHARMA)], user="张三")
    service.commit(service.check(db, [subsidies(tmp_path / "b", "30")], user="李四"))   # lands meanwhile
    before, journal = sha256_of(db), read_journal(db)
    with pytest.raises(RegistryChanged, match="已被他人更新"):
        service.commit(stale, user="张三")
    assert sha256_of(db) == before and read_journal(db) == journal  # nothing written, nothing for people to see
    again = service.check(db, stale.paths, user="张三")
    assert again.state == 2 and list(again.diff.added["alliance_id"]) == ["TJ-3"]
    assert service.commit(again, user="张三").import_id == 3


def test_refused_and_empty_files_are_journaled_by_the_check(db: Path, tmp_path: Path):
    bad = write_csv(tmp_path / "坏名录.csv", [["联盟编号", "联盟名称"], ["TJ-9", ""]])
    refused = service.check(db, [bad], user="王五")
    assert not refused.importable and refused.diff is None
    assert [(r["outcome"], r["user"], r["import_id"]) for r in read_journal(db)] == [("refused", "王五", 1)]
    empty = service.check(db, [write_csv(tmp_path / "空.csv", [HEADER])], user="王五")
    assert not empty.importable and read_journal(db)[-1]["outcome"] == "empty"
    only = service.check(db, [bad], action="check")  # a check only: refused, but takes no batch number
    assert not only.importable and read_journal(db)[-1]["import_id"] is None


def test_load_checks_and_commits_in_one_attempt(db: Path, tmp_path: Path):
    checked, outcome = service.load(db, [alliances(tmp_path, ROBOT)], user="赵六")
    assert checked.batch.ok and outcome.import_id == 1
    with pytest.raises(ImportRefused):
        service.load(db, [write_csv(tmp_path / "坏名录.csv", [["联盟编号", "联盟名称"], ["TJ-9", ""]])], user="赵六")
    with pytest.raises(NothingToImport):
        service.load(db, [write_csv(tmp_path / "空.csv", [HEADER])], user="赵六")
    assert [r["outcome"] for r in read_journal(db)] == ["ok", "refused", "empty"]
    assert state_id(db) == 1


def test_each_file_is_read_for_its_fingerprint_once_per_import(db: Path, tmp_path: Path, monkeypatch):
    """The journal's fingerprints (before reading) and the batch's are one hashing of each file, not two."""
    hashed = []
    monkeypatch.setattr(store, "sha256_of", lambda path: hashed.append(path.name) or sha256_of(path))
    paths = [alliances(tmp_path, ROBOT, MAGNET), subsidies(tmp_path, "50"), tmp_path / "不存在.csv"]
    checked = service.check(db, paths, user="张三")
    assert sorted(hashed) == sorted(p.name for p in paths[:2])
    started = next(r for r in _raw_journal(db) if r["outcome"] == "started")
    assert [f["sha256"] for f in started["files"]] == [sha256_of(p) for p in paths[:2]] + [""]
    assert [f.sha256 for f in checked.batch.files] == [sha256_of(p) for p in paths[:2]]
    hashed.clear()
    batch = pipeline.prepare(paths[:2])                 # called on its own, it hashes them itself
    assert sorted(hashed) == sorted(p.name for p in paths[:2])
    assert [f.sha256 for f in batch.files] == [sha256_of(p) for p in paths[:2]]


def test_history_entries_in_words_newest_first_with_the_current_state(db: Path, tmp_path: Path):
    (tmp_path / "a").mkdir()
    service.commit(service.check(db, [alliances(tmp_path / "a", ROBOT, MAGNET)], user="张三"), user="张三")
    service.check(db, [write_csv(tmp_path / "坏名录.csv", [["联盟编号", "联盟名称"], ["TJ-9", ""]])], user="王五")
    service.commit(service.check(db, [subsidies(tmp_path, "30")], user="李四"), user="李四")
    rollback(db, 1, user="张三")
    rows = history.entries(db)
    assert [(e.import_id, e.action, e.outcome, e.user, e.current) for e in rows] == [
        (4, "回滚", "成功", "张三", True), (3, "导入", "成功", "李四", False),
        (2, "导入", "被拒绝", "王五", False), (1, "导入", "成功", "张三", False)]
    refused = rows[2]
    assert refused.refused and refused.errors == 2 and refused.files == ["坏名录.csv"]
    assert refused.note.startswith("2 个错误，未写入任何数据。首个错误：错误：坏名录.csv 第1行「对外责任主体单位」")
    assert rows[1].fingerprints == f"资金补贴.csv（SHA-256 {sha256_of(tmp_path / '资金补贴.csv')[:12]}…，资金补贴 1 行）"
    assert rows[0].row_counts.startswith("联盟名录 2，")
