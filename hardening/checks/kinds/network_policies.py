"""network_policies: every namespace has at least one NetworkPolicy.

A namespace without one lets every pod reach every other pod and be reached by it. Whether
the CNI enforces NetworkPolicy at all is not visible through the API (CIS 5.3.1, manual).
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome
from hardening.checks.kinds._cluster import listed, name_of, namespace_of, requests, verdict
from hardening.model.facts import FactRequest, Facts

NEEDS = ("namespaces", "networkpolicies")


@dataclass(frozen=True)
class Params:
    """YAML: no keys."""


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Namespaces and network policies."""
    return requests(*NEEDS)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL naming each namespace without a NetworkPolicy."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    covered = {namespace_of(np) for np in objects["networkpolicies"]}
    names = [name_of(ns) for ns in objects["namespaces"]]
    findings = [f"Namespace/{n}: no NetworkPolicy" for n in names if n not in covered]
    return verdict(
        findings,
        "namespaces without a NetworkPolicy",
        f"{len(names)} namespaces, {len(objects['networkpolicies'])} policies",
        "at least one NetworkPolicy in every namespace",
        source,
    )


KIND = CheckKind("network_policies", Params, needs, evaluate, __doc__ or "")
