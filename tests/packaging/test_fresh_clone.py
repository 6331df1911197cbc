"""The repository stands on its own: nothing in it reads the workplace's shared folder, and the
tests that use vendored data pass in a fresh ``git clone`` with nothing beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
# Spelled in two parts so this file does not match itself.
OUTSIDE = (".." + "/shared", "/work" + "/shared", 'parent / "' + 'shared"')


def git(*argv: str, cwd: Path = REPO) -> str:
    exe = shutil.which("git")
    assert exe, "git is needed to list the tracked files"
    return subprocess.run(
        [exe, *argv], cwd=cwd, capture_output=True, text=True, timeout=120, check=True
    ).stdout


def test_no_tracked_file_reaches_outside_the_repository() -> None:
    found = []
    for name in git("ls-files", "-z").split("\0"):
        path = REPO / name
        if not name or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        found += [f"{name}: {needle}" for needle in OUTSIDE if needle in text]
    assert not found, found


def test_the_kubebench_tests_pass_in_a_fresh_clone(tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    clone = alone / "hardening"
    git("clone", "--quiet", "--no-hardlinks", str(REPO), str(clone), cwd=tmp_path)
    assert sorted(p.name for p in alone.iterdir()) == ["hardening"]  # no shared/ beside it
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        "PYTHONPATH": str(clone),
        "CI": "true",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/unit/catalogue/test_kubebench_load.py",
            "tests/unit/checks/test_kubebench_kind.py",
        ],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=500,
        check=False,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "skipped" not in proc.stdout
