"""Shared fixtures: the repository on sys.path, and a fresh database path per test."""
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
