"""A lab of isolated Kubernetes-like nodes, each with a real sshd on its own 127.0.0.N.

Each node is `unshare --mount --pid --uts --fork --mount-proc`: its own PID 1 (lab-init),
hostname, private tmpfs /tmp and /run, and overlays over /etc, /var/lib, /usr, /opt, /root
and /home whose upper layers live under the lab dir. Stopping a node kills its PID 1,
which ends every process in its PID namespace and drops its mounts with it.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.labkit import build, inventory, pki, procfs
from tests.labkit.errors import LabError
from tests.labkit.profile import Profile, load_profile
from tests.labkit.tree import UpperTree

DEFAULT_DIR = Path("/tmp/hardening-lab")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class NodeSpec:
    """Name, loopback address and profile of a node the lab can start."""

    name: str
    address: str
    profile: str


DEFAULT_NODES = (
    NodeSpec("cp1", "127.0.0.11", "control-plane"),
    NodeSpec("worker1", "127.0.0.12", "worker"),
    NodeSpec("worker2", "127.0.0.13", "worker-noncompliant"),
)
SPECIAL_NODES = (
    NodeSpec("hang", "127.0.0.21", "hang"),
    NodeSpec("junk", "127.0.0.22", "junk"),
    NodeSpec("jump", "127.0.0.23", "jump"),
)
KNOWN_NODES = {spec.name: spec for spec in DEFAULT_NODES + SPECIAL_NODES}


def resolve_specs(names: Iterable[str | NodeSpec]) -> list[NodeSpec]:
    """Node names (or specs) -> specs; an unknown name is a LabError listing the known ones."""
    specs = []
    for item in names:
        if isinstance(item, NodeSpec):
            specs.append(item)
        elif item in KNOWN_NODES:
            specs.append(KNOWN_NODES[item])
        else:
            raise LabError(f"node {item!r}: unknown; choose from {sorted(KNOWN_NODES)}")
    return specs


class Node:
    """One running (or stopped) lab node, as seen from the host."""

    def __init__(self, spec: NodeSpec, lab_root: Path, port: int, profile: Profile) -> None:
        self.name = spec.name
        self.address = spec.address
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
        return NodeSpec(self.name, self.address, self.profile.name)

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
        return f"console: {_tail(self.console_path)!r}; sshd log: {_tail(self.log_path)!r}"

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
            lambda: blob in _keyscan(self.address, self.port), timeout, f"{self.name}: new host key"
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


class Lab:
    """A set of nodes sharing one lab dir, client key, known_hosts, inventory and cluster CAs."""

    def __init__(
        self, root: Path = DEFAULT_DIR, port: int = 22, tie_to_parent: bool = False
    ) -> None:
        self.root = Path(root)
        self.port = port
        self.tie_to_parent = tie_to_parent
        self.nodes: dict[str, Node] = {}
        self.key_path = self.root / "id_ed25519"
        self.known_hosts = self.root / "known_hosts"
        self.inventory_path = self.root / "inventory.yml"
        self.state_path = self.root / "lab.json"
        self.ssh_config = self.root / "ssh_config"
        self._cas: pki.ClusterCas | None = None
        self._client_pub = ""

    def start(self, specs: Iterable[str | NodeSpec] = DEFAULT_NODES) -> Lab:
        """Build the lab dir and start `specs`; on any failure tear down what was started."""
        _check_tools()
        try:
            self.root.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise LabError(
                f"{self.root}: already exists; run `python -m tests.labkit down --dir {self.root}`"
            ) from None
        try:
            self.root.chmod(0o700)
            build.compile_fakeproc(self.root / "fakeproc")
            self._client_pub = build.generate_ssh_key(self.key_path, "hardening-lab-client")
            self._cas = pki.ClusterCas.generate()
            self.add(specs)
        except BaseException:
            self.stop()
            raise
        return self

    def add(self, specs: Iterable[str | NodeSpec], in_inventory: bool = True) -> list[Node]:
        """Start more nodes in a running lab (e.g. the special hang/junk/jump nodes).

        With `in_inventory` false a node gets known_hosts and ssh_config entries but stays
        out of inventory.yml, so adding it does not change what an inventory-wide audit sees.
        """
        if self._cas is None:
            raise LabError(f"{self.root}: lab not started in this process; start() it first")
        started = []
        for spec in resolve_specs(specs):
            if spec.name in self.nodes:
                raise LabError(
                    f"node {spec.name!r}: already in the lab at {self.nodes[spec.name].address}"
                )
            profile = load_profile(
                spec.profile,
                {
                    "address": spec.address,
                    "hostname": spec.name,
                    "control_plane": self._control_plane(spec),
                },
            )
            node = Node(spec, self.root, self.port, profile)
            node.in_inventory = in_inventory
            self.nodes[spec.name] = node
            node.prepare(
                self.root / "fakeproc", self._cas, self._control_plane(spec), self._client_pub
            )
            node.start(tie_to_parent=self.tie_to_parent)
            started.append(node)
            self.write_client_files()
        return started

    def _control_plane(self, spec: NodeSpec) -> str:
        for node in self.nodes.values():
            if "kube_control_plane" in node.roles:
                return node.address
        return KNOWN_NODES["cp1"].address if spec.name != "cp1" else spec.address

    def node(self, name: str) -> Node:
        """The node called `name`."""
        try:
            return self.nodes[name]
        except KeyError:
            raise LabError(f"node {name!r}: not in this lab ({sorted(self.nodes)})") from None

    def write_client_files(self) -> None:
        """(Re)write known_hosts, inventory.yml and lab.json from the nodes' current keys."""
        entries = [
            inventory.HostEntry(n.name, n.address, n.port, n.roles, n.host_public_key)
            for n in self.nodes.values()
            if n.host_public_key
        ]
        inventory.write_known_hosts(self.known_hosts, entries)
        inventory.write_ssh_config(self.ssh_config, entries, self.key_path, self.known_hosts)
        listed = [e for e in entries if self.nodes[e.name].in_inventory]
        inventory.write_inventory(self.inventory_path, listed, self.key_path, self.known_hosts)
        state = {
            "root": str(self.root),
            "port": self.port,
            "nodes": [n.state() for n in self.nodes.values()],
        }
        self.state_path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")

    def ssh_argv(self, node: Node | str, user: str = "auditor", *command: str) -> list[str]:
        """argv for the OpenSSH client to run `command` on `node` with the lab key, strictly.

        It goes through <labdir>/ssh_config, so `-J` jump hosts get the same key and known_hosts.
        """
        target = node if isinstance(node, Node) else self.node(node)
        return [
            "ssh",
            "-F",
            str(self.ssh_config),
            "-p",
            str(target.port),
            f"{user}@{target.address}",
            *command,
        ]

    def stop(self) -> None:
        """Stop every node, check nothing is mounted under the lab dir, remove it; idempotent."""
        errors = []
        for node in list(self.nodes.values()):
            try:
                node.stop()
            except LabError as exc:
                errors.append(str(exc))
        leftover = procfs.mounts_under(self.root)
        if leftover:
            errors.append(f"{self.root}: still mounted after stop: {leftover}")
        elif self.root.exists():
            shutil.rmtree(self.root)
        if errors:
            raise LabError("; ".join(errors))

    @classmethod
    def load(cls, root: Path = DEFAULT_DIR) -> Lab:
        """A Lab object for a lab started by another process (reads <root>/lab.json)."""
        lab = cls(root)
        if not lab.state_path.exists():
            return lab
        state = json.loads(lab.state_path.read_text(encoding="utf-8"))
        lab.port = int(state["port"])
        for item in state["nodes"]:
            spec = NodeSpec(item["name"], item["address"], item["profile"])
            variables = {
                "address": spec.address,
                "hostname": spec.name,
                "control_plane": spec.address,
            }
            node = Node(spec, lab.root, lab.port, load_profile(spec.profile, variables))
            node.pid1, node.unshare_pid = int(item["pid1"]), int(item["unshare_pid"])
            node.host_public_key = str(item["host_public_key"])
            node.in_inventory = bool(item.get("in_inventory", True))
            lab.nodes[spec.name] = node
        return lab


def _check_tools() -> None:
    if os.geteuid() != 0:
        raise LabError("lab: needs root (namespaces, overlay mounts, sshd); run as root")
    for tool, package in (
        ("unshare", "util-linux"),
        ("/usr/sbin/sshd", "openssh-server"),
        ("ssh-keygen", "openssh-client"),
        ("sudo", "sudo"),
    ):
        if shutil.which(tool) is None:
            raise LabError(f"{tool}: not found; install it (apt-get install -y {package})")


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: unshare dies with the test process, and --kill-child takes the node down.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def _keyscan(address: str, port: int) -> str:
    result = subprocess.run(
        ["ssh-keyscan", "-T", "2", "-t", "ed25519", "-p", str(port), address],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def _tail(path: Path, limit: int = 1500) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-limit:]
    except FileNotFoundError:
        return "<none>"
