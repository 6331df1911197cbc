"""Shared by the file kinds: where a path comes from (literal, or a component's flag)."""

from __future__ import annotations

from typing import Any

from hardening.model.facts import Absent, Component, Facts, FileStat
from hardening.probe.requests import ComponentReq, FactRequest, Stat


def path_request(path: str, component: str | None, flag: str | None) -> FactRequest:
    """The request that yields the stat of the file a check names."""
    if component and flag:
        return ComponentReq(component, ((flag, path),))
    return Stat(path)


def stats_of(
    facts: Facts, path: str, component: str | None, flag: str | None
) -> tuple[list[FileStat] | Absent, str]:
    """The stats a file check looks at, and the source to cite."""
    fact: Any = facts.get(path_request(path, component, flag))
    if component and flag:
        if isinstance(fact, Absent):
            return fact, f"{component} not running"
        assert isinstance(fact, Component)
        cf = fact.files.get(flag)
        if cf is None:
            return Absent(f"{component} has no {flag} and no default path"), fact.origin
        how = f"{flag} of {fact.origin}" if cf.from_flag else f"default path for {flag}"
        if isinstance(cf.stat, Absent):
            return cf.stat, f"{cf.path} ({how})"
        return [cf.stat], f"{cf.path} ({how})"
    if isinstance(fact, Absent):
        return fact, path
    if not fact:
        return Absent(f"no file matches {path}"), path
    return list(fact), path
