"""``sshd -T`` answered from an image's ``/etc/ssh/sshd_config``, for the settings that
need no running daemon: global keywords only (a ``Match`` block ends them), ``Include``
with globs relative to ``/etc/ssh``, and the first value of a keyword wins, as in sshd.
Keywords not set print OpenSSH 9.x's compiled-in default for the ones the baseline checks
(an older sshd in the image may differ: its defaults are not read from the binary).
"""

from __future__ import annotations

import re

from hardening.sources.rootfs import Tree, clean

CONFIG = "/etc/ssh/sshd_config"
COMMAND = re.compile(r"^\s*(/usr/sbin/)?sshd\s+-T\s*(2>\s*/dev/null)?\s*$")
DEFAULTS = {
    "permitrootlogin": "prohibit-password",
    "passwordauthentication": "yes",
    "pubkeyauthentication": "yes",
    "permitemptypasswords": "no",
    "x11forwarding": "no",
    "maxauthtries": "6",
    "ignorerhosts": "yes",
    "hostbasedauthentication": "no",
    # OpenSSH 9.x compiled-in algorithm lists (sshd -T prints them when none is set)
    "ciphers": "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com",
    "macs": "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
    "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
    "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
    "kexalgorithms": "sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
    "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,"
    "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
    "diffie-hellman-group14-sha256",
}
MAX_DEPTH = 8


def is_sshd_dump(script: str) -> bool:
    """Whether an audit command is the plain ``sshd -T`` this module can answer."""
    return COMMAND.match(script) is not None


def _read(tree: Tree, path: str, settings: dict[str, str], depth: int) -> None:
    text = tree.text(path)
    if text is None or depth > MAX_DEPTH:
        return
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = re.split(r"[\s=]+", line, maxsplit=1)
        key = parts[0].lower()
        value = parts[1].strip() if len(parts) > 1 else ""
        if key == "match":
            if value.lower() != "all":
                return
            continue
        if key == "include":
            for pattern in value.split():
                full = pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"
                matches = tree.glob(full) if any(c in full for c in "*?[") else [clean(full)]
                for inc in matches:
                    _read(tree, inc, settings, depth + 1)
            continue
        settings.setdefault(key, value)


def dump(tree: Tree) -> bytes | None:
    """``sshd -T``-style output (``keyword value`` lines), or None without sshd_config."""
    if tree.text(CONFIG) is None:
        return None
    settings: dict[str, str] = {}
    _read(tree, CONFIG, settings, 0)
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    lines = [f"{k} {v.lower() if k in DEFAULTS else v}" for k, v in sorted(settings.items())]
    return ("\n".join(lines) + "\n").encode()
