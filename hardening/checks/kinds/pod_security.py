"""pod_security: one Pod Security Standards rule over every pod and workload template, and
(``guard``) every namespace's Pod Security admission enforce level.

A FAIL names each offending object as ``namespace/Kind/name container C: field.path=value``
(pods, Deployments, DaemonSets, StatefulSets, Jobs, CronJobs: a template is checked before
its pods exist). With ``guard`` on (the default), a namespace whose
``pod-security.kubernetes.io/enforce`` label is missing or below the level that forbids the
rule is a finding too: the CIS 5.2 controls ask that such pods cannot be admitted, not only
that none runs now. A namespace without the label gets the API server's default
(privileged unless its admission configuration says otherwise, which the API does not show).
Rules: privileged, host_pid, host_ipc, host_network, allow_privilege_escalation,
run_as_root, net_raw, capabilities, added_capabilities, host_process, host_path, host_ports,
seccomp.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError
from hardening.checks.kinds._cluster import (
    PSA,
    enforce_level,
    level_rank,
    listed,
    name_of,
    requests,
    verdict,
)
from hardening.checks.kinds._podspec import RULES, describe, pod_specs
from hardening.model.cluster import WORKLOADS
from hardening.model.facts import FactRequest, Facts

NEEDS = ("namespaces", *WORKLOADS)


@dataclass(frozen=True)
class Params:
    """YAML: ``rule`` (one of the rules above) and ``guard`` (default true: also require
    every namespace to enforce the Pod Security level that forbids the rule)."""

    rule: str
    guard: bool = True

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ParamError(
                "rule", f"unknown rule '{self.rule}' (expected one of: {', '.join(RULES)})"
            )


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Namespaces and every workload resource, across all namespaces."""
    return requests(*NEEDS)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL on any pod spec breaking the rule, or (guard) any namespace not enforcing it."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    rule, level, noun = RULES[p.rule]
    findings: list[str] = []
    specs = list(pod_specs(objects))
    for spec in specs:
        findings += [describe(spec, f) for f in rule(spec)]
    namespaces = objects["namespaces"]
    used = {spec.namespace for spec in specs}
    if p.guard:
        for ns in (n for n in namespaces if name_of(n) in used):
            got = enforce_level(ns)
            if level_rank(got) < level_rank(level):
                findings.append(
                    f"Namespace/{name_of(ns)}: {PSA}enforce="
                    f"{got or 'unset'} admits them (needs {level} or restricted)"
                )
    expected = f"no {noun} in pods or workload templates" + (
        f"; every namespace enforces Pod Security '{level}' or stricter" if p.guard else ""
    )
    what = f"{noun}" + (" or namespaces admitting them" if p.guard else "")
    checked = f"{len(specs)} pod specs in {len(used)} namespaces"
    return verdict(findings, what, checked, expected, source)


KIND = CheckKind("pod_security", Params, needs, evaluate, __doc__ or "")
