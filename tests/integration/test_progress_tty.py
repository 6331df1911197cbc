"""On a terminal the audit shows a progress bar on stderr; off a terminal nothing animates."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run_on_pty(*args: str, no_color: bool = False) -> str:
    main, sub = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    if no_color:
        env["NO_COLOR"] = "1"
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
    proc.wait(timeout=300)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal() -> None:
    out = _run_on_pty("audit", "--local", "-b", "node-os")
    assert "auditing" in out  # the bar's label, drawn while the probe runs
    assert "\x1b[" in out  # a real terminal gets colour and cursor control
    assert "fleet score" in out


def test_no_color_on_a_terminal_drops_bold_and_dim_too() -> None:
    out = _run_on_pty("audit", "--local", "-b", "node-os", no_color=True)
    assert "fleet score" in out and "auditing" in out
    assert re.findall(r"\x1b\[[0-9;]*m", out) == []  # no SGR: no colour, bold, dim, italic
    plain = _run_on_pty("audit", "--local", "-b", "node-os")
    assert re.search(r"\x1b\[(?:[0-9;]*;)?1[;m]", plain)  # without NO_COLOR: bold is there


def test_no_progress_bar_off_a_terminal() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hardening", "audit", "--local", "-b", "node-os"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "auditing" not in proc.stderr and "\x1b[" not in proc.stdout + proc.stderr
    assert "fleet score" in proc.stdout
