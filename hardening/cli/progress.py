"""A rich progress bar on stderr, fed by collect's progress callback (TTY only)."""

from __future__ import annotations

import os
import sys
import threading
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text


class HostProgress:
    """Context manager yielding a ``(host, event, detail)`` callback."""

    def __init__(self, total: int, *, enabled: bool | None = None) -> None:
        plain = bool(os.environ.get("NO_COLOR"))  # no colour, bold or dim (as stdout_console)
        self.console = Console(file=sys.stderr, color_system=None if plain else "auto")
        self.enabled = self.console.is_terminal if enabled is None else enabled
        self._lock = threading.Lock()
        self._bar = Progress(
            TextColumn("[bold]auditing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self._task = self._bar.add_task("", total=total)
        self.errors: list[str] = []
        self._running: list[str] = []

    def __enter__(self) -> HostProgress:
        if self.enabled:
            self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.enabled:
            self._bar.stop()

    def __call__(self, host: str, event: str, detail: str) -> None:
        """Record one event of one host."""
        with self._lock:
            if event == "start":
                self._running.append(host)
            elif event in ("done", "error"):
                if host in self._running:
                    self._running.remove(host)
                self._bar.advance(self._task)
                if event == "error":
                    # the detail names the host already ("name (addr:port): ...")
                    line = detail if detail.startswith(host) else f"{host}: {detail}"
                    self.errors.append(line)
                    if self.enabled:
                        self._bar.console.print(Text(f"ERROR {line}", style="magenta"))
            self._bar.update(self._task, description=self._describe())

    def _describe(self) -> str:
        """The hosts still in flight, so a slow or hanging host is visible by name."""
        if not self._running:
            return ""
        shown = ", ".join(self._running[:3])
        more = f" +{len(self._running) - 3}" if len(self._running) > 3 else ""
        return f"waiting for {shown}{more}"
