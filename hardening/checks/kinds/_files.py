"""Shared by the file kinds: where a path comes from (literal, or a component's flag)."""

from __future__ import annotations

from hardening.facts.component import ComponentReq
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, FactRequest, Facts, FileStat


def path_request(path: str, component: str | None, flag: str | None) -> FactRequest:
    """The request that yields the stat of the file a check names."""
    if component and flag:
        return ComponentReq(component, ((flag, path),))
    return Stat(path)


def stats_of(
    facts: Facts, path: str, component: str | None, flag: str | None
) -> tuple[list[FileStat] | Absent, str]:
    """The stats a file check looks at, and the source to cite."""
    if component and flag:
        comp = facts.get(ComponentReq(component, ((flag, path),)))
        if isinstance(comp, Absent):
            return comp, f"{component} not running"
        cf = comp.files.get(flag)
        if cf is None:
            return Absent(f"{component} has no {flag} and no default path"), comp.origin
        how = f"{flag} of {comp.origin}" if cf.from_flag else f"default path for {flag}"
        if isinstance(cf.stat, Absent):
            return cf.stat, f"{cf.path} ({how})"
        return [cf.stat], f"{cf.path} ({how})"
    found = facts.get(Stat(path))
    if isinstance(found, Absent):
        return found, path
    if not found:
        return Absent(f"no file matches {path}"), path
    return list(found), path
