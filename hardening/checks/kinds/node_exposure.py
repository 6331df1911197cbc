"""node_exposure: the node is private: no public address, egress through a NAT gateway.

``rule: public_address`` fails when the instance has a public IP or an EIP (Alibaba
``PublicIpAddress``/``EipAddress``, AWS ``PublicIpAddress`` or an interface's association).
``rule: nat_egress`` follows the ``0.0.0.0/0`` route of the node's route table (its
subnet's association, else the VPC's main/system table): an Internet gateway fails, a NAT
gateway passes, another next hop (transit gateway, peering, an instance) warns; no default
route passes (no Internet egress). Without route tables in the cloud facts it is SKIP with
the reason (the control stays manual). Facts come from the cloud source.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError
from hardening.checks.kinds._cloud import cloud_fact
from hardening.cloud.network import INTERNET, NAT, placement, public_addresses, tables_of
from hardening.facts.cloud_instance import CloudInstance
from hardening.facts.route_tables import RouteFact, RouteTables
from hardening.model.facts import FactRequest, Facts
from hardening.model.result import Status

RULES = ("public_address", "nat_egress")


@dataclass(frozen=True)
class Params:
    """YAML: ``rule`` (public_address or nat_egress)."""

    rule: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ParamError(
                "rule", f"unknown rule '{self.rule}' (expected one of: {', '.join(RULES)})"
            )


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The instance's description, or the routes of its VPC (cloud source)."""
    return (CloudInstance(),) if p.rule == "public_address" else (RouteTables(),)


def _public(facts: Facts) -> Outcome:
    inst = cloud_fact(facts, CloudInstance())
    if isinstance(inst, Outcome):
        return inst
    doc = inst.doc
    where = placement(doc)
    source = f"instance {doc.get('InstanceId', '?')} (vpc {where['vpc'] or '?'})"
    expected = "no public IP and no EIP on the node"
    found = public_addresses(doc)
    if found:
        return Outcome(Status.FAIL, "; ".join(found), expected, source, details=tuple(found))
    private = doc.get("PrivateIpAddress") or (
        ((doc.get("VpcAttributes") or {}).get("PrivateIpAddress") or {}).get("IpAddress") or []
    )
    shown = private if isinstance(private, str) else ", ".join(map(str, private))
    return Outcome(Status.PASS, f"no public IP or EIP (private {shown or '?'})", expected, source)


def _egress(facts: Facts) -> Outcome:
    routes = cloud_fact(facts, RouteTables())
    if isinstance(routes, Outcome):
        return routes
    egress = tables_of(routes.tables, routes.vpc, routes.subnet)
    expected = "0.0.0.0/0 through a NAT gateway (or no Internet route)"
    source = f"vpc {routes.vpc or '?'} subnet {routes.subnet or '?'} route tables " + (
        ", ".join(egress.tables) or "none"
    )
    judged = [t for t in routes.tables if str(t["id"]) in egress.tables]
    unknown = [str(t["id"]) for t in judged if t.get("routes") is None]
    if not judged or unknown:
        why = f"entries of {', '.join(unknown)}" if unknown else "no route table of the subnet"
        return Outcome(
            Status.SKIP,
            expected=expected,
            source=source,
            reason=f"manual: {why} in the cloud facts; export the route tables with their entries",
        )
    hops = [f"{table}: 0.0.0.0/0 -> {kind} {hop}" for table, kind, hop in egress.hops]
    notes = (egress.unsure,) if egress.unsure else ()
    bad = [h for (_, kind, _), h in zip(egress.hops, hops, strict=True) if kind in INTERNET]
    if bad:
        return Outcome(Status.FAIL, bad[0], expected, source, details=tuple(hops) + notes)
    other = [h for (_, kind, _), h in zip(egress.hops, hops, strict=True) if kind not in NAT]
    if other:
        return Outcome(
            Status.WARN,
            other[0] + " (not a NAT gateway of this VPC)",
            expected,
            source,
            reason="egress leaves through another hop; check that it ends at a NAT gateway",
            details=tuple(hops) + notes,
        )
    if not hops:
        return Outcome(Status.PASS, "no 0.0.0.0/0 route: no Internet egress", expected, source)
    return _nat_known(routes, egress.hops, hops, expected, source, notes)


def _nat_known(
    routes: RouteFact,
    raw: tuple[tuple[str, str, str], ...],
    hops: list[str],
    expected: str,
    source: str,
    notes: tuple[str, ...],
) -> Outcome:
    """PASS through NAT gateways, WARN when the VPC's NAT gateways do not list one."""
    if routes.nat_gateways is not None:
        known = {str(n["id"]): str(n.get("state") or "") for n in routes.nat_gateways}
        lost = [h for (_, _, hop), h in zip(raw, hops, strict=True) if hop not in known]
        if lost:
            return Outcome(
                Status.WARN,
                lost[0] + " (not among the VPC's NAT gateways)",
                expected,
                source,
                reason="the route names a NAT gateway the cloud facts do not describe",
                details=tuple(hops) + notes,
            )
        hops = [
            f"{h} ({known[hop] or 'state ?'})" for (_, _, hop), h in zip(raw, hops, strict=True)
        ]
    return Outcome(Status.PASS, "; ".join(hops), expected, source, details=tuple(hops) + notes)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Apply the rule to the node's cloud facts."""
    try:
        return _public(facts) if p.rule == "public_address" else _egress(facts)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        return Outcome(Status.ERROR, reason=f"cloud network data: {exc!r}")


KIND = CheckKind("node_exposure", Params, needs, evaluate, __doc__ or "")
