"""ComponentEnv: named environment variables of a running component (etcd's ``ETCD_*``).

Only the names asked for are read: the rest of a process's environment may hold secrets
and never leaves the node. On a node one section per request finds the component's process
(the last one ``/proc`` lists, as the component section does) and prints, per name present
in ``/proc/<pid>/environ``, an entry ``F env ok <index>`` whose data is the value (``F env
denied -`` when the environment cannot be read). On an image the unit's ``Environment=`` and
``EnvironmentFile=`` (or the static pod's ``env``) are the environment.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section, frame_of
from hardening.facts.component import COMM_LEN
from hardening.model.facts import Absent, Request

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CAP = 4096


@dataclass(frozen=True)
class ComponentEnv(Request[Mapping[str, str]]):
    """The variables ``names`` in the environment of component ``name`` (those set only).

    Absent when the component is not running (or has no unit/manifest on an image); Absent
    with ``is_error`` when its environment cannot be read.
    """

    name: str
    names: tuple[str, ...]


def _sid(i: int) -> str:
    return f"v{i}"


def _section(sid: str, req: ComponentEnv) -> str:
    lines = [
        f"m B {sid}",
        'p=; for d in /proc/[0-9]*; do c=; read -r c 2>/dev/null < "$d/comm" || continue; '
        f'[ "$c" = {shlex.quote(req.name[:COMM_LEN])} ] && p=${{d#/proc/}}; done',
        'if [ -n "$p" ]; then',
        "  m F pid ok -; printf '%s\\0' \"$p\"",
        '  if [ -r "/proc/$p/environ" ]; then',
    ]
    for k, name in enumerate(req.names):
        if NAME.fullmatch(name):  # anything else is no variable name; never put in sed
            lines.append(
                f"    v=$(tr '\\000' '\\n' < \"/proc/$p/environ\" 2>/dev/null | "
                f"sed -n 's/^{name}=//p' | head -n 1 | head -c {CAP}); "
                f'[ -z "$v" ] || {{ m F env ok {k}; printf \'%s\' "$v"; }}'
            )
    lines += ["  else m F env denied -; fi", "fi", f"m E {sid} 0", ""]
    return "\n".join(lines)


def fragment(reqs: Sequence[ComponentEnv]) -> list[Section]:
    """One section per request: the process, then each named variable it has."""
    return [Section(_sid(i), _section(_sid(i), r), (r,)) for i, r in enumerate(reqs)]


def _parse_one(req: ComponentEnv, frame: Frame, host: str) -> Any:
    pid = next((e for e in frame.entries if e.kind == "pid"), None)
    if pid is None:
        return Absent(f"no process named '{req.name}' is running")
    env: dict[str, str] = {}
    for e in frame.entries:
        if e.kind == "env" and e.status == "denied":
            return Absent(
                f"the environment of {req.name} cannot be read (permission denied)",
                is_error=True,
                denied=True,
            )
        if e.kind == "env" and e.key.isdigit() and int(e.key) < len(req.names):
            env[req.names[int(e.key)]] = e.data.decode("utf-8", "replace")
    return MappingProxyType(env)


def parse(
    reqs: Sequence[ComponentEnv], frames: Mapping[str, Frame], host: str
) -> Answers[ComponentEnv]:
    """Each request's variables from its own section."""
    return {r: _parse_one(r, frame_of(frames, _sid(i), host), host) for i, r in enumerate(reqs)}


def _from_root(req: ComponentEnv, root: Root) -> Any:
    found = root.component_env(req.name)
    if found is None:
        return Absent(f"no systemd unit or static pod manifest for '{req.name}' in the image")
    env, _ = found
    return MappingProxyType({k: str(env[k]) for k in req.names if k in env})


def from_root(reqs: Sequence[ComponentEnv], root: Root) -> Answers[ComponentEnv]:
    """Each request from the unit's Environment=/EnvironmentFile= or the manifest's env."""
    return {r: _from_root(r, root) for r in reqs}


def from_description(req: ComponentEnv, desc: Mapping[str, Any]) -> Any:
    """The variables a described component has (``components: {NAME: {env: {...}}}``)."""
    comp = desc.get("components", {}).get(req.name)
    if comp is None:
        return Absent(f"no process named '{req.name}' is running")
    env = comp.get("env") or {}
    return MappingProxyType({k: str(env[k]) for k in req.names if k in env})


SPEC = RequestSpec(ComponentEnv, fragment, parse, from_root, from_description)
