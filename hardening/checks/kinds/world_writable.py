"""world_writable: no world-writable regular file under the given system paths."""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, pass_fail
from hardening.checks.kinds.suid_inventory import allowed
from hardening.model.facts import Absent, Facts
from hardening.probe.requests import FactRequest, Find


@dataclass(frozen=True)
class Params:
    """YAML: ``roots`` (default ``/``), ``allow`` (paths or globs)."""

    roots: tuple[str, ...] = ("/",)
    allow: tuple[str, ...] = ()


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The shared find pass."""
    return (Find(p.roots),)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL listing each world-writable file not allowed."""
    found = facts.get(Find(p.roots))
    source = f"find {' '.join(p.roots)} -xdev -type f -perm -0002"
    if isinstance(found, Absent):
        return Outcome.absent(found, source=source)
    bad = [f for f in found if f.perms & 0o002 and not allowed(f.path, p.allow)]
    return Outcome(pass_fail(not bad), f"{len(bad)} world-writable files",
                   "no world-writable regular file", source,
                   details=tuple(f"{f.octal} {f.owner} {f.path}" for f in bad))


KIND = CheckKind("world_writable", Params, needs, evaluate, __doc__ or "")
