"""Registry loaders: read bureau exports, validate them whole, store them atomically in DuckDB.

Stages, one module each: ``read`` (files → raw grids) → ``headers`` (find the header row,
recognise the table, map columns) → ``normalise`` (cells → clean values) → ``pipeline``
(validate across rows and files) → ``service`` (check → preview → commit, for the CLI and the page)
→ ``store`` (the writer: atomic write, journal, history, rollback). ``registry`` reads the stored state.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "data" / "sample"      # one folder per jurisdiction (data/generate_sample.py)
SAMPLE_DIR = SAMPLES_DIR / "tianjin"        # the default sample (make run)
HEADER_MAP = ROOT / "data" / "header_map.csv"  # a bureau's own header spellings, used when present


def default_db() -> Path:
    """The registry database: $REGISTRY_DB, else data/registry.duckdb in the repository."""
    return Path(os.environ.get("REGISTRY_DB") or ROOT / "data" / "registry.duckdb")
