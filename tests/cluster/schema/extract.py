"""Maintainer tool (not run by the tests): cut the vendored Kubernetes definitions.

    python3 tests/cluster/schema/extract.py WHEEL_OR_DEFINITIONS_JSON

reads the JSON Schema form of the Kubernetes v1.32.0 OpenAPI definitions as the
kubernetes-validate wheel ships them (``v1.32.0-local-strict/_definitions.json``), keeps
the closure of the kinds the audit lists (and their list kinds), drops the descriptions,
and writes ``k8s-v1.32.0-definitions.json`` beside this file.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

MEMBER = "kubernetes_validate/kubernetes-json-schema/v1.32.0-local-strict/_definitions.json"
ROOTS = [
    f"io.k8s.api.{g}.v1.{k}"
    for g, ks in {
        "core": ["Namespace", "Pod", "ServiceAccount", "Service"],
        "apps": ["Deployment", "DaemonSet", "StatefulSet"],
        "batch": ["Job", "CronJob"],
        "rbac": ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
        "networking": ["NetworkPolicy"],
        "admissionregistration": ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"],
    }.items()
    for k in ks
]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = [node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else []
        return out + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def main(src: str) -> None:
    if src.endswith(".whl"):
        with zipfile.ZipFile(src) as wheel:
            doc = json.loads(wheel.read(MEMBER))
    else:
        doc = json.loads(Path(src).read_text(encoding="utf-8"))
    defs = doc["$defs"]
    want = [*ROOTS, *(r + "List" for r in ROOTS)]
    keep: dict[str, Any] = {}
    while want:
        name = want.pop()
        if name not in keep:
            keep[name] = _strip(defs[name])
            want += _refs(defs[name])
    out = {"$schema": doc["$schema"], "$defs": dict(sorted(keep.items()))}
    dest = Path(__file__).with_name("k8s-v1.32.0-definitions.json")
    dest.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{dest}: {len(keep)} definitions")


if __name__ == "__main__":
    main(sys.argv[1])
