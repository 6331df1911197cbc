"""ProxyJump and UserKnownHostsFile out of ansible_ssh_common_args."""

from __future__ import annotations

import pytest

from hardening.errors import InventoryError
from hardening.inventory.sshargs import parse_jump, parse_ssh_args
from hardening.model.host import JumpHost


@pytest.mark.parametrize(
    ("args", "jump"),
    [
        ("-J ops@bastion:2200", "ops@bastion:2200"),
        ("-Jbastion", "bastion"),
        ("-o ProxyJump=ops@bastion", "ops@bastion"),
        ("-oProxyJump=bastion:22", "bastion:22"),
        ("-o 'ProxyJump ops@bastion'", "ops@bastion"),
        ("-o proxyjump=none", None),
        ("-o StrictHostKeyChecking=yes", None),
    ],
)
def test_jump_spellings(args: str, jump: str | None) -> None:
    assert parse_ssh_args(args, "inv").jump == jump


def test_known_hosts_file() -> None:
    parsed = parse_ssh_args("-o UserKnownHostsFile=/lab/known_hosts -J b", "inv")
    assert (parsed.known_hosts, parsed.jump) == ("/lab/known_hosts", "b")


def test_proxycommand_is_refused_not_ignored() -> None:
    with pytest.raises(InventoryError, match="ProxyCommand is not supported"):
        parse_ssh_args("-o ProxyCommand='ssh -W %h:%p bastion'", "inv")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("ops@bastion:2200", JumpHost("bastion", 2200, "ops", "/k")),
        ("bastion", JumpHost("bastion", 22, "me", "/k")),
        ("[::1]:2222", JumpHost("::1", 2222, "me", "/k")),
        ({"address": "b", "user": "u", "key_file": "/j"}, JumpHost("b", 22, "u", "/j")),
    ],
)
def test_jump_host_forms(spec: object, expected: JumpHost) -> None:
    assert parse_jump(spec, "inv", "/k", "me") == expected


@pytest.mark.parametrize("spec", ["a,b", "bastion:99999", "@:22", {"port": 22}])
def test_bad_jump_hosts(spec: object) -> None:
    with pytest.raises(InventoryError, match="inv"):
        parse_jump(spec, "inv", None, None)
