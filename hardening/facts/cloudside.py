"""What the cloud-side fact requests share: they are answered off the node.

SecurityGroups, RolePolicies, RuntimeClasses, CloudInstance, RouteTables and NodeDisks
are answered by the cloud source
(``sources/cloud.py``: exports, live APIs, the node's metadata), InventoryFlag by the
inventory the host came from; a node's probe and a root filesystem answer none of them.
Descriptions (check fixtures) give them under ``cloud:`` (and ``vars:`` for flags):

    cloud: {security_groups: [GROUP, ...], role: {name: N, policies: [{name, document}]},
            runtime_classes: [OBJECT, ...], instance_doc: INSTANCE, disks: [DISK, ...],
            routes: {vpc, subnet, tables: [TABLE, ...], nat_gateways: [NAT, ...]},
            error: "the live source failed: ...",
            missing: {security_groups: "why there are none", role: "..."}}
    vars:  {sandbox_required: true}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from hardening.model.facts import Absent

HOW = "audit with --cloud-facts DIR, --aws or --alibaba"
OFF_NODE = "answered by the cloud source, not by the node"
K = TypeVar("K")


def off_node(reqs: Iterable[K]) -> dict[K, Any]:
    """The answer of a probe or a root filesystem: these facts are not theirs to give."""
    return {r: Absent(OFF_NODE, is_error=True) for r in reqs}


def from_cloud(cloud: Mapping[str, Any], key: str, what: str) -> Any:
    """``cloud[key]``, or Absent: ERROR when the source failed, else why there is none."""
    if cloud.get("error"):
        return Absent(f"cloud facts: {cloud['error']}", is_error=True)
    value = cloud.get(key)
    if value is None:
        reason = (cloud.get("missing") or {}).get(key) or f"no {what} for this node; {HOW}"
        return Absent(str(reason))
    return value
