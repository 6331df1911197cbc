"""Node roles from inventory groups: sensible defaults, overridable per host, group or config.

Precedence, highest first: the ``hardening_roles`` variable (a list of role names, set on a
host or a group, merged by Ansible's usual variable precedence), then the group mapping
(``DEFAULT_GROUP_ROLES`` updated by the caller's mapping and by a ``hardening_group_roles``
variable). A host may hold several roles; a host in no mapped group holds none and is only
audited against controls that target every node.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hardening.errors import InventoryError
from hardening.model.control import Role

DEFAULT_GROUP_ROLES: dict[str, tuple[str, ...]] = {
    "kube_control_plane": ("control-plane",),
    "kube-master": ("control-plane",),
    "masters": ("control-plane",),
    "master": ("control-plane",),
    "control_plane": ("control-plane",),
    "control-plane": ("control-plane",),
    "etcd": ("etcd",),
    "kube_node": ("worker",),
    "kube-node": ("worker",),
    "workers": ("worker",),
    "worker": ("worker",),
    "nodes": ("worker",),
    "node": ("worker",),
}

ROLES_VAR = "hardening_roles"
GROUP_ROLES_VAR = "hardening_group_roles"


def parse_role(value: object, where: str) -> Role:
    """One role name (``control-plane``, ``etcd``, ``worker``, ``any``) -> Role."""
    text = str(value).strip().lower().replace("_", "-")
    if text == Role.CLUSTER.value:
        raise InventoryError(
            f"{where}: 'cluster' is not a node role",
            "the cluster's controls run on the cluster target: audit with "
            "--kubeconfig FILE or --cluster-facts DIR",
        )
    for role in Role:
        if role.value == text:
            return role
    choices = ", ".join(r.value for r in Role if r is not Role.CLUSTER)
    raise InventoryError(f"{where}: unknown role '{value}'", f"use one of: {choices}")


def _as_list(value: object, where: str) -> list[object]:
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return list(value)
    raise InventoryError(
        f"{where}: expected a list of role names, got '{value}'",
        "write it as a YAML list, e.g. [control-plane, etcd]",
    )


def group_mapping(overrides: Mapping[str, Any] | None, where: str) -> dict[str, frozenset[Role]]:
    """The defaults updated by ``overrides`` (group -> role name or list of role names)."""
    merged: dict[str, frozenset[Role]] = {
        group: frozenset(parse_role(r, where) for r in names)
        for group, names in DEFAULT_GROUP_ROLES.items()
    }
    if overrides is None:
        return merged
    if not isinstance(overrides, Mapping):
        raise InventoryError(
            f"{where}: expected a mapping of group -> roles, got '{overrides}'",
            "write it as a YAML mapping, e.g. {bastions: [], db: [etcd]}",
        )
    for group, roles in overrides.items():
        items = _as_list(roles, f"{where}: group '{group}'")
        merged[str(group)] = frozenset(parse_role(r, f"{where}: group '{group}'") for r in items)
    return merged


def roles_for(
    label: str,
    groups: Iterable[str],
    variables: Mapping[str, Any],
    mapping: Mapping[str, frozenset[Role]],
) -> frozenset[Role]:
    """The roles of one host from its groups (parents included) and its variables.

    ``label`` names the host in errors (``<inventory>: host '<name>'``).
    """
    explicit = variables.get(ROLES_VAR)
    if explicit is not None:
        where = f"{label}: {ROLES_VAR}"
        return frozenset(parse_role(r, where) for r in _as_list(explicit, where))
    roles: set[Role] = set()
    for group in groups:
        roles |= mapping.get(group, frozenset())
    return frozenset(roles)


def role_sources(
    groups: Iterable[str],
    variables: Mapping[str, Any],
    mapping: Mapping[str, frozenset[Role]],
    held: frozenset[Role],
) -> tuple[tuple[Role, str], ...]:
    """For each role in ``held`` (from :func:`roles_for`), what gave it: the variable, or
    the first group mapping to it (``inventory group kube_control_plane``)."""
    if variables.get(ROLES_VAR) is not None:
        return tuple((r, f"inventory variable {ROLES_VAR}") for r in sorted(held))
    out: list[tuple[Role, str]] = []
    for role in sorted(held):
        group = next((g for g in groups if role in mapping.get(g, frozenset())), None)
        out.append((role, f"inventory group {group}" if group else "inventory"))
    return tuple(out)
