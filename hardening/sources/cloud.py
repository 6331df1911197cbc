"""Cloud exports and APIs as a source joined to the node source (probe, image, raw outputs).

``CloudFacts`` adds the metadata Command to each plan (answered in the same one probe run)
and, after the node source answered, puts instance, security groups, role policies,
RuntimeClasses and the host's ``sandbox_required`` variable into ``Facts.cloud``.
``WithCloud`` is the two as one Source, which is what every entry point audits with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hardening.cloud import metadata
from hardening.cloud.inventory import CloudInventory, join
from hardening.collect import HostOutcome, Progress
from hardening.errors import HardeningError
from hardening.facts.command import Command
from hardening.model.facts import CommandOutput
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

    def join(self, outcome: HostOutcome) -> HostOutcome:
        """The outcome with ``Facts.cloud`` filled (unreached hosts are left as they are)."""
        if outcome.facts is None:
            return outcome
        host = outcome.plan.host
        meta = self.node_metadata(outcome)
        cloud: dict[str, Any] = {"sandbox_required": _truthy(host.vars.get("sandbox_required"))}
        if self.inventory is not None or self.fetch is not None:
            inv = self.inventory if self.inventory is not None else CloudInventory(source="aws")
            wanted = {k: v for k, v in host.vars.items()
                      if k in ("instance_id", "security_group_ids", "role_name")}
            try:
                if self.fetch is not None:
                    self.fetch(inv, {**meta, **wanted})
            except HardeningError as exc:
                cloud["error"] = str(exc)
            cloud.update(join(inv, dict(host.vars), meta))
        elif meta:
            cloud["instance"] = meta
        facts_meta = dict(outcome.facts.meta)
        if meta:
            facts_meta.update({f"cloud_{k}": ",".join(v) if isinstance(v, list) else str(v)
                               for k, v in meta.items()})
        facts = replace(outcome.facts, cloud={**outcome.facts.cloud, **cloud}, meta=facts_meta)
        return replace(outcome, facts=facts)


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class WithCloud:
    """A node source with the cloud facts joined to each of its outcomes."""

    node: Source
    cloud: CloudFacts = field(default_factory=CloudFacts)

    def prepare(self, plan: Plan) -> Plan:
        """The node source's plan plus the metadata request."""
        return self.cloud.prepare(self.node.prepare(plan))

    def gather(self, plans: Sequence[Plan], progress: Progress,
               stop: Stop) -> list[HostOutcome]:
        """The node source's outcomes, each joined with its cloud facts."""
        return [self.cloud.join(o) for o in self.node.gather(plans, progress, stop)]

    def record(self) -> dict[str, Any]:
        """The node source's record and the cloud settings."""
        return {**self.node.record(), "cloud": dict(self.cloud.settings)}
