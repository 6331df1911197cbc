"""One lab node: its namespaces, overlays, processes and sshd, as seen from the host.

`Lab` (tests/labkit/lab.py) makes the shared files and starts and stops nodes; a `Node`
writes its own upper layers, starts `unshare` with lab-init as PID 1, waits for its sshd and
stops it by PID.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.labkit import build, pki, procfs
from tests.labkit.errors import LabError
from tests.labkit.profile import Profile
from tests.labkit.tree import UpperTree

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class NodeSpec:
    """Name, loopback address and profile of a node the lab can start; ``aliases`` are more
    loopback addresses its sshd also listens on (same host key)."""

    name: str
    address: str
    profile: str
    aliases: tuple[str, ...] = ()


class Node:
    """One running (or stopped) lab node, as seen from the host."""

    def __init__(self, spec: NodeSpec, lab_root: Path, port: int, profile: Profile) -> None:
        self.name = spec.name
        self.address = spec.address
        self.aliases = spec.aliases
        self.port = port
        self.profile = profile
        self.roles: tuple[str, ...] = profile.roles
        self.in_inventory = True
        self.dir = lab_root / "nodes" / spec.name
        self.log_path = self.dir / "log" / "sshd.log"
        self.console_path = self.dir / "console.log"
        self.pid1 = 0
        self.unshare_pid = 0
        self.host_public_key = ""
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def spec(self) -> NodeSpec:
        """The spec the node was made from."""
        return NodeSpec(self.name, self.address, self.profile.name, self.aliases)

    def prepare(
        self, fakeproc: Path, cas: pki.ClusterCas, control_plane: str, client_pub: str
    ) -> None:
        """Write the node's upper layers and init script (host side, before any namespace)."""
        (self.dir / "log").mkdir(parents=True, exist_ok=True)
        tree = UpperTree(self.dir / "upper", self.dir / "work")
        self.host_public_key = build.prepare_node(
            tree,
            self.profile,
            hostname=self.name,
            address=self.address,
            port=self.port,
            fakeproc=fakeproc,
            cas=cas,
            control_plane=control_plane,
            client_pub=client_pub,
            aliases=self.aliases,
        )
        script = build.init_script(
            self.name, tree.upper, tree.work, self.dir / "log", self.profile, self.port
        )
        (self.dir / "init.sh").write_text(script, encoding="utf-8")

    def start(self, timeout: float = START_TIMEOUT, tie_to_parent: bool = False) -> None:
        """Enter the namespaces, run init.sh and wait until sshd accepts on address:port."""
        if procfs.port_open(self.address, self.port):
            raise LabError(
                f"{self.name} ({self.address}:{self.port}): port already in use; run down first"
            )
        argv = [
            "unshare",
            "--mount",
            "--pid",
            "--uts",
            "--fork",
            "--mount-proc",
            "--propagation",
            "private",
            "--kill-child",
            "/bin/sh",
            str(self.dir / "init.sh"),
        ]
        with self.console_path.open("wb") as console:
            self._popen = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent if tie_to_parent else None,
            )
        self.unshare_pid = self._popen.pid
        try:
            procfs.poll(self._has_pid1, timeout, f"{self.name}: namespace init")
            procfs.poll(
                self._sshd_ready, timeout, f"{self.name}: sshd on {self.address}:{self.port}"
            )
        except LabError as exc:
            raise LabError(f"{exc}; {self.diagnostics()}") from None

    def _has_pid1(self) -> bool:
        self._check_not_exited()
        kids = procfs.children(self.unshare_pid)
        if kids:
            self.pid1 = kids[0]
        return bool(kids)

    def _sshd_ready(self) -> bool:
        self._check_not_exited()
        return procfs.port_open(self.address, self.port)

    def _check_not_exited(self) -> None:
        if self._popen is not None and self._popen.poll() is not None:
            raise LabError(
                f"{self.name}: node exited with rc {self._popen.returncode} while starting"
            )

    def diagnostics(self) -> str:
        """The tails of the node's console and sshd log, for error messages."""
        return f"console: {tail(self.console_path)!r}; sshd log: {tail(self.log_path)!r}"

    def is_running(self) -> bool:
        """True while the node's PID 1 is alive and still our lab-init."""
        return (
            bool(self.pid1)
            and procfs.is_alive(self.pid1)
            and procfs.cmdline(self.pid1) == (build.LAB_INIT, self.name)
        )

    def processes(self) -> list[procfs.NodeProcess]:
        """Every process inside the node (empty when it is stopped)."""
        return procfs.namespace_members(self.pid1) if self.is_running() else []

    @property
    def pids(self) -> dict[str, int]:
        """Component name -> PID inside the node, for the profile's processes that are running."""
        by_argv = {p.argv: p.ns_pid for p in self.processes()}
        return {
            proc.name: by_argv[proc.argv] for proc in self.profile.processes if proc.argv in by_argv
        }

    def sshd_host_pid(self) -> int:
        """Host PID of the node's listening sshd (the one whose parent is the node's PID 1)."""
        for proc in self.processes():
            # sshd retitles itself "sshd: /usr/sbin/sshd -D ... [listener] ...".
            if proc.host_ppid == self.pid1 and proc.argv and "/usr/sbin/sshd" in proc.argv[0]:
                return proc.host_pid
        raise LabError(f"{self.name}: no listening sshd; {self.diagnostics()}")

    def node_path(self, path: str) -> Path:
        """A path as the node sees it, reachable from the host through /proc/<pid1>/root."""
        return Path(f"/proc/{self.pid1}/root") / path.lstrip("/")

    def rotate_host_key(self, timeout: float = START_TIMEOUT) -> str:
        """Give sshd a NEW host key (SIGHUP), wait until it serves it; known_hosts keeps the old."""
        fresh = self.dir / "rotated_host_key"
        public = build.generate_ssh_key(fresh, f"root@{self.name}-rotated")
        self.node_path(build.HOST_KEY).write_bytes(fresh.read_bytes())
        self.node_path(build.HOST_KEY + ".pub").write_text(public + "\n", encoding="ascii")
        os.kill(self.sshd_host_pid(), signal.SIGHUP)
        blob = public.split()[1]
        procfs.poll(
            lambda: blob in keyscan(self.address, self.port), timeout, f"{self.name}: new host key"
        )
        self.host_public_key = public
        return public

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Kill the node's PID 1 by PID (ending its PID namespace) and wait for it; idempotent."""
        if self.is_running():
            os.kill(self.pid1, signal.SIGKILL)
        if self._popen is not None:
            try:
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait(timeout)
        elif self.unshare_pid and procfs.cmdline(self.unshare_pid)[:1] == ("unshare",):
            procfs.poll(
                lambda: not procfs.is_alive(self.unshare_pid), timeout, f"{self.name}: unshare exit"
            )
        if self.pid1:
            procfs.poll(lambda: not procfs.is_alive(self.pid1), timeout, f"{self.name}: PID 1 exit")

    def state(self) -> dict[str, object]:
        """What the CLI needs to find this node again (lab.json)."""
        return {
            **asdict(self.spec),
            "pid1": self.pid1,
            "unshare_pid": self.unshare_pid,
            "host_public_key": self.host_public_key,
            "in_inventory": self.in_inventory,
        }

    def __repr__(self) -> str:
        return f"Node({self.name!r}, {self.address}:{self.port}, profile={self.profile.name!r})"


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: unshare dies with the test process, and --kill-child takes the node down.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def keyscan(address: str, port: int) -> str:
    """The ed25519 host key sshd on ADDRESS:PORT shows (ssh-keyscan output, "" if none)."""
    result = subprocess.run(
        ["ssh-keyscan", "-T", "2", "-t", "ed25519", "-p", str(port), address],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def tail(path: Path, limit: int = 1500) -> str:
    """The last LIMIT characters of a log file, or <none>."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-limit:]
    except FileNotFoundError:
        return "<none>"
