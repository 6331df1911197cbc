"""A real SSH server (paramiko, on loopback) that authenticates any key and then never
answers the exec request: the hostile server of issue 16 that once hung an audit for 600 s.

It is a ServerInterface whose ``check_channel_exec_request`` blocks until the server is
closed, so the reply to the exec request never leaves; ``exec_seen`` is set when a client
got that far (tests wait on it instead of sleeping).
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from types import TracebackType

import paramiko


class _Mute(paramiko.ServerInterface):
    def __init__(self, server: MuteExecServer) -> None:
        self.server = server

    def get_allowed_auths(self, username: str) -> str:
        return "publickey"

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        self.server.exec_seen.set()
        self.server.closed.wait()  # never answer while the server is up
        return False


class MuteExecServer:
    """``with MuteExecServer() as s:`` listens on ``127.0.0.1:s.port`` until the block ends."""

    def __init__(self) -> None:
        self.key = paramiko.RSAKey.generate(2048)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.exec_seen = threading.Event()
        self.closed = threading.Event()
        self._transports: list[paramiko.Transport] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def known_hosts_line(self) -> str:
        """The line a known_hosts file needs to trust this server."""
        return f"[127.0.0.1]:{self.port} {self.key.get_name()} {self.key.get_base64()}\n"

    def trust(self, known_hosts: Path) -> None:
        """Append this server's key to ``known_hosts``."""
        with known_hosts.open("a", encoding="ascii") as fh:
            fh.write(self.known_hosts_line())

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.key)
            self._transports.append(transport)
            try:
                transport.start_server(server=_Mute(self))
            except (paramiko.SSHException, EOFError, OSError):
                continue

    def __enter__(self) -> MuteExecServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.closed.set()
        self.listener.close()
        for transport in self._transports:
            transport.close()
