"""The limits the project keeps, checked on every run: lint, types, import layers, size."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_ruff_is_clean() -> None:
    proc = run(
        sys.executable,
        "-m",
        "ruff",
        "check",
        "hardening",
        "tests",
        "scripts",
        "perf",
        "bench",
        "--output-format",
        "concise",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_ruff_format_is_applied() -> None:
    proc = run(
        sys.executable,
        "-m",
        "ruff",
        "format",
        "--check",
        "hardening",
        "tests",
        "scripts",
        "perf",
        "bench",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    proc = run(sys.executable, "-m", "mypy", "hardening", "perf")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_import_layers_hold() -> None:
    exe = shutil.which("lint-imports")
    assert exe, "import-linter is part of the test extra"
    proc = run(exe)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_modules_stay_small() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in (REPO / "hardening").rglob("*.py")
        if (n := p.read_text().count("\n")) > 400
    }
    assert not long, f"modules over 400 lines: {long}"


def test_package_inits_are_empty() -> None:
    for init in (REPO / "hardening").rglob("__init__.py"):
        if init.parent == REPO / "hardening":
            continue
        assert init.read_text().strip() == "", f"{init} should be empty (no re-exports)"


def test_every_automated_control_is_tested_both_ways() -> None:
    proc = run(sys.executable, "scripts/two_sided_coverage.py")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 of" in proc.stdout
