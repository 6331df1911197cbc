"""FactRequests: what a check needs to know about a node. All frozen and hashable.

The planner unions the requests of every selected control; the probe script answers each
once. A request never carries shell syntax except ``Command.script``, which is catalogue
content, run through ``sh -c`` with its text passed as one quoted argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Paths that may be left unquoted for the shell to expand as a glob: no spaces, no
# metacharacters other than * ? [ ].
GLOB_SAFE = re.compile(r"^/[A-Za-z0-9_.+:@%,/*?\[\]-]*$")


def is_glob(pattern: str) -> bool:
    """Whether ``pattern`` contains glob characters."""
    return any(c in pattern for c in "*?[")


@dataclass(frozen=True)
class Stat:
    """``stat -L`` of a path or a glob pattern (every match)."""

    path: str


@dataclass(frozen=True)
class Read:
    """The content of a file, or of every file a glob matches, capped at ``limit`` bytes."""

    path: str
    limit: int = 1 << 20


@dataclass(frozen=True)
class ComponentReq:
    """A Kubernetes component: its process argv and the files its flags name.

    ``files`` pairs a path flag (``--config``) with the documented default path used when
    the flag is not given ("" for none).
    """

    name: str
    files: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Command:
    """An audit command (catalogue content), run by ``sh -c`` with a timeout."""

    script: str
    timeout: int = 20
    limit: int = 1 << 20


@dataclass(frozen=True)
class Find:
    """Regular files under ``roots`` (one filesystem each) that are setuid, setgid or
    world-writable. Answered by one ``find`` pass, whatever asked for it.

    ``prune`` names directories (``find -path`` patterns) the asker does not want: the pass
    skips those every Find of the host prunes, and the asker drops the rest itself.
    """

    roots: tuple[str, ...] = ("/",)
    prune: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImageConfig:
    """The config of the image under audit (answered only by an image source).

    The fact is a read-only mapping: ``kind`` ("container" or "node"), ``user``,
    ``entrypoint`` and ``cmd`` (lists), ``env`` (list of ``NAME=VALUE``), ``layers`` and
    ``size`` (bytes of the layer blobs). A live node answers ``Absent("not an image")``.
    """


FactRequest = Stat | Read | ComponentReq | Command | Find | ImageConfig
