"""component_file: a key inside the file a component names in a flag, compared with an op.

The file is the one the running component names in ``flag`` (for example the API server's
``--encryption-provider-config``), read through the component's own root; ``path`` is the
documented default used when the flag is not given ("" for none). ``key`` is dotted and
``*`` stands for every element of a list (or every value of a mapping), so
``resources.*.providers.0.kms.name`` reads "the name of a KMS provider that is first in
some resources entry". With ``match: any`` one matched value satisfying the op is enough;
with ``match: all`` every matched value must. No matched value compares as "" (unset).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.ops import canonical, check_op, compare
from hardening.facts.component import ComponentReq
from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status
from hardening.parsers.flags import parse_config

MATCHES = ("any", "all")


@dataclass(frozen=True)
class Params:
    """YAML: ``component``, ``flag``, ``key``, ``op``, ``value``; optional ``path``, ``match``."""

    component: str
    flag: str
    key: str
    op: str
    value: Any = None
    path: str = ""
    match: str = "any"

    def __post_init__(self) -> None:
        if self.match not in MATCHES:
            raise ParamError("match", f"unknown match '{self.match}' (expected any or all)")
        if not self.flag.startswith("-"):
            raise ParamError("flag", f"expected a flag such as --config, got '{self.flag}'")
        if not self.key or any(not part for part in self.key.split(".")):
            raise ParamError("key", f"expected a dotted key, got '{self.key}'")
        err = check_op(self.op, self.value)
        if err:
            raise ParamError("op", err)


def _request(p: Params) -> ComponentReq:
    return ComponentReq(p.component, ((p.flag, p.path),))


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The component and the file its flag names."""
    return (_request(p),)


def select(doc: Any, key: str) -> list[Any]:
    """Every value at the dotted ``key``; ``*`` fans out over list items or mapping values."""
    nodes = [doc]
    for part in key.split("."):
        found: list[Any] = []
        for node in nodes:
            if part == "*":
                if isinstance(node, list):
                    found.extend(node)
                elif isinstance(node, dict):
                    found.extend(node.values())
            elif isinstance(node, dict) and part in node:
                found.append(node[part])
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                found.append(node[int(part)])
        nodes = found
    return nodes


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Read the named file, select the key and compare every match."""
    comp = facts.get(_request(p))
    if isinstance(comp, Absent):
        return Outcome.absent(comp, source=f"{p.component} not found")
    cf = comp.files.get(p.flag)
    if cf is None:
        return Outcome.absent(
            Absent(f"{p.component} has no {p.flag} and no default path"), source=comp.origin
        )
    how = f"{p.flag} of {comp.origin}" if cf.from_flag else f"default path for {p.flag}"
    source = f"{cf.path} ({how}): {p.key}"
    if isinstance(cf.content, Absent):
        return Outcome.absent(cf.content, source=source)
    try:
        values = [canonical(v) for v in select(parse_config(cf.content.text), p.key)]
    except ValueError as exc:
        return Outcome(Status.ERROR, source=source, reason=f"{cf.path}: {exc}")
    checked = values or [""]
    oks = [compare(p.op, v, p.value, p.key) for v in checked]
    ok = any(o for o, _ in oks) if p.match == "any" else all(o for o, _ in oks)
    expected = ("some " if p.match == "any" else "every ") + oks[0][1]
    observed = "; ".join(f"{p.key}={v}" for v in values[:10]) if values else f"{p.key} not set"
    return Outcome(pass_fail(ok), observed, expected, source)


KIND = CheckKind("component_file", Params, needs, evaluate, __doc__ or "")
