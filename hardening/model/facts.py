"""The facts of one host, as gathered by one probe run (or read from an image).

Facts are immutable values keyed by the FactRequest that asked for them. ``Absent`` is a
distinct value, never an empty one: "file missing" and "file empty" must not look alike.
"""

from __future__ import annotations

import stat as statmod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

F = TypeVar("F")


class Request(Generic[F]):
    """Base of every fact request: a frozen, hashable value whose answer has type ``F``.

    Each request type lives in its own module of ``hardening/facts/`` with its parts (sh
    fragment, parser, root-filesystem answer); ``Facts.get`` returns ``F | Absent``, so a
    check kind gets a typed fact without asserting what it got.
    """

    __slots__ = ()


@dataclass(frozen=True)
class Absent:
    """A fact that could not be observed, with the reason (shown as evidence)."""

    reason: str
    is_error: bool = False  # True: we could not look (permission, parse error) -> ERROR
    denied: bool = False  # True: permission denied (EACCES), as opposed to not there


@dataclass(frozen=True)
class FileStat:
    """``stat -L`` of one path: type and permission bits, numeric and named owner.

    ``path`` is lossless: the node's bytes decoded as ``os.fsdecode`` does (UTF-8 with
    ``surrogateescape``), so a name that is not valid UTF-8 keeps its bytes
    (``os.fsencode(path)`` gives them back); renderers must escape it.
    """

    path: str
    mode: int  # st_mode with type bits
    uid: int
    gid: int
    user: str
    group: str

    @property
    def perms(self) -> int:
        """Permission bits including setuid/setgid/sticky (``0o7777`` mask)."""
        return statmod.S_IMODE(self.mode)

    @property
    def octal(self) -> str:
        """Permission bits as the usual octal string, e.g. ``"644"`` or ``"4755"``."""
        return format(self.perms, "o")

    @property
    def is_file(self) -> bool:
        """Whether the path is a regular file."""
        return statmod.S_ISREG(self.mode)

    @property
    def is_dir(self) -> bool:
        """Whether the path is a directory."""
        return statmod.S_ISDIR(self.mode)

    @property
    def owner(self) -> str:
        """``user:group``, with numeric ids where the names are unknown."""
        user = self.user if self.user and self.user != "UNKNOWN" else str(self.uid)
        group = self.group if self.group and self.group != "UNKNOWN" else str(self.gid)
        return f"{user}:{group}"


@dataclass(frozen=True)
class FileContent:
    """The bytes of one file (capped) and whether the cap cut it (``path`` as in FileStat)."""

    path: str
    data: bytes
    truncated: bool = False

    @property
    def text(self) -> str:
        """The content decoded as UTF-8; invalid bytes become U+FFFD, never an exception."""
        return self.data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Process:
    """A running process: pid and its exact argv from ``/proc/<pid>/cmdline``."""

    pid: int
    argv: tuple[str, ...]

    @property
    def name(self) -> str:
        """The basename of argv[0]."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


@dataclass(frozen=True)
class ComponentFile:
    """A file a component names in a flag (``--config``), or its documented default path."""

    flag: str
    path: str
    from_flag: bool
    stat: FileStat | Absent
    content: FileContent | Absent


@dataclass(frozen=True)
class Component:
    """A Kubernetes component as seen on the node.

    ``argv`` is the command line that counts (the last matching process, or on an image the
    unit/manifest); ``origin`` says where it came from (``process 1234``, a manifest path).
    """

    name: str
    argv: tuple[str, ...]
    origin: str
    files: Mapping[str, ComponentFile] = field(default_factory=dict)


@dataclass(frozen=True)
class CommandOutput:
    """Exit status and capped standard output of one audit command."""

    rc: int
    stdout: bytes
    truncated: bool = False

    @property
    def text(self) -> str:
        """Standard output decoded as UTF-8 with replacement."""
        return self.stdout.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class ImageFacts:
    """A container image's config as the image kinds read it.

    ``layers`` counts the layer blobs and ``size`` their bytes; ``files_size`` is the bytes
    of the regular files in the merged filesystem; ``history`` holds each step's
    ``created_by``; ``healthcheck_test`` the HEALTHCHECK's test words.
    """

    kind: str = "container"
    user: str = ""
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: tuple[str, ...] = ()  # NAME=VALUE
    layers: int = 0
    size: int = 0
    files_size: int = 0
    healthcheck: bool = False
    healthcheck_test: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    os: str = ""
    architecture: str = ""


@dataclass(frozen=True)
class Facts:
    """Every fact gathered for one host, keyed by FactRequest.

    ``meta`` holds probe metadata (hostname, uid, kernel, elapsed). Cloud and cluster facts
    are ordinary requests in ``values`` (``hardening/facts/cloudside.py``), not a side channel.
    """

    host: str
    values: Mapping[Request[Any], object]
    meta: Mapping[str, str] = field(default_factory=dict)

    def get(self, request: Request[F]) -> F | Absent:
        """The fact for ``request``, or Absent when the probe did not gather it.

        Every source stores the answer the request's own module gives, so the value is an
        ``F`` or an ``Absent`` (tests/unit/facts checks each source against the registry).
        """
        if request in self.values:
            return cast("F | Absent", self.values[request])
        return Absent(f"fact {request!r} was not gathered", is_error=True)


FactRequest = Request[Any]
"""Any fact request (its answer's type unknown here); the types are in hardening/facts/."""
