"""Stat: ``stat -L`` of a path or of every match of a glob, as a list of FileStat.

Every Stat of a probe shares one section and one ``stat`` process. Records are
``MODE UID GID USER GROUP NAME\\0``; a path whose parent directory hides it is ``!NAME\\0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts import describe
from hardening.facts.base import (
    STAT_FIELDS,
    Answers,
    Frame,
    RequestSpec,
    Root,
    Section,
    denied_names,
    frame_of,
    glob_match,
    is_glob,
    stat_records,
    word,
)
from hardening.model.facts import Absent, FileStat, Request

SID = "stat"


@dataclass(frozen=True)
class Stat(Request[tuple[FileStat, ...]]):
    """``stat -L`` of a path or a glob pattern (every match, sorted by path).

    A plain path that does not exist is ``Absent``; a glob that matches nothing is ``()``.
    """

    path: str


def fragment(reqs: Sequence[Stat]) -> list[Section]:
    """One section: every path (quoted, or a safe glob left to the shell) in one ``stat``."""
    words = " ".join(word(r.path) for r in reqs)
    text = (
        f"m B {SID}\nset --\n"
        f"for p in {words}; do\n"
        '  if [ -e "$p" ]; then set -- "$@" "$p"\n'
        '  elif [ "$(gone "$p")" = denied ]; then printf \'!%s\\0\' "$p"; fi\n'
        "done\n"
        f"[ $# -eq 0 ] || stat -L --printf '{STAT_FIELDS} %n\\0' -- \"$@\" 2>/dev/null\n"
        f"m E {SID} 0\n"
    )
    return [Section(SID, text, tuple(reqs))]


def answer(req: Stat, stats: Mapping[str, FileStat], denied: set[str]) -> Any:
    """The fact of one Stat from the records of the section (shared with the fixtures)."""
    if req.path in denied:
        return Absent(
            f"{req.path}: cannot be examined (permission denied on a parent directory)",
            is_error=True,
            denied=True,
        )
    if is_glob(req.path):
        return tuple(s for p, s in sorted(stats.items()) if glob_match(req.path, p))
    if req.path in stats:
        return (stats[req.path],)
    return Absent(f"{req.path}: no such file")


def parse(reqs: Sequence[Stat], frames: Mapping[str, Frame], host: str) -> Answers[Stat]:
    """Each Stat's FileStats from the section's NUL-terminated records."""
    body = frame_of(frames, SID, host).body
    stats = {s.path: s for s in stat_records(body, host)}
    denied = denied_names(body)
    return {r: answer(r, stats, denied) for r in reqs}


def _from_root(req: Stat, root: Root) -> Any:
    found: list[FileStat] = []
    for p in root.glob(req.path) if is_glob(req.path) else [req.path]:
        entry = root.entry(p)
        if isinstance(entry, Absent):
            if not is_glob(req.path):
                return entry
            continue
        found.append(root.file_stat(p, entry))
    return tuple(found)


def from_root(reqs: Sequence[Stat], root: Root) -> Answers[Stat]:
    """Each Stat answered from a root filesystem."""
    return {r: _from_root(r, root) for r in reqs}


def from_description(req: Stat, desc: Mapping[str, Any]) -> Any:
    """The Stat a node described by ``desc`` (its ``files``) would give."""
    stats = {p: describe.file_stat(p, spec) for p, spec in desc.get("files", {}).items()}
    return answer(req, stats, set())


SPEC = RequestSpec(Stat, fragment, parse, from_root, from_description)
