"""Hosts that cannot be audited give one short note each, never a library's tracebacks.

Loopback only: a port nobody listens on, a TCP server that closes at once and one that
answers in HTTP instead of SSH. paramiko logs each failed handshake with its traceback;
without ``--debug`` stderr holds only our own lines, on a pipe and on a terminal.
"""

from __future__ import annotations

import contextlib
import os
import pty
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli_run import ENV, REPO, hardening

LIBRARY_NOISE = ("Traceback", "paramiko", "Exception (client)", "protocol banner[")


class Server:
    """A loopback TCP server that closes every connection, after ``reply`` if given."""

    def __init__(self, reply: bytes) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            with conn, contextlib.suppress(OSError):
                conn.sendall(self.reply)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def inventory(tmp_path: Path) -> Iterator[Path]:
    closes, garbage = Server(b""), Server(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 20)
    hosts = {
        "refused": free_port(),
        "closes": closes.port,
        "garbage": garbage.port,
    }
    lines = ["all:", "  vars:", "    ansible_user: auditor", "  hosts:"]
    lines += [f"    {n}: {{ansible_host: 127.0.0.1, ansible_port: {p}}}" for n, p in hosts.items()]
    path = tmp_path / "inv.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    yield path
    closes.sock.close()
    garbage.sock.close()


def audit_args(inventory: Path, tmp_path: Path) -> list[str]:
    return [
        "audit",
        "-i",
        str(inventory),
        "-b",
        "node-os",
        "--connect-timeout",
        "5",
        "--known-hosts",
        str(tmp_path / "known_hosts"),
    ]


def test_unreachable_hosts_leave_a_short_stderr(inventory: Path, tmp_path: Path) -> None:
    proc = hardening(*audit_args(inventory, tmp_path))
    assert proc.returncode == 3
    assert not any(n in proc.stderr for n in LIBRARY_NOISE), proc.stderr
    assert len(proc.stderr.splitlines()) <= 3, proc.stderr
    for host in ("refused", "closes", "garbage"):  # each has its one note in the summary
        assert f"{host} (127.0.0.1:" in proc.stdout
    assert "SSH handshake failed" in proc.stdout and "cannot connect" in proc.stdout


def test_on_a_terminal_each_host_is_one_error_line(inventory: Path, tmp_path: Path) -> None:
    main, sub = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hardening", *audit_args(inventory, tmp_path)],
        cwd=REPO,
        env={**ENV, "TERM": "xterm-256color"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=sub,
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
    os.close(main)
    out, _ = proc.communicate(timeout=300)
    err = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 3, out
    assert not any(n in err for n in LIBRARY_NOISE), err
    assert err.count("ERROR ") == 3  # the progress bar's one line per host


def test_debug_after_the_subcommand_shows_the_library_log(inventory: Path, tmp_path: Path) -> None:
    proc = hardening(*audit_args(inventory, tmp_path), "-l", "garbage", "--debug")
    assert proc.returncode == 3
    assert "paramiko" in proc.stderr
