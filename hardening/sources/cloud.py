"""Cloud exports and APIs as a source joined to the node source (probe, image, raw outputs).

``CloudFacts`` adds the metadata Command to each plan (answered in the same one probe run)
and, after the node source answered, answers the off-node fact requests the kinds declared
in ``needs()``: SecurityGroups, RolePolicies, RuntimeClasses, CloudInstance, RouteTables,
NodeDisks (exports, live APIs, metadata)
and InventoryFlag (the host's inventory variables; hardening/facts/).
``WithCloud`` is the two as one Source, which is what every entry point audits with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hardening.cloud import metadata
from hardening.cloud.inventory import CloudInventory, join
from hardening.collect import HostOutcome, Progress
from hardening.errors import HardeningError
from hardening.facts import (
    cloud_instance,
    inventory_flag,
    node_disks,
    role_policies,
    route_tables,
    runtime_classes,
    security_groups,
)
from hardening.facts.cloud_instance import CloudInstance
from hardening.facts.command import Command
from hardening.facts.inventory_flag import InventoryFlag
from hardening.facts.node_disks import NodeDisks
from hardening.facts.role_policies import RolePolicies
from hardening.facts.route_tables import RouteTables
from hardening.facts.runtime_classes import RuntimeClasses
from hardening.facts.security_groups import SecurityGroups
from hardening.model.facts import CommandOutput
from hardening.model.host import Host
from hardening.plan import Plan
from hardening.sources.base import Source
from hardening.stop import Stop

# Live sources fill the inventory for one node on demand: (inventory, instance) -> None.
Fetch = Callable[[CloudInventory, dict[str, Any]], None]


@dataclass
class CloudFacts:
    """Cloud facts for the hosts of a run; every part is optional (host vars always count).

    ``settings`` is what the run document records (export directory, live provider and
    region, metadata endpoint), never a credential.
    """

    inventory: CloudInventory | None = None
    metadata_request: Command | None = None
    fetch: Fetch | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def prepare(self, plan: Plan) -> Plan:
        """Add the metadata request to a host's plan."""
        if self.metadata_request is None or not plan.controls:
            return plan
        return replace(plan, requests=(*plan.requests, self.metadata_request))

    def node_metadata(self, outcome: HostOutcome) -> dict[str, Any]:
        """What the node's metadata service said (identifiers only), or {}."""
        if self.metadata_request is None or outcome.facts is None:
            return {}
        out = outcome.facts.get(self.metadata_request)
        if not isinstance(out, CommandOutput) or out.rc != 0:
            return {}
        return metadata.parse(out.text)

    def cloud_of(
        self, host: Host, meta: dict[str, Any], needs: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """The joined cloud mapping of one host (``cloud/inventory.py:join``), or why not.

        ``needs`` tells a live source what more to fetch (``instance``, ``network``,
        ``disks``): only the controls that ask for routes or disks cost those calls.
        """
        if self.inventory is None and self.fetch is None:
            return {"instance": meta} if meta else {}
        inv = self.inventory if self.inventory is not None else CloudInventory(source="aws")
        wanted = {
            k: v
            for k, v in host.vars.items()
            if k in ("instance_id", "security_group_ids", "role_name")
        }
        try:
            if self.fetch is not None:
                self.fetch(inv, {**meta, **wanted, "needs": needs})
        except HardeningError as exc:
            return {"error": str(exc)}
        return join(inv, dict(host.vars), meta)

    def join(self, outcome: HostOutcome) -> HostOutcome:
        """The outcome with its off-node requests answered (unreached hosts left as they are).

        The cloud sources are asked only for a host that has a cloud request, so a run
        without cloud controls makes no API call.
        """
        if outcome.facts is None:
            return outcome
        host = outcome.plan.host
        wanted = [r for r in outcome.plan.requests if type(r) in ANSWERS]
        meta = self.node_metadata(outcome)
        cloudy = any(type(r) is not InventoryFlag for r in wanted)
        needs = frozenset(NEEDS[type(r)] for r in wanted if type(r) in NEEDS)
        cloud = self.cloud_of(host, meta, needs) if cloudy else {}
        values = dict(outcome.facts.values)
        for req in wanted:
            values[req] = ANSWERS[type(req)](req, cloud, host.vars)
        facts_meta = dict(outcome.facts.meta)
        ids = {
            **meta,
            **{k: v for k, v in (cloud.get("instance") or {}).items() if k in IDENTIFIERS and v},
        }
        facts_meta.update(
            {f"cloud_{k}": ",".join(v) if isinstance(v, list) else str(v) for k, v in ids.items()}
        )
        return replace(outcome, facts=replace(outcome.facts, values=values, meta=facts_meta))


IDENTIFIERS = ("provider", "instance_id", "region", "role_name", "security_group_ids")
Answer = Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Any]
# request type -> (request, joined cloud mapping, host vars) -> its fact
ANSWERS: dict[type[Any], Answer] = {
    SecurityGroups: lambda req, cloud, host_vars: security_groups.answer(cloud),
    RolePolicies: lambda req, cloud, host_vars: role_policies.answer(cloud),
    RuntimeClasses: lambda req, cloud, host_vars: runtime_classes.answer(cloud),
    InventoryFlag: lambda req, cloud, host_vars: inventory_flag.answer(req, host_vars),
    CloudInstance: lambda req, cloud, host_vars: cloud_instance.answer(cloud),
    RouteTables: lambda req, cloud, host_vars: route_tables.answer(cloud),
    NodeDisks: lambda req, cloud, host_vars: node_disks.answer(cloud),
}
# What a live source fetches beyond groups and roles, by the request that needs it.
NEEDS = {CloudInstance: "instance", RouteTables: "network", NodeDisks: "disks"}


@dataclass(frozen=True)
class WithCloud:
    """A node source with the cloud facts joined to each of its outcomes."""

    node: Source
    cloud: CloudFacts = field(default_factory=CloudFacts)

    def prepare(self, plan: Plan) -> Plan:
        """The node source's plan plus the metadata request."""
        return self.cloud.prepare(self.node.prepare(plan))

    def gather(self, plans: Sequence[Plan], progress: Progress, stop: Stop) -> list[HostOutcome]:
        """The node source's outcomes, each joined with its cloud facts."""
        return [self.cloud.join(o) for o in self.node.gather(plans, progress, stop)]

    def record(self) -> dict[str, Any]:
        """The node source's record and the cloud settings."""
        return {**self.node.record(), "cloud": dict(self.cloud.settings)}
