"""Build one host's Facts from a fixture's node description, keyed by the FactRequests the
control's check kind asks for (so a fixture proves the real needs() -> evaluate() path).

Node description (every part optional):

    files:      {PATH: {mode: "600", owner: "root:root", type: file|dir, content: TEXT}}
    components: {NAME: {argv: [ARG, ...]}}     # files it names come from ``files`` by path
    commands:   {SCRIPT: {rc: 0, stdout: TEXT}}
    found:      [{path: PATH, mode: "4755", owner: "root:root"}]   # the setuid/world-writable pass
"""

from __future__ import annotations

import stat as statmod
from typing import Any

from hardening.checks.effective import flag_value
from hardening.model.facts import (
    Absent,
    CommandOutput,
    Component,
    ComponentFile,
    Facts,
    FileContent,
    FileStat,
)
from hardening.probe.parse import glob_match
from hardening.probe.requests import Command, ComponentReq, FactRequest, Find, Read, Stat, is_glob

_IDS = {"root": 0, "etcd": 998, "nobody": 65534, "nogroup": 65534}


def file_stat(path: str, spec: dict[str, Any]) -> FileStat:
    """A FileStat from ``{mode, owner, type}``."""
    user, _, group = str(spec.get("owner", "root:root")).partition(":")
    kind = statmod.S_IFDIR if spec.get("type") == "dir" else statmod.S_IFREG
    return FileStat(path, kind | int(str(spec.get("mode", "644")), 8), _IDS.get(user, 1000),
                    _IDS.get(group, 1000), user, group)


def _content(files: dict[str, Any], path: str) -> FileContent | Absent:
    spec = files.get(path)
    if spec is None:
        return Absent(f"{path}: no such file")
    if spec.get("type") == "dir":
        return Absent(f"{path}: not readable", is_error=True)
    return FileContent(path, str(spec.get("content", "")).encode())


def _matches(files: dict[str, Any], pattern: str) -> list[str]:
    if is_glob(pattern):
        return sorted(p for p in files if glob_match(pattern, p))
    return [pattern] if pattern in files else []


def _component(node: dict[str, Any], req: ComponentReq) -> Any:
    comp = (node.get("components") or {}).get(req.name)
    if comp is None:
        return Absent(f"no process named '{req.name}' is running")
    argv = tuple(str(a) for a in comp["argv"])
    files = node.get("files") or {}
    named: dict[str, ComponentFile] = {}
    for flag, default in req.files:
        given = flag_value(argv, flag, is_bool=False)
        path = given or default
        if not path:
            continue
        st: FileStat | Absent = (file_stat(path, files[path]) if path in files
                                 else Absent(f"{path}: no such file"))
        named[flag] = ComponentFile(flag, path, bool(given), st, _content(files, path))
    return Component(req.name, argv, "process 4242", named)


def fact_for(node: dict[str, Any], req: FactRequest) -> Any:
    """The fact a node described by ``node`` gives for ``req``."""
    files = node.get("files") or {}
    if isinstance(req, Stat):
        hits = _matches(files, req.path)
        if not hits and not is_glob(req.path):
            return Absent(f"{req.path}: no such file")
        return [file_stat(p, files[p]) for p in hits]
    if isinstance(req, Read):
        hits = _matches(files, req.path)
        if not hits:
            return [] if is_glob(req.path) else Absent(f"{req.path}: no such file")
        return [_content(files, p) for p in hits]
    if isinstance(req, ComponentReq):
        return _component(node, req)
    if isinstance(req, Command):
        out = (node.get("commands") or {}).get(req.script)
        if out is None:
            return CommandOutput(127, b"")
        return CommandOutput(int(out.get("rc", 0)), str(out.get("stdout", "")).encode())
    if isinstance(req, Find):
        return [file_stat(f["path"], f) for f in node.get("found") or []]
    return Absent(f"no fixture support for {req!r}", is_error=True)


def build_facts(node: dict[str, Any], requests: tuple[FactRequest, ...]) -> Facts:
    """Facts answering exactly ``requests`` from the node description."""
    return Facts("fixture-node", {r: fact_for(node, r) for r in requests})
