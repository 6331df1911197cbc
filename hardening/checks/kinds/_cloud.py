"""Shared by the cloud kinds: take one cloud fact, or the Outcome that says why there is none."""

from __future__ import annotations

from typing import Any

from hardening.checks.base import Outcome
from hardening.model.facts import Absent, Facts
from hardening.model.result import Status

HOW = "audit with --cloud-facts DIR, --aws or --alibaba"


def cloud_fact(facts: Facts, key: str, what: str) -> tuple[Any, Outcome | None]:
    """``(fact, None)``, or ``(None, outcome)`` when the cloud source failed or has no ``key``."""
    if facts.cloud.get("error"):
        return None, Outcome(Status.ERROR, reason=f"cloud facts: {facts.cloud['error']}")
    value = facts.cloud.get(key)
    if value is None:
        reason = facts.cloud.get("missing", {}).get(key) or f"no {what} for this node; {HOW}"
        return None, Outcome.absent(Absent(reason))
    return value, None
