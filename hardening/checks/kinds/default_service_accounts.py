"""default_service_accounts: each namespace's ``default`` ServiceAccount mounts no token
(``automountServiceAccountToken: false``) and no binding beyond the built-ins names it."""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome
from hardening.checks.kinds._cluster import listed, name_of, namespace_of, requests, verdict
from hardening.checks.kinds._rbac import bindings
from hardening.model.facts import FactRequest, Facts

AUTOMOUNT = "automountServiceAccountToken"
NEEDS = ("serviceaccounts", "roles", "clusterroles", "rolebindings", "clusterrolebindings")


@dataclass(frozen=True)
class Params:
    """YAML: no keys."""


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Service accounts, and the RBAC objects that could bind them."""
    return requests(*NEEDS)


def _shown(value: object) -> str:
    return "unset (defaults to true)" if value is None else str(value).lower()


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL for a default account that mounts a token or is bound to a role."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    defaults = [sa for sa in objects["serviceaccounts"] if name_of(sa) == "default"]
    findings = [
        f"{namespace_of(sa)}/ServiceAccount/default: automountServiceAccountToken="
        f"{_shown(sa.get(AUTOMOUNT))}"
        for sa in defaults
        if sa.get(AUTOMOUNT) is not False
    ]
    for b in bindings(objects):
        findings += [
            f"{b.ref} -> {b.role}: binds {s.get('namespace')}/ServiceAccount/default"
            for s in b.subjects()
            if s.get("kind") == "ServiceAccount" and s.get("name") == "default"
        ]
    return verdict(
        findings,
        "default service accounts in use",
        f"{len(defaults)} default service accounts",
        "automountServiceAccountToken: false on every default "
        "service account, and no binding to one",
        source,
    )


KIND = CheckKind("default_service_accounts", Params, needs, evaluate, __doc__ or "")
