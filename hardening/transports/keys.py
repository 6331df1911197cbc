"""Private keys for the SSH transport: loaded once per run, by path, never asked a passphrase."""

from __future__ import annotations

import os
import threading

import paramiko

from hardening.errors import AuthError


class KeyCache:
    """Private keys loaded once per run, by path; shared by the hosts of one run."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, int, int], paramiko.PKey] = {}
        self._lock = threading.Lock()

    def load(self, path: str, label: str) -> paramiko.PKey:
        """The key at ``path``; an AuthError naming the file if it cannot be used."""
        try:
            info = os.stat(path)
        except OSError as exc:
            raise AuthError(
                f"{label}: key file '{path}' cannot be read: {exc.strerror}",
                "check ansible_ssh_private_key_file",
            ) from None
        ident = (path, info.st_mtime_ns, info.st_size)
        with self._lock:
            if ident not in self._keys:
                self._keys[ident] = _read_key(path, label)
            return self._keys[ident]


def _read_key(path: str, label: str) -> paramiko.PKey:
    try:
        return paramiko.PKey.from_path(path)
    except paramiko.PasswordRequiredException:
        raise AuthError(
            f"{label}: key file '{path}' is protected by a passphrase",
            "load it into ssh-agent with ssh-add; passphrases are never asked for",
        ) from None
    except (paramiko.SSHException, OSError, ValueError) as exc:
        raise AuthError(
            f"{label}: key file '{path}' is not a usable private key: {exc}",
            "check ansible_ssh_private_key_file",
        ) from None
