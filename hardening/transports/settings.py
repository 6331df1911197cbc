"""Typed settings of each transport, importable without the transport (no paramiko here).

``TransportSettings`` holds one field per entry of ``TRANSPORTS`` (a contract test checks
that they match), so a transport is given its own settings and nobody else's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LocalSettings:
    """The local transport has no settings of its own (the probe's timeout is collect's)."""

    def record(self) -> dict[str, Any]:
        """What the run document records (nothing)."""
        return {}


@dataclass(frozen=True)
class SshSettings:
    """The SSH transport's settings from the command line.

    ``known_hosts`` overrides the inventory's file (which overrides ~/.ssh/known_hosts);
    ``accept_new`` records unknown host keys (a changed key is always refused);
    ``connect_timeout`` bounds each step before the probe runs (TCP, handshake, auth,
    channel, the exec request).
    """

    known_hosts: str | None = None
    accept_new: bool = False
    connect_timeout: float = 10.0
    use_agent: bool = True

    def record(self) -> dict[str, Any]:
        """What the run document records under ``options["ssh"]``."""
        return asdict(self)


@dataclass(frozen=True)
class TransportSettings:
    """The settings of every transport of one run, by transport name."""

    local: LocalSettings = field(default_factory=LocalSettings)
    ssh: SshSettings = field(default_factory=SshSettings)

    def for_transport(self, name: str) -> Any:
        """The settings object of transport ``name``."""
        return getattr(self, name)
