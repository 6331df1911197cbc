"""A lab of isolated Kubernetes-like nodes, each with a real sshd on its own 127.0.0.N.

Each node is `unshare --mount --pid --uts --fork --mount-proc`: its own PID 1 (lab-init),
hostname, private tmpfs /tmp and /run, and overlays over /etc, /var/lib, /usr, /opt, /root
and /home whose upper layers live under the lab dir. Stopping a node kills its PID 1,
which ends every process in its PID namespace and drops its mounts with it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from tests.labkit import build, inventory, pki, procfs
from tests.labkit.errors import LabError
from tests.labkit.node import Node, NodeSpec
from tests.labkit.profile import load_profile

__all__ = [
    "DEFAULT_DIR",
    "DEFAULT_NODES",
    "KNOWN_NODES",
    "Lab",
    "Node",
    "NodeSpec",
    "resolve_specs",
]  # Node and NodeSpec live in tests/labkit/node.py

DEFAULT_DIR = Path("/tmp/hardening-lab")


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
        """Stop every node, check nothing is mounted under the lab dir, remove it; idempotent.

        Nodes lab.json lists but this object did not start (another process's, or a fresh
        ``Lab(root)``) are stopped too, so the dir is never removed under running nodes.
        """
        errors = []
        if self.state_path.exists():
            try:
                for name, node in Lab.load(self.root).nodes.items():
                    self.nodes.setdefault(name, node)
            except (ValueError, KeyError, OSError) as exc:
                errors.append(f"{self.state_path}: unreadable, nodes it lists may run on: {exc}")
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
            spec = NodeSpec(
                item["name"], item["address"], item["profile"], tuple(item.get("aliases", ()))
            )
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
