"""Build a host's Facts from a small YAML/dict description, keyed by the requests a check needs.

The description mirrors what a node would show (every part optional):

    files:       {PATH: {mode: "644", owner: "root:root", content: "..."}}
    unreadable:  [PATH, ...]              # exists, cannot be read
    components:  {NAME: {argv: [...], files: {FLAG: PATH}}}
                                          # files optional: a path flag's value comes from argv
    commands:    {SCRIPT: {rc: 0, stdout: "..."}}   # a command not listed exits 127
    found:       [{path: ..., mode: "4755", owner: "root:root"}]
    image:       {user: ..., env: [NAME=VALUE], layers: N, size: BYTES}   # ImageConfig
    cloud:       {...}                    # Facts.cloud as is
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
from hardening.probe.requests import (
    Command,
    ComponentReq,
    FactRequest,
    Find,
    ImageConfig,
    Read,
    Stat,
    is_glob,
)

_IDS = {"root": 0, "etcd": 998, "nobody": 65534, "nogroup": 65534}


def file_stat(path: str, spec: dict[str, Any]) -> FileStat:
    """A FileStat from ``{mode: "644", owner: "user:group", type: file|dir}``."""
    user, _, group = str(spec.get("owner", "root:root")).partition(":")
    kind = statmod.S_IFDIR if spec.get("type") == "dir" else statmod.S_IFREG
    return FileStat(path, kind | int(str(spec.get("mode", "644")), 8), _IDS.get(user, 1000),
                    _IDS.get(group, 1000), user, group)


def _matches(files: dict[str, Any], pattern: str) -> list[str]:
    if is_glob(pattern):
        return sorted(p for p in files if glob_match(pattern, p))
    return [pattern] if pattern in files else []


def _content(desc: dict[str, Any], path: str) -> FileContent | Absent:
    if path in desc.get("unreadable", []):
        return Absent(f"{path}: not readable", is_error=True)
    spec = desc.get("files", {}).get(path)
    if spec is None:
        return Absent(f"{path}: no such file")
    if spec.get("type") == "dir":
        return Absent(f"{path}: not readable", is_error=True)
    data = spec.get("content", "")
    return FileContent(path, data if isinstance(data, bytes) else str(data).encode())


def _component(desc: dict[str, Any], req: ComponentReq) -> Any:
    comp = desc.get("components", {}).get(req.name)
    if comp is None:
        return Absent(f"no process named '{req.name}' is running")
    argv = tuple(str(a) for a in comp["argv"])
    named = comp.get("files") or {
        flag: v for flag, _ in req.files if (v := flag_value(argv, flag, is_bool=False))}
    files: dict[str, ComponentFile] = {}
    for flag, default in req.files:
        path = named.get(flag) or default
        if not path:
            continue
        spec = desc.get("files", {}).get(path)
        st: FileStat | Absent = file_stat(path, spec) if spec else Absent(f"{path}: no such file")
        files[flag] = ComponentFile(flag, path, flag in named, st, _content(desc, path))
    return Component(req.name, argv, "process 4242", files)


def fact_for(desc: dict[str, Any], req: FactRequest) -> Any:
    """The fact a node described by ``desc`` would give for ``req``."""
    desc = {k: v for k, v in desc.items() if v is not None}
    files = desc.get("files", {})
    if isinstance(req, Stat):
        hits = _matches(files, req.path)
        if not hits and not is_glob(req.path):
            return Absent(f"{req.path}: no such file")
        return [file_stat(p, files[p]) for p in hits]
    if isinstance(req, Read):
        hits = _matches(files, req.path) or ([req.path] if req.path in desc.get(
            "unreadable", []) else [])
        if not hits:
            return [] if is_glob(req.path) else Absent(f"{req.path}: no such file")
        got = [_content(desc, p) for p in hits]
        return got[0] if isinstance(got[0], Absent) else got
    if isinstance(req, ComponentReq):
        return _component(desc, req)
    if isinstance(req, Command):
        out = desc.get("commands", {}).get(req.script)
        if out is None:
            return CommandOutput(127, b"")  # not on this node
        data = str(out.get("stdout", ""))
        return CommandOutput(int(out.get("rc", 0)), data.encode(out.get("encoding", "utf-8")))
    if isinstance(req, Find):
        return [file_stat(f["path"], f) for f in desc.get("found", [])]
    if isinstance(req, ImageConfig):  # image: {user: ..., env: [...], layers: ...}
        image = desc.get("image")
        return Absent("not an image") if image is None else dict(image)
    return Absent(f"no description for {req!r}", is_error=True)


def build_facts(desc: dict[str, Any], requests: tuple[FactRequest, ...]) -> Facts:
    """Facts answering ``requests`` from ``desc``."""
    return Facts("fixture-host", {r: fact_for(desc, r) for r in requests},
                 cloud=desc.get("cloud") or {})
