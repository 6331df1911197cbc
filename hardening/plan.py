"""Hosts x controls -> one Plan per host: the controls that apply, and the union of their
deduplicated FactRequests (answered by one probe run).

Layout overrides: a text param (or an element of a list param) may hold ``${name}`` or
``${name:-default}``. At plan time it is replaced by the host's inventory variable ``name``
(``Host.vars``), or by ``default`` when the host does not set it; ``$${`` is a literal
``${``. A ``${name}`` with no default and no variable is an InventoryError. This is how a
group with a non-standard layout points, say, the kubelet config at its own path without
forking the catalogue.

Roles: a host is planned for the controls of every node role, not only those its inventory
groups give it; ``hardening/applicability.py`` then holds each role from the inventory or
from the components found on the node (``DETECT``), and a control whose role the host does
not hold is SKIP. The profile (``--profile`` or the inventory variable
``hardening_profile``) is carried to the same step.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hardening.checks.registry import KINDS
from hardening.errors import InventoryError
from hardening.facts.component import ComponentReq
from hardening.model.control import CheckSpec, Control, Role
from hardening.model.facts import FactRequest
from hardening.model.host import Host

# The components whose presence gives a node a role (kube-bench's detection: the master
# binaries, etcd, the kubelet; cmd/common.go getBinaries / isMaster / isEtcd).
DETECT: dict[Role, tuple[str, ...]] = {
    Role.CONTROL_PLANE: ("kube-apiserver", "kube-controller-manager", "kube-scheduler"),
    Role.ETCD: ("etcd",),
    Role.WORKER: ("kubelet",),
}
NODE_ROLES = frozenset(DETECT)
PROFILE_VAR = "hardening_profile"
PROFILES = ("self-managed", "managed")


@dataclass(frozen=True)
class Plan:
    """What to gather from one host and which controls to evaluate on it.

    ``detect`` lists the roles whose components the probe looks for (``DETECT``);
    ``profile`` is ``self-managed`` or ``managed``."""

    host: Host
    controls: tuple[Control, ...]
    requests: tuple[FactRequest, ...]
    detect: tuple[Role, ...] = ()
    profile: str = "self-managed"


def profile_of(host: Host, chosen: str | None = None) -> str:
    """The host's profile: ``chosen`` (the ``--profile`` option) when given, else its
    inventory variable ``hardening_profile``, else ``self-managed``."""
    value = chosen if chosen is not None else host.vars.get(PROFILE_VAR)
    text = str(value or "self-managed").strip().lower()
    if text not in PROFILES:
        raise InventoryError(
            f"{host.name}: {PROFILE_VAR} '{value}' is not a profile",
            f"use one of: {', '.join(PROFILES)}",
        )
    return text


_VAR = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def substitute_text(text: str, variables: Mapping[str, Any], where: str) -> str:
    """Replace each ``${name}`` / ``${name:-default}`` in ``text`` from ``variables``."""

    def repl(m: re.Match[str]) -> str:
        escaped, name, default = m.group(1), m.group(2), m.group(3)
        if escaped:
            return m.group(0)[1:]
        if name in variables and variables[name] is not None:
            return str(variables[name])
        if default is not None:
            return default
        raise InventoryError(
            f"{where}: inventory variable '{name}' is not set",
            f"set it for the host or its group, or write ${{{name}:-DEFAULT}}",
        )

    return _VAR.sub(repl, text) if "${" in text else text


def _substitute_value(value: Any, variables: Mapping[str, Any], where: str) -> Any:
    if isinstance(value, str):
        return substitute_text(value, variables, where)
    if isinstance(value, tuple):
        return tuple(_substitute_value(v, variables, where) for v in value)
    return value


SHELL_FIELDS = frozenset({"command", "script", "audit"})


def bind_control(control: Control, host: Host) -> Control:
    """The control with every ``${var}`` in its check params resolved for ``host``."""
    if control.check is None:
        return control
    params = control.check.params
    where = f"{host.name}: control {control.id}"
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(params):
        if f.name in SHELL_FIELDS:
            continue  # shell text keeps its own ${...}; layout overrides are for paths
        old = getattr(params, f.name)
        new = _substitute_value(old, host.vars, where)
        if new != old:
            changes[f.name] = new
    if not changes:
        return control
    check = CheckSpec(
        control.check.kind, dataclasses.replace(params, **changes), control.check.when_missing
    )
    return dataclasses.replace(control, check=check)


def planned_roles(roles: frozenset[Role]) -> frozenset[Role]:
    """The roles whose controls a host is planned for: its own and every node role, so a
    role the components on the node show (a kubelet on a control-plane node, as on every
    kubeadm control plane; an API server on a host the inventory calls a worker) is
    audited. Which of them the host holds is decided from the facts
    (``hardening/applicability.py``): a role neither the inventory nor a running component
    gives is SKIP, never PASS."""
    return roles | NODE_ROLES


def plan_host(host: Host, controls: Iterable[Control], profile: str | None = None) -> Plan:
    """Select the controls targeting the host's roles and union their fact requests, with
    the requests that detect its roles' components."""
    roles = planned_roles(host.roles)
    chosen = tuple(bind_control(c, host) for c in controls if c.targets(roles))
    detect = tuple(r for r in DETECT if any(r in c.roles for c in chosen))
    requests: dict[FactRequest, None] = {}
    for control in chosen:
        if control.check is not None:
            for req in KINDS[control.check.kind].needs(control.check.params):
                requests[req] = None
    for role in detect:
        for name in DETECT[role]:
            requests[ComponentReq(name)] = None
    return Plan(host, chosen, tuple(requests), detect, profile_of(host, profile))


def plan_fleet(
    hosts: Iterable[Host], controls: Iterable[Control], profile: str | None = None
) -> list[Plan]:
    """One plan per host, in inventory order; ``profile`` overrides every host's."""
    ctl = tuple(controls)
    return [plan_host(h, ctl, profile) for h in hosts]
