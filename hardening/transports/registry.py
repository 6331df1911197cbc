"""TRANSPORTS: name -> "module:Class", imported lazily (``--local`` never loads paramiko)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from hardening.errors import UsageError
from hardening.model.host import Host
from hardening.transports.base import Transport

TRANSPORTS: dict[str, str] = {
    "local": "hardening.transports.local:LocalTransport",
    "ssh": "hardening.transports.ssh:SshTransport",
}


def transport_for(host: Host, **options: Any) -> Transport:
    """Instantiate the transport named by ``host.transport`` for ``host``."""
    target = TRANSPORTS.get(host.transport)
    if target is None:
        raise UsageError(
            f"{host.name}: unknown transport '{host.transport}'",
            f"use one of: {', '.join(sorted(TRANSPORTS))}",
        )
    module, _, cls = target.partition(":")
    factory: Callable[..., Transport] = getattr(importlib.import_module(module), cls)
    return factory(host, **options)
