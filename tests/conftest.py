"""Shared fixtures: the repository on sys.path, a fresh database path per test, the registries page and browser
tests read (sample, empty, single, hand-counted), one server on the sample and one Chromium per session.

Helpers that are not fixtures live beside: tests/app_pages.py (open a page in AppTest, read it) and
tests/registries.py (registries built in code, import files written by hand, reading a named query)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database path in a test's own folder (the file does not exist yet)."""
    return tmp_path / "registry.duckdb"


# ---- registries shared by page and browser tests --------------------------------------------

def _import(db: Path, *paths: Path) -> Path:
    from loaders.pipeline import Batch, prepare
    from loaders.store import import_batch

    batch = prepare(list(paths)) if paths else Batch([], {}, [])
    assert batch.ok, [str(p) for p in batch.errors[:5]]
    import_batch(db, batch)
    return db


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample registry (data/sample/), loaded once per test session. Do not write to it."""
    from loaders import SAMPLE_DIR

    return _import(tmp_path_factory.mktemp("sample") / "registry.duckdb", *sorted(SAMPLE_DIR.iterdir()))


@pytest.fixture(scope="session")
def sample_server(sample_db: Path):
    """`streamlit run server.py` on the sample registry, shared by the browser tests so each page warms up once."""
    from tests.test_e2e import serve

    with serve(sample_db) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by playwright (never a downloaded browser build), shared by every browser test:
    each test opens its own pages or contexts in it (a new context is a new session) and closes them."""
    from playwright.sync_api import sync_playwright

    from tests.test_e2e import CHROMIUM, CHROMIUM_FLAGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry with the schema and an import record but no rows at all."""
    return _import(tmp_path_factory.mktemp("empty") / "registry.duckdb")


@pytest.fixture(scope="session")
def single_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry of exactly one filed alliance with three members, one subsidy, one evaluation, one report."""
    import openpyxl

    folder = tmp_path_factory.mktemp("single")
    name = "天津市单一测试产业技术创新战略联盟"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "联盟名录"
    sheet.append(["联盟名称", "对外责任主体单位", "所属区域", "产业领域", "级别", "备案日期"])
    sheet.append([name, "天津单一科技有限公司", "滨海新区", "工业机器人", "市级", "2019-06-28"])
    members = book.create_sheet("成员单位")
    members.append(["联盟名称", "单位名称", "单位类型", "角色", "注册地", "是否核心成员"])
    members.append([name, "天津单一科技有限公司", "企业", "理事长单位", "天津市滨海新区", "是"])
    members.append([name, "天津大学", "高校", "理事单位", "天津市南开区", "是"])
    members.append([name, "北京某研究院", "科研院所", "成员单位", "北京市海淀区", "否"])
    subsidies = book.create_sheet("资金补贴")
    subsidies.append(["联盟名称", "年度", "补贴类型", "金额（万元）", "拨付日期"])
    subsidies.append([name, 2019, "备案补贴", 50, "2019-12-20"])
    events = book.create_sheet("评审记录")
    events.append(["联盟名称", "事项", "日期", "结果", "得分"])
    events.append([name, "备案", "2019-06-28", "通过", None])
    events.append([name, "三年评估", "2022-06-30", "良好", 85])
    reports = book.create_sheet("年度报告")
    reports.append(["联盟名称", "年度", "提交日期", "开展活动次数"])
    reports.append([name, 2024, "2024-11-20", 5])
    path = folder / "单一联盟.xlsx"
    book.save(path)
    return _import(folder / "registry.duckdb", path)


# ---- the hand-counted registry of tests/registries.py, for the query tests ----------------------

@pytest.fixture(scope="session")
def hand_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """registries.REGISTRY (alliances A1–A7 as of 2024-06-30), every figure countable by hand. Do not write to it."""
    from registries import REGISTRY, build

    return build(tmp_path_factory.mktemp("hand") / "registry.duckdb", REGISTRY)


@pytest.fixture
def con(hand_registry: Path):
    """A fresh read-only connection to ``hand_registry`` (the runner caches per connection, so none is shared)."""
    from loaders.registry import connect_read_only

    c = connect_read_only(hand_registry)
    yield c
    c.close()
