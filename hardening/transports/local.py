"""Run the probe with this machine's /bin/sh: the ``--local`` audit."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from types import TracebackType

from hardening.errors import CommandTimeout, ConnectError, TransportError
from hardening.model.host import Host
from hardening.transports.base import ProbeOutput, RunScope
from hardening.transports.settings import LocalSettings


class LocalTransport:
    """Runs ``/bin/sh -s`` locally with the script on stdin, output capped."""

    name = "local"

    def __init__(
        self, host: Host, settings: LocalSettings | None = None, scope: RunScope | None = None
    ) -> None:
        self.host = host
        self.settings = settings or LocalSettings()
        self._proc: subprocess.Popen[bytes] | None = None
        self._cancelled = False

    def __enter__(self) -> LocalTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def cancel(self) -> None:
        """Kill the probe's process group (from another thread)."""
        self._cancelled = True
        proc = self._proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)

    def run(self, script: bytes, *, timeout: float, max_output: int) -> ProbeOutput:
        """Run the probe; stdout beyond ``max_output`` is dropped and flagged as truncated."""
        start = time.monotonic()
        try:
            proc = subprocess.Popen(
                ["/bin/sh", "-s"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise ConnectError(
                f"{self.host.name}: cannot start /bin/sh: {exc}",
                "a local audit needs a POSIX shell at /bin/sh",
            ) from exc
        self._proc = proc
        if self._cancelled:
            self.cancel()
        try:
            out, err = proc.communicate(script, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)  # the probe's children too, not just sh
            proc.communicate()
            raise CommandTimeout(
                f"{self.host.name}: probe did not finish within {timeout:g}s",
                "raise --command-timeout if the host is slow",
            ) from exc
        if self._cancelled:
            raise TransportError(
                f"{self.host.name}: probe stopped (the run was interrupted)", "run the audit again"
            )
        truncated = len(out) > max_output
        return ProbeOutput(
            proc.returncode, out[:max_output], err[:65536], truncated, time.monotonic() - start
        )
