"""The one function that wires plan -> collect -> evaluate -> score -> RunDocument.

The CLI calls it, and so does the re-audit after remediation. Fact gathering is passed
in (``gather``) so an image source can stand where the transports do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hardening import __version__
from hardening.collect import CollectOptions, HostOutcome, Progress, collect
from hardening.evaluate import error_result, evaluate_control
from hardening.model.control import Control
from hardening.model.host import Host
from hardening.model.result import HostRun, Result, RunDocument
from hardening.plan import Plan, plan_fleet
from hardening.score import by_section, score

Gather = Callable[[Sequence[Plan]], list[HostOutcome]]
ResultFilter = Callable[[Host, list[Result]], list[Result]]
PlanHook = Callable[[Plan], Plan]  # adds requests to a host's plan (cloud metadata)
Enrich = Callable[[HostOutcome], HostOutcome]  # joins facts after collect (cloud facts)


@dataclass(frozen=True)
class AuditRequest:
    """Everything one audit needs besides the hosts' facts."""

    hosts: tuple[Host, ...]
    controls: tuple[Control, ...]
    benchmark: str
    options: dict[str, Any] = field(default_factory=dict)
    kind: str = "audit"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def host_run(outcome: HostOutcome) -> HostRun:
    """Evaluate every planned control of one host (ERROR for all if it was not reached)."""
    plan = outcome.plan
    if outcome.facts is None:
        reason = f"host not audited: {outcome.error}"
        results = [error_result(c, reason) for c in plan.controls]
        meta: dict[str, str] = {}
    else:
        results = [evaluate_control(c, outcome.facts) for c in plan.controls]
        meta = dict(outcome.facts.meta)
    return HostRun(
        name=plan.host.name,
        address=plan.host.address,
        roles=tuple(sorted(r.value for r in plan.host.roles)),
        results=tuple(results),
        score=score(results),
        error=outcome.error,
        meta=meta,
        sections=by_section(results),
    )


def finish(hosts: list[HostRun], request: AuditRequest, started: str,
           post: ResultFilter | None = None) -> RunDocument:
    """Apply the result filter (waivers), rescore, and build the document."""
    by_name = {h.name: h for h in request.hosts}
    final: list[HostRun] = []
    for run in hosts:
        results = list(run.results)
        if post is not None:
            results = post(by_name[run.name], results)
        final.append(HostRun(run.name, run.address, run.roles, tuple(results), score(results),
                             run.error, run.meta, by_section(results)))
    every = [r for h in final for r in h.results]
    return RunDocument(
        tool_version=__version__,
        benchmark=request.benchmark,
        started=started,
        finished=_now(),
        hosts=tuple(final),
        score=score(every),
        sections=by_section(every),
        options=dict(request.options),
        kind=request.kind,
    )


def run_audit(
    request: AuditRequest,
    collect_options: CollectOptions,
    progress: Progress | None = None,
    gather: Gather | None = None,
    post: ResultFilter | None = None,
    extend: PlanHook | None = None,
    enrich: Enrich | None = None,
) -> RunDocument:
    """Audit every host and return the run document.

    ``extend`` may add requests to each plan before collection; ``enrich`` may add facts
    (``Facts.cloud``) to each outcome after it, before evaluation.
    """
    started = _now()
    plans = plan_fleet(request.hosts, request.controls)
    if extend is not None:
        plans = [extend(p) for p in plans]
    if gather is None:
        outcomes = collect(plans, collect_options, progress) if progress else collect(
            plans, collect_options)
    else:
        outcomes = gather(plans)
    if enrich is not None:
        outcomes = [enrich(o) for o in outcomes]
    return finish([host_run(o) for o in outcomes], request, started, post)
