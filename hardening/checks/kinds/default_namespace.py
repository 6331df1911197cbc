"""default_namespace: nothing runs in the ``default`` namespace.

Pods, workload templates and Services in ``default`` are findings, except the
``kubernetes`` Service the API server keeps there itself (kubernetes/kubernetes
pkg/controlplane/controller/kubernetesservice).
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome
from hardening.checks.kinds._cluster import listed, name_of, namespace_of, requests, verdict
from hardening.model.cluster import WORKLOADS, ref
from hardening.model.facts import FactRequest, Facts

NEEDS = (*WORKLOADS, "services")


@dataclass(frozen=True)
class Params:
    """YAML: no keys."""


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Workloads and services."""
    return requests(*NEEDS)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL naming each object in ``default`` besides the kubernetes Service."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    found = [
        ref(o)
        for res in NEEDS
        for o in objects[res]
        if namespace_of(o) == "default" and not (res == "services" and name_of(o) == "kubernetes")
    ]
    return verdict(
        found,
        "objects in the default namespace",
        "only the kubernetes Service",
        "no workloads or services in 'default' besides the kubernetes Service",
        source,
    )


KIND = CheckKind("default_namespace", Params, needs, evaluate, __doc__ or "")
