"""The lab's client-side files: known_hosts and an Ansible YAML inventory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

RESTARTS = "/root/hardening-restarts"
# Lab nodes share the host's kernel and run no systemd: every lab inventory carries these, so
# `hardening remediate --apply` on it can never run `sysctl -p` (which would set the real
# host's kernel parameters) or systemctl. The sysctl load is a no-op; handlers record
# themselves in RESTARTS and the kubelet one restarts the node's fake kubelet
# (tests/labkit/restart_kubelet.py). docs/remediation.md "Known limits"; tested by
# tests/ansible/test_lab_safety.py.
LAB_SAFE_VARS: dict[str, list[str]] = {
    "hardening_sysctl_load": ["true"],
    "hardening_daemon_reload": ["sh", "-c", f"echo daemon-reload >> {RESTARTS}"],
    "hardening_restart_kubelet": [
        "sh",
        "-c",
        f"echo kubelet >> {RESTARTS} && exec /usr/local/sbin/lab-restart-kubelet",
    ],
    "hardening_reload_sshd": ["sh", "-c", f"echo sshd >> {RESTARTS}"],
}


@dataclass(frozen=True)
class HostEntry:
    """What the inventory and known_hosts need to know about one node."""

    name: str
    address: str
    port: int
    roles: tuple[str, ...]
    host_public_key: str


def known_hosts_line(entry: HostEntry) -> str:
    """One known_hosts line; OpenSSH and paramiko use the bare address for port 22."""
    host = entry.address if entry.port == 22 else f"[{entry.address}]:{entry.port}"
    key_type, blob = entry.host_public_key.split()[:2]
    return f"{host} {key_type} {blob}"


def write_known_hosts(path: Path, entries: Sequence[HostEntry]) -> None:
    """Write known_hosts with every node's current host key."""
    path.write_text("".join(known_hosts_line(e) + "\n" for e in entries), encoding="ascii")


def inventory_doc(
    entries: Sequence[HostEntry], key_path: Path, known_hosts: Path, user: str = "auditor"
) -> dict[str, object]:
    """An Ansible YAML inventory: hosts with address/port, one group per role."""
    groups: dict[str, dict[str, dict[str, dict[str, object]]]] = {}
    for entry in entries:
        for role in entry.roles:
            groups.setdefault(role, {"hosts": {}})["hosts"][entry.name] = {}
    return {
        "all": {
            "vars": {
                "ansible_user": user,
                "ansible_become": True,
                "ansible_ssh_private_key_file": str(key_path),
                "ansible_ssh_common_args": f"-o UserKnownHostsFile={known_hosts}",
                **LAB_SAFE_VARS,
            },
            "hosts": {e.name: {"ansible_host": e.address, "ansible_port": e.port} for e in entries},
            "children": groups,
        }
    }


def write_inventory(
    path: Path, entries: Sequence[HostEntry], key_path: Path, known_hosts: Path
) -> None:
    """Write `inventory.yml` for the running nodes."""
    doc = inventory_doc(entries, key_path, known_hosts)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def write_ssh_config(
    path: Path, entries: Sequence[HostEntry], key_path: Path, known_hosts: Path
) -> None:
    """An ssh_config for `ssh -F`: lab key, lab known_hosts, strict checking, no agent.

    Options given with -o apply to the destination only; -F also reaches -J jump hosts.
    """
    patterns = " ".join(sorted({e.address for e in entries})) or "127.0.0.*"
    lines = [
        f"Host {patterns}",
        f"    IdentityFile {key_path}",
        "    IdentitiesOnly yes",
        f"    UserKnownHostsFile {known_hosts}",
        "    GlobalKnownHostsFile /dev/null",
        "    StrictHostKeyChecking yes",
        "    BatchMode yes",
        "    ConnectTimeout 10",
        "    User auditor",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
