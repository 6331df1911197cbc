"""rbac_access: no binding gives a subject the named access (or the named ClusterRole).

Every RoleBinding and ClusterRoleBinding is resolved to its role's rules and matched as the
RBAC authorizer matches a request (``*`` verbs, resources and API groups count; ``*/sub``
grants a subresource). ``verbs`` empty means any verb. With ``role`` set (``cluster-admin``)
the bindings to that ClusterRole are the findings, whatever its rules. Built-ins are left
out by the documented rule in _rbac.py (bootstrap policy, kubeadm's admin group, ``system:``
component identities); everything else, service accounts of kube-system included, is named
as ``binding -> role: subject (what it grants)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError
from hardening.checks.kinds._cluster import listed, requests, verdict
from hardening.checks.kinds._rbac import bindings, grant, subject_name
from hardening.model.facts import FactRequest, Facts

NEEDS = ("roles", "clusterroles", "rolebindings", "clusterrolebindings")


@dataclass(frozen=True)
class Params:
    """YAML: ``verbs`` (empty: any), ``resources`` (``secrets``, ``nodes/proxy``),
    ``api_group`` of those resources ("" for core), or ``role`` (a ClusterRole name)."""

    verbs: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    api_group: str = ""
    role: str = ""

    def __post_init__(self) -> None:
        if not self.role and not self.resources:
            raise ParamError("resources", "give the resources to look for, or a role")


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Roles, cluster roles and both kinds of binding."""
    return requests(*NEEDS)


def _wanted(p: Params) -> str:
    if p.role:
        return f"bindings to ClusterRole {p.role}"
    verbs = "/".join(p.verbs) if p.verbs else "any verb"
    group = f" ({p.api_group})" if p.api_group else ""
    return f"grants of {verbs} on {', '.join(p.resources)}{group}"


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL naming each (binding, subject) that holds the access."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    findings: list[str] = []
    seen = 0
    for b in bindings(objects):
        seen += 1
        if p.role:
            what = "" if b.role != f"ClusterRole/{p.role}" else p.role
        else:
            hits = [
                (i, g)
                for i, r in enumerate(b.rules)
                if (g := grant(r, p.verbs, p.api_group, p.resources))
            ]
            what = "; ".join(f"rules[{i}]: {g}" for i, g in hits)
        if what:
            findings += [f"{b.ref} -> {b.role}: {subject_name(s)} ({what})" for s in b.subjects()]
    return verdict(
        findings,
        f"subjects with {_wanted(p)}",
        f"{seen} bindings beyond the built-ins",
        f"no subject beyond the built-ins holds {_wanted(p)}",
        source,
    )


KIND = CheckKind("rbac_access", Params, needs, evaluate, __doc__ or "")
