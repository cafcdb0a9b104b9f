"""The documentation stays true: every page is in the README, every query documented, the schema doc current."""
from __future__ import annotations

import ast
from pathlib import Path

from loaders.schema import markdown
from queries import runner

ROOT = Path(__file__).resolve().parent.parent


def _page_titles() -> list[str]:
    """Titles of the st.Page entries in app.py, read without running Streamlit."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    return [kw.value.value for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "Page" for kw in node.keywords if kw.arg == "title"]


def test_every_page_is_listed_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    titles = _page_titles()
    assert len(titles) == 13
    missing = [t for t in titles if f"| {t} |" not in readme]
    assert not missing, f"README 的页面表缺少：{missing}"


def test_every_query_has_a_documented_header() -> None:
    for doc in runner.list_queries():
        assert doc.title and doc.columns, doc.name
        assert all(c.label for c in doc.columns), doc.name


def test_schema_doc_is_generated_from_the_schema() -> None:
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == markdown()
