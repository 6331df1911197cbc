"""docs/cluster.md's ClusterRole grants exactly what the audit reads: list, on RESOURCES."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from hardening.model.cluster import RESOURCES

DOC = Path(__file__).resolve().parents[2] / "docs" / "cluster.md"


def test_the_documented_cluster_role_lists_exactly_the_resources_read() -> None:
    block = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None
    role = next(d for d in yaml.safe_load_all(block.group(1)) if d["kind"] == "ClusterRole")
    granted = {
        (g, r) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]
    }
    assert granted == {(r.group, r.plural) for r in RESOURCES.values()}
    assert {v for rule in role["rules"] for v in rule["verbs"]} == {"list"}


def test_the_export_loop_names_every_resource() -> None:
    loop = re.search(r"for r in (.*?); do", DOC.read_text(encoding="utf-8"))
    assert loop is not None and loop.group(1).split() == list(RESOURCES)
