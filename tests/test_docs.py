"""The documentation stays true: every page is in the README, every query documented, the schema doc current."""
from __future__ import annotations

from pathlib import Path

import navigation
from loaders.schema import markdown
from queries import catalogue

ROOT = Path(__file__).resolve().parent.parent


def test_every_page_is_listed_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    titles = [page.title for page in navigation.PAGES]
    assert len(titles) == 13
    missing = [t for t in titles if f"| {t} |" not in readme]
    assert not missing, f"README 的页面表缺少：{missing}"


def test_every_query_has_a_documented_header() -> None:
    for doc in catalogue.list_queries():
        assert doc.title and doc.columns, doc.name
        assert all(c.label for c in doc.columns), doc.name


def test_schema_doc_is_generated_from_the_schema() -> None:
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == markdown()
