"""A node's exposure in its VPC, from the providers' documents. Pure.

Public addresses come from the instance's own description (Alibaba ``DescribeInstances``:
``PublicIpAddress.IpAddress``, ``EipAddress.IpAddress``; AWS ``describe-instances``:
``PublicIpAddress`` and each interface's ``Association.PublicIp``). Route tables and NAT
gateways of every accepted shape are normalised by ``route_tables`` / ``nat_gateways`` into
plain dicts (what the fact carries); ``egress`` decides the node's default route.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT = "0.0.0.0/0"
# Next hops that are the Internet itself (egress without NAT) and those that are a NAT.
INTERNET = ("internetgateway", "ipv4gateway")
NAT = ("natgateway",)


def public_addresses(inst: Mapping[str, Any]) -> list[str]:
    """Every public address the instance document shows, each with where it was found."""
    out: list[str] = []
    pub = inst.get("PublicIpAddress")
    if isinstance(pub, Mapping):  # Alibaba: {"IpAddress": [...]}
        out += [f"public IP {ip}" for ip in pub.get("IpAddress") or [] if ip]
    elif pub:  # AWS: a string
        out.append(f"public IP {pub}")
    eip = inst.get("EipAddress")
    if isinstance(eip, Mapping) and eip.get("IpAddress"):
        out.append(f"EIP {eip['IpAddress']} ({eip.get('AllocationId') or 'no allocation id'})")
    nics = inst.get("NetworkInterfaces")
    items = nics.get("NetworkInterface") if isinstance(nics, Mapping) else nics
    for nic in items or []:
        assoc = nic.get("Association") if isinstance(nic, Mapping) else None
        if not isinstance(assoc, Mapping):
            continue
        ip = assoc.get("PublicIp")
        if not ip or any(str(ip) in a for a in out):
            continue
        owner = str(assoc.get("IpOwnerId") or "")
        what = "public IP" if owner in ("", "amazon") else "Elastic IP"
        out.append(f"{what} {ip} on {nic.get('NetworkInterfaceId', 'an interface')}")
    return out


def placement(inst: Mapping[str, Any]) -> dict[str, str]:
    """The instance's VPC and subnet (vSwitch) ids."""
    vpc = inst.get("VpcAttributes")
    if isinstance(vpc, Mapping):
        return {"vpc": str(vpc.get("VpcId") or ""), "subnet": str(vpc.get("VSwitchId") or "")}
    return {"vpc": str(inst.get("VpcId") or ""), "subnet": str(inst.get("SubnetId") or "")}


