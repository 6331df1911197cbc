"""Probe output bytes -> Facts. Survives invalid UTF-8; a forged or broken frame is a ProbeError.

Sections the output ends before (the host hung up, or the output cap cut it) do not lose the
sections already complete: their requests get an ``Absent`` marked as an error.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from hardening.errors import ProbeError
from hardening.model.facts import (
    Absent,
    CommandOutput,
    Component,
    ComponentFile,
    FileContent,
    FileStat,
    Process,
)
from hardening.probe.requests import Command, ComponentReq, Find, Read, Stat, is_glob
from hardening.probe.script import IMAGE_SECTION, Script

READ_CAP = 1 << 20


@dataclass
class _Entry:
    kind: str
    status: str
    key: str
    arg: str
    data: bytes = b""


@dataclass
class _Section:
    sid: str
    body: bytes = b""
    entries: list[_Entry] = field(default_factory=list)
    rc: int | None = None


def _marker(nonce: str) -> re.Pattern[bytes]:
    return re.compile(rb"\n@@" + re.escape(nonce.encode()) + rb" ([BFE]) ([^\n]*)\n")


def split_sections(data: bytes, script: Script, host: str) -> dict[str, _Section]:
    """Cut the output at the nonce markers; validate that frames nest and names are known."""
    known = set(script.sections) | {"meta", "done"}
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    marks = list(_marker(script.nonce).finditer(data))
    for i, mk in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(data)
        content = data[mk.end():end]
        tag = mk.group(1).decode()
        fields = mk.group(2).decode("utf-8", errors="replace")
        if tag == "B":
            if current is not None or fields not in known or fields in sections:
                raise ProbeError(f"{host}: probe output has a forged or repeated frame "
                                 f"'B {fields[:40]}'", "the node's output cannot be trusted")
            current = _Section(fields, body=content)
            sections[fields] = current
        elif tag == "F":
            parts = fields.split(" ", 3)
            if current is None or len(parts) != 4:
                raise ProbeError(f"{host}: probe output has an entry outside any section",
                                 "the node's output cannot be trusted")
            current.entries.append(_Entry(parts[0], parts[1], parts[2], parts[3], content))
        else:
            sid, _, rc = fields.partition(" ")
            if current is None or sid != current.sid:
                raise ProbeError(f"{host}: probe output closes section '{sid[:40]}' "
                                 "that is not open", "the node's output cannot be trusted")
            current.rc = int(rc) if rc.lstrip("-").isdigit() else -1
            current = None
    return sections


def _stat_line(line: str) -> FileStat | None:
    parts = line.split(" ", 5)
    if len(parts) != 6:
        return None
    try:
        return FileStat(path=parts[5], mode=int(parts[0], 16), uid=int(parts[1]),
                        gid=int(parts[2]), user=parts[3], group=parts[4])
    except ValueError:
        return None


def _stats(body: bytes) -> dict[str, FileStat]:
    out: dict[str, FileStat] = {}
    for raw in body.decode("utf-8", errors="replace").splitlines():
        st = _stat_line(raw)
        if st is not None:
            out[st.path] = st
    return out


def glob_match(pattern: str, path: str) -> bool:
    """Shell-glob match where ``*`` does not cross ``/``, as ``for p in PATTERN`` expands."""
    pp, ss = pattern.split("/"), path.split("/")
    return len(pp) == len(ss) and all(fnmatchcase(s, p) for p, s in zip(pp, ss, strict=True))


def _content(entry: _Entry, limit: int) -> FileContent:
    data = entry.data
    return FileContent(entry.arg, data[:limit], truncated=len(data) > limit)


def _component(req: ComponentReq, sec: _Section, procs: dict[int, Process]) -> Any:
    pid_entries = [e for e in sec.entries if e.kind == "pid"]
    if not pid_entries:
        return Absent(f"no process named '{req.name}' is running")
    pid = int(pid_entries[0].arg) if pid_entries[0].arg.isdigit() else -1
    proc = procs.get(pid)
    if proc is None:
        return Absent(f"process {pid} ({req.name}) exited while the probe ran", is_error=True)
    files: dict[str, ComponentFile] = {}
    by_flag: dict[str, list[_Entry]] = {}
    for e in sec.entries:
        if e.kind in ("stat", "file"):
            by_flag.setdefault(e.key.split(":", 1)[-1], []).append(e)
    for flag, entries in by_flag.items():
        origin = entries[0].key.split(":", 1)[0]
        path = entries[0].arg
        st: FileStat | Absent = Absent(f"{path}: no such file")
        content: FileContent | Absent = Absent(f"{path}: no such file")
        for e in entries:
            if e.kind == "stat":
                line = e.data.decode("utf-8", "replace").strip().split("\n")[0]
                st = _stat_line(f"{line} {path}") or Absent(f"{path}: stat failed", is_error=True)
            elif e.status == "ok":
                content = _content(e, READ_CAP)
            elif e.status == "denied":
                content = Absent(f"{path}: not readable (permission denied)", is_error=True)
                if isinstance(st, Absent):
                    st = Absent(f"{path}: cannot be examined (permission denied)", is_error=True)
        files[flag] = ComponentFile(flag, path, origin == "flag", st, content)
    return Component(req.name, proc.argv, f"process {pid}", files)


def parse(data: bytes, script: Script, host: str) -> tuple[dict[Hashable, Any], dict[str, str]]:
    """Parse probe output into (facts by request, meta)."""
    sections = split_sections(data, script, host)
    facts: dict[Hashable, Any] = {}
    meta: dict[str, str] = {}
    if "meta" in sections:
        for line in sections["meta"].body.decode("utf-8", "replace").splitlines():
            k, sep, v = line.partition("=")
            if sep:
                meta[k] = v
    cut = Absent("probe output ended before this fact (timeout or output cap)", is_error=True)
    procs: dict[int, Process] = {}
    if "procs" in sections and sections["procs"].rc is not None:
        for e in sections["procs"].entries:
            if e.arg.isdigit() and e.data:
                raw = e.data.rstrip(b"\0").split(b"\0")
                argv = tuple(a.decode("utf-8", "replace") for a in raw)
                procs[int(e.arg)] = Process(int(e.arg), argv)
    for sid, reqs in script.sections.items():
        sec = sections.get(sid)
        complete = sec is not None and sec.rc is not None
        for req in reqs:
            if sid == IMAGE_SECTION:
                facts[req] = Absent("not an image")
            elif not complete or sec is None:
                facts[req] = cut
            elif isinstance(req, Stat):
                facts[req] = _stat_fact(req, sec)
            elif isinstance(req, Read):
                facts[req] = _read_fact(req, sec)
            elif isinstance(req, ComponentReq) and sid != "procs":
                facts[req] = _component(req, sec, procs)
            elif isinstance(req, Command):
                out = sec.body
                facts[req] = CommandOutput(sec.rc or 0, out[: req.limit], len(out) > req.limit)
            elif isinstance(req, Find):
                facts[req] = _find_fact(req, sec)
    meta["processes_seen"] = str(len(procs))
    meta["sections_seen"] = str(len(sections))
    return facts, meta


def _denied(body: bytes) -> set[str]:
    return {ln[1:] for ln in body.decode("utf-8", "replace").splitlines() if ln.startswith("!")}


def _stat_fact(req: Stat, sec: _Section) -> Any:
    if req.path in _denied(sec.body):
        return Absent(f"{req.path}: cannot be examined (permission denied on a parent "
                      "directory; run with become)", is_error=True)
    stats = _stats(sec.body)
    if is_glob(req.path):
        return [s for p, s in sorted(stats.items()) if glob_match(req.path, p)]
    if req.path in stats:
        return [stats[req.path]]
    return Absent(f"{req.path}: no such file")


def _read_fact(req: Read, sec: _Section) -> Any:
    out: list[FileContent] = []
    for e in sec.entries:
        if e.status == "ok":
            out.append(_content(e, req.limit))
        elif e.status == "denied" and not is_glob(req.path):
            return Absent(f"{e.arg}: not readable or not a regular file", is_error=True)
    if not out and not is_glob(req.path):
        return Absent(f"{req.path}: no such file")
    return out


def _find_fact(req: Find, sec: _Section) -> Any:
    if sec.rc not in (0, 1):
        return Absent(f"find over {', '.join(req.roots)} failed (exit {sec.rc})", is_error=True)
    stats = _stats(sec.body)
    roots = tuple(r.rstrip("/") + "/" for r in req.roots)
    return [s for p, s in sorted(stats.items()) if p.startswith(roots) or "/" in req.roots]
