"""An image as a fact source: answers the probe's FactRequests from a root filesystem.

A node image (a directory, or a ``.tar``/``.tar.gz``/``.tar.zst`` of a root filesystem)
or a container image (OCI layout, OCI archive, ``docker save``) is read in place and
gives the same facts dict the probe parser gives, so ``audit.run_audit(gather=...)``
evaluates it like a live node. Nothing runs: a command is "not applicable to an image",
except ``sshd -T``, answered from sshd_config (see sources/sshd.py).
"""

from __future__ import annotations

import stat as statmod
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hardening.checks.effective import flag_value
from hardening.collect import HostOutcome
from hardening.errors import HostError, SourceError
from hardening.model.facts import (
    Absent,
    CommandOutput,
    Component,
    ComponentFile,
    Facts,
    FileContent,
    FileStat,
)
from hardening.plan import Plan
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
from hardening.sources import archive, oci, sshd, units
from hardening.sources.rootfs import Entry, LinkLoopError, Tree, clean

NOT_APPLICABLE = "not applicable to an image"
SETID_OR_WW = statmod.S_ISUID | statmod.S_ISGID | statmod.S_IWOTH


@dataclass
class ImageSource:
    """An opened image: its filesystem, its config fact and metadata for the report."""

    path: Path
    kind: str  # "node" | "container"
    tree: Tree
    config: Any
    meta: dict[str, str] = field(default_factory=dict)
    _names: tuple[dict[int, str], dict[int, str]] | None = None

    def names(self) -> tuple[dict[int, str], dict[int, str]]:
        """uid -> user and gid -> group from the image's own /etc/passwd and /etc/group."""
        if self._names is None:
            self._names = (_id_names(self.tree.text("/etc/passwd")),
                           _id_names(self.tree.text("/etc/group")))
        return self._names


