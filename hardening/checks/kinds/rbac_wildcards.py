"""rbac_wildcards: no Role or ClusterRole uses ``*`` in its API groups, resources or verbs.

The bootstrap roles (``cluster-admin`` and the others labelled
``kubernetes.io/bootstrapping=rbac-defaults``) are left out: they are the API server's own
and recreated at every start. Each finding names the role, the rule and the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome
from hardening.checks.kinds._cluster import listed, requests, verdict
from hardening.checks.kinds._rbac import is_bootstrap
from hardening.model.cluster import ref
from hardening.model.facts import FactRequest, Facts

NEEDS = ("roles", "clusterroles")
FIELDS = ("apiGroups", "resources", "verbs")


@dataclass(frozen=True)
class Params:
    """YAML: no keys."""


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Roles and cluster roles."""
    return requests(*NEEDS)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL naming each ``role: rules[i].field`` holding ``*``."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    roles = [r for res in NEEDS for r in objects[res] if not is_bootstrap(r)]
    findings = [
        f"{ref(r)}: rules[{i}].{f}=*"
        for r in roles
        for i, rule in enumerate(r.get("rules") or [])
        for f in FIELDS
        if "*" in (rule.get(f) or [])
    ]
    return verdict(
        findings,
        "wildcards in roles",
        f"{len(roles)} roles beyond the bootstrap policy",
        "no '*' in apiGroups, resources or verbs",
        source,
    )


KIND = CheckKind("rbac_wildcards", Params, needs, evaluate, __doc__ or "")
