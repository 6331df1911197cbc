"""Container images: an OCI image layout (directory or archive) or a ``docker save`` archive.

Layers are applied in order into one in-memory index, with OCI whiteouts: ``.wh.NAME``
deletes NAME from the layers below, ``.wh..wh..opq`` empties its directory of what the
layers below put there. Nothing is extracted to disk. Blob references are checked
(``sha256:`` + 64 hex digits) before they are turned into paths. The manifest and config are
hashed before use, each layer as it is read (a ``docker save`` layer against the config's
``rootfs.diff_ids``), so an altered blob is an error, never an audited filesystem.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import tarfile
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from hardening.errors import SourceError
from hardening.safeload import load_json
from hardening.sources.archive import (
    Opener,
    broken,
    fetch_members,
    index,
    member_entry,
    member_path,
    stream_members,
)
from hardening.sources.artifacts import is_artifact
from hardening.sources.rootfs import Entry, Tree

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
MAX_JSON = 8 << 20


@dataclass(frozen=True)
class ContainerImage:
    """A container image: its merged filesystem and the facts of its config."""

    tree: Tree
    config: dict[str, Any]
    layers: int
    size: int  # bytes of the layer blobs as stored
    files_size: int = 0  # bytes of the regular files in the merged filesystem
    digests: tuple[str, ...] = field(default_factory=tuple)


class _Member(io.RawIOBase):
    """One member of an outer archive as a stream that closes the archive with it."""

    def __init__(self, path: Path, member: str) -> None:
        super().__init__()
        self._tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed in close()
        f = self._tar.extractfile(member)
        if f is None:
            self._tar.close()
            raise SourceError(
                f"{path}: '{member[:120]}' is not a regular file",
                "the image archive is corrupt; save it again",
            )
        self._f = f

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        data = self._f.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._f.close()
            self._tar.close()
        super().close()


class _Store:
    """Blobs by name inside a directory or a tar archive (random access)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_tar = path.is_file()
        self.members: dict[str, tarfile.TarInfo] = {}
        if self.is_tar:
            try:
                with tarfile.open(path, "r:*") as tf:
                    for ti in tf.getmembers():
                        if ti.isfile():
                            self.members[member_path(ti.name, str(path))] = ti
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise broken(str(path), exc) from None

    def has(self, name: str) -> bool:
        if self.is_tar:
            return member_path(name, str(self.path)) in self.members
        return (self.path / name).is_file() and not (self.path / name).is_symlink()

    def opener(self, name: str) -> Opener:
        rel = member_path(name, str(self.path))
        if self.is_tar:
            ti = self.members.get(rel)
            if ti is None:
                raise SourceError(
                    f"{self.path}: blob '{name[:120]}' is missing",
                    "the image archive is incomplete; save it again",
                )
            member, archive_path = ti.name, self.path
            return lambda: io.BufferedReader(_Member(archive_path, member))
        host = self.path / rel.lstrip("/")
        if not host.is_file() or host.is_symlink():
            raise SourceError(
                f"{self.path}: blob '{name[:120]}' is missing",
                "the image layout is incomplete; copy it again",
            )
        return lambda: open(host, "rb")

    def size(self, name: str) -> int:
        rel = member_path(name, str(self.path))
        if self.is_tar:
            return self.members[rel].size
        return (self.path / rel.lstrip("/")).stat().st_size

    def json(self, name: str) -> Any:
        try:
            with self.opener(name)() as f:
                data = f.read(MAX_JSON + 1)
            if len(data) > MAX_JSON:
                raise ValueError("larger than 8 MiB")
            return load_json(data, name[:120])
        except (ValueError, OSError, tarfile.TarError, EOFError) as exc:
            raise SourceError(
                f"{self.path}: '{name[:120]}' is not valid JSON ({exc})",
                "the image is corrupt; build or save it again",
            ) from None


def is_container(path: Path) -> bool:
    """Whether ``path`` holds an OCI layout or a ``docker save`` archive."""
    if path.is_dir():
        return (path / "oci-layout").is_file() or (path / "manifest.json").is_file()
    try:
        with tarfile.open(path, "r:*") as tf:
            for ti in tf:
                if ti.name.lstrip("./") in ("oci-layout", "manifest.json"):
                    return True
                if ti.name.lstrip("./").count("/") > 2:
                    return False  # a rootfs: image metadata is always at the top
    except (tarfile.TarError, EOFError, OSError):
        return False
    return False


