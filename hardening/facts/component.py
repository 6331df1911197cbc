"""ComponentReq: a Kubernetes component's argv and the files its path flags name.

On a node: one ``procs`` section finds the processes by ``/proc/<pid>/comm`` and prints
each one's cmdline (NUL-separated, verbatim); then one section per request reads the
files its flags name, from the component's own mount namespace when we may look there.
A file entry is ``F <stat|file> <status> <origin>:<index>`` (the index into ``files``, so no
catalogue or node string is in a marker) with data ``PATH\\0`` then the stat or content.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts import describe
from hardening.facts.base import (
    STAT_FIELDS,
    Answers,
    Entry,
    Frame,
    RequestSpec,
    Root,
    Section,
    decode_name,
    frame_of,
    stat_records,
)
from hardening.facts.read import content
from hardening.model.facts import (
    Absent,
    Component,
    ComponentFile,
    FileContent,
    FileStat,
    Process,
    Request,
)

COMM_LEN = 15  # the kernel truncates /proc/<pid>/comm to 15 characters
READ_CAP = 1 << 20
PROCS = "procs"

PRELUDE = rf"""flagval() {{
  tr '\000' '\n' < "/proc/$1/cmdline" 2>/dev/null | awk -v f="$2" '
    BEGIN {{ g = f; if (index(g, "--") == 1) g = substr(g, 2) }}
    w {{ v = $0; w = 0; next }}
    {{ a = $0; if (index(a, "--") == 1) a = substr(a, 2) }}
    index(a, g "=") == 1 {{ v = substr(a, length(g) + 2); next }}
    a == g {{ w = 1 }}
    END {{ print v }}'
}}
# cfile ORIGIN INDEX PATH PID: a file a component names, seen from the component's own
# mount namespace (/proc/PID/root) when we may look there, else from ours.
cfile() {{
  r="/proc/$4/root$3"; [ -e "$r" ] || r=$3
  if [ ! -e "$r" ]; then m F file "$(gone "$r")" "$1:$2"; printf '%s\0' "$3"; return; fi
  m F stat ok "$1:$2"; printf '%s\0' "$3"
  stat -L --printf '{STAT_FIELDS} -\0' -- "$r" 2>/dev/null
  if [ -r "$r" ] && [ ! -d "$r" ]; then
    m F file ok "$1:$2"; printf '%s\0' "$3"
    head -c {READ_CAP + 1} -- "$r" 2>/dev/null
  else
    m F file denied "$1:$2"; printf '%s\0' "$3"
  fi
}}
"""


@dataclass(frozen=True)
class ComponentReq(Request[Component]):
    """A Kubernetes component: its process argv and the files its flags name.

    ``files`` pairs a path flag (``--config``) with the documented default path used when
    the flag is not given ("" for none).
    """

    name: str
    files: tuple[tuple[str, str], ...] = ()


def _procs_section(names: list[str]) -> str:
    cases = "".join(
        f"    {shlex.quote(n[:COMM_LEN])}) P{i}=${{d#/proc/}} ;;\n" for i, n in enumerate(names)
    )
    return (
        f"m B {PROCS}\n"
        "for d in /proc/[0-9]*; do\n"
        '  c=; read -r c 2>/dev/null < "$d/comm" || continue\n'
        '  case "$c" in\n'
        f"{cases}"
        "    *) continue ;;\n"
        "  esac\n"
        '  m F proc ok "${d#/proc/}"; cat "$d/cmdline" 2>/dev/null\n'
        "done\n"
        f"m E {PROCS} 0\n"
    )


def _component_section(sid: str, index: int, req: ComponentReq) -> str:
    lines = [f"m B {sid}", f'if [ -n "$P{index}" ]; then', f'  m F pid ok "$P{index}"']
    for k, (flag, default) in enumerate(req.files):
        lines += [
            f'  f=$(flagval "$P{index}" {shlex.quote(flag)}); o=flag',
            f'  [ -n "$f" ] || {{ f={shlex.quote(default)}; o=default; }}',
            f'  case "$f" in /*) ;; "") ;; *) f="$(readlink "/proc/$P{index}/cwd")/$f" ;; esac',
            f'  [ -z "$f" ] || cfile "$o" {k} "$f" "$P{index}"',
        ]
    lines += ["fi", f"m E {sid} 0", ""]
    return "\n".join(lines)


def fragment(reqs: Sequence[ComponentReq]) -> list[Section]:
    """The ``procs`` section (every name at once), then one section per request."""
    names = sorted({r.name for r in reqs})
    out = [Section(PROCS, _procs_section(names), ())]
    out += [
        Section(f"k{i}", _component_section(f"k{i}", names.index(r.name), r), (r,))
        for i, r in enumerate(reqs)
    ]
    return out


def processes(frame: Frame) -> dict[int, Process]:
    """pid -> Process from the ``procs`` section (argv words decoded losslessly)."""
    procs: dict[int, Process] = {}
    for e in frame.entries:
        if e.key.isdigit() and e.data:
            raw = e.data.rstrip(b"\0").split(b"\0")
            procs[int(e.key)] = Process(int(e.key), tuple(decode_name(a) for a in raw))
    return procs


def _file(flag: str, entries: list[Entry], host: str) -> ComponentFile:
    origin = entries[0].key.split(":", 1)[0]
    path, _ = entries[0].named(host)
    st: FileStat | Absent = Absent(f"{path}: no such file")
    got: FileContent | Absent = Absent(f"{path}: no such file")
    for e in entries:
        _, data = e.named(host)
        if e.kind == "stat":
            found = list(stat_records(data, host))
            st = (
                FileStat(
                    path, found[0].mode, found[0].uid, found[0].gid, found[0].user, found[0].group
                )
                if found
                else Absent(f"{path}: stat failed", is_error=True)
            )
        elif e.status == "ok":
            got = FileContent(path, data[:READ_CAP], truncated=len(data) > READ_CAP)
        elif e.status == "denied":
            got = Absent(f"{path}: not readable (permission denied)", is_error=True, denied=True)
            if isinstance(st, Absent):
                st = Absent(
                    f"{path}: cannot be examined (permission denied)", is_error=True, denied=True
                )
    return ComponentFile(flag, path, origin == "flag", st, got)


def _parse_one(req: ComponentReq, frame: Frame, procs: dict[int, Process], host: str) -> Any:
    pids = [e for e in frame.entries if e.kind == "pid"]
    if not pids:
        return Absent(f"no process named '{req.name}' is running")
    pid = int(pids[0].key) if pids[0].key.isdigit() else -1
    proc = procs.get(pid)
    if proc is None:
        return Absent(f"process {pid} ({req.name}) exited while the probe ran", is_error=True)
    by_flag: dict[str, list[Entry]] = {}
    for e in frame.entries:
        index = e.key.rpartition(":")[2]
        if e.kind in ("stat", "file") and index.isdigit() and int(index) < len(req.files):
            by_flag.setdefault(req.files[int(index)][0], []).append(e)
    files = {flag: _file(flag, entries, host) for flag, entries in by_flag.items()}
    return Component(req.name, proc.argv, f"process {pid}", files)


def parse(
    reqs: Sequence[ComponentReq], frames: Mapping[str, Frame], host: str
) -> Answers[ComponentReq]:
    """Each component from its section and the processes the ``procs`` section found."""
    procs = processes(frame_of(frames, PROCS, host))
    return {
        r: _parse_one(r, frame_of(frames, f"k{i}", host), procs, host) for i, r in enumerate(reqs)
    }


def flag_path(argv: Sequence[str], flag: str) -> str:
    """The value the probe's ``flagval`` finds for ``flag`` ("" when not given).

    The same rule in Python, so a root filesystem answers as the node would: ``-f`` and
    ``--f`` alike, ``--f=v`` or ``--f v``, the last occurrence wins.
    """
    want, value, take = flag.removeprefix("-"), "", False
    for arg in argv:
        if take:
            value, take = arg, False
            continue
        a = arg[1:] if arg.startswith("--") else arg
        if a.startswith(want + "="):
            value = a[len(want) + 1 :]
        elif a == want:
            take = True
    return value


def _clean(path: str) -> str:
    parts: list[str] = []
    for p in path.split("/"):
        if p == "..":
            parts = parts[:-1]
        elif p not in ("", "."):
            parts.append(p)
    return "/" + "/".join(parts)


def _from_root(req: ComponentReq, root: Root) -> Any:
    found = root.component_argv(req.name)
    if found is None:
        return Absent(f"no systemd unit or static pod manifest for '{req.name}' in the image")
    argv, origin = found
    files: dict[str, ComponentFile] = {}
    for flag, default in req.files:
        given = flag_path(argv, flag)
        path = given or default
        if not path:
            continue
        path = _clean(path)  # systemd and the kubelet run with / as working directory
        entry = root.entry(path)
        st = entry if isinstance(entry, Absent) else root.file_stat(path, entry)
        files[flag] = ComponentFile(flag, path, bool(given), st, content(root, path, READ_CAP))
    return Component(req.name, argv, origin, files)


def from_root(reqs: Sequence[ComponentReq], root: Root) -> Answers[ComponentReq]:
    """Each component from the unit or static pod manifest that starts it."""
    return {r: _from_root(r, root) for r in reqs}


def from_description(req: ComponentReq, desc: Mapping[str, Any]) -> Any:
    """The component a node described by ``desc`` (``components``, ``files``) would give."""
    comp = desc.get("components", {}).get(req.name)
    if comp is None:
        return Absent(f"no process named '{req.name}' is running")
    argv = tuple(str(a) for a in comp["argv"])
    named = comp.get("files") or {flag: v for flag, _ in req.files if (v := flag_path(argv, flag))}
    files: dict[str, ComponentFile] = {}
    for flag, default in req.files:
        path = named.get(flag) or default
        if not path:
            continue
        spec = desc.get("files", {}).get(path)
        st: FileStat | Absent = (
            describe.file_stat(path, spec) if spec else Absent(f"{path}: no such file")
        )
        files[flag] = ComponentFile(flag, path, flag in named, st, describe.content(desc, path))
    return Component(req.name, argv, "process 4242", files)


SPEC = RequestSpec(ComponentReq, fragment, parse, from_root, from_description, PRELUDE)
