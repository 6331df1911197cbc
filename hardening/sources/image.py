"""An image as a fact source: answers fact requests from a root filesystem.

A node image (a directory, or a ``.tar``/``.tar.gz``/``.tar.zst`` of a root filesystem)
or a container image (OCI layout, OCI archive, ``docker save``) is read in place and
gives the same facts dict the probe parser gives, so the audit (through
``sources/image_source.py``) evaluates it like a live node. Each request's own module
answers it (its ``from_root``, through the registry) from ``ImageRoot``. Nothing runs: a
command is "not applicable to an image", except ``sshd -T``, answered from sshd_config
(see sources/sshd.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardening.collect import HostOutcome
from hardening.errors import HostError, SourceError
from hardening.facts.registry import by_spec
from hardening.model.facts import Absent, CommandOutput, Facts, FileStat, ImageFacts, Request
from hardening.parsers import units
from hardening.plan import Plan
from hardening.sources import archive, oci, sshd
from hardening.sources.rootfs import Entry, LinkLoopError, Tree


@dataclass
class ImageSource:
    """An opened image: its filesystem, its config fact and metadata for the report."""

    path: Path
    kind: str  # "node" | "container"
    tree: Tree
    config: ImageFacts | Absent
    meta: dict[str, str] = field(default_factory=dict)
    _names: tuple[dict[int, str], dict[int, str]] | None = None

    def names(self) -> tuple[dict[int, str], dict[int, str]]:
        """uid -> user and gid -> group from the image's own /etc/passwd and /etc/group."""
        if self._names is None:
            self._names = (
                _id_names(self.tree.text("/etc/passwd")),
                _id_names(self.tree.text("/etc/group")),
            )
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
        raise SourceError(
            f"{path}: no such file or directory",
            "give a root filesystem directory, a tar archive or an OCI image",
        )
    return "container" if oci.is_container(path) else "node"


def image_name(path: Path) -> str:
    """The host name an image is reported under: a container image's own name (its RepoTag,
    see ``repo_tag``), else the file name less archive suffixes."""
    name = path.resolve().name
    for suffix in (".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar"):
        if name.endswith(suffix):
            name = name[: -len(suffix)] or name
            break
    tag = repo_tag(path) if oci.is_container(path) else None
    if tag and "/" not in tag and ":" not in tag:  # an OCI ref.name may be the tag alone
        return f"{name}:{tag}"
    return tag or name


_REF_KEYS = ("io.containerd.image.name", "org.opencontainers.image.ref.name")


def repo_tag(path: Path) -> str | None:
    """The name a container image was saved under: the first ``RepoTags`` entry of a
    ``docker save`` manifest, or an OCI layout's image-name annotation; None without one."""
    try:
        store = oci._Store(path)  # the image's own JSON, read as open_container reads it
        if store.has("manifest.json"):
            doc = store.json("manifest.json")
            first = doc[0] if isinstance(doc, list) and doc and isinstance(doc[0], dict) else {}
            tags = first.get("RepoTags")
            names = [tags[0]] if isinstance(tags, list) and tags else []
        else:
            index = store.json("index.json")
            manifests = index.get("manifests") if isinstance(index, dict) else None
            names = [
                (m.get("annotations") or {}).get(key)
                for m in (manifests if isinstance(manifests, list) else [])
                if isinstance(m, dict) and isinstance(m.get("annotations"), dict)
                for key in _REF_KEYS
            ]
    except SourceError:
        return None
    found = next((n for n in names if isinstance(n, str) and n.strip()), None)
    return found.strip()[:200] if found else None


def words_of(value: Any) -> tuple[str, ...]:
    """A config list (or one string) as a tuple of strings; () when unset."""
    value = value or ()
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else (str(value),)


