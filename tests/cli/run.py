"""Run ``python -m hardening`` as a user does: a subprocess, through a pipe or a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def hardening(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI with stdout and stderr piped (not a terminal), colour off."""
    return subprocess.run(
        [sys.executable, "-m", "hardening", *args],
        cwd=REPO,
        env={**os.environ, "NO_COLOR": "1", "TERM": "unknown", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def on_terminal(*args: str, columns: int = 160) -> tuple[int, str]:
    """The CLI on a pseudo-terminal of ``columns`` x 50: (exit code, everything it printed)."""
    main, sub = pty.openpty()
    fcntl.ioctl(sub, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    for name in ("NO_COLOR", "COLUMNS", "LINES"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hardening", *args],
        cwd=REPO,
        env=env,
        stdin=sub,
        stdout=sub,
        stderr=sub,
        close_fds=True,
    )
    os.close(sub)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    rc = proc.wait(timeout=300)
    os.close(main)
    return rc, b"".join(chunks).decode("utf-8", "replace")
