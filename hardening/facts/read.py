"""Read: the content of a file, or of every file a glob matches, capped at ``limit`` bytes.

One section per Read. Each file is an entry ``F file <ok|missing|denied|notfile> -`` (denied:
permission denied, here or on a parent directory; notfile: a directory) whose data is
the path, a NUL, then (when ok) up to ``limit + 1`` bytes of content.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts import describe
from hardening.facts.base import (
    Answers,
    Frame,
    RequestSpec,
    Root,
    Section,
    frame_of,
    glob_match,
    is_glob,
    word,
)
from hardening.model.facts import Absent, FileContent, Request


@dataclass(frozen=True)
class Read(Request[tuple[FileContent, ...]]):
    """The content of a file, or of every file a glob matches, capped at ``limit`` bytes.

    A plain path answers a tuple of one, or ``Absent`` (missing, or error when unreadable).
    """

    path: str
    limit: int = 1 << 20


def _sid(i: int) -> str:
    return f"r{i}"


def fragment(reqs: Sequence[Read]) -> list[Section]:
    """One section per Read: an entry per matching path."""
    return [
        Section(
            _sid(i),
            (
                f"m B {_sid(i)}\n"
                f"for p in {word(r.path)}; do\n"
                '  if [ ! -e "$p" ]; then m F file "$(gone "$p")" -; printf \'%s\\0\' "$p"\n'
                '  elif [ -d "$p" ]; then m F file notfile -; printf \'%s\\0\' "$p"\n'
                '  elif [ ! -r "$p" ]; then m F file denied -; printf \'%s\\0\' "$p"\n'
                "  else m F file ok -; printf '%s\\0' \"$p\"; "
                f'head -c {r.limit + 1} -- "$p" 2>/dev/null; fi\n'
                "done\n"
                f"m E {_sid(i)} 0\n"
            ),
            (r,),
        )
        for i, r in enumerate(reqs)
    ]


def _parse_one(req: Read, frame: Frame, host: str) -> Any:
    out: list[FileContent] = []
    for e in frame.entries:
        path, data = e.named(host)
        if e.status == "ok":
            out.append(FileContent(path, data[: req.limit], truncated=len(data) > req.limit))
        elif e.status == "denied" and not is_glob(req.path):
            return Absent(f"{path}: not readable (permission denied)", is_error=True, denied=True)
        elif e.status == "notfile" and not is_glob(req.path):
            return Absent(f"{path}: not a regular file", is_error=True)
    if not out and not is_glob(req.path):
        return Absent(f"{req.path}: no such file")
    return tuple(out)


def parse(reqs: Sequence[Read], frames: Mapping[str, Frame], host: str) -> Answers[Read]:
    """Each Read's files from its own section."""
    return {r: _parse_one(r, frame_of(frames, _sid(i), host), host) for i, r in enumerate(reqs)}


def content(root: Root, path: str, limit: int) -> FileContent | Absent:
    """One file of a root filesystem, capped at ``limit`` bytes (or why it cannot be read)."""
    entry = root.entry(path)
    if isinstance(entry, Absent):
        return entry
    if not entry.is_file:
        return Absent(f"{path}: not a regular file", is_error=True)
    data = root.read(entry, limit)
    return FileContent(path, data[:limit], truncated=len(data) > limit)


def _paths(root: Root, pattern: str) -> list[str]:
    return root.glob(pattern) if is_glob(pattern) else [pattern]


def _from_root(req: Read, root: Root) -> Any:
    out: list[FileContent] = []
    for p in _paths(root, req.path):
        got = content(root, p, req.limit)
        if isinstance(got, Absent):
            if not is_glob(req.path):
                return got
            continue
        out.append(got)
    return tuple(out)


def from_root(reqs: Sequence[Read], root: Root) -> Answers[Read]:
    """Each Read from a root filesystem; every file named is loaded in one pass first."""
    wanted = [
        e for r in reqs for p in _paths(root, r.path) if not isinstance(e := root.entry(p), Absent)
    ]
    root.prefetch(wanted)
    return {r: _from_root(r, root) for r in reqs}


def from_description(req: Read, desc: Mapping[str, Any]) -> Any:
    """The Read a node described by ``desc`` would give."""
    files = desc.get("files", {})
    if is_glob(req.path):
        hits = sorted(p for p in files if glob_match(req.path, p))
    else:
        hits = [req.path] if req.path in files or req.path in desc.get("unreadable", []) else []
    if not hits:
        return () if is_glob(req.path) else Absent(f"{req.path}: no such file")
    got = [describe.content(desc, p) for p in hits]
    return got[0] if isinstance(got[0], Absent) else tuple(got)


SPEC = RequestSpec(Read, fragment, parse, from_root, from_description)
