"""The SSH transport (paramiko): one connection and one exec per host, the probe on stdin.

Host keys are checked against known_hosts (``transports/hostkeys.py``) for the target and for
its jump host; the target is reached through a ``direct-tcpip`` channel of the jump host's
connection. With become, the probe runs under ``sudo -n`` so a password prompt can never
hang the run. Output is read with a cap and a deadline, as bytes.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import select
import shlex
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import paramiko

from hardening.errors import (
    AuthError,
    CommandTimeout,
    ConnectError,
    SudoPasswordRequired,
    TransportError,
)
from hardening.model.host import Host
from hardening.transports.base import ProbeOutput, RunScope
from hardening.transports.hostkeys import KnownHosts
from hardening.transports.keys import KeyCache
from hardening.transports.settings import SshSettings

CHUNK = 1 << 16
STDERR_CAP = 1 << 16
DEFAULT_IDENTITIES = ("id_ed25519", "id_ecdsa", "id_rsa")


def _local_user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


class SshTransport:
    """paramiko transport for one host; use as ``with SshTransport(host, ...) as t: t.run()``.

    Settings are :class:`SshSettings`. Every step runs under a deadline: TCP, handshake and
    authentication each within ``connect_timeout`` (paramiko's own timeouts, and a watchdog
    over the whole connection in case one of them does not fire), the exec request within
    ``connect_timeout`` (paramiko waits for its reply forever), the probe within its
    ``timeout``. The watchdog and ``cancel`` close the connection, which ends any step.
    """

    name = "ssh"

    def __init__(
        self, host: Host, settings: SshSettings | None = None, scope: RunScope | None = None
    ) -> None:
        self.host = host
        self.settings = settings or SshSettings()
        path = (
            self.settings.known_hosts
            or host.known_hosts
            or str(Path.home() / ".ssh" / "known_hosts")
        )
        self.known = KnownHosts(os.path.expanduser(path), accept_new=self.settings.accept_new)
        self.connect_timeout = self.settings.connect_timeout
        self.use_agent = self.settings.use_agent
        self.keys = (scope or RunScope()).get("ssh.keys", KeyCache)
        self._transports: list[paramiko.Transport] = []
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._fault: TransportError | None = None  # set by the watchdog or by cancel

    def __enter__(self) -> SshTransport:
        hops = 2 if self.host.jump is not None else 1
        try:
            with self._watchdog(self.connect_timeout * 3 * hops + 1.0, "connecting"):
                self._connect()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def cancel(self) -> None:
        """Close the connection from another thread: the running step fails at once."""
        self._abort(
            TransportError(
                f"{self.host.label}: stopped (the run was interrupted)",
                "run the audit again for this host",
            )
        )

    def _abort(self, fault: TransportError) -> None:
        with self._lock:
            if self._fault is None:
                self._fault = fault
        self._close()

    @contextlib.contextmanager
    def _watchdog(self, seconds: float, step: str) -> Iterator[None]:
        """Close the connection if ``step`` takes longer than ``seconds``; then raise why."""
        fault = CommandTimeout(
            f"{self.host.label}: {step} got no answer within {seconds:g}s",
            "check the node's sshd (ForceCommand, PAM, MaxSessions); "
            "raise --connect-timeout for slow links",
        )
        timer = threading.Timer(seconds, self._abort, (fault,))
        timer.daemon = True
        timer.start()
        try:
            yield
        except (TransportError, paramiko.SSHException, EOFError, OSError):
            if self._fault is not None:
                raise self._fault from None
            raise
        finally:
            timer.cancel()
        if self._fault is not None:
            raise self._fault

    def _close(self) -> None:
        with self._lock:
            transports, sockets = list(self._transports), list(self._sockets)
            self._transports.clear()
            self._sockets.clear()
        for transport in reversed(transports):
            transport.close()
        for sock in sockets:
            sock.close()

    def _tcp(self, address: str, port: int, label: str) -> socket.socket:
        try:
            sock = socket.create_connection((address, port), timeout=self.connect_timeout)
        except TimeoutError:
            raise ConnectError(
                f"{label}: no answer within {self.connect_timeout:g}s",
                "check the address and that sshd is running; "
                "raise --connect-timeout for slow links",
            ) from None
        except OSError as exc:
            raise ConnectError(
                f"{label}: cannot connect: {exc.strerror or exc}",
                "check the address, port and that sshd is running",
            ) from None
        # Small SSH packets (channel open, exec, exit status) otherwise wait out Nagle's
        # algorithm against the peer's delayed ACK, about 40 ms each; OpenSSH sets it too.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sockets.append(sock)
        if self._fault is not None:
            raise self._fault
        return sock

    def _connect(self) -> None:
        host = self.host
        user = host.user or _local_user()
        jump = host.jump
        if jump is None:
            sock: Any = self._tcp(host.address, host.port, host.label)
        else:
            jlabel = f"{host.name}: jump host {jump.address}:{jump.port}"
            jsock = self._tcp(jump.address, jump.port, jlabel)
            outer = self._session(
                jsock, jump.address, jump.port, jlabel, jump.user or user, jump.key_file
            )
            try:
                sock = outer.open_channel(
                    "direct-tcpip",
                    (host.address, host.port),
                    ("127.0.0.1", 0),
                    timeout=self.connect_timeout,
                )
            except (paramiko.SSHException, OSError) as exc:
                raise ConnectError(
                    f"{jlabel}: cannot open a channel to {host.address}:{host.port}: {exc}",
                    "check that the jump host allows TCP forwarding and can reach the node",
                ) from None
        self._session(sock, host.address, host.port, host.label, user, host.key_file)

    def _session(
        self, sock: Any, address: str, port: int, label: str, user: str, key_file: str | None
    ) -> paramiko.Transport:
        """Handshake, host-key check and authentication on one socket or channel."""
        transport = paramiko.Transport(sock)
        with self._lock:
            self._transports.append(transport)
        transport.banner_timeout = self.connect_timeout
        transport.handshake_timeout = self.connect_timeout
        transport.auth_timeout = self.connect_timeout
        options = transport.get_security_options()
        offered = list(options.key_types)
        prefer = [t for t in self.known.preferred_types(address, port) if t in offered]
        options.key_types = prefer + [t for t in offered if t not in prefer]
        try:
            transport.start_client(timeout=self.connect_timeout)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ConnectError(
                f"{label}: SSH handshake failed: {exc or type(exc).__name__}",
                "check that an SSH server listens there",
            ) from None
        try:
            key = transport.get_remote_server_key()
        except paramiko.SSHException as exc:
            raise ConnectError(
                f"{label}: connection closed after the handshake: {exc}",
                "check the node's sshd log (MaxStartups, network)",
            ) from None
        self.known.verify(label, address, port, key.get_name(), key.get_base64())
        self._authenticate(transport, label, user, key_file)
        return transport

    def _candidates(self, label: str, key_file: str | None) -> list[paramiko.PKey]:
        keys: list[paramiko.PKey] = []
        if key_file:
            keys.append(self.keys.load(key_file, label))
        if self.use_agent:
            agent = paramiko.Agent()
            try:
                keys.extend(agent.get_keys())
            finally:
                agent.close()
        if not keys:
            home = Path.home() / ".ssh"
            keys = [
                self.keys.load(str(home / n), label)
                for n in DEFAULT_IDENTITIES
                if (home / n).is_file()
            ]
        return keys

    def _authenticate(
        self, transport: paramiko.Transport, label: str, user: str, key_file: str | None
    ) -> None:
        keys = self._candidates(label, key_file)
        if not keys:
            raise AuthError(
                f"{label}: no private key to offer for user '{user}'",
                "set ansible_ssh_private_key_file or load a key into ssh-agent",
            )
        for key in keys:
            try:
                transport.auth_publickey(user, key)
            except paramiko.BadAuthenticationType as exc:
                raise AuthError(
                    f"{label}: user '{user}' may not log in with a public key "
                    f"(server allows: {', '.join(exc.allowed_types)})",
                    "enable PubkeyAuthentication for the audit account",
                ) from None
            except paramiko.AuthenticationException:
                continue
            except (paramiko.SSHException, EOFError, OSError) as exc:
                raise ConnectError(
                    f"{label}: connection lost during authentication: {exc}",
                    "check the node's sshd log",
                ) from None
            if transport.is_authenticated():
                return
        raise AuthError(
            f"{label}: user '{user}' was refused with {len(keys)} key(s)",
            "check the user name and that the key is in its authorized_keys",
        )

    def command(self) -> str:
        """The remote command: ``/bin/sh -s``, under ``sudo -n -u USER --`` with become."""
        if not self.host.become:
            return "/bin/sh -s"
        return f"sudo -n -u {shlex.quote(self.host.become_user)} -- /bin/sh -s"

    def run(self, script: bytes, *, timeout: float, max_output: int) -> ProbeOutput:
        """Run the probe in one exec; stdout past ``max_output`` is dropped (truncated)."""
        with self._lock:
            current = self._transports[-1] if self._transports else None
        if current is None:
            raise self._fault or TransportError(
                f"{self.host.label}: not connected", "use the transport as a context manager"
            )
        start = time.monotonic()
        try:
            with self._watchdog(self.connect_timeout, "the exec request"):
                channel = current.open_session(timeout=self.connect_timeout)
                channel.exec_command(self.command())
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ConnectError(
                f"{self.host.label}: cannot start the probe: {exc}",
                "check the node's sshd log (MaxSessions, ForceCommand)",
            ) from None
        try:
            out, err, truncated = _pump(channel, script, start + timeout, max_output)
        except TimeoutError:
            raise CommandTimeout(
                f"{self.host.label}: probe did not finish within {timeout:g}s",
                "raise --command-timeout if the host is slow",
            ) from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise self._fault or ConnectError(
                f"{self.host.label}: connection lost during the probe: {exc}",
                "check the node's sshd log and network",
            ) from None
        finally:
            channel.close()
        if self._fault is not None:
            raise self._fault
        rc = channel.exit_status if channel.exit_status_ready() else -1
        self._check_sudo(rc, out, err)
        return ProbeOutput(rc, out, err, truncated, time.monotonic() - start)

    def _check_sudo(self, rc: int, out: bytes, err: bytes) -> None:
        if not self.host.become or rc == 0 or out.strip():
            return
        user = self.host.user or _local_user()
        if b"password is required" in err or b"terminal is required" in err:
            raise SudoPasswordRequired(
                f"{self.host.label}: sudo needs a password for user '{user}'",
                "grant the audit account NOPASSWD sudo, or connect as root without become",
            )
        if b"not in the sudoers" in err or b"not allowed to" in err:
            raise AuthError(
                f"{self.host.label}: user '{user}' may not run sudo as '{self.host.become_user}'",
                "grant the audit account sudo rights, or set ansible_become false",
            )


def _pump(
    channel: paramiko.Channel, script: bytes, deadline: float, max_output: int
) -> tuple[bytes, bytes, bool]:
    """Feed stdin and drain stdout/stderr together, so neither side's window can deadlock."""
    out, err = bytearray(), bytearray()
    pending = memoryview(script)
    shut = False
    channel.setblocking(False)
    while True:
        busy = False
        if pending and channel.send_ready():
            try:
                sent = channel.send(bytes(pending[:CHUNK]))
            except (OSError, paramiko.SSHException):
                sent = len(pending)  # the remote stopped reading stdin; nothing more to send
            pending, busy = pending[sent:], sent > 0
        if not pending and not shut:
            shut = True
            _try(channel.shutdown_write)
        while channel.recv_ready():
            out += channel.recv(CHUNK)
            busy = True
            if len(out) > max_output:
                return bytes(out[:max_output]), bytes(err), True
        while channel.recv_stderr_ready():
            data = channel.recv_stderr(CHUNK)
            err += data[: max(0, STDERR_CAP - len(err))]
            busy = True
        finished = channel.closed or (channel.eof_received and channel.exit_status_ready())
        if finished and not channel.recv_ready() and not channel.recv_stderr_ready():
            return bytes(out), bytes(err), False
        if time.monotonic() >= deadline:
            raise TimeoutError
        if not busy:
            select.select([channel], [], [], min(0.05, max(0.0, deadline - time.monotonic())))


def _try(action: Any) -> None:
    try:
        action()
    except (OSError, paramiko.SSHException):
        return
