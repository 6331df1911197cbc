"""Shared by the cluster kinds: the listed objects a kind needs, and how a verdict over many
objects is written (every offending object named ``namespace/Kind/name``, with the field)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hardening.checks.base import Outcome
from hardening.facts.cluster_list import ClusterList
from hardening.model.facts import Absent, Facts
from hardening.model.result import Status

Objects = dict[str, tuple[Mapping[str, Any], ...]]
MAX_DETAILS = 500  # evidence lines kept; the count in ``observed`` is always complete
PSA = "pod-security.kubernetes.io/"
LEVELS = ("privileged", "baseline", "restricted")


def requests(*resources: str) -> tuple[ClusterList, ...]:
    """The ClusterList of each resource."""
    return tuple(ClusterList(r) for r in resources)


def listed(facts: Facts, resources: Sequence[str]) -> tuple[Objects, str, Outcome | None]:
    """(objects by resource, where they were read, None), or the ERROR outcome naming the
    first resource that could not be listed: a control never decides on part of its input."""
    out: Objects = {}
    sources: list[str] = []
    for resource in resources:
        got = facts.get(ClusterList(resource))
        if isinstance(got, Absent):
            return (
                {},
                "",
                Outcome.absent(Absent(got.reason, is_error=True), source=f"{resource} (cluster)"),
            )
        out[resource] = got.items
        if got.source not in sources:
            sources.append(got.source)
    return out, f"{', '.join(resources)} from {'; '.join(sources)}", None


def verdict(
    findings: Sequence[str], what: str, checked: str, expected: str, source: str
) -> Outcome:
    """FAIL naming every finding (the first in ``observed``), else PASS saying what was seen.

    ``what`` names a finding in the plural ("containers run privileged"), ``checked`` the
    population looked at ("12 pod specs in 5 namespaces").
    """
    if findings:
        first = findings[0] + (f" (+{len(findings) - 1} more)" if len(findings) > 1 else "")
        return Outcome(
            Status.FAIL,
            f"{len(findings)} {what}: {first}",
            expected,
            source,
            details=tuple(findings[:MAX_DETAILS]),
        )
    return Outcome(Status.PASS, f"no {what} ({checked})", expected, source)


def namespace_of(obj: Mapping[str, Any]) -> str:
    """The object's namespace ("" for a cluster-scoped one)."""
    return str((obj.get("metadata") or {}).get("namespace") or "")


def name_of(obj: Mapping[str, Any]) -> str:
    """The object's name."""
    return str((obj.get("metadata") or {}).get("name") or "")


def enforce_level(namespace: Mapping[str, Any]) -> str:
    """The namespace's Pod Security admission enforce level as labelled ("" when unset).

    Without the label the API server's admission configuration decides; its default is
    ``enforce: privileged`` (PodSecurityConfiguration defaults, kubernetes/website
    content/en/docs/tasks/configure-pod-container/enforce-standards-admission-controller.md),
    and that file is not visible through the API.
    """
    labels = (namespace.get("metadata") or {}).get("labels") or {}
    return str(labels.get(PSA + "enforce", ""))


def level_rank(level: str) -> int:
    """privileged 0, baseline 1, restricted 2; unset or unknown -1."""
    return LEVELS.index(level) if level in LEVELS else -1
