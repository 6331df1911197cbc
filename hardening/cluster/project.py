"""One listed object -> the part of it the checks read (bounded memory over big clusters).

Status, managedFields and the last-applied annotation (a full copy of the object) are
dropped; the kind and apiVersion are filled in, since a typed list's items carry neither.
Every source (live API, exports, a control-plane node) projects through this one function,
so they give identical facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hardening.model.cluster import Resource

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
META_KEYS = ("name", "namespace", "labels", "annotations")


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
