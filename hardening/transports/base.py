"""The Transport contract: run one probe script on one host and bring its bytes back.

Transports move bytes. They know nothing of controls, facts or YAML.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar

DEFAULT_MAX_OUTPUT = 32 << 20

T = TypeVar("T")


@dataclass(frozen=True)
class ProbeOutput:
    """What came back from one probe run."""

    rc: int
    stdout: bytes
    stderr: bytes
    truncated: bool
    elapsed: float


class RunScope:
    """What the hosts of one run share (a key cache): created per run, never global."""

    def __init__(self) -> None:
        self._items: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: str, factory: Callable[[], T]) -> T:
        """The run's object under ``key``, made by ``factory`` the first time."""
        with self._lock:
            if key not in self._items:
                self._items[key] = factory()
            item: T = self._items[key]
            return item


class Transport(Protocol):
    """A per-host connection: ``with transport: transport.run(script, ...)``.

    Implementations raise a :class:`hardening.errors.TransportError` subclass naming the
    host and the reason; collect turns it into that host's ERROR. ``cancel`` may be called
    from another thread (a signal stopped the run): it ends whatever step is running.
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

    def cancel(self) -> None:
        """End the connection from another thread; the running step raises at once."""
        ...
