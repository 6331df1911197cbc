"""A fingerprint of the real host's files, to prove a lab run changed nothing outside the lab.

Every entry's metadata is recorded (type, mode, owner, size, mtime, link target) and regular
files up to CONTENT_LIMIT bytes are hashed. Caches that other tools legitimately churn
(apt/dpkg state, pip and pyenv trees) and large toolchain or mirror trees are skipped, which
keeps a snapshot to a few seconds.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOTS = ("/etc", "/usr/local", "/opt", "/root", "/var/lib")
EXCLUDE = (
    "/var/lib/apt",
    "/var/lib/dpkg",
    "/var/lib/ucf",
    "/var/lib/systemd",
    "/var/lib/postgresql",
    "/root/.cache",
    "/root/.pyenv",
    "/root/.npm",
    "/root/.local",
    "/root/.ansible",
    "/root/.rustup",
    "/root/.cargo",
    "/root/.m2",
    "/root/.gradle",
    "/root/.nvm",
    "/root/go",
    "/root/.bash_history",
    "/etc/ld.so.cache",
    "/usr/local/cuda",
    "/opt/pypi",
    "/opt/pypi-more",
)
CONTENT_LIMIT = 1 << 20

Snapshot = dict[str, str]


def snapshot(roots: Iterable[str] = ROOTS, exclude: Iterable[str] = EXCLUDE) -> Snapshot:
    """Path -> fingerprint for every entry under `roots`, skipping `exclude` subtrees."""
    skip = tuple(exclude)
    result: Snapshot = {}
    for root in roots:
        if os.path.lexists(root):
            _walk(Path(root), skip, result)
    return result


def _walk(top: Path, skip: tuple[str, ...], out: Snapshot) -> None:
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = [d for d in dirnames if not _skipped(os.path.join(dirpath, d), skip)]
        out[dirpath] = _fingerprint(Path(dirpath))
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = os.path.join(dirpath, name)
            if not _skipped(path, skip):
                out[path] = _fingerprint(Path(path))


def _skipped(path: str, skip: tuple[str, ...]) -> bool:
    # A prefix match on purpose: "/usr/local/cuda" also covers "/usr/local/cuda-13.0".
    return path.startswith(skip)


def _fingerprint(path: Path) -> str:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return "vanished"
    meta = (
        f"{stat.S_IFMT(st.st_mode):o} {st.st_mode & 0o7777:o} {st.st_uid}:{st.st_gid} {st.st_size}"
    )
    if stat.S_ISLNK(st.st_mode):
        return f"{meta} -> {os.readlink(path)}"
    if stat.S_ISREG(st.st_mode):
        meta += f" {st.st_mtime_ns}"
        if st.st_size <= CONTENT_LIMIT:
            try:
                meta += " " + hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                meta += f" unreadable:{exc.errno}"
    return meta


def diff(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Human-readable differences: `+ path` added, `- path` removed, `~ path` changed."""
    lines = [f"+ {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"- {p}" for p in sorted(before.keys() - after.keys())]
    lines += [f"~ {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return lines
