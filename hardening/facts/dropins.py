"""Dropins: the drop-in config files under the directory a component's flag names.

The kubelet merges every ``*.conf`` file under ``--config-dir`` (subdirectories too, in
``filepath.WalkDir``'s lexical order) over its config file (cmd/kubelet/app/server.go:
mergeKubeletConfigurations). On a node one section per request finds the component's
process (the last one ``/proc`` lists, as the component section does), reads the flag's
directory through the process's own root, and prints ``F dir <ok|missing|denied> -`` then an
entry ``F file <ok|denied> -`` per file (data: the path, a NUL, up to ``limit + 1`` bytes).
No process, or no flag, gives no entry; the answer is then Absent.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts import describe
from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section, frame_of
from hardening.facts.component import COMM_LEN, PRELUDE, flag_path
from hardening.facts.read import content
from hardening.model.facts import Absent, FileContent, Request

LIMIT = 1 << 20


@dataclass(frozen=True)
class Dropins(Request[list[FileContent]]):
    """The ``suffix`` files under the directory component ``name`` gets in ``flag``.

    The answer is the files in the order the component merges them; Absent (not an error)
    when the component is not running or is not given the flag, Absent with ``is_error``
    when the directory cannot be read.
    """

    name: str
    flag: str
    suffix: str = ".conf"


def _sid(i: int) -> str:
    return f"d{i}"


def _section(sid: str, req: Dropins) -> str:
    comm = shlex.quote(req.name[:COMM_LEN])
    pattern = shlex.quote("*" + req.suffix)
    return "\n".join(
        [
            f"m B {sid}",
            'p=; for d in /proc/[0-9]*; do c=; read -r c 2>/dev/null < "$d/comm" || continue; '
            f'[ "$c" = {comm} ] && p=${{d#/proc/}}; done',
            'if [ -n "$p" ]; then',
            f'  f=$(flagval "$p" {shlex.quote(req.flag)})',
            '  case "$f" in /*) ;; "") ;; *) f="$(readlink "/proc/$p/cwd")/$f" ;; esac',
            '  if [ -n "$f" ]; then',
            '    r="/proc/$p/root$f"; [ -e "$r" ] || r=$f',
            '    if [ ! -e "$r" ]; then m F dir missing -; printf \'%s\\0\' "$f"',
            '    elif [ ! -r "$r" ] || [ ! -x "$r" ]; then m F dir denied -; printf \'%s\\0\' "$f"',
            "    else m F dir ok -; printf '%s\\0' \"$f\"",
            f'      find "$r" -type f -name {pattern} 2>/dev/null | while IFS= read -r x; do',
            '      n="$f${x#"$r"}"',
            '      if [ -r "$x" ]; then m F file ok -; printf \'%s\\0\' "$n"; '
            f'head -c {LIMIT + 1} -- "$x" 2>/dev/null',
            "      else m F file denied -; printf '%s\\0' \"$n\"; fi",
            "    done; fi",
            "  fi",
            "fi",
            f"m E {sid} 0",
            "",
        ]
    )


def fragment(reqs: Sequence[Dropins]) -> list[Section]:
    """One section per request: the process, its flag's directory, each file in it."""
    return [Section(_sid(i), _section(_sid(i), r), (r,)) for i, r in enumerate(reqs)]


def walk_order(files: list[FileContent]) -> list[FileContent]:
    """The files in ``filepath.WalkDir`` order: names compared directory by directory."""
    return sorted(files, key=lambda f: f.path.split("/"))


def _parse_one(req: Dropins, frame: Frame, host: str) -> Any:
    out: list[FileContent] = []
    for e in frame.entries:
        path, data = e.named(host)
        if e.kind == "dir" and e.status == "ok":
            continue
        if e.kind == "dir":
            return (
                Absent(f"{path} named by {req.flag}: no such directory")
                if e.status == "missing"
                else Absent(
                    f"{path} named by {req.flag}: not readable (permission denied)",
                    is_error=True,
                    denied=True,
                )
            )
        if e.status != "ok":
            return Absent(f"{path}: not readable (permission denied)", is_error=True, denied=True)
        out.append(FileContent(path, data[:LIMIT], truncated=len(data) > LIMIT))
    if not frame.entries:
        return Absent(f"{req.name} is not running or not given {req.flag}")
    return walk_order(out)


def parse(reqs: Sequence[Dropins], frames: Mapping[str, Frame], host: str) -> Answers[Dropins]:
    """Each request's files from its section, in merge order."""
    return {r: _parse_one(r, frame_of(frames, _sid(i), host), host) for i, r in enumerate(reqs)}


def _from_root(req: Dropins, root: Root) -> Any:
    found = root.component_argv(req.name)
    given = flag_path(found[0], req.flag) if found else ""
    if not given:
        return Absent(f"{req.name} has no unit or manifest giving {req.flag}")
    top = posixpath.normpath(posixpath.join("/", given))
    if isinstance(root.entry(top), Absent):
        return Absent(f"{top} named by {req.flag}: no such directory")
    out = []
    for e in root.walk():
        if e.is_file and e.path.startswith(top + "/") and e.path.endswith(req.suffix):
            got = content(root, e.path, LIMIT)
            if isinstance(got, Absent):
                return got
            out.append(got)
    return walk_order(out)


def from_root(reqs: Sequence[Dropins], root: Root) -> Answers[Dropins]:
    """Each request from the unit or manifest that starts the component and its directory."""
    return {r: _from_root(r, root) for r in reqs}


def from_description(req: Dropins, desc: Mapping[str, Any]) -> Any:
    """The drop-ins a described node holds under the directory its argv names."""
    comp = desc.get("components", {}).get(req.name)
    given = flag_path([str(a) for a in comp["argv"]], req.flag) if comp else ""
    if not given:
        return Absent(f"{req.name} is not running or not given {req.flag}")
    top = given.rstrip("/") + "/"
    files = [
        describe.content(desc, p)
        for p in desc.get("files", {})
        if p.startswith(top) and p.endswith(req.suffix)
    ]
    bad = next((f for f in files if isinstance(f, Absent)), None)
    return bad if bad is not None else walk_order([f for f in files if isinstance(f, FileContent)])


SPEC = RequestSpec(Dropins, fragment, parse, from_root, from_description, PRELUDE)
