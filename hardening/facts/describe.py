"""A node described as plain data (the check fixtures' YAML), for ``from_description`` parts.

The description mirrors what a node would show (every part optional):

    files:       {PATH: {mode: "644", owner: "root:root", type: file|dir, content: "..."}}
    unreadable:  [PATH, ...]              # exists, cannot be read
    components:  {NAME: {argv: [...], files: {FLAG: PATH}}}
                                          # files optional: a path flag's value comes from argv
    commands:    {SCRIPT: {rc: 0, stdout: "...", encoding: utf-8}}  # unlisted: exit 127
    found:       [{path: ..., mode: "4755", owner: "root:root"}]   # the Find pass
    image:       {user: ..., env: [NAME=VALUE], layers: N, size: BYTES}   # ImageConfig

Each request module turns this into its fact next to its probe and root-filesystem answers,
so a fixture is answered by the module that answers a node (docs/architecture.md).
"""

from __future__ import annotations

import stat as statmod
from collections.abc import Mapping
from typing import Any

from hardening.model.facts import Absent, FileContent, FileStat

IDS = {"root": 0, "etcd": 998, "nobody": 65534, "nogroup": 65534}


def file_stat(path: str, spec: Mapping[str, Any]) -> FileStat:
    """A FileStat from ``{mode: "644", owner: "user:group", type: file|dir}``."""
    user, _, group = str(spec.get("owner", "root:root")).partition(":")
    kind = statmod.S_IFDIR if spec.get("type") == "dir" else statmod.S_IFREG
    return FileStat(
        path,
        kind | int(str(spec.get("mode", "644")), 8),
        IDS.get(user, 1000),
        IDS.get(group, 1000),
        user,
        group,
    )


def content(desc: Mapping[str, Any], path: str) -> FileContent | Absent:
    """The content of a described file, or why there is none."""
    if path in desc.get("unreadable", []):
        return Absent(f"{path}: not readable (permission denied)", is_error=True, denied=True)
    spec = desc.get("files", {}).get(path)
    if spec is None:
        return Absent(f"{path}: no such file")
    if spec.get("type") == "dir":
        return Absent(f"{path}: not a regular file", is_error=True)
    data = spec.get("content", "")
    return FileContent(path, data if isinstance(data, bytes) else str(data).encode())
