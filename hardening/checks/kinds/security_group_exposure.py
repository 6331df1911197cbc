"""security_group_exposure: no Internet ingress to the given protocols and ports.

The rules of every security group attached to the node are pooled (cloud facts, joined
after collection). ``ports`` is ``22`` or ``2379-2380``; ``match: every`` fails only when
the whole range is open (the "all ports" control). A prefix list or port list that is not
expanded gives WARN (unevaluable), never PASS. Alibaba priorities and Drop rules count;
AWS rules are an allow-only union.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError
from hardening.checks.kinds._cloud import cloud_fact
from hardening.cloud.securitygroups import PORTLESS, Rule, exposure, group_ids, group_rules
from hardening.facts.security_groups import SecurityGroups
from hardening.model.facts import FactRequest, Facts
from hardening.model.result import Status

PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "gre")


@dataclass(frozen=True)
class Params:
    """YAML: ``protocols`` (tcp, udp, icmp, icmpv6, gre), ``ports`` (``22``, ``2379-2380``;
    default every port) and ``match`` (``any`` open port fails, or ``every`` port open)."""

    protocols: tuple[str, ...] = ("tcp",)
    ports: str = "1-65535"
    match: str = "any"

    def __post_init__(self) -> None:
        bad = [p for p in self.protocols if p not in PROTOCOLS]
        if bad:
            raise ParamError(
                "protocols",
                f"unknown protocol '{bad[0]}' (expected one of: {', '.join(PROTOCOLS)})",
            )
        if self.match not in ("any", "every"):
            raise ParamError("match", f"expected any or every, got '{self.match}'")
        lo, hi = self.range
        if not 1 <= lo <= hi <= 65535:
            raise ParamError(
                "ports", f"expected a port or a range within 1-65535, got '{self.ports}'"
            )

    @property
    def range(self) -> tuple[int, int]:
        """The port range as two numbers."""
        lo, _, hi = self.ports.partition("-")
        try:
            return int(lo), int(hi or lo)
        except ValueError:
            return 0, -1


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The node's security groups (answered by the cloud source, not the probe)."""
    return (SecurityGroups(),)


def _what(p: Params) -> str:
    lo, hi = p.range
    ports = (
        ""
        if set(p.protocols) <= PORTLESS
        else (" (every port)" if (lo, hi) == (1, 65535) else f" port {p.ports}")
    )
    return f"{'/'.join(p.protocols)}{ports}"


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Pool the node's group rules and decide each protocol and port from the Internet."""
    found_groups = cloud_fact(facts, SecurityGroups())
    if isinstance(found_groups, Outcome):
        return found_groups
    docs = found_groups.groups
    try:
        rules: list[Rule] = [r for d in docs for r in group_rules(d)]
    except (ValueError, TypeError, AttributeError) as exc:
        return Outcome(Status.ERROR, reason=f"security group data: {exc}")
    groups = ", ".join(g for d in docs for g in group_ids(d)) or "none"
    source = f"security groups {groups}"
    expected = f"no ingress from 0.0.0.0/0 or ::/0 to {_what(p)}"
    lo, hi = p.range
    found, unsure, blocked = [], [], []
    for proto in p.protocols:
        e = exposure(rules, proto, lo, hi)
        if e.exposed and (p.match == "any" or e.full):
            found += [f"{where} open by {rule.label}" for where, rule in e.exposed]
        unsure += [f"{r.label}: {r.unevaluable}" for r in e.unevaluable]
        blocked += [f"{where} closed by {rule.label}" for where, rule in e.blocked]
    if found:
        return Outcome(
            Status.FAIL,
            f"Internet ingress to {_what(p)}: {found[0]}"
            + (f" (+{len(found) - 1} more)" if len(found) > 1 else ""),
            expected,
            source,
            details=tuple(found[:50]),
        )
    if unsure:
        return Outcome(
            Status.WARN,
            "unevaluable: " + unsure[0],
            expected,
            source,
            reason="unevaluable: a rule references a list that is not expanded",
            details=tuple(unsure[:50]),
        )
    icmp = [f"allowed: {w} by {r.label}" for w, r in exposure(rules, "icmp").exposed]
    return Outcome(
        Status.PASS,
        f"no Internet ingress to {_what(p)} ({len(rules)} ingress rules)",
        expected,
        source,
        details=tuple((blocked + icmp)[:50]),
    )


KIND = CheckKind("security_group_exposure", Params, needs, evaluate, __doc__ or "")
