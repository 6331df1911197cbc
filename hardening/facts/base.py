"""What every fact request module provides (RequestSpec) and the framing they all share.

The probe's output is a sequence of frames. A marker line ``\\n@@<nonce> <tag> <fields>\\n``
opens a section (``B <sid>``), an entry inside it (``F <kind> <status> <key>``) or closes it
(``E <sid> <rc>``); only probe-chosen tokens ever appear in a marker line. Every string the
node controls (a file name, a path in a process's flag, file content, command output, argv)
travels in the bytes after a marker, and every name there ends in a NUL, which no file name
and no argv element can hold: a name is therefore never cut short and never starts a record.
The nonce is 128 random bits made for this run and given to no command the probe runs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Generic, Protocol, TypeVar

from hardening.errors import ProbeError
from hardening.model.facts import Absent, CommandOutput, FileStat, ImageFacts, Request

R = TypeVar("R", bound=Request[Any])
F = TypeVar("F")

# Paths that may be left unquoted for the shell to expand as a glob: no spaces, no
# metacharacters other than * ? [ ]. Always used with fullmatch: ``$`` would accept a
# trailing newline, which the shell reads as the end of the command.
GLOB_SAFE = re.compile(r"/[A-Za-z0-9_.+:@%,/*?\[\]-]*")
STAT_FIELDS = "%f %u %g %U %G"  # mode (hex), uid, gid, user, group
STAT_RECORD = re.compile(
    rb"([0-9a-f]{1,8}) ([0-9]{1,10}) ([0-9]{1,10}) (\S+) (\S+) (.*)", re.DOTALL
)
NAME_END = b"\0"


def is_glob(pattern: str) -> bool:
    """Whether ``pattern`` contains glob characters."""
    return any(c in pattern for c in "*?[")


def glob_match(pattern: str, path: str) -> bool:
    """Shell-glob match where ``*`` does not cross ``/``, as ``for p in PATTERN`` expands."""
    pp, ss = pattern.split("/"), path.split("/")
    return len(pp) == len(ss) and all(fnmatchcase(s, p) for p, s in zip(pp, ss, strict=True))


def word(path: str) -> str:
    """A path as one shell word: quoted, or left bare for the shell to glob when safe."""
    if is_glob(path) and GLOB_SAFE.fullmatch(path):
        return path
    return shlex.quote(path)


def decode_name(raw: bytes) -> str:
    """A node's file name or argv word as a lossless str (``os.fsdecode`` on Linux)."""
    return raw.decode("utf-8", "surrogateescape")


@dataclass
class Entry:
    """One ``F`` frame: its probe-chosen fields and the bytes up to the next marker."""

    kind: str
    status: str
    key: str
    data: bytes = b""

    def named(self, host: str) -> tuple[str, bytes]:
        """(the NUL-terminated name that opens the data, the bytes after it)."""
        name, sep, rest = self.data.partition(NAME_END)
        if not sep:
            raise ProbeError(
                f"{host}: probe entry '{self.kind} {self.key}' has no name",
                "the node's output cannot be trusted",
            )
        return decode_name(name), rest


@dataclass
class Frame:
    """One section of probe output: its body before any entry, its entries, its exit code."""

    sid: str
    body: bytes = b""
    entries: list[Entry] = field(default_factory=list)
    rc: int | None = None


@dataclass(frozen=True)
class Section:
    """A section of the probe script: its id, its sh text, and the requests it answers."""

    sid: str
    text: str
    requests: tuple[Request[Any], ...]


def stat_records(body: bytes, host: str) -> Iterator[FileStat]:
    """The NUL-terminated ``STAT_FIELDS %n`` records of a body (``!NAME`` records skipped).

    A record that does not parse is a ProbeError, never skipped: a lost record could hide
    a setuid file.
    """
    for raw in body.split(NAME_END)[:-1]:
        if raw.startswith(b"!"):
            continue
        mk = STAT_RECORD.fullmatch(raw)
        if mk is None:
            raise ProbeError(
                f"{host}: malformed stat record {raw[:60]!r} in probe output",
                "the node's output cannot be trusted",
            )
        yield FileStat(
            decode_name(mk.group(6)),
            int(mk.group(1), 16),
            int(mk.group(2)),
            int(mk.group(3)),
            decode_name(mk.group(4)),
            decode_name(mk.group(5)),
        )


def denied_names(body: bytes) -> set[str]:
    """The names of a body's ``!NAME`` records: paths a parent directory hides from us."""
    return {decode_name(raw[1:]) for raw in body.split(NAME_END)[:-1] if raw.startswith(b"!")}


class RootEntry(Protocol):
    """A file of a root filesystem, as far as a request's answer needs it."""

    @property
    def mode(self) -> int:
        """st_mode with the type bits."""

    @property
    def path(self) -> str:
        """Absolute path inside the root."""

    @property
    def is_file(self) -> bool:
        """Whether it is a regular file."""


class Root(Protocol):
    """A root filesystem (a directory, an unpacked image) that requests are answered from."""

    def entry(self, path: str) -> RootEntry | Absent:
        """The entry at ``path`` with symlinks followed, or why there is none."""

    def glob(self, pattern: str) -> list[str]:
        """The paths a shell glob matches, sorted."""

    def walk(self) -> Iterable[RootEntry]:
        """Every entry of the filesystem."""

    def read(self, entry: RootEntry, limit: int) -> bytes:
        """Up to ``limit`` + 1 bytes of a regular file (the extra byte shows a cut)."""

    def prefetch(self, entries: Iterable[RootEntry]) -> None:
        """Load these files' content in one pass (an archive is read once)."""

    def file_stat(self, path: str, entry: RootEntry) -> FileStat:
        """The FileStat of an entry, named with the root's own users and groups."""

    def component_argv(self, name: str) -> tuple[tuple[str, ...], str] | None:
        """The command line a unit or static pod manifest gives component ``name``."""

    def component_env(self, name: str) -> tuple[Mapping[str, str], str] | None:
        """The environment (and where it is set) the unit or manifest gives ``name``."""

    def emulate(self, script: str) -> CommandOutput | Absent | None:
        """An audit command's output the root can give without running it (None: cannot)."""

    def config(self) -> ImageFacts | Absent:
        """The image config, or why there is none (Absent)."""


Answers = dict[R, Any]


@dataclass(frozen=True)
class RequestSpec(Generic[R]):
    """The parts of one fact request type; hardening/facts/registry.py lists every spec.

    - ``fragment``: the requests of this type in one probe -> the script's sections;
    - ``parse``: (those requests, the frames by section id, host) -> the fact of each;
    - ``from_root``: (those requests, a root filesystem) -> the fact of each, the answer the
      probe would give on a node whose filesystem that is;
    - ``from_description``: (one request, a plain description of a node as the check
      fixtures write it) -> its fact;
    - ``prelude``: sh functions the fragment's text calls, emitted once per probe.
    """

    request: type[R]
    fragment: Callable[[Sequence[R]], list[Section]]
    parse: Callable[[Sequence[R], Mapping[str, Frame], str], Answers[R]]
    from_root: Callable[[Sequence[R], Root], Answers[R]]
    from_description: Callable[[R, Mapping[str, Any]], Any]
    prelude: str = ""


def frame_of(frames: Mapping[str, Frame], sid: str, host: str) -> Frame:
    """The frame ``sid``; its absence from a probe that reached its end is a ProbeError."""
    frame = frames.get(sid)
    if frame is None or frame.rc is None:
        raise ProbeError(
            f"{host}: probe output lacks section '{sid}'", "the node's output cannot be trusted"
        )
    return frame
