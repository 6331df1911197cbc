"""A read-only view of an image's root filesystem: an in-memory index of entries.

Paths are resolved inside the index only, the way a chroot would: an absolute symlink
starts again at the image root, ``..`` stops at the root, and a link loop is an error.
Nothing is looked up on the host, so no path in an image can reach a host file.
"""

from __future__ import annotations

import posixpath
import stat as statmod
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass

MAX_LINK_HOPS = 40  # the kernel's limit (ELOOP)
# An image path deeper than MAX_DEPTH components or longer than MAX_PATH bytes is refused
# (DepthError): a 298-byte gzip holding one member 60,000 levels deep made the index create
# every parent, 3.4 GB of keys. PATH_MAX is 4096 on Linux; real images stay far shallower.
MAX_DEPTH = 256
MAX_PATH = 4096
MAX_INDEX_BYTES = 512 << 20  # the bytes of every path the index holds, parents included
READ_MAX = (1 << 20) + 1

# (locations, cap) -> {location: first ``cap`` bytes}; one pass over the backing store.
Fetcher = Callable[[list[Hashable], int], dict[Hashable, bytes]]


class LinkLoopError(Exception):
    """A path resolves through more than MAX_LINK_HOPS symbolic links."""


class DepthError(ValueError):
    """An image path nested deeper than MAX_DEPTH, longer than MAX_PATH, or an index past
    MAX_INDEX_BYTES; the sources turn it into a SourceError naming the image."""


def check_depth(path: str) -> str:
    """``path`` (a cleaned image path) unless it is too deep or too long (DepthError)."""
    if path.count("/") > MAX_DEPTH:
        raise DepthError(f"path '{path[:80]}...' is nested more than {MAX_DEPTH} levels deep")
    if len(path.encode("utf-8", "surrogateescape")) > MAX_PATH:
        raise DepthError(f"path '{path[:80]}...' is longer than {MAX_PATH} bytes")
    return path


@dataclass(frozen=True)
class Entry:
    """One filesystem object in the image.

    ``mode`` carries the type bits; ``link`` is a symlink's target as written; ``loc``
    says where the bytes are in the backing store (a host path, or layer and member).
    ``uname``/``gname`` are the names the archive recorded ("" when none).
    """

    path: str
    mode: int
    uid: int = 0
    gid: int = 0
    uname: str = ""
    gname: str = ""
    size: int = 0
    link: str = ""
    loc: Hashable = None

    @property
    def is_symlink(self) -> bool:
        """Whether the entry is a symbolic link."""
        return statmod.S_ISLNK(self.mode)

    @property
    def is_dir(self) -> bool:
        """Whether the entry is a directory."""
        return statmod.S_ISDIR(self.mode)

    @property
    def is_file(self) -> bool:
        """Whether the entry is a regular file."""
        return statmod.S_ISREG(self.mode)


ROOT = Entry("/", statmod.S_IFDIR | 0o755)


def clean(path: str) -> str:
    """An image path as an absolute, normalised key (``..`` clamped at the root)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


class Tree:
    """The merged index of an image and a cached reader of its files' bytes."""

    def __init__(self, entries: dict[str, Entry], fetch: Fetcher) -> None:
        self.entries = entries
        if "/" not in self.entries:
            self.entries["/"] = ROOT
        held = 0
        for path in list(self.entries):  # archives may omit parents: tar creates them 0755
            held += len(check_depth(path))
            parent = posixpath.dirname(path)
            while parent not in self.entries:
                self.entries[parent] = Entry(parent, ROOT.mode)
                held += len(parent)
                parent = posixpath.dirname(parent)
            if held > MAX_INDEX_BYTES:
                raise DepthError(f"the index holds more than {MAX_INDEX_BYTES >> 20} MiB of paths")
        self._fetch = fetch
        self._cache: dict[Hashable, bytes] = {}
        self._cap: dict[Hashable, int] = {}

    def resolve(self, path: str, *, follow: bool = True) -> Entry | None:
        """The entry ``path`` names inside the image, following symlinks (None if absent).

        Raises LinkLoopError past MAX_LINK_HOPS links. ``follow=False`` leaves a final
        symlink unresolved (``lstat``).
        """
        parts = deque(p for p in path.split("/") if p not in ("", "."))
        cur = "/"
        hops = 0
        while parts:
            name = parts.popleft()
            if name == "..":
                cur = posixpath.dirname(cur)
                continue
            nxt = posixpath.join(cur, name)
            entry = self.entries.get(nxt)
            if entry is None:
                return None
            if entry.is_symlink and (parts or follow):
                hops += 1
                if hops > MAX_LINK_HOPS:
                    raise LinkLoopError(path)
                if entry.link.startswith("/"):
                    cur = "/"
                parts.extendleft(reversed([p for p in entry.link.split("/") if p not in ("", ".")]))
                continue
            if parts and not entry.is_dir:
                return None
            cur = nxt
        return self.entries.get(cur)

    def walk(self) -> Iterator[Entry]:
        """Every entry, in path order."""
        for key in sorted(self.entries):
            yield self.entries[key]

    def glob(self, pattern: str) -> list[str]:
        """Index paths matching a shell glob where ``*`` does not cross ``/``."""
        from hardening.facts.base import glob_match

        want = clean(pattern)
        depth = want.count("/")
        return sorted(
            p for p in self.entries if p.count("/") == depth and p != "/" and glob_match(want, p)
        )

    def prefetch(self, entries: Iterable[Entry], cap: int = READ_MAX) -> None:
        """Load the first ``cap`` bytes of these regular files in one pass, into the cache."""
        todo = [
            e.loc
            for e in entries
            if e.is_file and e.loc is not None and self._cap.get(e.loc, -1) < cap
        ]
        todo = list(dict.fromkeys(todo))
        if todo:
            for loc, data in self._fetch(todo, cap).items():
                self._cache[loc] = data
                self._cap[loc] = cap
            for loc in todo:
                self._cache.setdefault(loc, b"")
                self._cap.setdefault(loc, cap)

    def read(self, entry: Entry, limit: int) -> bytes:
        """The first ``limit + 1`` bytes of a regular file (the extra byte shows truncation)."""
        cap = max(limit + 1, READ_MAX)
        self.prefetch([entry], cap)
        return self._cache.get(entry.loc, b"")[: limit + 1]

    def text(self, path: str, limit: int = 1 << 20) -> str | None:
        """A file's text (UTF-8 with replacement), or None when it is missing or unreadable."""
        try:
            entry = self.resolve(path)
        except LinkLoopError:
            return None
        if entry is None or not entry.is_file:
            return None
        return self.read(entry, limit)[:limit].decode("utf-8", errors="replace")
