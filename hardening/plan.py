"""Hosts x controls -> one Plan per host: the controls that apply, and the union of their
deduplicated FactRequests (answered by one probe run).

Layout overrides: a text param (or an element of a list param) may hold ``${name}`` or
``${name:-default}``. At plan time it is replaced by the host's inventory variable ``name``
(``Host.vars``), or by ``default`` when the host does not set it; ``$${`` is a literal
``${``. A ``${name}`` with no default and no variable is an InventoryError. This is how a
group with a non-standard layout points, say, the kubelet config at its own path without
forking the catalogue.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hardening.checks.registry import KINDS
from hardening.errors import InventoryError
from hardening.model.control import CheckSpec, Control, Role
from hardening.model.facts import FactRequest
from hardening.model.host import Host


@dataclass(frozen=True)
class Plan:
    """What to gather from one host and which controls to evaluate on it."""

    host: Host
    controls: tuple[Control, ...]
    requests: tuple[FactRequest, ...]


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
    """The roles whose controls a host is planned for: its own, and the worker role for a
    control-plane node, which runs a kubelet as every kubeadm control plane does (kube-bench
    checks the node targets wherever a kubelet runs). Where no kubelet is found, its
    controls are SKIP with "no process named 'kubelet' is running" as the evidence."""
    if Role.CONTROL_PLANE in roles:
        return roles | {Role.WORKER}
    return roles


def plan_host(host: Host, controls: Iterable[Control]) -> Plan:
    """Select the controls targeting the host's roles and union their fact requests."""
    roles = planned_roles(host.roles)
    chosen = tuple(bind_control(c, host) for c in controls if c.targets(roles))
    requests: dict[FactRequest, None] = {}
    for control in chosen:
        if control.check is not None:
            for req in KINDS[control.check.kind].needs(control.check.params):
                requests[req] = None
    return Plan(host, chosen, tuple(requests))


def plan_fleet(hosts: Iterable[Host], controls: Iterable[Control]) -> list[Plan]:
    """One plan per host, in inventory order."""
    ctl = tuple(controls)
    return [plan_host(h, ctl) for h in hosts]
