"""ClusterList: every object of one Kubernetes resource, in every namespace.

Answered by a cluster source (the live API through a kubeconfig, or ``kubectl get -o json``
exports; hardening/cluster/), never by a node's probe or a root filesystem. Whatever the
source, each object goes through ``project``: status, managedFields and the last-applied
annotation (a full copy of the object) are dropped and the kind and apiVersion filled in
(a typed list's items carry neither), so every source gives the same facts and a big
cluster is held in bounded memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.model.cluster import RESOURCES, ClusterObjects, Resource
from hardening.model.facts import Absent, Request

NOT_A_CLUSTER = "cluster objects come from a cluster source (--kubeconfig, --cluster-facts)"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
META_KEYS = ("name", "namespace", "labels", "annotations")


@dataclass(frozen=True)
class ClusterList(Request[ClusterObjects]):
    """Every object of ``resource`` (a key of ``model.cluster.RESOURCES``)."""

    resource: str


def _metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: meta[k] for k in META_KEYS if meta.get(k) is not None}
    if "annotations" in out:
        out["annotations"] = {k: v for k, v in out["annotations"].items() if k != LAST_APPLIED}
    owners = meta.get("ownerReferences") or []
    if owners:
        out["ownerReferences"] = [{"kind": o.get("kind"), "name": o.get("name")} for o in owners]
    return out


def project(resource: Resource, obj: Mapping[str, Any]) -> dict[str, Any]:
    """The checked part of one object of ``resource``."""
    out: dict[str, Any] = {"apiVersion": resource.api_version, "kind": resource.kind}
    for key, value in obj.items():
        if key in ("status", "apiVersion", "kind"):
            continue
        out[key] = _metadata(value or {}) if key == "metadata" else value
    return out


def sort_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    """Objects in namespace/name order, so every source lists them alike."""
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace", "")), str(meta.get("name", ""))


def objects(resource: Resource, items: Sequence[Mapping[str, Any]], source: str) -> ClusterObjects:
    """The fact for a whole list: every item projected, in namespace/name order."""
    return ClusterObjects(
        resource.plural, tuple(sorted((project(resource, o) for o in items), key=sort_key)), source
    )


def fragment(reqs: Sequence[ClusterList]) -> list[Section]:
    """No shell: a node's probe does not list cluster objects."""
    return []


def parse(
    reqs: Sequence[ClusterList], frames: Mapping[str, Frame], host: str
) -> Answers[ClusterList]:
    """A node's probe has no cluster objects."""
    return {r: Absent(NOT_A_CLUSTER, is_error=True) for r in reqs}


def from_root(reqs: Sequence[ClusterList], root: Root) -> Answers[ClusterList]:
    """A root filesystem has no cluster objects."""
    return {r: Absent(NOT_A_CLUSTER, is_error=True) for r in reqs}


def from_description(req: ClusterList, desc: Mapping[str, Any]) -> Any:
    """``desc["cluster"][resource]`` (a list of objects as kubectl prints them); a resource
    named in ``desc["cluster"]["forbidden"]`` cannot be listed, one not given is empty."""
    cluster = desc.get("cluster")
    if cluster is None:
        return Absent(NOT_A_CLUSTER, is_error=True)
    if req.resource in (cluster.get("forbidden") or ()):
        return Absent(
            f"the kubeconfig's user cannot list {req.resource} (403 Forbidden)", is_error=True
        )
    return objects(RESOURCES[req.resource], cluster.get(req.resource) or [], "fixture")


SPEC = RequestSpec(ClusterList, fragment, parse, from_root, from_description)
