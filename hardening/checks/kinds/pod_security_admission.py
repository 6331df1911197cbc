"""pod_security_admission: every namespace holding workloads enforces a Pod Security level.

PASS when each namespace with pods or workload templates carries
``pod-security.kubernetes.io/enforce`` set to ``baseline`` or ``restricted``. ``privileged``,
an unknown value or no label is a finding (without the label the API server's admission
configuration decides, privileged by default, and the API does not show it). When a policy
engine's webhook (``engines`` name patterns) is registered, the findings are WARN, not
FAIL: its policies may cover those namespaces, which only reading them can tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from hardening.checks.base import CheckKind, Outcome
from hardening.checks.kinds._cluster import (
    PSA,
    enforce_level,
    level_rank,
    listed,
    name_of,
    requests,
    verdict,
)
from hardening.checks.kinds._podspec import pod_specs
from hardening.model.cluster import WORKLOADS
from hardening.model.facts import FactRequest, Facts
from hardening.model.result import Status

HOOKS = ("validatingwebhookconfigurations", "mutatingwebhookconfigurations")
NEEDS = ("namespaces", *WORKLOADS, *HOOKS)


@dataclass(frozen=True)
class Params:
    """YAML: ``engines``: webhook name patterns of policy engines (default none)."""

    engines: tuple[str, ...] = ()


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Namespaces, workloads and the webhook configurations."""
    return requests(*NEEDS)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL (WARN with a policy engine) naming each unguarded namespace."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    used = {spec.namespace for spec in pod_specs(objects)}
    findings = [
        f"Namespace/{name_of(ns)}: {PSA}enforce={enforce_level(ns) or 'unset'}"
        for ns in objects["namespaces"]
        if name_of(ns) in used and level_rank(enforce_level(ns)) < 1
    ]
    out = verdict(
        findings,
        "namespaces with workloads and no Pod Security enforcement",
        f"{len(used)} namespaces with workloads",
        "pod-security.kubernetes.io/"
        "enforce: baseline or restricted on every namespace with workloads",
        source,
    )
    engines = [
        str(h.get("name"))
        for res in HOOKS
        for cfg in objects[res]
        for h in cfg.get("webhooks") or []
        if any(fnmatchcase(str(h.get("name", "")), pat) for pat in p.engines)
    ]
    if out.status is Status.FAIL and engines:
        return Outcome(
            Status.WARN,
            out.observed,
            out.expected,
            out.source,
            reason=f"a policy engine's webhook is registered ({engines[0]}): "
            "check its policies cover these namespaces",
            details=out.details,
        )
    return out


KIND = CheckKind("pod_security_admission", Params, needs, evaluate, __doc__ or "")