def _blob(digest: Any, where: str) -> str:
    if not isinstance(digest, str) or not DIGEST.match(digest):
        raise SourceError(
            f"{where}: invalid blob digest '{str(digest)[:80]}'",
            "the image is corrupt or hostile; build it again",
        )
    return "blobs/sha256/" + digest.split(":", 1)[1]


def _sha256(store: _Store, name: str) -> str:
    h = hashlib.sha256()
    try:
        with store.opener(name)() as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise SourceError(
            f"{store.path}: blob '{name[:120]}' cannot be read ({exc})",
            "the image is corrupt; build or save it again",
        ) from None
    return h.hexdigest()


def verify(store: _Store, name: str, digest: str) -> None:
    """SourceError unless the bytes of blob ``name`` hash to ``digest`` (``sha256:...``)."""
    if not DIGEST.match(digest) or _sha256(store, name) != digest.split(":", 1)[1]:
        raise SourceError(
            f"{store.path}: '{name[:120]}' does not match its digest {digest[:19]}...",
            "the image was altered or damaged after it "
            "was built; pull or save it again and compare digests",
        )


def _by_name(name: str) -> str | None:
    """The digest a content-addressed name states (``blobs/sha256/HEX``, ``HEX.json``)."""
    hexpart = posixpath.basename(name).removesuffix(".json")
    return f"sha256:{hexpart}" if DIGEST.match(f"sha256:{hexpart}") else None


def _layer_digests(
    store: _Store, config_name: str, config: dict[str, Any], layer_names: list[str]
) -> list[str]:
    """Check the config against its digest; each layer's expected digest, by name where the
    name is one, else the config's ``rootfs.diff_ids`` (a docker save ``layer.tar``)."""
    want = _by_name(config_name)
    if want is None:
        raise SourceError(
            f"{store.path}: config '{config_name[:120]}' is not named by its digest",
            "save the image again",
        )
    verify(store, config_name, want)
    diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
    out = []
    for i, name in enumerate(layer_names):
        by_name = _by_name(name)
        if by_name is None and (
            len(diff_ids) != len(layer_names) or not isinstance(diff_ids[i], str)
        ):
            raise SourceError(
                f"{store.path}: the config's rootfs.diff_ids do not list "
                f"its {len(layer_names)} layers",
                "save the image again",
            )
        out.append(by_name or str(diff_ids[i]))
    return out


