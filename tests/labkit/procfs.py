"""Host-side /proc helpers: namespace members, child PIDs, liveness and mount checks."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.labkit.errors import LabError

POLL_INTERVAL = 0.05


@dataclass(frozen=True)
class NodeProcess:
    """A process inside a node: host PID, PID inside the node, parent host PID and argv."""

    host_pid: int
    ns_pid: int
    host_ppid: int
    argv: tuple[str, ...]


def poll(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Call `predicate` until it is true; after `timeout` seconds raise LabError naming `what`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise LabError(f"{what}: not reached within {timeout:.0f}s")
        time.sleep(POLL_INTERVAL)  # a polling interval, not a synchronisation guess


def port_open(address: str, port: int) -> bool:
    """True when something accepts TCP connections on address:port."""
    try:
        with socket.create_connection((address, port), timeout=0.5):
            return True
    except OSError:
        return False


def is_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return fields[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """Direct children of `pid` (all its threads)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except FileNotFoundError:
            continue
        found += [int(p) for p in text.split()]
    return found


def cmdline(pid: int) -> tuple[str, ...]:
    """argv of `pid` exactly as the kernel holds it (empty when the process is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return ()
    return tuple(part.decode("utf-8", "replace") for part in raw.split(b"\0")[:-1])


def namespace_members(pid1: int) -> list[NodeProcess]:
    """Every process in the PID namespace whose init has host PID `pid1`."""
    try:
        target = os.readlink(f"/proc/{pid1}/ns/pid")
    except FileNotFoundError:
        return []
    members: list[NodeProcess] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry}/ns/pid") != target:
                continue
            status = Path(f"/proc/{entry}/status").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        ns_pid = int(fields["NSpid"].split()[-1])
        members.append(NodeProcess(int(entry), ns_pid, int(fields["PPid"]), cmdline(int(entry))))
    return members


def mounts_under(path: Path) -> list[str]:
    """Mount points in this process's mount namespace at or below `path`."""
    prefix = str(path)
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        if fields[4] == prefix or fields[4].startswith(prefix + "/") or prefix in line:
            found.append(fields[4])
    return found
