"""suid_inventory: no setuid/setgid regular file outside an allow-list (globs allowed).

Answers the ``find / -xdev -perm /6000 -type f`` audit from one filesystem pass shared with
world_writable. ``exclude`` names directories whose contents are not the host's own files
(container image snapshots, pod volumes): the walk skips them and their files never count.
"""

from __future__ import annotations

import fnmatch
import stat
from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.facts.base import glob_match
from hardening.facts.find import Find
from hardening.model.facts import Absent, FactRequest, Facts, FileStat


@dataclass(frozen=True)
class Params:
    """YAML: ``allow`` (paths or globs), ``roots`` (default ``/``), ``exclude``
    (directories, ``find -path`` patterns)."""

    allow: tuple[str, ...] = ()
    roots: tuple[str, ...] = ("/",)
    exclude: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_exclude(self.exclude)


def check_exclude(exclude: tuple[str, ...]) -> None:
    """ParamError unless every ``exclude`` pattern is an absolute path on one line."""
    bad = [x for x in exclude if not x.startswith("/") or "\n" in x]
    if bad:
        raise ParamError(
            "exclude",
            f"'{bad[0]}' is not an absolute path pattern; write it as /dir or /dir/prefix*",
        )


def needs(p: Params) -> tuple[FactRequest, ...]:
    """One find pass over the roots."""
    return (Find(p.roots, p.exclude),)


def excluded(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``path`` is inside a directory ``patterns`` names (``find -path`` globbing,
    where ``*`` also matches ``/``)."""
    return any(
        fnmatch.fnmatchcase(path, x) or fnmatch.fnmatchcase(path, x.rstrip("/") + "/*")
        for x in patterns
    )


def walk_source(roots: tuple[str, ...], exclude: tuple[str, ...], test: str) -> str:
    """The find command the evidence names."""
    prune = (
        " \\( " + " -o ".join(f"-path {x}" for x in exclude) + " \\) -prune -o" if exclude else ""
    )
    return f"find {' '.join(roots)} -xdev{prune} -type f {test}"


def allowed(path: str, allow: tuple[str, ...]) -> bool:
    """Whether ``path`` is on the allow-list (exact path or shell glob)."""
    return any(path == a or glob_match(a, path) for a in allow)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL listing each setuid/setgid file not on the allow-list."""
    found = facts.get(Find(p.roots, p.exclude))
    source = walk_source(p.roots, p.exclude, "-perm /6000")
    if isinstance(found, Absent):
        return Outcome.absent(found, source=source)
    setid: list[FileStat] = [
        f
        for f in found
        if f.mode & (stat.S_ISUID | stat.S_ISGID) and not excluded(f.path, p.exclude)
    ]
    bad = [f for f in setid if not allowed(f.path, p.allow)]
    expected = "no setuid/setgid file outside the allow-list"
    observed = (
        f"{len(bad)} unexpected of {len(setid)} setuid/setgid files"
        if bad
        else f"{len(setid)} setuid/setgid files, all allowed"
    )
    return Outcome(
        pass_fail(not bad),
        observed,
        expected,
        source,
        details=tuple(f"{f.octal} {f.owner} {f.path}" for f in bad),
    )


KIND = CheckKind("suid_inventory", Params, needs, evaluate, __doc__ or "")
