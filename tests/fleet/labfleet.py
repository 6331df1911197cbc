"""A fleet lab for the SSH audit tests: four cluster nodes plus hostile and helper nodes.

Built through the labkit API on a private 127.0.<k>.0/24 whose port 22s are all free, so it
does not collide with the default session lab (127.0.0.N) another test run may hold.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.labkit import procfs
from tests.labkit.inventory import LAB_SAFE_VARS
from tests.labkit.lab import Lab, NodeSpec

FLEET = (
    ("cp1", 11, "control-plane"),
    ("worker1", 12, "worker"),
    ("worker2", 13, "worker-noncompliant"),
    ("worker3", 14, "worker"),
)
SPECIAL = (("hang", 21, "hang"), ("junk", 22, "junk"), ("jump", 23, "jump"), ("gone", 31, "worker"))
GROUPS = {
    "cp1": ("kube_control_plane", "etcd"),
    "worker1": ("kube_node",),
    "worker2": ("kube_node",),
    "worker3": ("kube_node",),
    "hang": ("kube_node",),
    "junk": ("kube_node",),
    "gone": ("kube_node",),
    "jump": ("bastions",),
}


def free_subnet(first: int = 200, last: int = 250) -> int:
    """A 127.0.<k>.0/24 on which none of our node addresses answers on port 22."""
    for k in range(first, last):
        if not any(procfs.port_open(f"127.0.{k}.{n}", 22) for _, n, _ in FLEET + SPECIAL):
            return k
    raise RuntimeError(f"no free loopback subnet in 127.0.{first}-{last}.0/24")


def specs(names: Sequence[tuple[str, int, str]], subnet: int) -> list[NodeSpec]:
    """NodeSpecs on ``127.0.<subnet>.N``."""
    return [NodeSpec(name, f"127.0.{subnet}.{n}", profile) for name, n, profile in names]


def start_fleet() -> Iterator[Lab]:
    """Start the fleet lab (the "gone" node is started, then stopped); stop it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="hardening-fleet-"))
    root.rmdir()
    subnet = free_subnet()
    lab = Lab(root, tie_to_parent=True)
    try:
        lab.start(specs(FLEET, subnet))
        lab.add(specs(SPECIAL, subnet), in_inventory=False)
        lab.node("gone").stop()
        yield lab
    finally:
        lab.stop()


def write_inventory(
    lab: Lab,
    dest: Path,
    hosts: Mapping[str, Mapping[str, Any]],
    common: Mapping[str, Any] | None = None,
) -> Path:
    """An inventory directory (hosts.yml + group_vars/all.yml) for ``hosts`` of ``lab``.

    ``hosts`` maps a node name to extra host vars; the node's address and role groups are
    filled in. ``common`` overrides the connection defaults in group_vars/all.yml.
    """
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "group_vars").mkdir(exist_ok=True)
    defaults = {
        "ansible_user": "auditor",
        "ansible_become": True,
        "ansible_ssh_private_key_file": str(lab.key_path),
        "ansible_ssh_common_args": f"-o UserKnownHostsFile={lab.known_hosts}",
        **LAB_SAFE_VARS,
        **(common or {}),
    }
    (dest / "group_vars" / "all.yml").write_text(yaml.safe_dump(defaults), encoding="utf-8")
    children: dict[str, dict[str, dict[str, Any]]] = {}
    for name, extra in hosts.items():
        node_name = str(extra.get("node", name))
        node = lab.node(node_name)
        entry = {"ansible_host": node.address, **{k: v for k, v in extra.items() if k != "node"}}
        for group in GROUPS[node_name]:
            children.setdefault(group, {"hosts": {}})["hosts"][name] = entry
    path = dest / "hosts.yml"
    path.write_text(yaml.safe_dump({"all": {"children": children}}), encoding="utf-8")
    return dest
