"""Node profiles: the YAML data under profiles/ loaded into frozen, validated dataclasses.

A profile says what one kind of node holds (files, dirs, kubeconfigs, PKI, sshd options)
and runs (component processes with exact argv). `${address}`, `${hostname}` and
`${control_plane}` in strings are replaced per node at lab start.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import yaml

from tests.labkit.errors import LabError

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"

_TOP_KEYS = {
    "description",
    "deviations",
    "roles",
    "pki",
    "kubelet_pki",
    "ca_mode",
    "sshd",
    "files",
    "dirs",
    "kubeconfigs",
    "processes",
}


@dataclass(frozen=True)
class FileSpec:
    """A regular file to place in the node, with its mode and owner."""

    path: str
    content: str
    mode: int
    owner: str


@dataclass(frozen=True)
class DirSpec:
    """A directory to create in the node."""

    path: str
    mode: int
    owner: str


@dataclass(frozen=True)
class KubeconfigSpec:
    """A kubeconfig with a real client certificate for `user` (organisation `org`)."""

    path: str
    user: str
    org: str
    mode: int
    owner: str


@dataclass(frozen=True)
class ProcessSpec:
    """A fake component process: `exe` is a copy of fakeproc, argv is (argv0, *args).

    With `manifest` set, a kubeadm static Pod manifest whose command is that argv is written.
    """

    name: str
    exe: str
    argv0: str
    args: tuple[str, ...]
    manifest: str | None
    image: str

    @property
    def argv(self) -> tuple[str, ...]:
        """The exact argv the process runs with."""
        return (self.argv0, *self.args)


@dataclass(frozen=True)
class Profile:
    """One node profile, after substitution of the per-node variables."""

    name: str
    description: str
    deviations: tuple[str, ...]
    roles: tuple[str, ...]
    pki: bool
    kubelet_pki: bool
    ca_mode: int
    sshd: dict[str, str]
    files: tuple[FileSpec, ...]
    dirs: tuple[DirSpec, ...]
    kubeconfigs: tuple[KubeconfigSpec, ...]
    processes: tuple[ProcessSpec, ...]


def available_profiles() -> list[str]:
    """Names of the profiles shipped under profiles/."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile(name: str, variables: dict[str, str]) -> Profile:
    """Load profiles/<name>.yaml, substitute `variables` and validate it."""
    path = PROFILE_DIR / f"{name}.yaml"
    if not path.is_file():
        raise LabError(f"profile {name!r}: no such file {path}; known: {available_profiles()}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise LabError(f"{path}: expected a mapping at the top")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise LabError(
            f"{path}: unknown keys {sorted(unknown)}; expected some of {sorted(_TOP_KEYS)}"
        )
    data = _substitute(raw, variables)
    return Profile(
        name=name,
        description=str(data.get("description", "")),
        deviations=tuple(str(d) for d in data.get("deviations") or ()),
        roles=tuple(str(r) for r in data.get("roles") or ()),
        pki=bool(data.get("pki", False)),
        kubelet_pki=bool(data.get("kubelet_pki", False)),
        ca_mode=_mode(path, {"mode": data.get("ca_mode", "0644"), "path": "ca_mode"}),
        sshd={str(k): _sshd_value(v) for k, v in (data.get("sshd") or {}).items()},
        files=tuple(_file(path, f) for f in data.get("files") or ()),
        dirs=tuple(
            DirSpec(_abs(path, d["path"]), _mode(path, d), str(d.get("owner", "root:root")))
            for d in data.get("dirs") or ()
        ),
        kubeconfigs=tuple(
            KubeconfigSpec(
                _abs(path, k["path"]),
                str(k["user"]),
                str(k.get("org", "")),
                _mode(path, k),
                str(k.get("owner", "root:root")),
            )
            for k in data.get("kubeconfigs") or ()
        ),
        processes=tuple(_process(path, p) for p in data.get("processes") or ()),
    )


def _substitute(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return Template(value).safe_substitute(variables)
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, variables) for k, v in value.items()}
    return value


def _sshd_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _abs(path: Path, value: Any) -> str:
    text = str(value)
    if not text.startswith("/") or posixpath.normpath(text) != text:
        raise LabError(f"{path}: path {text!r} must be absolute and normalised")
    return text


def _mode(path: Path, item: dict[str, Any]) -> int:
    raw = item.get("mode", "0644")
    if not isinstance(raw, str):
        raise LabError(
            f"{path}: mode {raw!r} of {item.get('path')!r} must be a quoted octal string"
        )
    return int(raw, 8)


def _file(path: Path, item: dict[str, Any]) -> FileSpec:
    return FileSpec(
        _abs(path, item["path"]),
        str(item.get("content", "")),
        _mode(path, item),
        str(item.get("owner", "root:root")),
    )


def _process(path: Path, item: dict[str, Any]) -> ProcessSpec:
    exe = _abs(path, item["exe"])
    argv0 = str(item.get("argv0", exe))
    if argv0 not in (exe, posixpath.basename(exe)):
        raise LabError(f"{path}: process {item.get('name')!r}: argv0 must be exe or its basename")
    manifest = item.get("manifest")
    return ProcessSpec(
        name=str(item["name"]),
        exe=exe,
        argv0=argv0,
        args=tuple(str(a) for a in item.get("args") or ()),
        manifest=_abs(path, manifest) if manifest else None,
        image=str(item.get("image", "")),
    )
