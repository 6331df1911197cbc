"""Inventories read through Ansible's own loader: YAML, INI, vars dirs, patterns, roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardening.errors import InventoryError
from hardening.inventory.ansible import load_inventory
from hardening.model.control import Role
from hardening.model.host import JumpHost

YAML_INV = """
all:
  vars:
    ansible_user: auditor
    ansible_ssh_private_key_file: ~/.ssh/audit_key
  children:
    k8s:
      children:
        kube_control_plane:
          hosts:
            cp1: {ansible_host: 10.1.0.11}
        etcd:
          hosts:
            cp1:
            etcd1: {ansible_host: 10.1.0.21}
        kube_node:
          children:
            workers_eu:
              hosts:
                w1: {ansible_host: "{{ subnet }}.31", ansible_port: 2222}
                w2: {ansible_host: 10.1.0.32}
    bastions:
      hosts:
        bastion1: {ansible_host: 10.1.0.1}
"""

INI_INV = """
[masters]
m1 ansible_host=10.2.0.11 ansible_user=admin

[workers]
n1 ansible_host=10.2.0.31 ansible_become=yes ansible_become_user=kube
n2 ansible_host=10.2.0.32 ansible_ssh_common_args='-o ProxyJump=ops@jump.example:2200'

[cluster:children]
masters
workers

[cluster:vars]
ansible_password=hunter2
site_region=eu-west
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def yaml_inv(tmp_path: Path) -> Path:
    inv = write(tmp_path, "inv/hosts.yml", YAML_INV)
    write(tmp_path, "inv/group_vars/all.yml", "subnet: 10.1.0\nsite: lab\n")
    write(tmp_path, "inv/group_vars/kube_node.yml", "ansible_become: true\n")
    write(
        tmp_path,
        "inv/host_vars/w2.yml",
        "hardening_roles: [worker, etcd]\napi_token: abc\nvault_secret: x\n",
    )
    return inv


def by_name(path: Path, limit: str | None = None) -> dict[str, object]:
    return {h.name: h for h in load_inventory(path, limit=limit)}


def test_yaml_groups_of_groups_and_vars_dirs(yaml_inv: Path) -> None:
    hosts = load_inventory(yaml_inv)
    named = {h.name: h for h in hosts}
    assert sorted(named) == ["bastion1", "cp1", "etcd1", "w1", "w2"]
    w1 = named["w1"]
    assert (w1.address, w1.port, w1.user, w1.become) == ("10.1.0.31", 2222, "auditor", True)
    assert w1.key_file == str(Path("~/.ssh/audit_key").expanduser())
    assert set(w1.groups) >= {"workers_eu", "kube_node", "k8s"}
    assert w1.roles == {Role.WORKER}
    assert named["cp1"].roles == {Role.CONTROL_PLANE, Role.ETCD}
    assert named["cp1"].become is False
    assert named["etcd1"].roles == {Role.ETCD}
    assert named["bastion1"].roles == frozenset()
    assert w1.vars["site"] == "lab"


def test_hardening_roles_var_overrides_groups(yaml_inv: Path) -> None:
    assert load_inventory(yaml_inv, limit="w2")[0].roles == {Role.WORKER, Role.ETCD}


def test_secrets_never_reach_host_vars(yaml_inv: Path, tmp_path: Path) -> None:
    w2 = load_inventory(yaml_inv, limit="w2")[0]
    assert "api_token" not in w2.vars and "vault_secret" not in w2.vars
    n1 = load_inventory(write(tmp_path, "hosts.ini", INI_INV), limit="n1")[0]
    assert "ansible_password" not in n1.vars
    assert "hunter2" not in repr(n1)
    assert n1.vars["site_region"] == "eu-west"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("kube_node", {"w1", "w2"}),
        ("k8s:!etcd", {"w1", "w2"}),
        ("etcd:&kube_control_plane", {"cp1"}),
        ("w*,bastion1", {"w1", "w2", "bastion1"}),
        ("~^etcd\\d", {"etcd1"}),
        ("~^etcd", {"etcd1", "cp1"}),  # a regex matches group names too, as in Ansible
        ("nothing-matches", set()),
    ],
)
def test_limit_patterns_as_ansible_resolves_them(
    yaml_inv: Path, pattern: str, expected: set[str]
) -> None:
    assert set(by_name(yaml_inv, pattern)) == expected


