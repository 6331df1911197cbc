"""Results of evaluating controls, per host, and the versioned run document.

The run document is the machine format; every report renders it and computes nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

SCHEMA_VERSION = "1"


class Status(StrEnum):
    """The outcome of one control on one host."""

    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"  # manual control, or not decidable from facts: audit by hand
    SKIP = "SKIP"  # not applicable / component absent
    ERROR = "ERROR"  # could not evaluate
    WAIVED = "WAIVED"  # a failure covered by a current waiver
    # outside the run's scope by its profile: a provider-owned control on a managed cluster
    # (hardening/profiles.py); counted apart, never scored
    NOT_APPLICABLE = "NOT_APPLICABLE"


@dataclass(frozen=True)
class Evidence:
    """What was observed, where, and what was expected. This is the audit trail."""

    observed: str = ""
    source: str = ""
    expected: str = ""
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the JSON document."""
        return {
            "observed": self.observed,
            "source": self.source,
            "expected": self.expected,
            "details": list(self.details),
        }


@dataclass(frozen=True)
class Result:
    """One control evaluated on one host."""

    control_id: str
    title: str
    section: str
    level: int
    severity: str
    status: Status
    evidence: Evidence
    reason: str = ""
    remediation: str = ""
    playbook_tag: str | None = None
    automated: bool = True
    waiver: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the JSON document."""
        return {
            "id": self.control_id,
            "title": self.title,
            "section": self.section,
            "level": self.level,
            "severity": self.severity,
            "automated": self.automated,
            "status": self.status.value,
            "reason": self.reason,
            "evidence": self.evidence.to_dict(),
            "remediation": self.remediation,
            "playbook_tag": self.playbook_tag,
            "waiver": self.waiver,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        """Inverse of :meth:`to_dict`."""
        ev = d.get("evidence") or {}
        return cls(
            control_id=d["id"],
            title=d["title"],
            section=d["section"],
            level=int(d["level"]),
            severity=d["severity"],
            status=Status(d["status"]),
            evidence=Evidence(
                observed=ev.get("observed", ""),
                source=ev.get("source", ""),
                expected=ev.get("expected", ""),
                details=tuple(ev.get("details", ())),
            ),
            reason=d.get("reason", ""),
            remediation=d.get("remediation", ""),
            playbook_tag=d.get("playbook_tag"),
            automated=bool(d.get("automated", True)),
            waiver=d.get("waiver"),
        )


@dataclass(frozen=True)
class Score:
    """A severity-weighted score: ``percent`` is None when nothing was scorable."""

    percent: float | None
    passed_weight: float
    total_weight: float
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the JSON document."""
        return {
            "percent": self.percent,
            "passed_weight": self.passed_weight,
            "total_weight": self.total_weight,
            "counts": dict(self.counts),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Score:
        """Inverse of :meth:`to_dict`."""
        return cls(d.get("percent"), d["passed_weight"], d["total_weight"], dict(d["counts"]))


@dataclass(frozen=True)
class HostRun:
    """All results of one host, or the error that kept it from being audited."""

    name: str
    address: str
    roles: tuple[str, ...]
    results: tuple[Result, ...]
    score: Score
    error: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    sections: dict[str, Score] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the JSON document."""
        return {
            "name": self.name,
            "address": self.address,
            "roles": list(self.roles),
            "error": self.error,
            "meta": dict(self.meta),
            "score": self.score.to_dict(),
            "sections": {k: v.to_dict() for k, v in self.sections.items()},
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HostRun:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=d["name"],
            address=d.get("address", ""),
            roles=tuple(d.get("roles", ())),
            results=tuple(Result.from_dict(r) for r in d.get("results", ())),
            score=Score.from_dict(d["score"]),
            error=d.get("error"),
            meta=dict(d.get("meta", {})),
            sections={k: Score.from_dict(v) for k, v in d.get("sections", {}).items()},
        )


@dataclass(frozen=True)
class Coverage:
    """How much of what the run was asked to audit it actually audited.

    Hosts: targets reached of listed (the cluster, when a run reads one, is a target too).
    Checks (one per host x selected control): ``evaluated`` were
    decided by the tool (PASS, FAIL, WAIVED); ``errors`` could not be evaluated on a reached
    host; ``unreachable`` belong to hosts never reached; ``not_applicable`` (SKIP) and
    ``manual`` (WARN: a person decides) are counted apart and left out of ``percent``:
    ``100 * evaluated / (evaluated + errors + unreachable)``; so is ``provider_owned``
    (NOT_APPLICABLE: the managed profile's provider-owned controls). ``degraded`` when a listed host
    was not reached or ``percent`` is below 100: a green gate must not hide that.
    """

    hosts_listed: int
    hosts_reached: int
    unreached: tuple[str, ...]
    selected: int
    evaluated: int
    errors: int
    unreachable: int
    not_applicable: int
    manual: int
    provider_owned: int = 0

    @classmethod
    def of(cls, hosts: tuple[HostRun, ...]) -> Coverage:
        """Count the coverage of these host runs."""
        counts = {s: 0 for s in Status}
        unreachable = 0
        for h in hosts:
            if h.error:
                unreachable += len(h.results)
                continue
            for r in h.results:
                counts[r.status] += 1
        return cls(
            hosts_listed=len(hosts),
            hosts_reached=sum(1 for h in hosts if not h.error),
            unreached=tuple(h.name for h in hosts if h.error),
            selected=sum(len(h.results) for h in hosts),
            evaluated=counts[Status.PASS] + counts[Status.FAIL] + counts[Status.WAIVED],
            errors=counts[Status.ERROR],
            unreachable=unreachable,
            not_applicable=counts[Status.SKIP],
            manual=counts[Status.WARN],
            provider_owned=counts[Status.NOT_APPLICABLE],
        )

    @property
    def percent(self) -> float | None:
        """Evaluated share of the checks the tool should have decided; None if there were none."""
        due = self.evaluated + self.errors + self.unreachable
        return round(100.0 * self.evaluated / due, 1) if due else None

    @property
    def degraded(self) -> bool:
        """True when any listed host or any due check was not audited."""
        return (
            self.hosts_reached < self.hosts_listed
            or self.hosts_listed == 0
            or self.errors + self.unreachable > 0
        )

    def summary(self) -> str:
        """One line: ``coverage 97.5%: 2 of 3 hosts reached, 117 of 120 checks evaluated ...``."""
        pct = "n/a" if self.percent is None else f"{self.percent:.1f}%"
        due = self.evaluated + self.errors + self.unreachable
        text = (
            f"coverage {pct}: {self.hosts_reached} of {self.hosts_listed} host(s) reached, "
            f"{self.evaluated} of {due} check(s) evaluated ({self.errors} error, "
            f"{self.unreachable} on unreached hosts; {self.not_applicable} not applicable "
            f"and {self.manual} manual counted apart"
            + (
                f"; {self.provider_owned} provider-owned NOT_APPLICABLE (managed profile)"
                if self.provider_owned
                else ""
            )
            + ")"
        )
        return text + (" DEGRADED" if self.degraded else "")

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the JSON document (``coverage`` in run-v1.json)."""
        return {
            "hosts_listed": self.hosts_listed,
            "hosts_reached": self.hosts_reached,
            "unreached": list(self.unreached),
            "selected": self.selected,
            "evaluated": self.evaluated,
            "errors": self.errors,
            "unreachable": self.unreachable,
            "not_applicable": self.not_applicable,
            "manual": self.manual,
            "provider_owned": self.provider_owned,
            "percent": self.percent,
            "degraded": self.degraded,
        }


@dataclass(frozen=True)
class RunDocument:
    """A whole audit run: metadata, hosts, and the fleet score."""

    tool_version: str
    benchmark: str
    started: str
    finished: str
    hosts: tuple[HostRun, ...]
    score: Score
    sections: dict[str, Score] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    kind: str = "audit"  # "audit" | "reaudit"
    schema_version: str = SCHEMA_VERSION
    cluster: HostRun | None = None  # the cluster's API objects: a target of its own

    @property
    def targets(self) -> tuple[HostRun, ...]:
        """Every audited target: the hosts, then the cluster when the run had one."""
        return (*self.hosts, self.cluster) if self.cluster is not None else self.hosts

    @cached_property
    def coverage(self) -> Coverage:
        """The scan coverage, counted from every target (the hosts, and the cluster when the
        run read one: it counts as one more target), so a loaded document agrees. Counted
        once per document (the JUnit report asked it once per host: 1,000 passes over
        50,000 results for 1,000 hosts)."""
        return Coverage.of(self.targets)

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping: the JSON result document (schema ``run-v1.json``)."""
        return {
            "schema_version": self.schema_version,
            "kind": self.kind,
            "tool": {"name": "hardening", "version": self.tool_version},
            "benchmark": self.benchmark,
            "started": self.started,
            "finished": self.finished,
            "options": dict(self.options),
            "score": self.score.to_dict(),
            "sections": {k: v.to_dict() for k, v in self.sections.items()},
            "coverage": self.coverage.to_dict(),
            "hosts": [h.to_dict() for h in self.hosts],
            "cluster": self.cluster.to_dict() if self.cluster is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunDocument:
        """Inverse of :meth:`to_dict`."""
        return cls(
            tool_version=d["tool"]["version"],
            benchmark=d["benchmark"],
            started=d["started"],
            finished=d["finished"],
            hosts=tuple(HostRun.from_dict(h) for h in d["hosts"]),
            score=Score.from_dict(d["score"]),
            sections={k: Score.from_dict(v) for k, v in d.get("sections", {}).items()},
            options=dict(d.get("options", {})),
            kind=d.get("kind", "audit"),
            schema_version=d.get("schema_version", SCHEMA_VERSION),
            cluster=HostRun.from_dict(d["cluster"]) if d.get("cluster") else None,
        )
