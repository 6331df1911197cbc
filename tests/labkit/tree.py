"""The upper layers of one node's overlays, written from the host before the node starts.

A node path such as `/etc/kubernetes/pki/ca.crt` maps to `<upper>/etc/kubernetes/pki/ca.crt`;
`/var/lib/...` maps to `<upper>/var-lib/...`. New parent directories copy the host's mode and
owner when the host has that directory, so the merged view looks like the host's.
"""

from __future__ import annotations

import os
import posixpath
import shutil
from pathlib import Path

from tests.labkit.errors import LabError

OVERLAID = ("/etc", "/var/lib", "/usr", "/opt", "/root", "/home")


def layer_name(mount_point: str) -> str:
    """The directory name of an overlaid mount point's layer: `/var/lib` -> `var-lib`."""
    return mount_point.strip("/").replace("/", "-")


class UpperTree:
    """Writes files into the upper directories of one node (host-side view)."""

    def __init__(self, upper: Path, work: Path) -> None:
        self.upper = upper
        self.work = work

    def create_layers(self) -> None:
        """Make each overlay's upper and work directory, the upper one shaped like the host's."""
        for mount_point in OVERLAID:
            name = layer_name(mount_point)
            (self.work / name).mkdir(parents=True, exist_ok=True)
            target = self.upper / name
            target.mkdir(parents=True, exist_ok=True)
            _copy_attrs(Path(mount_point), target)

    def host_path(self, node_path: str) -> Path:
        """Where `node_path` lives in the upper layers; it must be inside an overlaid dir."""
        norm = posixpath.normpath(node_path)
        for mount_point in sorted(OVERLAID, key=len, reverse=True):
            if norm == mount_point or norm.startswith(mount_point + "/"):
                rest = norm[len(mount_point) :].lstrip("/")
                return self.upper / layer_name(mount_point) / rest
        raise LabError(f"node path {node_path!r} is outside the overlaid dirs {OVERLAID}")

    def mkdir(self, node_path: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> Path:
        """Create a directory (and its parents) in the node with exact mode and owner."""
        self._parents(node_path)
        target = self.host_path(node_path)
        target.mkdir(exist_ok=True)
        os.chown(target, uid, gid)
        os.chmod(target, mode)
        return target

    def write(
        self, node_path: str, data: bytes, mode: int = 0o644, uid: int = 0, gid: int = 0
    ) -> Path:
        """Write a regular file in the node with exact mode (suid bits included) and owner."""
        self._parents(node_path)
        target = self.host_path(node_path)
        target.write_bytes(data)
        os.chown(target, uid, gid)
        os.chmod(target, mode)
        return target

    def copy(self, source: Path, node_path: str, mode: int = 0o755) -> Path:
        """Copy a host file (e.g. the compiled fakeproc) into the node, owned by root."""
        self._parents(node_path)
        target = self.host_path(node_path)
        shutil.copyfile(source, target)
        os.chown(target, 0, 0)
        os.chmod(target, mode)
        return target

    def _parents(self, node_path: str) -> None:
        parent = posixpath.dirname(posixpath.normpath(node_path))
        missing: list[str] = []
        while parent not in OVERLAID and parent != "/":
            if self.host_path(parent).is_dir():
                break
            missing.append(parent)
            parent = posixpath.dirname(parent)
        for path in reversed(missing):
            target = self.host_path(path)
            target.mkdir()
            _copy_attrs(Path(path), target)


def _copy_attrs(host_dir: Path, target: Path) -> None:
    try:
        st = host_dir.stat()
    except FileNotFoundError:
        os.chown(target, 0, 0)
        os.chmod(target, 0o755)
        return
    os.chown(target, st.st_uid, st.st_gid)
    os.chmod(target, st.st_mode & 0o7777)
