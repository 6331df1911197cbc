"""Stop: how a signal reaches a running audit. Set from a signal handler, read by collect.

A handler may run between any two bytecodes of the main thread, so ``request`` only assigns
plain attributes (no lock: a lock taken by the interrupted code would deadlock it). Workers
poll ``requested``; the collector waits in short slices, gives running hosts ``grace``
seconds, then calls every registered ``cancel`` (closing connections, killing probes) so
their threads end at once instead of at their timeouts.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable

Cancel = Callable[[], None]


class Stop:
    """A stop request shared by one run: which signal, when, and who to cancel."""

    def __init__(self, grace: float = 2.0) -> None:
        self.grace = grace
        self.signum: int | None = None
        self.count = 0  # a second signal skips what is left of the grace
        self.at = 0.0
        self._cancels: dict[int, Cancel] = {}
        self._lock = threading.Lock()
        self._next = 0
        self.cancelled = False

    def request(self, signum: int) -> None:
        """Ask the run to stop (safe to call from a signal handler: attributes only)."""
        if self.signum is None:
            self.at = time.monotonic()
            self.signum = signum
        self.count += 1

    @property
    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self.signum is not None

    @property
    def signal_name(self) -> str:
        """``SIGINT``, ``SIGTERM``, ... ('' when no stop was asked for)."""
        return signal.Signals(self.signum).name if self.signum is not None else ""

    @property
    def exit_code(self) -> int:
        """The shell's convention for death by signal: 128 + the signal number."""
        return 128 + (self.signum or 0)

    def grace_over(self) -> bool:
        """Whether running hosts have had their grace (or a second signal came)."""
        return self.requested and (self.count > 1 or time.monotonic() >= self.at + self.grace)

    def register(self, cancel: Cancel) -> Cancel:
        """Call ``cancel`` when the run is cancelled; returns the function that unregisters.

        Registering after the cancel has happened cancels at once (a host that was starting).
        """
        with self._lock:
            key = self._next
            self._next += 1
            self._cancels[key] = cancel
            late = self.cancelled
        if late:
            cancel()

        def unregister() -> None:
            with self._lock:
                self._cancels.pop(key, None)

        return unregister

    def cancel_all(self) -> None:
        """Cancel every registered host (called from the collecting thread, not a handler)."""
        with self._lock:
            self.cancelled = True
            cancels = list(self._cancels.values())
            self._cancels.clear()
        for cancel in cancels:
            with contextlib.suppress(Exception):  # a failed close must not stop the others
                cancel()
