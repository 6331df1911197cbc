"""Find: regular files under roots (one filesystem each) that are setuid, setgid or
world-writable, answered by one ``find`` pass for every Find of the probe.

The section's body is ``stat`` records, each ``MODE UID GID USER GROUP NAME\\0``: a name
holding newlines or text shaped like a record stays one name. A directory the walk may not
read or enter is a record ``!NAME\\0``; a Find with one under its roots is an error (the
walk did not see everything), never a shorter list.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import stat as statmod
from collections.abc import Iterable, Mapping, Sequence
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
    stat_records,
)
from hardening.model.facts import Absent, FileStat, Request

SID = "find"
SETID_OR_WW = statmod.S_ISUID | statmod.S_ISGID | statmod.S_IWOTH
DENIED = "\\( ! -readable -o ! -executable \\) -prune -printf '!%p\\0'"


@dataclass(frozen=True)
class Find(Request[tuple[FileStat, ...]]):
    """Regular files under ``roots`` (one filesystem each) that are setuid, setgid or
    world-writable. Answered by one ``find`` pass, whatever asked for it.

    ``prune`` names directories (``find -path`` patterns) the asker does not want: the pass
    skips those every Find of the host prunes, and the asker drops the rest itself.
    """

    roots: tuple[str, ...] = ("/",)
    prune: tuple[str, ...] = ()


def _nested(roots: list[str]) -> dict[str, tuple[str, list[str]]]:
    """root -> (the nearest other root above it, the directories from it up to that one).

    Only plain absolute roots take part; any other root is always walked on its own.
    """
    plain = {
        posixpath.normpath(r)
        for r in roots
        if r.startswith("/") and not any(c in r for c in " \t\n:*?[")
    }
    out: dict[str, tuple[str, list[str]]] = {}
    for root in sorted(plain):
        chain, up = [], root
        while up != "/":
            chain.append(up)
            up = posixpath.dirname(up)
            if up in plain:
                out[root] = (up, chain)
                break
    return out


def _guard(prune: list[str]) -> str:
    """``-path 'DIR/*' `` for the deepest directory above every prune pattern ("" if only /).

    ``-path`` costs about a microsecond per test, and ``find`` tests each directory it meets:
    one cheap guard keeps the patterns themselves to the directories that can match.
    """
    literal = [re.split(r"[*?\[]", x, maxsplit=1)[0] for x in prune]
    common = posixpath.commonprefix(literal)
    common = common[: common.rfind("/") + 1]
    return f"-path {shlex.quote(common + '*')} " if len(common) > 1 else ""


def prune_clause(prune: Iterable[str]) -> str:
    """The ``find`` words that skip the directories ``prune`` names ("" when none)."""
    pats = list(prune)
    if not pats:
        return ""
    return (
        f"-type d {_guard(pats)}\\( "
        + " -o ".join(f"-path {shlex.quote(x)}" for x in pats)
        + " \\) -prune -o "
    )


def _find_section(roots: list[str], prune: list[str] | None = None) -> str:
    """One ``find`` pass; a root is dropped when the walk of a root above it reaches it.

    ``find / /usr -xdev`` would walk /usr twice when /usr is on the root filesystem. A
    root nested under another is dropped only when the upper root, the nested one and every
    directory between them are directories on the upper root's filesystem; a mount point or
    a symlink (``find`` follows neither) keeps it. One ``stat`` of those paths decides, on
    the node.
    """
    nested = _nested(roots)
    walk = dict.fromkeys(posixpath.normpath(r) if r.startswith("/") else r for r in roots)
    words = " ".join(shlex.quote(r) for r in walk if r not in nested)
    lines = [f"m B {SID}", "CAP=16777217", f"set -- {words}"]
    if nested:
        paths = sorted({p for up, chain in nested.values() for p in (up, *chain)})
        lines.append(
            "D=\" $(stat -c '%d/%f:%n' -- "
            f"{' '.join(shlex.quote(p) for p in paths)} 2>/dev/null | tr '\\n' ' ')\""
        )
        last = ""
        for root, (up, chain) in sorted(nested.items(), key=lambda kv: (kv[1][0], kv[0])):
            if up != last:  # the upper root's "dev/mode", once per upper root
                q, last = shlex.quote(up), up
                lines.append(
                    f'case "$D" in *" "*":"{q}" "*) x=${{D%%":"{q}" "*}}; '
                    "a=${x##* } ;; *) a=- ;; esac"
                )
                lines.append('case "${a#*/}" in 4???) ;; *) a=- ;; esac')  # find -P: no link
            lines.append("w=")
            lines += [
                f'case "$D" in *" ${{a%/*}}/4"???":"{shlex.quote(c)}" "*) ;; *) w=1 ;; esac'
                for c in chain
            ]
            lines.append(f'[ -z "$w" ] || set -- "$@" {shlex.quote(root)}')
    skip = prune_clause(prune or [])  # directories every asker prunes: not walked at all
    # A directory we may not list or enter (EACCES: not root) is printed as ``!NAME`` and
    # not walked, so a walk that could not see everything is told apart from a clean one.
    lines += [
        'for r in "$@"; do',
        '  [ -e "$r" ] || [ "$(gone "$r")" != denied ] || printf \'!%s\\0\' "$r"',
        "done",
        f'rc=$(capped find "$@" -xdev {skip}-type d {DENIED} -o -type f '
        "\\( -perm -4000 -o -perm -2000 -o -perm -0002 \\) "
        f"-exec stat --printf '{STAT_FIELDS} %n\\0' {{}} +)",
        f'm E {SID} "$rc"',
        "",
    ]
    return "\n".join(lines)


def fragment(reqs: Sequence[Find]) -> list[Section]:
    """One pass over every root any Find names, pruning what all of them prune."""
    prune = set.intersection(*(set(f.prune) for f in reqs))
    text = _find_section(
        sorted({root for f in reqs for root in f.roots}), sorted(x for x in prune if "\n" not in x)
    )
    return [Section(SID, text, tuple(reqs))]


def _keep(req: Find, stats: Iterable[FileStat]) -> tuple[FileStat, ...]:
    roots = tuple(r.rstrip("/") + "/" for r in req.roots)
    return tuple(
        sorted(
            (s for s in stats if "/" in req.roots or s.path.startswith(roots)), key=lambda s: s.path
        )
    )


def parse(reqs: Sequence[Find], frames: Mapping[str, Frame], host: str) -> Answers[Find]:
    """Each Find's files under its own roots, from the one pass's records."""
    frame = frame_of(frames, SID, host)
    stats = list({s.path: s for s in stat_records(frame.body, host)}.values())
    denied = sorted(denied_names(frame.body))
    out: Answers[Find] = {}
    for r in reqs:
        hidden = [d for d in denied if _under(r.roots, d)]
        if frame.rc not in (0, 1):
            out[r] = Absent(
                f"find over {', '.join(r.roots)} failed (exit {frame.rc})", is_error=True
            )
        elif hidden:
            out[r] = Absent(
                f"find over {', '.join(r.roots)}: {len(hidden)} directories could not be "
                f"searched (permission denied), e.g. {', '.join(hidden[:3])}",
                is_error=True,
                denied=True,
            )
        else:
            out[r] = _keep(r, stats)
    return out


def _under(roots: Iterable[str], path: str) -> bool:
    return any(
        r == "/" or path == r.rstrip("/") or path.startswith(r.rstrip("/") + "/") for r in roots
    )


def from_root(reqs: Sequence[Find], root: Root) -> Answers[Find]:
    """One walk of the root filesystem answers every Find."""
    stats = [root.file_stat(e.path, e) for e in root.walk() if e.is_file and e.mode & SETID_OR_WW]
    return {r: _keep(r, stats) for r in reqs}


def from_description(req: Find, desc: Mapping[str, Any]) -> Any:
    """The files ``desc["found"]`` lists, as found."""
    return tuple(describe.file_stat(f["path"], f) for f in desc.get("found", []))


SPEC = RequestSpec(Find, fragment, parse, from_root, from_description)
