"""Build a host's Facts from a small YAML/dict description, keyed by the requests a check needs.

The description's format is documented in hardening/facts/describe.py. Each request is
answered by its own module's ``from_description`` part, found through the registry, so a
new request type gets fixtures by writing that part (tests/unit/facts checks it exists).
"""

from __future__ import annotations

from typing import Any

from hardening.facts.registry import spec_of
from hardening.model.facts import Facts, Request


def fact_for(desc: dict[str, Any], req: Request[Any]) -> object:
    """The fact a node described by ``desc`` would give for ``req``."""
    desc = {k: v for k, v in desc.items() if v is not None}
    result: object = spec_of(req).from_description(req, desc)
    return result


def build_facts(desc: dict[str, Any], requests: tuple[Request[Any], ...]) -> Facts:
    """Facts answering ``requests`` from ``desc``."""
    return Facts(
        "fixture-host",
        {r: fact_for(desc, r) for r in requests},
        meta=desc.get("meta") or {},
    )
