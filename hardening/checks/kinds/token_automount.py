"""token_automount: pods and workload templates mount a service account token only where
they opt in; here every spec that mounts one is a finding for the operator to confirm.

The effective setting is the pod spec's ``automountServiceAccountToken``, else its service
account's, else true (kubernetes/kubernetes plugin/pkg/admission/serviceaccount/admission.go,
shouldAutomount). A spec naming a service account the cluster does not have is read as
mounting (the admission plugin would refuse it; the template may still be created).
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome
from hardening.checks.kinds._cluster import listed, name_of, namespace_of, requests, verdict
from hardening.checks.kinds._podspec import pod_specs
from hardening.model.cluster import WORKLOADS
from hardening.model.facts import FactRequest, Facts

AUTOMOUNT = "automountServiceAccountToken"
NEEDS = ("serviceaccounts", *WORKLOADS)


@dataclass(frozen=True)
class Params:
    """YAML: no keys."""


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Service accounts and every workload resource."""
    return requests(*NEEDS)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL naming each pod spec that gets a token, and why."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    accounts = {(namespace_of(sa), name_of(sa)): sa for sa in objects["serviceaccounts"]}
    findings: list[str] = []
    specs = list(pod_specs(objects))
    for spec in specs:
        own = spec.spec.get(AUTOMOUNT)
        account = str(spec.spec.get("serviceAccountName") or "default")
        if own is False:
            continue
        if own is True:
            findings.append(f"{spec.ref}: {spec.path}.{AUTOMOUNT}=true")
            continue
        sa = accounts.get((spec.namespace, account))
        if sa is None or sa.get(AUTOMOUNT) is not False:
            said = (
                "not found"
                if sa is None
                else f"{AUTOMOUNT}=" + (str(sa[AUTOMOUNT]).lower() if AUTOMOUNT in sa else "unset")
            )
            findings.append(
                f"{spec.ref}: {spec.path}.{AUTOMOUNT} unset and ServiceAccount "
                f"{spec.namespace}/{account} {said}"
            )
    return verdict(
        findings,
        "pod specs mounting a service account token",
        f"{len(specs)} pod specs",
        f"{AUTOMOUNT}: false on pods or their service accounts unless the pod calls the API",
        source,
    )


KIND = CheckKind("token_automount", Params, needs, evaluate, __doc__ or "")
