"""Shared by the cloud kinds: take one cloud fact, or the Outcome that says why there is none."""

from __future__ import annotations

from typing import TypeVar

from hardening.checks.base import Outcome
from hardening.model.facts import Absent, Facts, Request

F = TypeVar("F")


def cloud_fact(facts: Facts, request: Request[F]) -> F | Outcome:
    """The fact, or the Outcome of its absence: ERROR when the cloud source failed, else
    SKIP (FAIL under ``when_missing: fail``) with the reason."""
    got = facts.get(request)
    return Outcome.absent(got) if isinstance(got, Absent) else got
