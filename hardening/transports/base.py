"""The Transport contract: run one probe script on one host and bring its bytes back.

Transports move bytes. They know nothing of controls, facts or YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

DEFAULT_MAX_OUTPUT = 32 << 20


@dataclass(frozen=True)
class ProbeOutput:
    """What came back from one probe run."""

    rc: int
    stdout: bytes
    stderr: bytes
    truncated: bool
    elapsed: float


class Transport(Protocol):
    """A per-host connection: ``with transport: transport.run(script, ...)``.

    Implementations raise a :class:`hardening.errors.TransportError` subclass naming the
    host and the reason; collect turns it into that host's ERROR.
    """

    name: str

    def __enter__(self) -> Transport: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def run(self, script: bytes, *, timeout: float, max_output: int) -> ProbeOutput:
        """Run ``script`` with ``sh -s`` (script on stdin) and return its output."""
        ...