class _Hashing(io.RawIOBase):
    """A blob stream that hashes every byte; closing it hashes the rest, so the digest covers
    the whole blob however much of it the tar reader needed."""

    def __init__(self, f: IO[bytes], digest: Any) -> None:
        super().__init__()
        self._f, self._digest = f, digest

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        data = self._f.read(len(buf))
        self._digest.update(data)
        buf[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                while chunk := self._f.read(1 << 20):
                    self._digest.update(chunk)
            finally:
                self._f.close()
        super().close()


def _apply_checked(
    entries: dict[str, Entry],
    store: _Store,
    name: str,
    opener: Opener,
    want: str,
    where: str,
    tag: int,
) -> None:
    """Apply one layer, hashing it on the way; SourceError if it is not the blob ``want``."""
    digest = hashlib.sha256()
    apply_layer(entries, lambda: io.BufferedReader(_Hashing(opener(), digest)), where, tag)
    if not DIGEST.match(want) or digest.hexdigest() != want.split(":", 1)[1]:
        raise SourceError(
            f"{store.path}: '{name[:120]}' does not match its digest {want[:19]}...",
            "the image was altered or damaged after it was "
            "built; pull or save it again and compare digests",
        )


def _oci_manifest(store: _Store) -> tuple[str, list[str]]:
    """(config blob, layer blobs) of the first image manifest of an OCI layout."""
    where = str(store.path)
    doc = store.json("index.json")
    for _ in range(4):  # an index may point at a nested index
        manifests = doc.get("manifests") if isinstance(doc, dict) else None
        if not manifests:
            raise SourceError(
                f"{where}: index.json lists no manifest",
                "the layout holds no image; build it again",
            )
        first = next(
            (
                m
                for m in manifests
                if isinstance(m, dict)
                and not is_artifact(m)
                and (m.get("platform") or {}).get("os", "linux") == "linux"
            ),
            manifests[0],
        )
        name = _blob(first.get("digest"), where)
        verify(store, name, str(first.get("digest")))
        doc = store.json(name)
        if doc.get("mediaType") not in INDEX_TYPES and "layers" in doc:
            break
    config = _blob((doc.get("config") or {}).get("digest"), where)
    layers = [_blob((layer or {}).get("digest"), where) for layer in doc.get("layers") or []]
    return config, layers


def _docker_manifest(store: _Store) -> tuple[str, list[str]]:
    where = str(store.path)
    doc = store.json("manifest.json")
    if not isinstance(doc, list) or not doc or not isinstance(doc[0], dict):
        raise SourceError(
            f"{where}: manifest.json is not a docker save manifest",
            "save the image again with docker save",
        )
    layers = doc[0].get("Layers") or []
    config = doc[0].get("Config")
    if not isinstance(config, str) or not all(isinstance(x, str) for x in layers):
        raise SourceError(
            f"{where}: manifest.json names no config or layers",
            "save the image again with docker save",
        )
    return config, list(layers)


def _remove(entries: dict[str, Entry], path: str, *, keep_self: bool) -> None:
    prefix = path.rstrip("/") + "/"
    for key in [k for k in entries if k.startswith(prefix)]:
        del entries[key]
    if not keep_self:
        entries.pop(path, None)


def apply_layer(entries: dict[str, Entry], opener: Opener, name: str, tag: int) -> None:
    """Apply one layer: its whiteouts remove from the layers below, then its entries land."""
    added: list[tuple[int, tarfile.TarInfo, str]] = []
    for i, ti, _tf in stream_members(opener, name):
        path = member_path(ti.name, name)
        base = posixpath.basename(path)
        parent = posixpath.dirname(path)
        if base == OPAQUE:
            _remove(entries, parent, keep_self=True)
        elif base.startswith(WHITEOUT):
            target = posixpath.join(parent, base[len(WHITEOUT) :])
            if target != "/":
                _remove(entries, target, keep_self=False)
        else:
            added.append((i, ti, path))
    for i, ti, path in added:
        linked = entries.get(member_path(ti.linkname, name)) if ti.islnk() else None
        entry = member_entry(ti, path, (tag, i), linked)
        if entry is None:
            continue
        old = entries.get(path)
        if old is not None and old.is_dir and not entry.is_dir:
            _remove(entries, path, keep_self=False)
        entries[path] = entry


def open_container(path: Path) -> ContainerImage:
    """Read an OCI layout or docker save image: merged filesystem and config."""
    store = _Store(path)
    config_name, layer_names = (
        _docker_manifest(store) if store.has("manifest.json") else _oci_manifest(store)
    )
    config = store.json(config_name)
    if not isinstance(config, dict):
        raise SourceError(
            f"{path}: the image config is not a JSON object", "the image is corrupt; build it again"
        )
    wants = _layer_digests(store, config_name, config, layer_names)
    openers = [store.opener(n) for n in layer_names]
    entries: dict[str, Entry] = {}
    for tag, opener in enumerate(openers):
        _apply_checked(
            entries, store, layer_names[tag], opener, wants[tag], f"{path}:{layer_names[tag]}", tag
        )

    def fetch(locs: list[Hashable], cap: int) -> dict[Hashable, bytes]:
        out: dict[Hashable, bytes] = {}
        for tag, opener in enumerate(openers):
            out.update(fetch_members(opener, f"{path}:{layer_names[tag]}", tag, locs, cap))
        return out

    tree = index(entries, fetch, str(path))
    return ContainerImage(
        tree=tree,
        config=config,
        layers=len(layer_names),
        size=sum(store.size(n) for n in layer_names),
        files_size=sum(e.size for e in entries.values() if e.is_file),
        digests=tuple(layer_names),
    )
