"""Shared by the file kinds: where a path comes from (literal, or a component's flag).

A path holding ``/**/`` is recursive: ``DIR/**/*.key`` matches ``*.key`` in DIR and in its
subdirectories down to ``DEPTH`` levels (kubeadm's ``pki/etcd/*.key`` is one level down),
answered by one shell glob per level.

A path holding ``|`` lists alternatives, and the first that exists is the file checked:
kube-bench's ``svc``/``confs`` lists (``cfg/config.yaml``: the kubelet's service file is
``10-kubeadm.conf`` on kubeadm, ``kubelet.service`` itself on kubespray). A later
alternative is never consulted when an earlier one exists, and the evidence names the one
that was found; only when none exists is the result absent, naming them all.
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


def alternatives(path: str) -> tuple[str, ...]:
    """The ``|``-separated alternatives of a path, in order (one for a plain path)."""
    return tuple(a.strip() for a in path.split("|") if a.strip())


def path_requests(path: str, component: str | None, flag: str | None) -> tuple[FactRequest, ...]:
    """The requests that yield the stats of the file(s) a check names."""
    if component and flag:
        return (ComponentReq(component, ((flag, path),)),)
    return tuple(Stat(p) for alt in alternatives(path) for p in levels(alt))


def _matches(facts: Facts, path: str) -> tuple[list[FileStat] | Absent, str]:
    """The stats one alternative matches (Absent when the probe could not look)."""
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
    alts = alternatives(path)
    if len(alts) == 1:
        return _matches(facts, alts[0])
    for n, alt in enumerate(alts):
        found, where = _matches(facts, alt)
        if not isinstance(found, Absent):
            skipped = f"; {', '.join(alts[:n])} absent" if n else ""
            return found, f"{where} (first of {len(alts)} candidates{skipped})"
        if found.is_error or found.denied:
            return found, alt  # could not look: never fall through to a later candidate
    return Absent(f"none of {', '.join(alts)} exists"), path
