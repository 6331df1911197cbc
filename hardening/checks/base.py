"""What a check kind is: Params, the facts it needs, and a pure evaluate() -> Outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status


class ParamError(ValueError):
    """A check parameter is invalid; ``field`` names it (the catalogue adds file and control)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Outcome:
    """What a kind decided. ``missing`` set means the fact was absent: the control's
    ``when_missing`` turns it into SKIP or FAIL (or ERROR when we could not look)."""

    status: Status
    observed: str = ""
    expected: str = ""
    source: str = ""
    reason: str = ""
    details: tuple[str, ...] = ()
    missing: Absent | None = None

    @classmethod
    def absent(cls, fact: Absent, *, expected: str = "", source: str = "") -> Outcome:
        """The fact the check needs is not there."""
        status = Status.ERROR if fact.is_error else Status.SKIP
        return cls(
            status,
            observed="absent",
            expected=expected,
            source=source,
            reason=fact.reason,
            missing=fact,
        )


@dataclass(frozen=True)
class CheckKind:
    """A registered check kind. ``evaluate`` is pure: no I/O, no clock, no environment."""

    name: str
    params: type
    needs: Callable[[Any], tuple[FactRequest, ...]]
    evaluate: Callable[[Any, Facts], Outcome]
    doc: str


def pass_fail(ok: bool) -> Status:
    """PASS when ``ok``, else FAIL."""
    return Status.PASS if ok else Status.FAIL
