"""The probe's filesystem walk, run through /bin/sh: one pass per filesystem.

A root nested under another root on the same filesystem is reached by the upper root's
walk, so ``find`` must not be given it again (it would walk that tree twice). A nested root
on another filesystem (a mount point) or behind a symlink is not reached, so it must be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hardening.facts.base import stat_records
from hardening.facts.find import Find
from hardening.probe import parse, script
from hardening.probe.script import Script


def tree(d: Path) -> None:
    """d/top-suid (setuid), d/sub/ww (world-writable), d/real/in/ww2, d/link -> real."""
    (d / "sub").mkdir()
    (d / "real" / "in").mkdir(parents=True)
    (d / "link").symlink_to(d / "real")
    for name, mode in (
        ("top-suid", 0o4755),
        ("sub/ww", 0o666),
        ("real/in/ww2", 0o666),
        ("plain", 0o644),
    ):
        (d / name).write_text("x")
        os.chmod(d / name, mode)


def run(probe: Script, *wrap: str) -> bytes:
    out = subprocess.run(
        [*wrap, "/bin/sh", "-s"], input=probe.data, capture_output=True, check=True, timeout=60
    )
    return out.stdout


def walked_roots(probe: Script, stdout: bytes) -> list[str]:
    """The paths each matching file was listed under, from the raw find section."""
    sections = parse.split_sections(stdout, probe, "me")
    return [s.path for s in stat_records(sections["find"].body, "me")]


def paths(facts: object) -> list[str]:
    assert isinstance(facts, tuple)
    return [f.path for f in facts]


def test_nested_root_on_the_same_filesystem_is_walked_once(tmp_path: Path) -> None:
    tree(tmp_path)
    top, sub = Find((str(tmp_path),)), Find((str(tmp_path / "sub") + "/",))
    probe = script.build([top, sub])
    out = run(probe)
    listed = walked_roots(probe, out)
    assert listed.count(str(tmp_path / "sub" / "ww")) == 1, listed
    assert str(tmp_path / "plain") not in listed
    values, _meta = parse.parse(out, probe, "me")
    assert paths(values[sub]) == [str(tmp_path / "sub" / "ww")]
    assert str(tmp_path / "top-suid") in paths(values[top])


def test_nested_root_behind_a_symlink_is_still_walked(tmp_path: Path) -> None:
    tree(tmp_path)
    top, behind = Find((str(tmp_path),)), Find((str(tmp_path / "link" / "in"),))
    probe = script.build([top, behind])
    values, _meta = parse.parse(run(probe), probe, "me")
    # find does not follow d/link from d, so only the second root reaches real/in this way
    assert paths(values[behind]) == [str(tmp_path / "link" / "in" / "ww2")]
    assert str(tmp_path / "real" / "in" / "ww2") in paths(values[top])


def test_missing_nested_root_is_handed_to_find(tmp_path: Path) -> None:
    tree(tmp_path)
    top, gone = Find((str(tmp_path),)), Find((str(tmp_path / "nope"),))
    probe = script.build([top, gone])
    sections = parse.split_sections(run(probe), probe, "me")
    assert sections["find"].rc == 1  # find reports the missing root, as a plain find would


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="mounting a tmpfs in a private mount namespace needs root",
)
def test_nested_root_on_another_filesystem_is_walked(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    top, sub = Find((str(tmp_path),)), Find((str(tmp_path / "sub"),))
    probe = script.build([top, sub])
    mnt = tmp_path / "sub"
    setup = (
        f"mount -t tmpfs lab-find {mnt} && printf x > {mnt}/ww && chmod 666 {mnt}/ww "
        "&& exec /bin/sh -s"
    )
    out = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", setup],
        input=probe.data,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    values, _meta = parse.parse(out, probe, "me")
    assert paths(values[sub]) == [str(mnt / "ww")]
    assert not (mnt / "ww").exists()  # the mount lived only in the private namespace


def test_a_nested_root_under_a_symlinked_root_is_still_walked(tmp_path: Path) -> None:
    tree(tmp_path)
    # find -P does not descend a starting point that is a symlink, so the root under it
    # must be walked on its own even though it is on the same filesystem.
    link, under = Find((str(tmp_path / "link"),)), Find((str(tmp_path / "link" / "in"),))
    probe = script.build([link, under])
    values, _meta = parse.parse(run(probe), probe, "me")
    assert paths(values[under]) == [str(tmp_path / "link" / "in" / "ww2")]


def test_a_directory_every_asker_prunes_is_not_walked(tmp_path: Path) -> None:
    tree(tmp_path)
    snap = str(tmp_path / "real")  # stands for a container snapshot directory
    both = [Find((str(tmp_path),), (snap,)), Find((str(tmp_path / "sub"),), (snap,))]
    probe = script.build(both)
    assert str(tmp_path / "real" / "in" / "ww2") not in walked_roots(probe, run(probe))
    # One asker that wants the directory keeps it in the walk; the other drops it itself.
    mixed = [Find((str(tmp_path),), (snap,)), Find((str(tmp_path),))]
    probe = script.build(mixed)
    values, _meta = parse.parse(run(probe), probe, "me")
    assert str(tmp_path / "real" / "in" / "ww2") in paths(values[mixed[1]])
