"""Tar archives (plain, gzip, zstd) and directories as Tree backing stores, read in place.

Archives are streamed (``tarfile`` mode ``r|``), never extracted: one pass builds the
index, and later passes fetch only the members a check reads. A member whose name climbs
out of the root (``..``) is refused; an absolute name is taken relative to the root, as
``tar`` does. Truncated or corrupt archives are a SourceError naming the archive.
"""

from __future__ import annotations

import gzip
import os
import posixpath
import stat as statmod
import tarfile
import zlib
from collections.abc import Callable, Hashable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from hardening.errors import SourceError
from hardening.sources.rootfs import DepthError, Entry, Tree, check_depth

Opener = Callable[[], IO[bytes]]  # a fresh binary stream of the (maybe compressed) blob

MAX_MEMBERS = 2_000_000
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_BROKEN = (tarfile.TarError, EOFError, zlib.error, OSError, ValueError)

_TYPES = {
    tarfile.REGTYPE: statmod.S_IFREG,
    tarfile.AREGTYPE: statmod.S_IFREG,
    tarfile.CONTTYPE: statmod.S_IFREG,
    tarfile.GNUTYPE_SPARSE: statmod.S_IFREG,
    tarfile.DIRTYPE: statmod.S_IFDIR,
    tarfile.SYMTYPE: statmod.S_IFLNK,
    tarfile.CHRTYPE: statmod.S_IFCHR,
    tarfile.BLKTYPE: statmod.S_IFBLK,
    tarfile.FIFOTYPE: statmod.S_IFIFO,
}


def broken(name: str, exc: BaseException) -> SourceError:
    """The error for an archive that cannot be read to the end."""
    detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return SourceError(
        f"{name}: truncated or corrupt archive ({detail})",
        "rebuild the image archive and check it was copied completely",
    )


def _zstd_reader(raw: IO[bytes], name: str) -> IO[bytes]:
    try:
        import zstandard
    except ImportError:
        raise SourceError(
            f"{name}: zstd-compressed, but the zstandard module is missing",
            "install it with: pip install 'hardening[images]'",
        ) from None
    reader: IO[bytes] = zstandard.ZstdDecompressor().stream_reader(raw, closefd=False)
    return reader


def decompressed(opener: Opener, name: str, stack: ExitStack) -> IO[bytes]:
    """Open the blob and undo gzip or zstd compression, chosen by magic bytes; every
    stream opened is closed with ``stack``."""
    raw = stack.enter_context(opener())
    peek = getattr(raw, "peek", None)
    if peek is not None:  # a buffered stream: read the magic without opening the blob twice
        magic = peek(4)[:4]
    else:
        with opener() as probe:
            magic = probe.read(4)
    if magic.startswith(GZIP_MAGIC):
        gz: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        return stack.enter_context(gz)
    if magic == ZSTD_MAGIC:
        return stack.enter_context(_zstd_reader(raw, name))
    return raw


def member_path(name: str, archive: str) -> str:
    """A member name as an image path; refuses names that climb out of the root."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise SourceError(
            f"{archive}: member '{name[:200]}' points outside the image root",
            "the archive is hostile or broken; rebuild it with relative paths",
        )
    try:
        return check_depth("/" + "/".join(parts))
    except DepthError as exc:
        raise too_deep(archive, exc) from None


def too_deep(name: str, exc: DepthError) -> SourceError:
    """The error for an image whose paths are nested past the index's limits."""
    return SourceError(
        f"{name}: {exc}; the image is not audited",
        "the archive is hostile or broken; real images stay well within the "
        "limits (docs/security.md)",
    )


def index(
    entries: dict[str, Entry],
    fetch: Callable[[list[Hashable], int], dict[Hashable, bytes]],
    name: str,
) -> Tree:
    """``Tree(entries, fetch)``, with a DepthError as a SourceError naming the image."""
    try:
        return Tree(entries, fetch)
    except DepthError as exc:
        raise too_deep(name, exc) from None


def stream_members(
    opener: Opener, name: str
) -> Iterator[tuple[int, tarfile.TarInfo, tarfile.TarFile]]:
    """Yield (ordinal, member, open tar) for each member, in archive order."""
    try:
        with (
            ExitStack() as stack,
            tarfile.open(fileobj=decompressed(opener, name, stack), mode="r|", errorlevel=2) as tf,
        ):
            for i, ti in enumerate(tf):
                if i >= MAX_MEMBERS:
                    raise SourceError(
                        f"{name}: more than {MAX_MEMBERS} members",
                        "audit a smaller image or unpack it to a directory",
                    )
                yield i, ti, tf
    except SourceError:
        raise
    except _BROKEN as exc:
        raise broken(name, exc) from None


