"""Results of evaluating controls, per host, and the versioned run document.

The run document is the machine format; every report renders it and computes nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
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