def _hop(route: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(type, id) of a route's next hops, lower-case types."""
    hops = route.get("NextHops")
    items = hops.get("NextHop") if isinstance(hops, Mapping) else None
    if items:
        return [(str(h.get("NextHopType", "")).lower(), str(h.get("NextHopId", ""))) for h in items]
    if route.get("NextHopType"):  # Alibaba route entry
        return [(str(route["NextHopType"]).lower(), str(route.get("InstanceId") or ""))]
    for key, kind in (  # AWS route: one target key
        ("NatGatewayId", "natgateway"),
        ("TransitGatewayId", "transitgateway"),
        ("VpcPeeringConnectionId", "vpcpeering"),
        ("NetworkInterfaceId", "networkinterface"),
        ("InstanceId", "instance"),
        ("EgressOnlyInternetGatewayId", "egressonlyinternetgateway"),
    ):
        if route.get(key):
            return [(kind, str(route[key]))]
    gw = str(route.get("GatewayId") or "")
    if gw.startswith("igw-"):
        return [("internetgateway", gw)]
    return [("local" if gw == "local" else "gateway", gw)] if gw else []


def _route(route: Mapping[str, Any]) -> dict[str, Any]:
    hops = _hop(route)
    return {
        "destination": str(route.get("DestinationCidrBlock") or ""),
        "hops": [{"type": t, "id": i} for t, i in hops],
        "state": str(route.get("State") or route.get("Status") or ""),
    }


def _items(doc: Mapping[str, Any], outer: str, inner: str) -> list[Mapping[str, Any]]:
    got = doc.get(outer)
    got = got.get(inner) if isinstance(got, Mapping) else got
    return [x for x in got or [] if isinstance(x, Mapping)]


def route_tables(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Route tables (normalised) in one document, any accepted shape; [] if none.

    AWS ``describe-route-tables``; Alibaba ``DescribeRouteTables`` (ECS or VPC) with their
    entries, ``DescribeRouteTableList`` (bindings only) and ``DescribeRouteEntryList``
    (entries only: one table per RouteTableId). ``merge_tables`` joins the partial ones.
    """
    out = []
    if isinstance(doc.get("RouteTables"), list):  # AWS
        for t in _items(doc, "RouteTables", ""):
            assoc = [a for a in t.get("Associations") or [] if isinstance(a, Mapping)]
            out.append(
                {
                    "id": str(t.get("RouteTableId")),
                    "vpc": str(t.get("VpcId") or ""),
                    "main": any(a.get("Main") for a in assoc),
                    "subnets": [str(a["SubnetId"]) for a in assoc if a.get("SubnetId")],
                    "routes": [_route(r) for r in t.get("Routes") or []],
                }
            )
        return out
    listed = _items(doc, "RouteTables", "RouteTable") + _items(
        doc, "RouterTableList", "RouterTableListType"
    )
    for t in listed:
        subnets = t.get("VSwitchIds")
        entries = _items(t, "RouteEntrys", "RouteEntry")
        out.append(
            {
                "id": str(t.get("RouteTableId")),
                "vpc": str(t.get("VpcId") or ""),
                "router": str(t.get("VRouterId") or t.get("RouterId") or ""),
                "main": str(t.get("RouteTableType", "")).lower() == "system",
                "subnets": [str(s) for s in (subnets or {}).get("VSwitchId") or []]
                if isinstance(subnets, Mapping)
                else None,
                "routes": [_route(r) for r in entries] if "RouteEntrys" in t else None,
            }
        )
    by_table: dict[str, list[dict[str, Any]]] = {}
    for e in _items(doc, "RouteEntrys", "RouteEntry"):
        by_table.setdefault(str(e.get("RouteTableId")), []).append(_route(e))
    out += [{"id": tid, "routes": routes} for tid, routes in by_table.items()]
    return out


def merge_tables(known: dict[str, dict[str, Any]], tables: Iterable[dict[str, Any]]) -> None:
    """File ``tables`` into ``known`` by id; a part given as None or absent keeps the old."""
    for t in tables:
        entry = known.setdefault(t["id"], {"id": t["id"], "vpc": "", "main": False})
        for key, value in t.items():
            if value is not None and (key not in ("vpc", "router") or value):
                entry[key] = value


def nat_gateways(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """NAT gateways in one document: AWS ``describe-nat-gateways``, Alibaba
    ``DescribeNatGateways``; [] if none."""
    return [
        {
            "id": str(n.get("NatGatewayId")),
            "vpc": str(n.get("VpcId") or ""),
            "state": str(n.get("State") or n.get("Status") or ""),
        }
        for n in _items(doc, "NatGateways", "NatGateway")
    ]


def vpc_routers(doc: Mapping[str, Any]) -> dict[str, str]:
    """Alibaba ``DescribeVpcs``: VRouterId -> VpcId (ECS route tables name only the router)."""
    return {
        str(v.get("VRouterId")): str(v.get("VpcId"))
        for v in _items(doc, "Vpcs", "Vpc")
        if v.get("VRouterId")
    }


@dataclass(frozen=True)
class Egress:
    """The node's default route: the tables judged and each default route's next hops."""

    tables: tuple[str, ...]
    hops: tuple[tuple[str, str, str], ...]  # (table, type, id)
    unsure: str = ""


def tables_of(tables: Sequence[Mapping[str, Any]], vpc: str, subnet: str) -> Egress:
    """The route table the node's subnet uses (its association, else the VPC's main table)
    and the next hops of its ``0.0.0.0/0`` route.

    When the bindings are not known (Alibaba ``DescribeRouteTables`` lists no vSwitches)
    every table of the VPC is judged and ``unsure`` says so.
    """
    mine = [t for t in tables if t.get("vpc") in ("", vpc)]
    bound = [t for t in mine if subnet and subnet in (t.get("subnets") or [])]
    unsure = ""
    if not bound:
        unknown = any(t.get("subnets") is None for t in mine)
        bound = [t for t in mine if str(t.get("main")).lower() == "true"]
        if unknown and len(mine) > 1:
            bound, unsure = mine, "the vSwitch bindings are not known: every table is judged"
    hops = tuple(
        (str(t["id"]), h["type"], h["id"])
        for t in bound
        for r in t.get("routes") or []
        if r["destination"] == DEFAULT
        for h in r["hops"]
    )
    return Egress(tuple(str(t["id"]) for t in bound), hops, unsure)
