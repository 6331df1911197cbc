"""Group -> role defaults and overrides."""

from __future__ import annotations

import pytest

from hardening.errors import InventoryError
from hardening.inventory.roles import group_mapping, role_sources, roles_for
from hardening.model.control import Role


@pytest.mark.parametrize(
    ("group", "role"),
    [
        ("kube_control_plane", Role.CONTROL_PLANE),
        ("masters", Role.CONTROL_PLANE),
        ("control_plane", Role.CONTROL_PLANE),
        ("control-plane", Role.CONTROL_PLANE),
        ("etcd", Role.ETCD),
        ("kube_node", Role.WORKER),
        ("workers", Role.WORKER),
        ("nodes", Role.WORKER),
        ("node", Role.WORKER),
    ],
)
def test_defaults(group: str, role: Role) -> None:
    assert roles_for("host 'h'", [group], {}, group_mapping(None, "cfg")) == {role}


def test_several_groups_give_several_roles() -> None:
    mapping = group_mapping(None, "cfg")
    assert roles_for("host 'h'", ["masters", "etcd", "other"], {}, mapping) == {
        Role.CONTROL_PLANE,
        Role.ETCD,
    }


def test_config_mapping_overrides_a_default() -> None:
    mapping = group_mapping({"nodes": [], "gpu": "worker"}, "cfg")
    assert roles_for("host 'h'", ["nodes"], {}, mapping) == frozenset()
    assert roles_for("host 'h'", ["gpu"], {}, mapping) == {Role.WORKER}


def test_host_var_wins_over_groups() -> None:
    mapping = group_mapping(None, "cfg")
    assert roles_for(
        "host 'h'", ["kube_node"], {"hardening_roles": "control_plane, etcd"}, mapping
    ) == {Role.CONTROL_PLANE, Role.ETCD}


@pytest.mark.parametrize("bad", [{"hardening_roles": ["wizard"]}, {"hardening_roles": 3}])
def test_bad_roles_are_errors(bad: dict[str, object]) -> None:
    with pytest.raises(InventoryError, match="host 'h'"):
        roles_for("host 'h'", [], bad, group_mapping(None, "cfg"))


def test_each_role_names_what_gave_it() -> None:
    mapping = group_mapping(None, "inv")
    groups = ("all", "kube_control_plane", "etcd")
    held = roles_for("inv", groups, {}, mapping)
    assert dict(role_sources(groups, {}, mapping, held)) == {
        Role.CONTROL_PLANE: "inventory group kube_control_plane",
        Role.ETCD: "inventory group etcd",
    }
    forced = {"hardening_roles": ["worker"]}
    held = roles_for("inv", groups, forced, mapping)
    assert role_sources(groups, forced, mapping, held) == (
        (Role.WORKER, "inventory variable hardening_roles"),
    )
