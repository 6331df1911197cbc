"""secret_env: no container takes a Secret as environment variables.

Looks at ``env[].valueFrom.secretKeyRef`` and ``envFrom[].secretRef`` of every container,
init and ephemeral container of pods and workload templates; each finding names the object,
the container, the field path and the Secret (never a value: the API does not give one here).
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome
from hardening.checks.kinds._cluster import listed, requests, verdict
from hardening.checks.kinds._podspec import describe, pod_specs
from hardening.model.cluster import WORKLOADS
from hardening.model.facts import FactRequest, Facts


@dataclass(frozen=True)
class Params:
    """YAML: no keys."""


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Every workload resource."""
    return requests(*WORKLOADS)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL naming each environment variable fed from a Secret."""
    objects, source, early = listed(facts, WORKLOADS)
    if early is not None:
        return early
    findings: list[str] = []
    specs = list(pod_specs(objects))
    for spec in specs:
        for c, at in spec.containers():
            for i, env in enumerate(c.get("env") or []):
                key = (env.get("valueFrom") or {}).get("secretKeyRef") or {}
                if key:
                    findings.append(
                        describe(
                            spec,
                            (
                                f"{at}.env[{i}].valueFrom.secretKeyRef",
                                f"{key.get('name')}/{key.get('key')}",
                            ),
                        )
                    )
            for i, src in enumerate(c.get("envFrom") or []):
                if src.get("secretRef"):
                    findings.append(
                        describe(
                            spec,
                            (f"{at}.envFrom[{i}].secretRef", str(src["secretRef"].get("name"))),
                        )
                    )
    return verdict(
        findings,
        "Secrets used as environment variables",
        f"{len(specs)} pod specs",
        "Secrets mounted as files, none in env or envFrom",
        source,
    )


KIND = CheckKind("secret_env", Params, needs, evaluate, __doc__ or "")
