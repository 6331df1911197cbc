"""Every fact request a shipped control needs is a type of the facts registry."""

from __future__ import annotations

from hardening.catalogue.load import available, default_root, load_benchmark
from hardening.checks.registry import KINDS
from hardening.facts.command import Command
from hardening.facts.component import ComponentReq
from hardening.facts.find import Find
from hardening.facts.read import Read
from hardening.facts.registry import spec_of
from hardening.facts.stat import Stat


def test_every_request_a_shipped_control_needs_is_registered() -> None:
    seen: set[type] = set()
    for name in available(default_root()):
        for control in load_benchmark(name).controls:
            if control.check is not None:
                for req in KINDS[control.check.kind].needs(control.check.params):
                    assert spec_of(req).request is type(req), (name, control.id)
                    seen.add(type(req))
    assert {Stat, Read, Find, Command, ComponentReq} <= seen
