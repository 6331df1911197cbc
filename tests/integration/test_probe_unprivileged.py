"""The probe run through /bin/sh as an ordinary user (setpriv): permission denied is told
apart from absent, and a silent command failure is not evidence.

A directory the walk may not enter makes the Find an error (a shorter list would pass a
setuid check it never looked at); a mode-600 file is "permission denied", a missing one
"no such file", a directory "not a regular file"; the meta section says the uid.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardening.facts.command import Command
from hardening.facts.find import Find
from hardening.facts.read import Read
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, CommandOutput
from hardening.probe import parse, privilege, script

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def run(requests: list[object], *wrap: str) -> tuple[dict[object, object], dict[str, str]]:
    probe = script.build(requests)  # type: ignore[arg-type]
    out = subprocess.run(
        [*wrap, "/bin/sh", "-s"], input=probe.data, capture_output=True, check=True, timeout=60
    )
    values, meta = parse.parse(out.stdout, probe, "me")
    return privilege.restrict(values, meta), meta


@pytest.fixture
def tree() -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the probe as another user")
    tmp_path = Path(tempfile.mkdtemp(prefix="hardening-unpriv-"))  # pytest's tmp is 0700
    os.chmod(tmp_path, 0o755)
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "suid").write_text("x")
    os.chmod(tmp_path / "open" / "suid", 0o4755)
    (tmp_path / "shut").mkdir(mode=0o700)
    (tmp_path / "shut" / "hidden-suid").write_text("x")
    os.chmod(tmp_path / "shut" / "hidden-suid", 0o4755)
    (tmp_path / "secret").write_text("k")
    os.chmod(tmp_path / "secret", 0o600)
    yield tmp_path
    shutil.rmtree(tmp_path)


def test_a_walk_that_could_not_enter_a_directory_is_an_error(tree: Path) -> None:
    find = Find((str(tree),))
    as_root, _ = run([find])
    as_user, meta = run([find], *NOBODY)
    assert sorted(f.path for f in as_root[find]) == [  # type: ignore[attr-defined]
        f"{tree}/open/suid",
        f"{tree}/shut/hidden-suid",
    ]
    got = as_user[find]
    assert isinstance(got, Absent) and got.denied and got.is_error
    assert f"{tree}/shut" in got.reason and "permission denied" in got.reason
    assert meta["uid"] == "65534"


def test_a_walk_root_the_user_cannot_reach_is_an_error(tree: Path) -> None:
    os.chmod(tree / "shut", 0o700)
    find = Find((f"{tree}/shut/deeper",))
    (tree / "shut" / "deeper").mkdir()
    got, _ = run([find], *NOBODY)
    assert isinstance(got[find], Absent) and got[find].denied  # type: ignore[union-attr]


def test_denied_missing_and_directory_reads_differ(tree: Path) -> None:
    secret, gone, folder = Read(f"{tree}/secret"), Read(f"{tree}/gone"), Read(f"{tree}/open")
    hidden = Stat(f"{tree}/shut/hidden-suid")
    got, _ = run([secret, gone, folder, hidden], *NOBODY)
    assert got[secret] == Absent(
        f"{tree}/secret: not readable (permission denied)", is_error=True, denied=True
    )
    assert got[gone] == Absent(f"{tree}/gone: no such file")
    assert got[folder] == Absent(f"{tree}/open: not a regular file", is_error=True)
    assert isinstance(got[hidden], Absent) and got[hidden].denied  # type: ignore[union-attr]


def test_a_silent_failing_command_is_denied_only_without_root(tree: Path) -> None:
    cmd = Command(f"cat {tree}/secret 2>/dev/null")
    as_root, root_meta = run([cmd])
    as_user, meta = run([cmd], *NOBODY)
    assert as_root[cmd] == CommandOutput(0, b"k")
    assert not privilege.unprivileged(root_meta) and privilege.unprivileged(meta)
    got = as_user[cmd]
    assert isinstance(got, Absent) and got.denied and "exited 1 with no output" in got.reason
    reason = privilege.needs_root("x", [got], meta)
    assert reason == "needs root: set ansible_become (the probe ran as uid 65534): x"
    assert privilege.needs_root("x", [got], root_meta) == "x"
