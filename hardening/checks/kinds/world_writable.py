"""world_writable: no world-writable regular file under the given system paths."""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, pass_fail
from hardening.checks.kinds import suid_inventory
from hardening.checks.kinds.suid_inventory import allowed
from hardening.facts.find import Find
from hardening.model.facts import Absent, FactRequest, Facts


@dataclass(frozen=True)
class Params:
    """YAML: ``roots`` (default ``/``), ``allow`` (paths or globs), ``exclude``
    (directories, ``find -path`` patterns; see suid_inventory)."""

    roots: tuple[str, ...] = ("/",)
    allow: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        suid_inventory.check_exclude(self.exclude)


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The shared find pass."""
    return (Find(p.roots, p.exclude),)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL listing each world-writable file not allowed."""
    found = facts.get(Find(p.roots, p.exclude))
    source = suid_inventory.walk_source(p.roots, p.exclude, "-perm -0002")
    if isinstance(found, Absent):
        return Outcome.absent(found, source=source)
    bad = [
        f
        for f in found
        if f.perms & 0o002
        and not allowed(f.path, p.allow)
        and not suid_inventory.excluded(f.path, p.exclude)
    ]
    return Outcome(
        pass_fail(not bad),
        f"{len(bad)} world-writable files",
        "no world-writable regular file",
        source,
        details=tuple(f"{f.octal} {f.owner} {f.path}" for f in bad),
    )


KIND = CheckKind("world_writable", Params, needs, evaluate, __doc__ or "")