def test_ini_inventory_with_children_become_and_proxyjump(tmp_path: Path) -> None:
    hosts = by_name(write(tmp_path, "hosts.ini", INI_INV))
    m1, n1, n2 = hosts["m1"], hosts["n1"], hosts["n2"]
    assert m1.roles == {Role.CONTROL_PLANE} and m1.user == "admin"  # type: ignore[attr-defined]
    assert (n1.become, n1.become_user) == (True, "kube")  # type: ignore[attr-defined]
    assert n2.jump == JumpHost("jump.example", 2200, "ops", None)  # type: ignore[attr-defined]


def test_group_roles_config_mapping(yaml_inv: Path) -> None:
    hosts = {h.name: h for h in load_inventory(yaml_inv, group_roles={"bastions": ["any"]})}
    assert hosts["bastion1"].roles == {Role.ANY}


def test_group_roles_inventory_var(tmp_path: Path) -> None:
    inv = write(
        tmp_path,
        "h.yml",
        "all:\n  vars:\n    hardening_group_roles: {db: [etcd]}\n"
        "  children:\n    db:\n      hosts:\n        d1:\n",
    )
    assert load_inventory(inv)[0].roles == {Role.ETCD}


def test_known_hosts_and_explicit_jump_var(tmp_path: Path) -> None:
    inv = write(
        tmp_path,
        "h.yml",
        "all:\n  hosts:\n    a:\n"
        "      ansible_ssh_common_args: -o UserKnownHostsFile=/x/known_hosts\n"
        "      hardening_jump_host: {address: 10.0.0.1, port: 22, user: j}\n",
    )
    host = load_inventory(inv)[0]
    assert host.known_hosts == "/x/known_hosts"
    assert host.jump == JumpHost("10.0.0.1", 22, "j", None)


def test_local_connection_uses_the_local_transport(tmp_path: Path) -> None:
    inv = write(tmp_path, "h.yml", "all:\n  hosts:\n    me: {ansible_connection: local}\n")
    assert load_inventory(inv)[0].transport == "local"


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("all:\n  hosts:\n    a: {hardening_roles: [wizard]}\n", "unknown role 'wizard'"),
        ("all:\n  hosts:\n    a: {ansible_connection: winrm}\n", "'winrm' is not supported"),
        ("all:\n  hosts:\n    a: {ansible_port: http}\n", "port 'http'"),
        (
            "all:\n  hosts:\n    a: {ansible_become: true, ansible_become_method: su}\n",
            "become method 'su'",
        ),
    ],
)
def test_bad_host_settings_name_file_and_host(tmp_path: Path, text: str, fault: str) -> None:
    inv = write(tmp_path, "h.yml", text)
    with pytest.raises(InventoryError, match=fault) as info:
        load_inventory(inv)
    assert str(inv) in str(info.value)


def test_missing_inventory_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="no such inventory file"):
        load_inventory(tmp_path / "absent.yml")


def test_unparsable_inventory_names_the_file(tmp_path: Path) -> None:
    inv = write(tmp_path, "broken.yml", "all: [unclosed\n  - {\n")
    with pytest.raises(InventoryError, match="broken.yml"):
        load_inventory(inv)


def test_the_shipped_example_inventory_loads() -> None:
    example = Path(__file__).resolve().parents[3] / "inventory" / "example" / "hosts.yml"
    hosts = {h.name: h for h in load_inventory(example)}
    assert hosts["cp-1"].roles == {Role.CONTROL_PLANE, Role.ETCD}
    assert hosts["gpu-1"].roles == {Role.WORKER}
    assert hosts["worker-3"].port == 2222
    assert hosts["worker-1"].jump is not None and hosts["worker-1"].jump.address == "203.0.113.10"
    assert hosts["bastion-1"].jump is None and hosts["bastion-1"].roles == frozenset()
