"""role_policy: the worker node's cloud role grants no more than a worker needs.

``rule`` picks the test: ``admin`` (no Allow of ``*`` or ``service:*`` on ``*``),
``not_action`` (no Allow written with NotAction), ``escalation`` (no privilege-escalation
action: RAM ``ram:*``, ``ram:Attach*``, ``ram:PassRole``, ``sts:AssumeRole`` on ``*``...;
IAM ``iam:*``, ``iam:Attach*Policy``, ``iam:Put*Policy``, ``iam:PassRole`` with
``ec2:RunInstances``...) or ``baseline`` (every granted action is in the reference
least-privilege worker policy ``baseline``; ``auto`` picks ack-worker for RAM, eks-worker
for IAM) or ``registry_readonly`` (container registry actions, ACR ``cr:`` and ECR ``ecr:``,
only read: Get, List, Pull, Describe, BatchGet, BatchCheck; ``cr:PushRepository``,
``ecr:PutImage``, ``ecr:InitiateLayerUpload``, ``cr:*`` or ``*`` fail). Unconditional Deny
statements are honoured. Policies come from cloud facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.kinds._cloud import cloud_fact
from hardening.cloud import baselines
from hardening.cloud.policies import (
    Policy,
    escalations,
    extra_actions,
    full_admin,
    not_action_allows,
    parse_policy,
    registry_writes,
)
from hardening.facts.role_policies import RoleFact, RolePolicies
from hardening.model.facts import FactRequest, Facts
from hardening.model.result import Status

RULES = ("admin", "not_action", "escalation", "baseline", "registry_readonly")
EXPECTED = {
    "admin": "no Allow of * or service:* on every resource",
    "not_action": "no Allow statement written with NotAction",
    "escalation": "no privilege-escalation action granted",
    "baseline": "no action beyond the least-privilege worker baseline",
    "registry_readonly": "registry access read-only (Get, List, Pull, Describe, BatchGet)",
}


@dataclass(frozen=True)
class Params:
    """YAML: ``rule`` (admin, not_action, escalation, baseline, registry_readonly) and,
    for ``baseline``, ``baseline`` (auto, ack-worker, eks-worker)."""

    rule: str
    baseline: str = "auto"

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ParamError(
                "rule", f"unknown rule '{self.rule}' (expected one of: {', '.join(RULES)})"
            )
        wanted = list(baselines.AUTO.values()) if self.baseline == "auto" else [self.baseline]
        try:  # read at catalogue load; evaluate never touches files
            known = {name: baselines.actions(name) for name in wanted}
        except ValueError as exc:
            raise ParamError("baseline", str(exc)) from None
        object.__setattr__(self, "_known", known)  # not a field: not a YAML key

    def actions(self, name: str) -> tuple[str, ...]:
        """The baseline's action patterns, loaded when the Params were built."""
        known: dict[str, tuple[str, ...]] = getattr(self, "_known")  # noqa: B009
        return known[name]


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The role's policies (answered by the cloud source, not the probe)."""
    return (RolePolicies(),)


def _policies(role: RoleFact) -> list[Policy]:
    return [
        parse_policy(item.get("document"), str(item.get("name", "?"))) for item in role.policies
    ]


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Parse the role's policy documents and apply the rule."""
    role = cloud_fact(facts, RolePolicies())
    if isinstance(role, Outcome):
        return role
    try:
        policies = _policies(role)
    except (ValueError, TypeError, AttributeError) as exc:
        return Outcome(Status.ERROR, reason=f"role {role.name}: policy: {exc}")
    dialect = "ram" if any(x.dialect == "ram" for x in policies) else "iam"
    source = f"role {role.name}: " + (", ".join(x.name for x in policies) or "no policies attached")
    if p.rule == "admin":
        found = full_admin(policies)
    elif p.rule == "not_action":
        found = not_action_allows(policies)
    elif p.rule == "escalation":
        found = escalations(policies, dialect)
    elif p.rule == "registry_readonly":
        found = registry_writes(policies)
    else:
        name = baselines.AUTO[dialect] if p.baseline == "auto" else p.baseline
        found = extra_actions(policies, p.actions(name))
        source += f" (baseline {name})"
    observed = (
        (f"{len(found)} finding(s): " + "; ".join(found[:3]))[:2000]
        if found
        else f"{sum(len(x.statements) for x in policies)} statements, none matching"
    )
    if p.rule == "baseline" and found:
        observed = "extra actions: " + ", ".join(found[:20])
    return Outcome(
        pass_fail(not found),
        observed,
        EXPECTED[p.rule],
        source,
        details=tuple(f[:500] for f in found[:100]),
    )


KIND = CheckKind("role_policy", Params, needs, evaluate, __doc__ or "")
