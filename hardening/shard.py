"""Deterministic shards of an inventory: ``--shard K/N`` audits a stable slice of the hosts.

A host belongs to shard ``K`` of ``N`` (1-based) when ``sha256(name) mod N == K - 1``. The
slice depends only on the host's inventory name and ``N``: not on inventory order, on the
other hosts, on the Python version or on the machine. So N jobs (a CI matrix, AWX slices)
each given the same inventory and ``--shard K/N`` for K = 1..N audit every host exactly once,
and ``hardening merge`` joins their run documents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from hardening.errors import UsageError
from hardening.model.host import Host


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"K/N"`` -> Shard; anything else is a UsageError."""
    k, sep, n = text.partition("/")
    if not sep or not k.strip().isdigit() or not n.strip().isdigit():
        raise UsageError(f"--shard {text!r}: not of the form K/N", "write e.g. --shard 2/8")
    shard = Shard(int(k), int(n))
    if shard.count < 1 or not 1 <= shard.index <= shard.count:
        raise UsageError(
            f"--shard {text}: K must be between 1 and N (N at least 1)",
            "write e.g. --shard 1/4 .. 4/4",
        )
    return shard


def shard_of(name: str, count: int) -> int:
    """The 1-based shard a host name falls in, out of ``count``."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest, "big") % count + 1


def select(hosts: Iterable[Host], shard: Shard) -> tuple[Host, ...]:
    """The hosts of one shard, in their inventory order."""
    return tuple(h for h in hosts if shard_of(h.name, shard.count) == shard.index)
