"""The code itself: no undefined names, unused imports or shadowed definitions (ruff's pyflakes rules).

A name lost in a merge (an import one branch removed while another used it) fails here at once,
not in the one CLI path that happens to reach it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pyflakes_rules_pass_over_the_tree() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F", "--exclude", ".venv",
                             "--output-format", "concise", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_imports_ui() -> None:
    """A shared link opened first on a fresh server runs the page file alone; importing ui sends it to app.py."""
    import ast

    from navigation import PAGES

    for page in PAGES:
        tree = ast.parse((ROOT / page.file).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert "ui" in imported, page.file
