"""Fixtures of the scale tests: a pinned copy of the catalogue and a small worker lab."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hardening.catalogue.load import default_root


@pytest.fixture
def pinned_catalogue(tmp_path: Path) -> Path:
    """A copy of the shipped benchmarks, so runs compared in one test see the same content."""
    dest = tmp_path / "benchmarks"
    shutil.copytree(default_root(), dest)
    return dest
