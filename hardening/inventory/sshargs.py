"""What an inventory's ``ansible_ssh_common_args`` says about jump hosts and known_hosts.

Only the options that change where we connect or which host keys we trust are read:
``-J``/``ProxyJump`` and ``UserKnownHostsFile``. ``ProxyCommand`` is refused rather than
ignored, since ignoring it would connect straight to the target behind the user's back.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hardening.errors import InventoryError
from hardening.model.host import JumpHost


@dataclass(frozen=True)
class SshArgs:
    """The parts of ``ansible_ssh_common_args`` we honour."""

    jump: str | None = None
    known_hosts: str | None = None


def _options(words: list[str]) -> list[tuple[str, str]]:
    """``-o K=V``, ``-oK=V``, ``-o "K V"`` and ``-J X`` as (lower-case key, value) pairs."""
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        value: str | None = None
        if word in ("-o", "-J") and i + 1 < len(words):
            value, i = words[i + 1], i + 1
        elif word.startswith(("-o", "-J")) and len(word) > 2:
            value = word[2:]
        if value is not None:
            if word.startswith("-J"):
                pairs.append(("proxyjump", value))
            else:
                key, _, rest = value.replace("=", " ", 1).partition(" ")
                pairs.append((key.strip().lower(), rest.strip()))
        i += 1
    return pairs


def parse_ssh_args(text: str, where: str) -> SshArgs:
    """Read the jump host and known_hosts file out of an ssh argument string."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise InventoryError(
            f"{where}: cannot split ansible_ssh_common_args: {exc}", "check its quoting"
        ) from None
    jump: str | None = None
    known: str | None = None
    for key, value in _options(words):
        if key == "proxyjump":
            jump = None if value.lower() == "none" else value
        elif key == "userknownhostsfile":
            known = value.split()[0] if value.split() else None
        elif key == "proxycommand" and value.lower() != "none":
            raise InventoryError(
                f"{where}: ProxyCommand is not supported",
                "use -J/ProxyJump or the hardening_jump_host variable",
            )
    return SshArgs(jump, known)


def parse_jump(
    spec: object, where: str, key_file: str | None, default_user: str | None
) -> JumpHost:
    """``[user@]host[:port]`` or a mapping ``{address, port, user, key_file}`` -> JumpHost.

    The jump host uses the target's key and user unless it names its own, as an ssh_config
    with one IdentityFile would.
    """
    if isinstance(spec, Mapping):
        return _jump_from_mapping(spec, where, key_file, default_user)
    text = str(spec).strip()
    if "," in text:
        raise InventoryError(
            f"{where}: chained jump hosts '{text}' are not supported", "use a single bastion"
        )
    user, at, rest = text.rpartition("@")
    if not at:
        user, rest = "", text
    host, port = _split_host_port(rest, where)
    return JumpHost(host, port, user or default_user, key_file)


def _jump_from_mapping(
    spec: Mapping[str, Any], where: str, key_file: str | None, default_user: str | None
) -> JumpHost:
    if "address" not in spec:
        raise InventoryError(
            f"{where}: jump host mapping has no 'address'",
            "give address (and optionally port, user, key_file)",
        )
    return JumpHost(
        str(spec["address"]),
        port_number(spec.get("port", 22), where),
        str(spec["user"]) if spec.get("user") else default_user,
        str(spec["key_file"]) if spec.get("key_file") else key_file,
    )


def _split_host_port(text: str, where: str) -> tuple[str, int]:
    if text.startswith("["):
        host, _, tail = text[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else "22"
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, "22"
    if not host:
        raise InventoryError(
            f"{where}: jump host '{text}' has no host name", "write it as [user@]host[:port]"
        )
    return host, port_number(port, where)


def port_number(value: object, where: str) -> int:
    try:
        port = int(str(value))
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise InventoryError(
            f"{where}: port '{value}' is not a TCP port", "use a number from 1 to 65535"
        )
    return port