def _id_names(text: str | None) -> dict[int, str]:
    out: dict[int, str] = {}
    for line in (text or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            out.setdefault(int(parts[2]), parts[0])
    return out


def image_kind(path: Path) -> str:
    """``container`` for an OCI layout or docker save image, else ``node``."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory",
                          "give a root filesystem directory, a tar archive or an OCI image")
    return "container" if oci.is_container(path) else "node"


def image_name(path: Path) -> str:
    """The host name an image is reported under: its file name less archive suffixes."""
    name = path.resolve().name
    for suffix in (".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar"):
        if name.endswith(suffix):
            return name[: -len(suffix)] or name
    return name


def words_of(value: Any) -> tuple[str, ...]:
    """A config list (or one string) as a tuple of strings; () when unset."""
    value = value or ()
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else (str(value),)


def _container_config(img: oci.ContainerImage) -> Any:
    cfg = img.config.get("config") or {}
    cfg = cfg if isinstance(cfg, dict) else {}

    def words(key: str) -> tuple[str, ...]:
        return words_of(cfg.get(key))

    return MappingProxyType({
        "kind": "container", "user": str(cfg.get("User") or ""),
        "entrypoint": words("Entrypoint"), "cmd": words("Cmd"), "env": words("Env"),
        "layers": img.layers, "size": img.size, "files_size": img.files_size,
        "healthcheck": bool(cfg.get("Healthcheck")),
        "healthcheck_test": words_of((cfg.get("Healthcheck") or {}).get("Test")
                                     if isinstance(cfg.get("Healthcheck"), dict) else None),
        "history": tuple(str(h.get("created_by") or "") for h in img.config.get("history") or ()
                         if isinstance(h, dict)),
        "os": str(img.config.get("os", "")),
        "architecture": str(img.config.get("architecture", "")),
    })


def open_image(path: Path) -> ImageSource:
    """Open an image of either kind (raises SourceError when it cannot be read)."""
    kind = image_kind(path)
    meta = {"image": str(path), "image_kind": kind}
    if kind == "container":
        img = oci.open_container(path)
        meta.update(layers=str(img.layers), size=str(img.size),
                    os=f"{img.config.get('os', '')}/{img.config.get('architecture', '')}")
        return ImageSource(path, kind, img.tree, _container_config(img), meta)
    tree = archive.dir_tree(path) if path.is_dir() else archive.tar_tree(path)
    os_release = tree.text("/etc/os-release") or ""
    pretty = next((ln.split("=", 1)[1].strip('"') for ln in os_release.splitlines()
                   if ln.startswith("PRETTY_NAME=")), "")
    meta.update(os=pretty, entries=str(len(tree.entries)))
    return ImageSource(path, kind, tree, Absent("not a container image"), meta)


def _resolve(tree: Tree, path: str) -> Entry | Absent:
    try:
        entry = tree.resolve(path)
    except LinkLoopError:
        return Absent(f"{path}: too many levels of symbolic links")
    return entry if entry is not None else Absent(f"{path}: no such file")


def file_stat(src: ImageSource, path: str, entry: Entry) -> FileStat:
    """A FileStat of an entry, named with the image's own users and groups."""
    users, groups = src.names()
    return FileStat(path, entry.mode, entry.uid, entry.gid,
                    users.get(entry.uid) or entry.uname or "UNKNOWN",
                    groups.get(entry.gid) or entry.gname or "UNKNOWN")


def _paths(tree: Tree, pattern: str) -> list[str]:
    return tree.glob(pattern) if is_glob(pattern) else [pattern]


def _stat(src: ImageSource, req: Stat) -> Any:
    found: list[FileStat] = []
    for p in _paths(src.tree, req.path):
        entry = _resolve(src.tree, p)
        if isinstance(entry, Absent):
            if not is_glob(req.path):
                return entry
            continue
        found.append(file_stat(src, p, entry))
    return found


def _content(src: ImageSource, path: str, limit: int) -> FileContent | Absent:
    entry = _resolve(src.tree, path)
    if isinstance(entry, Absent):
        return entry
    if not entry.is_file:
        return Absent(f"{path}: not readable or not a regular file", is_error=True)
    data = src.tree.read(entry, limit)
    return FileContent(path, data[:limit], truncated=len(data) > limit)


def _read(src: ImageSource, req: Read) -> Any:
    out: list[FileContent] = []
    for p in _paths(src.tree, req.path):
        got = _content(src, p, req.limit)
        if isinstance(got, Absent):
            if not is_glob(req.path):
                return got
            continue
        out.append(got)
    return out


def _component(src: ImageSource, req: ComponentReq) -> Any:
    found = units.component_argv(src.tree, req.name)
    if found is None:
        return Absent(f"no systemd unit or static pod manifest for '{req.name}' in the image")
    argv, origin = found
    files: dict[str, ComponentFile] = {}
    for flag, default in req.files:
        given = flag_value(argv, flag, is_bool=False)
        path = given or default
        if not path:
            continue
        path = clean(path)  # systemd and the kubelet run with / as working directory
        entry = _resolve(src.tree, path)
        st = entry if isinstance(entry, Absent) else file_stat(src, path, entry)
        files[flag] = ComponentFile(flag, path, bool(given), st,
                                    _content(src, path, 1 << 20))
    return Component(req.name, argv, origin, files)


def _command(src: ImageSource, req: Command) -> Any:
    if sshd.is_sshd_dump(req.script):
        out = sshd.dump(src.tree)
        if out is None:
            return Absent("sshd is not configured in the image (no /etc/ssh/sshd_config)")
        return CommandOutput(0, out[: req.limit], len(out) > req.limit)
    return Absent(NOT_APPLICABLE)


def _find(src: ImageSource, req: Find) -> Any:
    roots = tuple(r.rstrip("/") + "/" for r in req.roots)
    return [file_stat(src, e.path, e) for e in src.tree.walk()
            if e.is_file and e.mode & SETID_OR_WW
            and ("/" in req.roots or e.path.startswith(roots))]


def _prefetch(src: ImageSource, requests: Iterable[FactRequest]) -> None:
    """Load every file a Read names in one pass over the archive."""
    wanted: list[Entry] = []
    for req in requests:
        if isinstance(req, Read):
            for p in _paths(src.tree, req.path):
                entry = _resolve(src.tree, p)
                if isinstance(entry, Entry):
                    wanted.append(entry)
    src.tree.prefetch(wanted)


def answer(src: ImageSource, requests: Sequence[FactRequest]) -> dict[Hashable, Any]:
    """The fact for each request, as the probe parser would give it."""
    _prefetch(src, requests)
    facts: dict[Hashable, Any] = {}
    for req in requests:
        if isinstance(req, Stat):
            facts[req] = _stat(src, req)
        elif isinstance(req, Read):
            facts[req] = _read(src, req)
        elif isinstance(req, ComponentReq):
            facts[req] = _component(src, req)
        elif isinstance(req, Command):
            facts[req] = _command(src, req)
        elif isinstance(req, Find):
            facts[req] = _find(src, req)
        elif isinstance(req, ImageConfig):
            facts[req] = src.config
    return facts


def gatherer(path: Path) -> Callable[[Sequence[Plan]], list[HostOutcome]]:
    """A ``gather`` for audit.run_audit: every plan is answered from the one image.

    An image that cannot be read makes each host's outcome an error (exit 3), so the
    reports still say what went wrong.
    """

    def gather(plans: Sequence[Plan]) -> list[HostOutcome]:
        started = time.monotonic()
        try:
            src = open_image(path)
        except HostError as exc:
            return [HostOutcome(plan, None, str(exc)) for plan in plans]
        out: list[HostOutcome] = []
        for plan in plans:
            try:
                values = answer(src, plan.requests)
            except HostError as exc:
                out.append(HostOutcome(plan, None, str(exc)))
                continue
            elapsed = time.monotonic() - started
            meta = {**src.meta, "elapsed": f"{elapsed:.3f}"}
            out.append(HostOutcome(plan, Facts(plan.host.name, values, meta), None, elapsed))
        return out

    return gather
