"""Each native benchmark end to end against the lab over SSH, through the CLI.

Compliant nodes (cp1, worker1) must PASS and the non-compliant worker (worker2) must FAIL
the representative controls in expectations.yaml.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.labkit.lab import Lab

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(300)]

HERE = Path(__file__).resolve().parent
EXPECTED: dict[str, dict[str, dict[str, str]]] = yaml.safe_load(
    (HERE / "expectations.yaml").read_text(encoding="utf-8")
)


def _become_inventory(lab: Lab, dest: Path) -> Path:
    """The lab's inventory with ``ansible_become`` on (sshd -T and root-only files need it)."""
    doc = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))
    doc["all"].setdefault("vars", {})["ansible_become"] = True
    dest.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def runs(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """One CLI audit per benchmark over the whole lab inventory; the parsed JSON documents."""
    tmp = tmp_path_factory.mktemp("lab-content")
    inventory = _become_inventory(lab, tmp / "inventory.yml")
    docs: dict[str, dict[str, Any]] = {}
    for bench in EXPECTED:
        out = tmp / f"{bench}.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "hardening",
                "audit",
                "-i",
                str(inventory),
                "--benchmark",
                bench,
                "--json",
                str(out),
                "--no-progress",
                "-q",
            ],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert proc.returncode in (0, 1), f"{bench}: exit {proc.returncode}\n{proc.stderr}"
        docs[bench] = json.loads(out.read_text(encoding="utf-8"))
    return docs


CASES = [
    (b, n, c, s)
    for b, nodes in EXPECTED.items()
    for n, ctl in nodes.items()
    for c, s in ctl.items()
]


@pytest.mark.parametrize(
    ("bench", "node", "control", "status"), CASES, ids=[f"{b}-{n}-{c}" for b, n, c, _ in CASES]
)
def test_control_status_on_lab_node(
    runs: dict[str, dict[str, Any]], bench: str, node: str, control: str, status: str
) -> None:
    host = next(h for h in runs[bench]["hosts"] if h["name"] == node)
    assert host["error"] is None, host["error"]
    result = next(r for r in host["results"] if r["id"] == control)
    assert result["status"] == status, json.dumps(result, indent=1)


@pytest.mark.parametrize("bench", list(EXPECTED))
def test_every_lab_host_was_audited_without_errors(
    runs: dict[str, dict[str, Any]], bench: str
) -> None:
    doc = runs[bench]
    assert {h["name"] for h in doc["hosts"]} >= {"cp1", "worker1", "worker2"}
    errors = [
        (h["name"], r["id"], r["reason"])
        for h in doc["hosts"]
        for r in h["results"]
        if r["status"] == "ERROR"
    ]
    assert errors == []
