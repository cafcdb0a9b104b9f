"""queries.vocabulary: the status words are defined once; the SQL reads them from the context, pages compare
with the constants; changing a word changes the figures."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.registry import connect_read_only
from queries import catalogue, runner, vocabulary
from queries.policy import load_profile
from queries.scope import Scope
from registries import AS_OF, REGISTRY, build

ROOT = Path(__file__).resolve().parent.parent
SQL = [*catalogue.QUERIES_DIR.glob("*.sql"), *(catalogue.QUERIES_DIR / "context").glob("*.sql")]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("registry") / "registry.duckdb", REGISTRY)


def test_no_sql_file_spells_a_status_word():
    for path in SQL:
        code = catalogue.strip_comments(path.read_text(encoding="utf-8"))
        for word in vocabulary.WORDS.values():
            assert f"'{word}'" not in code, f"{path.name} spells '{word}': use status_word(…)"


def test_pages_compare_no_status_literal():
    compared = re.compile(r"""(==|!=)\s*["'](%s)["']""" % "|".join(map(re.escape, vocabulary.WORDS.values())))
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "figures").glob("*.py")]:
        assert not compared.search(path.read_text(encoding="utf-8")), path.name


def test_the_sql_words_are_the_vocabulary(registry, monkeypatch):
    # a word changed in the one definition reaches every query through the context
    monkeypatch.setitem(vocabulary.WORDS, "unclassified", "待归类")
    monkeypatch.setitem(vocabulary.WORDS, "overdue", "过期")
    monkeypatch.setitem(vocabulary.WORDS, "unfilled", "空白")
    con = connect_read_only(registry)
    try:
        scope = Scope(load_profile("tianjin-2018"), AS_OF)
        clusters = runner.run(con, "coverage_by_cluster", scope)["cluster"]
        assert list(clusters)[-1] == "待归类" and "未归类" not in set(clusters)
        statuses = set(runner.run(con, "review_schedule", scope)["status"])
        assert "过期" in statuses and not statuses & {"逾期"}
        assert runner.run(con, "overview_kpis", scope)["evaluations_overdue"].iloc[0] == 1   # counts the new word
        assert set(runner.run(con, "cluster_filings_by_year", Scope(load_profile("tianjin-2018"), AS_OF,
                                                                     taxonomy=""))["cluster"]) == {"待归类"}
    finally:
        con.close()


def test_statuses_in_page_order():
    assert vocabulary.EVALUATION_STATUSES == (vocabulary.OVERDUE, vocabulary.DUE_SOON, vocabulary.ON_TIME)
