"""The import-linter layers name every package and top-level module of ``hardening``.

A module left out of every layer is not checked at all (``cloud`` and ``shard`` once were,
and two imports ran back up into collect and plan while lint-imports reported KEPT).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import hardening

ROOT = Path(hardening.__file__).resolve().parent
PYPROJECT = ROOT.parent / "pyproject.toml"
UNLAYERED = {"__init__", "__main__"}  # the version and the entry point import nothing inward


def layered() -> set[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    return {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}


def top_level() -> set[str]:
    names = {p.stem for p in ROOT.glob("*.py")}
    names |= {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    return {f"hardening.{n}" for n in names - UNLAYERED}


def test_every_package_is_in_a_layer() -> None:
    assert top_level() - layered() == set()


def test_no_layer_names_a_module_that_is_gone() -> None:
    assert layered() - top_level() == set()
