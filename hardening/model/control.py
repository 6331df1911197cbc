"""A catalogue entry after validation: Control and the enums it is made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """Roles a control can target. ``ANY`` matches every node; ``CLUSTER`` controls are
    decided from the cluster's objects, on the run's cluster target only."""

    CONTROL_PLANE = "control-plane"
    ETCD = "etcd"
    WORKER = "worker"
    CLUSTER = "cluster"  # the cluster's API objects (hardening/cluster): no node holds it
    ANY = "any"


class Severity(StrEnum):
    """Severity of a failed control; also its weight in the score (see score.py)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Order from least (0) to most severe (3), for ``--fail-on`` and sorting."""
        return list(Severity).index(self)


@dataclass(frozen=True)
class CheckSpec:
    """The check of an automated control: a registered kind name and its validated params.

    ``params`` is the kind's own frozen Params dataclass instance.
    """

    kind: str
    params: Any
    when_missing: str = "skip"  # "skip" | "fail": what an absent fact means


@dataclass(frozen=True)
class Control:
    """One control of a benchmark, immutable once loaded.

    A manual control has ``check is None`` and is always reported as WARN with its audit text.
    """

    id: str
    title: str
    section: str
    benchmark: str
    level: int
    severity: Severity
    roles: frozenset[Role]
    automated: bool
    check: CheckSpec | None
    description: str = ""
    audit: str = ""
    remediation: str = ""
    playbook_tag: str | None = None
    requires: frozenset[str] = field(default_factory=frozenset)
    source: str = ""  # "path:line" of the definition, for error messages and evidence

    def targets(self, roles: frozenset[Role]) -> bool:
        """Whether this control applies to a node holding ``roles``."""
        return Role.ANY in self.roles or bool(self.roles & roles)
