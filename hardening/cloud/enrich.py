"""Join cloud facts into each host's Facts after collection (before evaluation).

``CloudEnricher`` adds the metadata Command to each plan (the same one probe run) and,
after collection, puts instance, security groups, role policies, RuntimeClasses and the
host's ``sandbox_required`` variable into ``Facts.cloud``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hardening.cloud import metadata
from hardening.cloud.inventory import CloudInventory, join
from hardening.collect import HostOutcome
from hardening.errors import HardeningError
from hardening.facts.command import Command
from hardening.model.facts import CommandOutput
from hardening.plan import Plan

# Live sources fill the inventory for one node on demand: (inventory, instance) -> None.
Fetch = Callable[[CloudInventory, dict[str, Any]], None]


@dataclass
class CloudEnricher:
    """Plan hook and enrichment for ``run_audit``; every part is optional."""

    inventory: CloudInventory | None = None
    metadata_request: Command | None = None
    fetch: Fetch | None = None

    def extend(self, plan: Plan) -> Plan:
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

    def enrich(self, outcome: HostOutcome) -> HostOutcome:
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
