"""A file a component's flag names, parsed: the shared first steps of the kinds that judge a
policy file (an EncryptionConfiguration, an audit policy) rather than one setting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import Outcome
from hardening.facts.component import ComponentReq
from hardening.model.facts import Absent, Component, Facts
from hardening.model.result import Status
from hardening.parsers.flags import parse_config


@dataclass(frozen=True)
class FlagFile:
    """The component as seen, the path its flag names and the file parsed as YAML/JSON."""

    component: Component
    path: str
    doc: Any


def flag_file(
    facts: Facts, request: ComponentReq, flag: str, unset: str, expected: str
) -> FlagFile | Outcome:
    """The parsed file ``flag`` names, or the outcome when there is none to judge.

    No component is the component's absence (SKIP or FAIL by ``when_missing``); a flag not
    given is FAIL with ``unset`` as what was observed; an unreadable file follows its Absent;
    a file that is neither YAML nor JSON is ERROR naming it.
    """
    comp = facts.get(request)
    if isinstance(comp, Absent):
        return Outcome.absent(comp, source=f"{request.name} not found")
    cf = comp.files.get(flag)
    if cf is None:
        return Outcome(Status.FAIL, unset, expected, comp.origin)
    if isinstance(cf.content, Absent):
        return Outcome.absent(cf.content, source=cf.path)
    try:
        doc = parse_config(cf.content.text)
    except ValueError as exc:
        return Outcome(Status.ERROR, source=cf.path, reason=f"{cf.path}: {exc}")
    return FlagFile(comp, cf.path, doc)
