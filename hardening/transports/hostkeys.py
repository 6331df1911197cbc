"""known_hosts policy: strict by default, accept-new on request, a changed key always refused.

The file is read with its line numbers (so a mismatch can name the line to remove), with
OpenSSH's host patterns: plain names, ``[host]:port``, ``*``/``?`` wildcards, ``!`` negation
and hashed ``|1|salt|hash`` entries. ``@revoked`` keys are refused; ``@cert-authority``
lines are skipped (we do not do host certificates). Keys recorded under accept-new are
written hashed, as OpenSSH's ``HashKnownHosts yes`` does, so the file does not list the fleet.
"""

from __future__ import annotations

import base64
import fcntl
import functools
import hashlib
import hmac
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from hardening.errors import HostKeyError

RSA_ALGORITHMS = ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")


@dataclass(frozen=True)
class KnownKey:
    """One usable known_hosts line."""

    line: int
    patterns: tuple[str, ...]
    key_type: str
    blob: str
    revoked: bool = False


def host_entry(address: str, port: int) -> str:
    """The name known_hosts uses: ``address`` on port 22, else ``[address]:port``."""
    return address if port == 22 else f"[{address}]:{port}"


def hashed_name(name: str, salt: bytes | None = None) -> str:
    """OpenSSH's hashed host name: ``|1|base64(salt)|base64(HMAC-SHA1(salt, name))``."""
    salt = os.urandom(20) if salt is None else salt
    mac = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(mac).decode()}"


def _hashed_match(pattern: str, name: str) -> bool:
    try:
        _, _, salt, digest = pattern.split("|", 3)
        mac = hmac.new(base64.b64decode(salt), name.encode(), hashlib.sha1).digest()
        return hmac.compare_digest(base64.b64encode(mac).decode(), digest)
    except (ValueError, TypeError):
        return False


@functools.lru_cache(maxsize=4096)
def _wild_regex(pattern: str) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, flags=re.IGNORECASE)


def _wild_match(pattern: str, name: str) -> bool:
    """OpenSSH wildcards: only ``*`` and ``?`` are special (``[host]:port`` is literal).
    A pattern without them is a case-insensitive comparison; a wildcard pattern is compiled
    once (a fleet's known_hosts has a line per host, looked up once per host)."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == name.lower()
    return _wild_regex(pattern).fullmatch(name) is not None


def matches(patterns: tuple[str, ...], name: str) -> bool:
    """OpenSSH host-pattern matching: any positive pattern matches and no negated one does."""
    hit = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        found = _hashed_match(body, name) if body.startswith("|1|") else _wild_match(body, name)
        if found and negated:
            return False
        hit = hit or found
    return hit


def parse(text: str) -> list[KnownKey]:
    """Every host-key line of a known_hosts file; comments and malformed lines are skipped."""
    keys: list[KnownKey] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if not fields or fields[0].startswith("#"):
            continue
        marker = fields.pop(0) if fields[0].startswith("@") else ""
        if marker == "@cert-authority" or len(fields) < 3:
            continue
        keys.append(
            KnownKey(
                number, tuple(fields[0].split(",")), fields[1], fields[2], marker == "@revoked"
            )
        )
    return keys


def _same_family(known: str, offered: str) -> bool:
    return known == offered or (known in RSA_ALGORITHMS and offered in RSA_ALGORITHMS)


def _unreadable(path: Path, exc: OSError) -> HostKeyError:
    return HostKeyError(
        f"{path}: cannot read known_hosts: {exc.strerror}", "check the file's permissions"
    )


def _plain(pattern: str) -> bool:
    return not pattern.startswith(("!", "|")) and "*" not in pattern and "?" not in pattern


class _Index:
    """A parsed known_hosts: lines whose patterns are all plain names, by lower-cased name;
    the others (wildcards, negations, hashed names) matched one by one."""

    def __init__(self, keys: list[KnownKey]) -> None:
        self.by_name: dict[str, list[KnownKey]] = {}
        self.others: list[KnownKey] = []
        for key in keys:
            if all(_plain(p) for p in key.patterns):
                for name in dict.fromkeys(p.lower() for p in key.patterns):
                    self.by_name.setdefault(name, []).append(key)
            else:
                self.others.append(key)

    def lookup(self, name: str) -> list[KnownKey]:
        """The lines that name ``name``, in file order."""
        found = self.by_name.get(name.lower(), []) + [
            k for k in self.others if matches(k.patterns, name)
        ]
        return sorted(found, key=lambda k: k.line)


_CACHE: dict[str, tuple[str, _Index]] = {}  # path -> (its text, the index of that text)
_CACHE_LOCK = threading.Lock()


def _index(path: Path) -> _Index:
    """The index of ``path`` as it reads now: read every time (cheap), parsed only when the
    text differs from the last one parsed."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return _Index([])
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with _CACHE_LOCK:
        cached = _CACHE.get(str(path))
    if cached is not None and cached[0] == text:
        return cached[1]
    built = _Index(parse(text))
    with _CACHE_LOCK:
        _CACHE[str(path)] = (text, built)
    return built


class KnownHosts:
    """One known_hosts file and the verification policy applied to it."""

    def __init__(self, path: str | os.PathLike[str], accept_new: bool = False) -> None:
        self.path = Path(path)
        self.accept_new = accept_new

    def entries_for(self, address: str, port: int) -> list[KnownKey]:
        """The lines that name this host. The file is read each time (other hosts may have
        added keys) but parsed only when its text changed: at 1,000 hosts, parsing and
        matching a 1,000-line file twice per host was 72% of the controller's CPU."""
        return _index(self.path).lookup(host_entry(address, port))

    def preferred_types(self, address: str, port: int) -> list[str]:
        """Host-key algorithms to ask for first, so the server shows the key we know."""
        types: list[str] = []
        for key in self.entries_for(address, port):
            wanted = list(RSA_ALGORITHMS) if key.key_type in RSA_ALGORITHMS else [key.key_type]
            types += [t for t in wanted if t not in types]
        return types

    def verify(self, label: str, address: str, port: int, key_type: str, blob: str) -> None:
        """Accept the key if it is known; record it if unknown and accept_new; else refuse."""
        entries = self.entries_for(address, port)
        for entry in entries:
            if entry.blob == blob and entry.revoked:
                raise HostKeyError(
                    f"{label}: host key is revoked in {self.path} line {entry.line}",
                    "the node must get a new host key",
                )
        if any(
            e.blob == blob and _same_family(e.key_type, key_type) and not e.revoked for e in entries
        ):
            return
        known = [e for e in entries if not e.revoked]
        if known:
            raise HostKeyError(
                f"{label}: host key differs from known_hosts line {known[0].line} ({self.path})",
                f"if the node was rebuilt, remove the old key with "
                f"ssh-keygen -R '{host_entry(address, port)}' -f {self.path}",
            )
        if not self.accept_new:
            raise HostKeyError(
                f"{label}: host key ({key_type}) is not in {self.path}",
                "verify it and add it (ssh-keyscan), or re-run with --accept-new-host-keys",
            )
        self.record(address, port, key_type, blob)

    def record(self, address: str, port: int, key_type: str, blob: str) -> None:
        """Append one hashed line, under an exclusive lock (hosts may be accepted at once)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = f"{hashed_name(host_entry(address, port))} {key_type} {blob}\n".encode("ascii")
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            os.write(fd, line)
        finally:
            os.close(fd)
