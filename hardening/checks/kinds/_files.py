"""Shared by the file kinds: where a path comes from (literal, or a component's flag).

A path holding ``/**/`` is recursive: ``DIR/**/*.key`` matches ``*.key`` in DIR and in its
subdirectories down to ``DEPTH`` levels (kubeadm's ``pki/etcd/*.key`` is one level down),
answered by one shell glob per level.
"""

from __future__ import annotations

from hardening.facts.component import ComponentReq
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, FactRequest, Facts, FileStat

DEPTH = 4


def levels(path: str) -> tuple[str, ...]:
    """The globs a path stands for: itself, or for ``A/**/B`` each of ``A/B``, ``A/*/B``, ..."""
    head, sep, tail = path.partition("/**/")
    if not sep:
        return (path,)
    return tuple(head + "/" + "*/" * n + tail for n in range(DEPTH + 1))


def path_requests(path: str, component: str | None, flag: str | None) -> tuple[FactRequest, ...]:
    """The requests that yield the stats of the file(s) a check names."""
    if component and flag:
        return (ComponentReq(component, ((flag, path),)),)
    return tuple(Stat(p) for p in levels(path))


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
    out: list[FileStat] = []
    for pattern in levels(path):
        found = facts.get(Stat(pattern))
        if isinstance(found, Absent):
            return found, path
        out.extend(s for s in found if s not in out)
    if not out:
        return Absent(f"no file matches {path}"), path
    where = f"{path} (this directory and {DEPTH} below)" if len(levels(path)) > 1 else path
    return out, where