def _container_config(img: oci.ContainerImage) -> ImageFacts:
    cfg = img.config.get("config") or {}
    cfg = cfg if isinstance(cfg, dict) else {}

    def words(key: str) -> tuple[str, ...]:
        return words_of(cfg.get(key))

    health = cfg.get("Healthcheck")
    return ImageFacts(
        kind="container",
        user=str(cfg.get("User") or ""),
        entrypoint=words("Entrypoint"),
        cmd=words("Cmd"),
        env=words("Env"),
        layers=img.layers,
        size=img.size,
        files_size=img.files_size,
        healthcheck=bool(health),
        healthcheck_test=words_of(health.get("Test") if isinstance(health, dict) else None),
        history=tuple(
            str(h.get("created_by") or "")
            for h in img.config.get("history") or ()
            if isinstance(h, dict)
        ),
        os=str(img.config.get("os", "")),
        architecture=str(img.config.get("architecture", "")),
    )


def open_image(path: Path) -> ImageSource:
    """Open an image of either kind (raises SourceError when it cannot be read)."""
    kind = image_kind(path)
    meta = {"image": str(path), "image_kind": kind}
    if kind == "container":
        img = oci.open_container(path)
        meta.update(
            layers=str(img.layers),
            size=str(img.size),
            os=f"{img.config.get('os', '')}/{img.config.get('architecture', '')}",
        )
        return ImageSource(path, kind, img.tree, _container_config(img), meta)
    tree = archive.dir_tree(path) if path.is_dir() else archive.tar_tree(path)
    os_release = tree.text("/etc/os-release") or ""
    pretty = next(
        (
            ln.split("=", 1)[1].strip('"')
            for ln in os_release.splitlines()
            if ln.startswith("PRETTY_NAME=")
        ),
        "",
    )
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
    return FileStat(
        path,
        entry.mode,
        entry.uid,
        entry.gid,
        users.get(entry.uid) or entry.uname or "UNKNOWN",
        groups.get(entry.gid) or entry.gname or "UNKNOWN",
    )


class ImageRoot:
    """An opened image as the ``Root`` every request module's ``from_root`` answers from."""

    def __init__(self, src: ImageSource) -> None:
        self.src = src

    def entry(self, path: str) -> Entry | Absent:
        """The entry at ``path``, symlinks followed inside the image."""
        return _resolve(self.src.tree, path)

    def glob(self, pattern: str) -> list[str]:
        """The image paths a shell glob matches."""
        return self.src.tree.glob(pattern)

    def walk(self) -> Iterable[Entry]:
        """Every entry of the image, in path order."""
        return self.src.tree.walk()

    def read(self, entry: Any, limit: int) -> bytes:
        """Up to ``limit`` + 1 bytes of a regular file."""
        return self.src.tree.read(entry, limit)

    def prefetch(self, entries: Iterable[Any]) -> None:
        """Load these files in one pass over the archive."""
        self.src.tree.prefetch(entries)

    def file_stat(self, path: str, entry: Any) -> FileStat:
        """A FileStat named with the image's own users and groups."""
        return file_stat(self.src, path, entry)

    def component_argv(self, name: str) -> tuple[tuple[str, ...], str] | None:
        """The argv a systemd unit or static pod manifest gives the component."""
        return units.component_argv(self.src.tree, name)

    def component_env(self, name: str) -> tuple[Mapping[str, str], str] | None:
        """The environment a unit (Environment=, EnvironmentFile=) or manifest gives it."""
        return units.component_env(self.src.tree, name)

    def emulate(self, script: str) -> CommandOutput | Absent | None:
        """``sshd -T`` from sshd_config; nothing else runs on an image."""
        if not sshd.is_sshd_dump(script):
            return None
        out = sshd.dump(self.src.tree)
        if out is None:
            return Absent("sshd is not configured in the image (no /etc/ssh/sshd_config)")
        return CommandOutput(0, out)

    def config(self) -> ImageFacts | Absent:
        """The container image's config, or Absent for a node image."""
        return self.src.config


def answer(src: ImageSource, requests: Sequence[Request[Any]]) -> dict[Request[Any], object]:
    """The fact for each request, as the probe parser would give it."""
    root = ImageRoot(src)
    facts: dict[Request[Any], object] = {}
    for spec, reqs in by_spec(requests):
        facts.update(spec.from_root(reqs, root))
    return facts


def gatherer(path: Path) -> Callable[[Sequence[Plan]], list[HostOutcome]]:
    """A gather function for ``ImageGather``: every plan is answered from the one image.

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
