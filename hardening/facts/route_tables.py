"""RouteTables: the route tables and NAT gateways of the node's VPC, normalised.

Answered by the cloud source (``sources/cloud.py``; shapes in ``cloud/network.py``), never
by the node or an image. Not exported is Absent with the reason (the control is manual).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.facts.cloudside import from_cloud, off_node
from hardening.model.facts import Absent, Request


@dataclass(frozen=True)
class RouteFact:
    """The node's VPC and subnet, the VPC's tables (``{id, vpc, main, subnets, routes}``)
    and its NAT gateways (``{id, vpc, state}``; None when they were not given)."""

    vpc: str
    subnet: str
    tables: tuple[Mapping[str, Any], ...]
    nat_gateways: tuple[Mapping[str, Any], ...] | None


@dataclass(frozen=True)
class RouteTables(Request[RouteFact]):
    """The routes the node's traffic to the Internet follows."""


def answer(cloud: Mapping[str, Any]) -> RouteFact | Absent:
    """The fact from a joined cloud mapping (``cloud/inventory.py:join``)."""
    got = from_cloud(cloud, "routes", "route tables")
    if isinstance(got, Absent):
        return got
    nats = got.get("nat_gateways")
    return RouteFact(
        str(got.get("vpc") or ""),
        str(got.get("subnet") or ""),
        tuple(got.get("tables") or ()),
        None if nats is None else tuple(nats),
    )


def fragment(reqs: Sequence[RouteTables]) -> list[Section]:
    """No shell: routes are the VPC's, not the node's."""
    return []


def parse(
    reqs: Sequence[RouteTables], frames: Mapping[str, Frame], host: str
) -> Answers[RouteTables]:
    """A probe has no VPC route tables (the cloud source answers them after it)."""
    return off_node(reqs)


def from_root(reqs: Sequence[RouteTables], root: Root) -> Answers[RouteTables]:
    """A root filesystem has no VPC route tables."""
    return off_node(reqs)


def from_description(req: RouteTables, desc: Mapping[str, Any]) -> Any:
    """``desc["cloud"]["routes"]``: ``{vpc, subnet, tables: [...], nat_gateways: [...]}``."""
    return answer(desc.get("cloud") or {})


SPEC = RequestSpec(RouteTables, fragment, parse, from_root, from_description)
