"""TRANSPORTS: name -> "module:Class", imported lazily (``--local`` never loads paramiko).

Each class is built as ``Class(host, settings, scope)``: its own typed settings (a field
of :class:`TransportSettings` named like the registry key) and the run's shared scope.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from hardening.errors import UsageError
from hardening.model.host import Host
from hardening.transports.base import RunScope, Transport
from hardening.transports.settings import TransportSettings

TRANSPORTS: dict[str, str] = {
    "local": "hardening.transports.local:LocalTransport",
    "ssh": "hardening.transports.ssh:SshTransport",
}


def transport_for(
    host: Host, settings: TransportSettings | None = None, scope: RunScope | None = None
) -> Transport:
    """Instantiate the transport named by ``host.transport`` for ``host``."""
    target = TRANSPORTS.get(host.transport)
    if target is None:
        raise UsageError(
            f"{host.name}: unknown transport '{host.transport}'",
            f"use one of: {', '.join(sorted(TRANSPORTS))}",
        )
    module, _, cls = target.partition(":")
    factory: Callable[..., Transport] = getattr(importlib.import_module(module), cls)
    chosen = (settings or TransportSettings()).for_transport(host.transport)
    return factory(host, chosen, scope or RunScope())
