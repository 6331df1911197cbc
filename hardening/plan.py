"""Hosts x controls -> one Plan per host: the controls that apply, and the union of their
deduplicated FactRequests (answered by one probe run)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hardening.checks.registry import KINDS
from hardening.model.control import Control
from hardening.model.host import Host
from hardening.probe.requests import FactRequest


@dataclass(frozen=True)
class Plan:
    """What to gather from one host and which controls to evaluate on it."""

    host: Host
    controls: tuple[Control, ...]
    requests: tuple[FactRequest, ...]


def plan_host(host: Host, controls: Iterable[Control]) -> Plan:
    """Select the controls targeting the host's roles and union their fact requests."""
    chosen = tuple(c for c in controls if c.targets(host.roles))
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
