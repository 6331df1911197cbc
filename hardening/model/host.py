"""A host to audit, with every connection setting its transport needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hardening.model.control import Role


@dataclass(frozen=True)
class JumpHost:
    """A bastion reached first; the target is then reached through a direct-tcpip channel."""

    address: str
    port: int = 22
    user: str | None = None
    key_file: str | None = None


@dataclass(frozen=True)
class Host:
    """A node: its name, how to reach it and the roles it holds.

    ``vars`` holds the inventory variables that controls may read (layout overrides,
    ``sandbox_required``, cloud ids); never credentials. ``known_hosts`` is the file the
    inventory names (``-o UserKnownHostsFile=``); ``--known-hosts`` overrides it.
    ``role_sources`` says where each of ``roles`` came from (``inventory group etcd``,
    ``inventory variable hardening_roles``, ``--role``), for the evidence.
    """

    name: str
    address: str = ""
    port: int = 22
    user: str | None = None
    key_file: str | None = None
    become: bool = False
    become_user: str = "root"
    jump: JumpHost | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    groups: tuple[str, ...] = ()
    transport: str = "ssh"
    known_hosts: str | None = None
    vars: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    role_sources: tuple[tuple[Role, str], ...] = ()

    def role_source(self, role: Role) -> str:
        """Where the inventory gave this host ``role`` (``inventory`` when not recorded)."""
        return next((src for r, src in self.role_sources if r is role), "inventory")

    @property
    def label(self) -> str:
        """``name (address:port)`` for messages."""
        if self.transport != "ssh":
            return self.name
        return f"{self.name} ({self.address}:{self.port})"
