"""The change preview (loaders/diff.py) on small registries written by hand, expected values worked out by hand."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from loaders.diff import compare, preview_import
from loaders.pipeline import prepare
from loaders.registry import existing_state
from loaders.store import history_dir, import_batch

HEADER = ["联盟编号", "联盟名称", "对外责任主体单位", "所属区域", "产业领域", "级别", "备案日期", "专职人员数"]
ROBOT = ["TJ-1", "天津市机器人联盟", "甲公司", "滨海新区", "机器人", "市级", "2019-06-28", "3"]
MAGNET = ["TJ-2", "天津市永磁材料联盟", "乙大学", "南开区", "新材料", "市级", "2019年7月1日", ""]
PHARMA = ["TJ-3", "天津市生物医药联盟", "丙研究院", "西青区", "生物医药", "市级", "2020/3/5", "2"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


def alliances(folder: Path, *rows: list[str], name: str = "联盟名录.csv") -> Path:
    return write_csv(folder / name, [HEADER, *rows])


def subsidies(folder: Path, *amounts: str) -> Path:
    rows = [["联盟名称", "年度", "补贴类型", "金额（万元）"]]
    rows += [[ROBOT[1], "2019", "备案补贴", a] for a in amounts]
    return write_csv(folder / "资金补贴.csv", rows)


def batch_for(db: Path, *paths: Path):
    batch = prepare(list(paths), existing=existing_state(db))
    assert batch.ok, [str(p) for p in batch.errors]
    return batch


@pytest.fixture
def two_alliances(db: Path, tmp_path: Path) -> Path:
    """A registry of ROBOT and MAGNET with two subsidy rows: import 1."""
    first = tmp_path / "first"
    first.mkdir()
    import_batch(db, batch_for(db, alliances(first, ROBOT, MAGNET), subsidies(first, "50", "30")), user="测试员")
    return db


def counts(diff) -> dict[str, tuple[int, int]]:
    return {r.table: (r.before, r.after) for r in diff.counts.itertuples()}


def test_first_import_adds_everything(db: Path, tmp_path: Path):
    diff = preview_import(db, batch_for(db, alliances(tmp_path, ROBOT, MAGNET), subsidies(tmp_path, "50")))
    assert sorted(diff.added["alliance_id"]) == ["TJ-1", "TJ-2"]
    assert diff.changed.empty and diff.removed.empty
    assert counts(diff)["alliances"] == (0, 2)
    assert counts(diff)["subsidies"] == (0, 1)
    assert counts(diff)["members"] == (0, 0)
    assert diff.replaced == ("alliances", "subsidies")
    assert not db.exists()  # a preview writes nothing


def test_reimporting_the_same_file_changes_nothing(two_alliances: Path, tmp_path: Path):
    # Dates written another way and a blank staff count must compare equal to what was stored.
    again = alliances(tmp_path, ROBOT, ["TJ-2", "天津市永磁材料联盟", "乙大学", "南开区", "新材料", "市级", "2019-07-01", ""])
    diff = preview_import(two_alliances, batch_for(two_alliances, again))
    assert not diff.alliances_touched
    assert counts(diff)["alliances"] == (2, 2)
    assert diff.summary() == "新增联盟 0 个，变更 0 个，移除 0 个；各表行数不变"


def test_added_changed_and_removed_alliances(two_alliances: Path, tmp_path: Path):
    robot_moved = ["TJ-1", "天津市机器人联盟", "甲公司", "东丽区", "机器人", "市级", "2019-06-30", "3"]
    diff = preview_import(two_alliances, batch_for(two_alliances, alliances(tmp_path, robot_moved, PHARMA),
                                                   subsidies(tmp_path, "50")))
    assert diff.added.to_dict("records") == [{"alliance_id": "TJ-3", "name": "天津市生物医药联盟"}]
    assert diff.removed.to_dict("records") == [{"alliance_id": "TJ-2", "name": "天津市永磁材料联盟"}]
    assert diff.changed.to_dict("records") == [{"alliance_id": "TJ-1", "name": "天津市机器人联盟",
                                                "fields": "所属区域、备案日期"}]
    assert counts(diff) == {"alliances": (2, 2), "members": (0, 0), "subsidies": (2, 1), "events": (0, 0),
                            "annual_reports": (0, 0)}
    assert diff.summary() == "新增联盟 1 个，变更 1 个，移除 1 个；资金补贴 2 → 1 行"


def test_a_blank_that_gets_filled_is_a_change(two_alliances: Path, tmp_path: Path):
    magnet_staffed = MAGNET[:-1] + ["4"]
    diff = preview_import(two_alliances, batch_for(two_alliances, alliances(tmp_path, ROBOT, magnet_staffed)))
    assert diff.changed.to_dict("records") == [{"alliance_id": "TJ-2", "name": "天津市永磁材料联盟",
                                                "fields": "专职人员数"}]


def test_a_batch_without_alliances_leaves_them_alone(two_alliances: Path, tmp_path: Path):
    diff = preview_import(two_alliances, batch_for(two_alliances, subsidies(tmp_path, "50", "30", "20")))
    assert not diff.alliances_touched
    assert counts(diff)["subsidies"] == (2, 3)
    assert counts(diff)["alliances"] == (2, 2)
    assert diff.replaced == ("subsidies",)
    assert list(diff.counts_table().columns) == ["表", "之前（行）", "之后（行）", "变化", "本次整体替换"]
    assert diff.counts_table().set_index("表").loc["资金补贴"].tolist() == [2, 3, 1, "是"]


def test_preview_matches_what_the_import_then_did(two_alliances: Path, tmp_path: Path):
    batch = batch_for(two_alliances, alliances(tmp_path, ROBOT, PHARMA), subsidies(tmp_path, "50"))
    preview = preview_import(two_alliances, batch)
    outcome = import_batch(two_alliances, batch, user="测试员")
    snapshots = history_dir(two_alliances)
    done = compare(snapshots / "1.duckdb", snapshots / f"{outcome.import_id}.duckdb")
    for part in ("added", "changed", "removed", "counts"):
        assert getattr(done, part).equals(getattr(preview, part)), part
    assert done.replaced == ()  # a comparison of two files does not know which tables a batch carried


def test_compare_with_nothing_before(two_alliances: Path):
    diff = compare(None, two_alliances)
    assert sorted(diff.added["alliance_id"]) == ["TJ-1", "TJ-2"]
    assert counts(diff)["subsidies"] == (0, 2)


def test_alliance_lists_have_chinese_headers_and_skip_empty_ones(two_alliances: Path, tmp_path: Path):
    diff = preview_import(two_alliances, batch_for(two_alliances, alliances(tmp_path, ROBOT, MAGNET, PHARMA)))
    lists = diff.alliance_lists()
    assert list(lists) == ["新增的联盟"]
    assert list(lists["新增的联盟"].columns) == ["联盟编号", "联盟名称"]