def member_entry(
    ti: tarfile.TarInfo, path: str, loc: Hashable, hardlink: Entry | None
) -> Entry | None:
    """A tar member as an Entry (None for types an image view ignores)."""
    if ti.islnk():
        if hardlink is None:
            return Entry(
                path,
                statmod.S_IFREG | (ti.mode & 0o7777),
                ti.uid,
                ti.gid,
                ti.uname,
                ti.gname,
                0,
                "",
                None,
            )
        return Entry(
            path,
            statmod.S_IFREG | (ti.mode & 0o7777),
            ti.uid,
            ti.gid,
            ti.uname,
            ti.gname,
            hardlink.size,
            "",
            hardlink.loc,
        )
    kind = _TYPES.get(ti.type)
    if kind is None:
        return None
    link = ti.linkname if ti.issym() else ""
    size = ti.size if kind == statmod.S_IFREG else 0
    return Entry(
        path,
        kind | (ti.mode & 0o7777),
        ti.uid,
        ti.gid,
        ti.uname,
        ti.gname,
        size,
        link,
        loc if kind == statmod.S_IFREG else None,
    )


def fetch_members(
    opener: Opener, name: str, tag: Any, locs: list[Hashable], cap: int
) -> dict[Hashable, bytes]:
    """One streaming pass: the first ``cap`` bytes of each wanted member ``(tag, ordinal)``."""
    want = {loc[1] for loc in locs if isinstance(loc, tuple) and loc[0] == tag}
    out: dict[Hashable, bytes] = {}
    if not want:
        return out
    last = max(want)
    for i, ti, tf in stream_members(opener, name):
        if i in want:
            f = tf.extractfile(ti)
            out[(tag, i)] = f.read(cap) if f is not None else b""
        if i >= last:
            break
    return out


def tar_tree(path: Path) -> Tree:
    """A node image archive (``.tar``, ``.tar.gz``, ``.tar.zst``) as a Tree."""
    name = str(path)

    def opener() -> IO[bytes]:
        return open(path, "rb")

    entries: dict[str, Entry] = {}
    for i, ti, _tf in stream_members(opener, name):
        p = member_path(ti.name, name)
        target = None
        if ti.islnk():
            target = entries.get(member_path(ti.linkname, name))
        entry = member_entry(ti, p, ("tar", i), target)
        if entry is not None:
            entries[p] = entry

    def fetch(locs: list[Hashable], cap: int) -> dict[Hashable, bytes]:
        return fetch_members(opener, name, "tar", locs, cap)

    return index(entries, fetch, name)


def _scan(root: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """(image path, host path, lstat) of every object under ``root``, iteratively (os.walk
    recursed, and a directory 1,500 levels deep raised RecursionError); DepthError past
    the index's limits. Symlinks are never followed."""
    todo = [("/", root)]
    while todo:
        ipath, host = todo.pop()
        try:
            with os.scandir(host) as it:
                children = list(it)
        except OSError:
            continue
        for child in children:
            try:
                st = child.stat(follow_symlinks=False)
            except OSError:
                continue
            cpath = check_depth(posixpath.join(ipath, child.name))
            yield cpath, child.path, st
            if statmod.S_ISDIR(st.st_mode):
                todo.append((cpath, child.path))


def dir_tree(root: Path) -> Tree:
    """An unpacked or mounted root filesystem as a Tree. Symlinks are never followed on the
    host: they are recorded and resolved inside the index."""
    base = str(root)
    entries: dict[str, Entry] = {}
    try:
        top = os.lstat(base)
        entries["/"] = Entry("/", top.st_mode, top.st_uid, top.st_gid)
        for ipath, host, st in _scan(base):
            try:
                link = os.readlink(host) if statmod.S_ISLNK(st.st_mode) else ""
            except OSError:
                continue
            regular = statmod.S_ISREG(st.st_mode)
            entries[ipath] = Entry(
                ipath,
                st.st_mode,
                st.st_uid,
                st.st_gid,
                "",
                "",
                st.st_size if regular else 0,
                link,
                host if regular else None,
            )
    except DepthError as exc:
        raise too_deep(base, exc) from None

    def fetch(locs: list[Hashable], cap: int) -> dict[Hashable, bytes]:
        out: dict[Hashable, bytes] = {}
        for loc in locs:
            try:
                fd = os.open(str(loc), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            with os.fdopen(fd, "rb") as f:
                if statmod.S_ISREG(os.fstat(f.fileno()).st_mode):
                    out[loc] = f.read(cap)
        return out

    return index(entries, fetch, base)
