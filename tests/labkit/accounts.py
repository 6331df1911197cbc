"""Accounts of a lab node: the host's passwd/group/shadow plus the lab users.

`auditor` has passwordless sudo, `nopw` must give a password to sudo (and has none that
works), `etcd` owns the etcd data dir. root and both login users accept the lab client key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.labkit.errors import LabError
from tests.labkit.tree import UpperTree


@dataclass(frozen=True)
class LabUser:
    """A user the lab adds to every node."""

    name: str
    uid: int
    home: str
    shell: str
    login: bool
    sudoers: str


LAB_USERS = (
    LabUser(
        "auditor", 61001, "/home/auditor", "/bin/sh", True, "auditor ALL=(ALL:ALL) NOPASSWD: ALL\n"
    ),
    LabUser("nopw", 61002, "/home/nopw", "/bin/sh", True, "nopw ALL=(ALL:ALL) ALL\n"),
    LabUser("etcd", 61003, "/var/lib/etcd", "/usr/sbin/nologin", False, ""),
)


class Accounts:
    """Name -> uid/gid of one node, and the writer of its account files."""

    def __init__(self, etc: Path = Path("/etc")) -> None:
        self._passwd = _read(etc / "passwd")
        self._group = _read(etc / "group")
        self._shadow = _read(etc / "shadow")
        self._added = [u for u in LAB_USERS if u.name not in self._names(self._passwd)]
        taken = {int(line.split(":")[2]) for line in self._passwd if line.count(":") >= 6}
        clash = [u.name for u in self._added if u.uid in taken]
        if clash:
            raise LabError(f"host already uses the uid of lab users {clash}; free uids 61001-61003")

    @staticmethod
    def _names(lines: list[str]) -> set[str]:
        return {line.split(":", 1)[0] for line in lines if line}

    def uid(self, user: str) -> int:
        """The uid of `user` in the node."""
        return self._lookup(self._passwd + [_pw(u) for u in self._added], user, 2)

    def gid(self, group: str) -> int:
        """The gid of `group` in the node."""
        return self._lookup(self._group + [_gr(u) for u in self._added], group, 2)

    def owner(self, spec: str) -> tuple[int, int]:
        """`user:group` -> (uid, gid)."""
        user, _, group = spec.partition(":")
        return self.uid(user), self.gid(group or user)

    @staticmethod
    def _lookup(lines: list[str], name: str, field: int) -> int:
        for line in lines:
            parts = line.split(":")
            if parts[0] == name and len(parts) > field:
                return int(parts[field])
        raise LabError(f"no user or group {name!r} in the node's account files")

    def install(self, tree: UpperTree, authorized_key: str) -> None:
        """Write passwd/group/shadow, homes, authorized_keys and sudoers rules into the node."""
        shadow_gid = self.gid("shadow") if "shadow" in self._names(self._group) else 0
        tree.write("/etc/passwd", _join(self._passwd + [_pw(u) for u in self._added]), 0o644)
        tree.write("/etc/group", _join(self._group + [_gr(u) for u in self._added]), 0o644)
        tree.write(
            "/etc/shadow", _join(self._shadow + [_sh(u) for u in self._added]), 0o640, 0, shadow_gid
        )
        key = (authorized_key.strip() + "\n").encode("ascii")
        tree.mkdir("/root/.ssh", 0o700)
        tree.write("/root/.ssh/authorized_keys", key, 0o600)
        for user in LAB_USERS:
            if not user.login:
                continue
            uid, gid = self.uid(user.name), self.gid(user.name)
            tree.mkdir(user.home, 0o750, uid, gid)
            tree.mkdir(f"{user.home}/.ssh", 0o700, uid, gid)
            tree.write(f"{user.home}/.ssh/authorized_keys", key, 0o600, uid, gid)
            if user.sudoers:
                tree.write(f"/etc/sudoers.d/{user.name}", user.sudoers.encode(), 0o440)


def _read(path: Path) -> list[str]:
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError as exc:
        raise LabError(f"{path}: missing on the host; the lab copies it into every node") from exc


def _join(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _pw(u: LabUser) -> str:
    return f"{u.name}:x:{u.uid}:{u.uid}:lab {u.name}:{u.home}:{u.shell}"


def _gr(u: LabUser) -> str:
    return f"{u.name}:x:{u.uid}:"


def _sh(u: LabUser) -> str:
    # '*' matches no password but, unlike '!', does not lock the account for sshd.
    return f"{u.name}:*:19000:0:99999:7:::"
