"""The audit object: plan -> a source answers the fact requests -> evaluate -> waivers ->
score -> RunDocument.

Every entry point builds one :class:`Audit` (``audit -i``/``--local``, ``audit --image``,
``evaluate --raw``, remediation's re-audit), so waivers, cloud facts, shards and gates
behave the same in all of them; only the :class:`~hardening.sources.base.Source` differs.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hardening import __version__
from hardening.applicability import node_roles, screen
from hardening.collect import HostOutcome, Progress
from hardening.evaluate import error_result, evaluate_control
from hardening.model.control import Control, Severity
from hardening.model.host import Host
from hardening.model.result import HostRun, Result, RunDocument, Status
from hardening.plan import Plan, plan_fleet
from hardening.score import by_section, score
from hardening.shard import Shard, select
from hardening.sources.base import Source
from hardening.stop import Stop
from hardening.waivers import WaiverSet, apply_waivers

ResultFilter = Callable[[Host, list[Result]], list[Result]]
TargetStep = Callable[[RunDocument, ResultFilter | None], RunDocument]


@dataclass(frozen=True)
class Gates:
    """What turns a run document into an exit code (see cli/main.py for the codes)."""

    fail_under: float | None = None
    fail_on: str | None = None
    min_coverage: float | None = None

    def record(self) -> dict[str, Any]:
        """The gates, for ``RunDocument.options``."""
        return {
            "fail_under": self.fail_under,
            "fail_on": self.fail_on,
            "min_coverage": self.min_coverage,
        }

    def is_set(self) -> bool:
        """Whether any gate was given."""
        return (self.fail_under, self.fail_on, self.min_coverage) != (None, None, None)

    def verdict(self, doc: RunDocument) -> str:
        """What the gates said, for the verdict line ("" when none is set).

        ``gate tripped: --fail-on critical: 2 failures; score 80.1 < 81`` or
        ``gates passed: --fail-under 81 (score 85.0)``.
        """
        if not self.is_set():
            return ""
        tripped: list[str] = []
        passed: list[str] = []
        cov = doc.coverage.percent or 0.0
        if self.min_coverage is not None:
            (tripped if cov < self.min_coverage else passed).append(
                f"coverage {cov:g} {'<' if cov < self.min_coverage else '>='} "
                f"{self.min_coverage:g} (--min-coverage)"
            )
        if self.fail_under is not None:
            pct = doc.score.percent or 0.0
            (tripped if pct < self.fail_under else passed).append(
                f"score {pct:g} {'<' if pct < self.fail_under else '>='} {self.fail_under:g} "
                "(--fail-under)"
            )
        if self.fail_on is not None:
            floor = Severity(self.fail_on).rank
            n = sum(
                1
                for h in doc.targets
                for r in h.results
                if r.status is Status.FAIL and Severity(r.severity).rank >= floor
            )
            (tripped if n else passed).append(
                f"--fail-on {self.fail_on}: {n} failure{'' if n == 1 else 's'}"
            )
        if tripped:
            return "gate tripped: " + "; ".join(tripped)
        return "gates passed: " + "; ".join(passed)

    def exit_code(self, doc: RunDocument) -> int:
        """128+signal if the run was interrupted, 3 if a target was not audited or the
        coverage is below ``min_coverage``, 1 if a gate tripped (any FAIL when no gate is
        set), else 0."""
        interrupted = doc.options.get("interrupted")
        if interrupted:
            return 128 + int(signal.Signals[str(interrupted)])
        if any(h.error for h in doc.targets):
            return 3
        if self.min_coverage is not None and (doc.coverage.percent or 0.0) < self.min_coverage:
            return 3
        fails = [r for h in doc.targets for r in h.results if r.status is Status.FAIL]
        if self.fail_under is None and self.fail_on is None:
            return 1 if fails else 0
        if self.fail_under is not None and (doc.score.percent or 0.0) < self.fail_under:
            return 1
        if self.fail_on is not None:
            floor = Severity(self.fail_on).rank
            if any(Severity(r.severity).rank >= floor for r in fails):
                return 1
        return 0


@dataclass(frozen=True)
class Waivers:
    """A loaded waiver file and what the run document records of it."""

    waivers: WaiverSet
    record: Mapping[str, Any]


@dataclass(frozen=True)
class Audit:
    """One audit's settings; ``run(hosts)`` audits them and returns the run document.

    ``options`` holds what the caller chose (target, limit, catalogue selection); the
    source, shard, gates and waivers add their own records, so the document says every
    option that shaped the run.
    """

    controls: tuple[Control, ...]
    benchmark: str
    source: Source
    waivers: Waivers | None = None
    gates: Gates = field(default_factory=Gates)
    shard: Shard | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "audit"
    cluster: TargetStep | None = None  # adds the cluster target (cluster/options.py)
    profile: str | None = None  # --profile: overrides each host's hardening_profile

    def hosts(self, hosts: Iterable[Host]) -> tuple[Host, ...]:
        """The hosts of this audit's shard (all of them without one), inventory order."""
        return select(hosts, self.shard) if self.shard is not None else tuple(hosts)

    def plans(self, hosts: Iterable[Host]) -> list[Plan]:
        """One plan per host of the shard, as the source will answer it."""
        return [
            self.source.prepare(p)
            for p in plan_fleet(self.hosts(hosts), self.controls, self.profile)
        ]

    def run(
        self, hosts: Iterable[Host], progress: Progress | None = None, stop: Stop | None = None
    ) -> RunDocument:
        """Audit the hosts (narrowed to the shard) and build the run document."""
        stop = stop or Stop()
        started = _now()
        plans = self.plans(hosts)
        outcomes = self.source.gather(plans, progress or _noop, stop)
        doc = self.finish([(o.plan.host, host_run(o)) for o in outcomes], started, stop)
        if self.cluster is not None and not stop.requested:
            doc = self.cluster(doc, self.result_filter())
        return doc

    def result_filter(self) -> ResultFilter | None:
        """The waivers as a filter over one target's results (None without waivers)."""
        return apply_waivers(self.waivers.waivers) if self.waivers is not None else None

    def record(self, stop: Stop | None = None) -> dict[str, Any]:
        """Every option that shaped the run, for ``RunDocument.options``."""
        out: dict[str, Any] = {**self.options, **self.source.record(), "gates": self.gates.record()}
        if self.shard is not None:
            out["shard"] = str(self.shard)
        if self.waivers is not None:
            out["waivers"] = dict(self.waivers.record)
        if stop is not None and stop.requested:
            out["interrupted"] = stop.signal_name
        return out

    def finish(
        self, runs: Sequence[tuple[Host, HostRun]], started: str, stop: Stop | None = None
    ) -> RunDocument:
        """Apply the waivers, rescore, and build the document."""
        post = self.result_filter()
        final: list[HostRun] = []
        for host, run in runs:
            results = list(run.results)
            if post is not None:
                results = post(host, results)
            final.append(
                HostRun(
                    run.name,
                    run.address,
                    run.roles,
                    tuple(results),
                    score(results),
                    run.error,
                    run.meta,
                    by_section(results),
                )
            )
        every = [r for h in final for r in h.results]
        return RunDocument(
            tool_version=__version__,
            benchmark=self.benchmark,
            started=started,
            finished=_now(),
            hosts=tuple(final),
            score=score(every),
            sections=by_section(every),
            options=self.record(stop),
            kind=self.kind,
        )


def _noop(host: str, event: str, detail: str) -> None:
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def host_run(outcome: HostOutcome) -> HostRun:
    """Evaluate every planned control of one host (ERROR for all if it was not reached);
    a control of a role the host does not hold, or provider-owned under the managed
    profile, gets its result from ``applicability.screen`` instead."""
    plan = outcome.plan
    held = plan.host.roles
    if outcome.facts is None:
        reason = f"host not audited: {outcome.error}"
        results: list[Result] = [error_result(c, reason) for c in plan.controls]
        meta: dict[str, str] = {}
    else:
        facts = outcome.facts
        roles = node_roles(plan, facts)
        results = [
            screen(c, roles, plan.profile) or evaluate_control(c, facts) for c in plan.controls
        ]
        meta = dict(facts.meta)
        if plan.detect:
            meta["roles"] = roles.summary()
        if plan.profile != "self-managed":
            meta["profile"] = plan.profile
        held = held | roles.held.keys()
    return HostRun(
        name=plan.host.name,
        address=plan.host.address,
        roles=tuple(sorted(r.value for r in held)),
        results=tuple(results),
        score=score(results),
        error=outcome.error,
        meta=meta,
        sections=by_section(results),
    )
