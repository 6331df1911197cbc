"""containerd configuration: CRI runtime handlers of config versions 1, 2 and 3, and which
of them are sandboxes (gVisor, Kata, ACK Sandboxed-Container). Pure: parses given text."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from hardening.model.facts import FileContent

CRI_PATHS = {
    1: ("plugins", "cri", "containerd", "runtimes"),
    2: ("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes"),
    3: ("plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes"),
}
SANDBOXES = (
    ("io.containerd.runsc.*", "gVisor"),
    ("io.containerd.kata*", "Kata"),
    ("io.containerd.rund.*", "ACK Sandboxed-Container"),
)
TYPE_RE = re.compile(r"^io\.containerd\.([A-Za-z0-9_-]+)\.(v\d+)$")


@dataclass(frozen=True)
class Handler:
    """A CRI runtime handler found in a config file."""

    name: str
    runtime_type: str
    file: str
    runtime_path: str


def sandbox_kind(handler: str, runtime_type: str) -> str | None:
    """gVisor, Kata or ACK Sandboxed-Container for a sandbox handler, else None."""
    for pattern, name in SANDBOXES:
        if fnmatchcase(runtime_type.lower(), pattern):
            return name
    return "Kata" if handler.lower().startswith("kata-") and runtime_type == "" else None


def shim_name(runtime_type: str) -> str | None:
    """``io.containerd.runsc.v1`` -> ``containerd-shim-runsc-v1``."""
    m = TYPE_RE.match(runtime_type)
    return f"containerd-shim-{m.group(1)}-{m.group(2)}" if m else None


def _dig(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _handlers(doc: dict[str, Any], version: int, path: str) -> list[Handler]:
    table = _dig(doc, CRI_PATHS.get(version, CRI_PATHS[2])) or {}
    out = []
    for name, spec in table.items():
        if isinstance(spec, dict):
            out.append(
                Handler(
                    name, str(spec.get("runtime_type", "")), path, str(spec.get("runtime_path", ""))
                )
            )
    return out


def load_handlers(files: list[FileContent]) -> tuple[int, list[Handler], list[str]]:
    """Parse the main file then its imports (recursively); (version, handlers, notes)."""
    version, handlers, notes, seen = 1, [], [], set()
    queue = files[:1]
    while queue:
        f = queue.pop(0)
        if f.path in seen:
            continue
        seen.add(f.path)
        doc = tomllib.loads(f.text)
        v = int(doc.get("version", version if f is not files[0] else 1))
        version = v if f is files[0] else version
        handlers += _handlers(doc, v, f.path)
        for pattern in doc.get("imports") or []:
            hits = [x for x in files[1:] if fnmatchcase(x.path, str(pattern))]
            if not hits:
                notes.append(f"import {pattern} matched no file the probe read")
            queue += hits
    return version, handlers, notes
