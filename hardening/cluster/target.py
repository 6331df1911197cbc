"""The cluster as a target of its own: its controls, read from one source, into a HostRun.

The controls whose roles hold ``cluster`` are evaluated once per run against the objects a
cluster source lists (a kubeconfig's API server, or ``kubectl get -o json`` exports). A
cluster that cannot be read at all (no kubeconfig, 401, unreachable) is a target in ERROR
with the reason, every control ERROR: never PASS, and never left out of the document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from hardening import __version__
from hardening.checks.registry import KINDS
from hardening.cluster.source import ObjectSource, gather
from hardening.errors import ClusterError
from hardening.evaluate import error_result, evaluate_control
from hardening.model.control import Control, Role
from hardening.model.facts import Request
from hardening.model.host import Host
from hardening.model.result import HostRun, Result, RunDocument
from hardening.score import by_section, score

ResultFilter = Callable[[Host, list[Result]], list[Result]]  # the waivers, as for hosts
Opener = Callable[[], ObjectSource]  # builds the source; may raise ClusterError


def cluster_controls(controls: Sequence[Control]) -> tuple[Control, ...]:
    """The controls decided from the cluster's objects."""
    return tuple(c for c in controls if Role.CLUSTER in c.roles)


def cluster_host(name: str, address: str) -> Host:
    """The cluster as waivers see it: a target named ``name`` holding the cluster role."""
    return Host(name=name, address=address, transport="cluster", roles=frozenset({Role.CLUSTER}))


def _needs(controls: Sequence[Control]) -> list[Request[Any]]:
    requests: dict[Request[Any], None] = {}
    for c in controls:
        if c.check is not None:
            requests.update(dict.fromkeys(KINDS[c.check.kind].needs(c.check.params)))
    return list(requests)


def _run(
    name: str, address: str, results: list[Result], error: str | None, meta: dict[str, str]
) -> HostRun:
    return HostRun(
        name=name,
        address=address,
        roles=(Role.CLUSTER.value,),
        results=tuple(results),
        score=score(results),
        error=error,
        meta=meta,
        sections=by_section(results),
    )


def audit_cluster(controls: Sequence[Control], open_source: Opener, name: str) -> HostRun:
    """Read the objects the cluster controls need and evaluate them (ERROR if unreadable)."""
    chosen = cluster_controls(controls)
    address = ""
    try:
        source = open_source()
        address = source.label
        try:
            facts = gather(source, _needs(chosen), name)
        finally:
            source.close()
    except ClusterError as exc:
        reason = f"cluster not audited: {exc}"
        return _run(name, address, [error_result(c, reason) for c in chosen], str(exc), {})
    return _run(name, address, [evaluate_control(c, facts) for c in chosen], None, dict(facts.meta))


def attach(doc: RunDocument, cluster: HostRun, post: ResultFilter | None = None) -> RunDocument:
    """The document with the cluster target added (waived by ``post``) and the run's score
    and sections taken over every target, hosts and cluster alike."""
    results = list(cluster.results)
    if post is not None:
        results = post(cluster_host(cluster.name, cluster.address), results)
    run = replace(
        cluster, results=tuple(results), score=score(results), sections=by_section(results)
    )
    every = [r for t in (*doc.hosts, run) for r in t.results]
    return replace(
        doc,
        cluster=run,
        score=score(every),
        sections=by_section(every),
        tool_version=doc.tool_version or __version__,
    )
