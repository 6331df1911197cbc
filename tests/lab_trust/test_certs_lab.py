"""NODE-4 (certificates and credentials) on namespaced lab nodes, over SSH, through the CLI.

A fresh control plane and worker with the lab's kubeadm-style PKI PASS (the non-compliant
worker, whose kubelet config turns rotation off, FAILs NODE-4.8/4.9); then certificates made
in the test (expired, expiring in 10 days, RSA 1024, SHA-1) are written into the
control plane's /etc/kubernetes/pki, an admin.conf onto the worker and a token kubeconfig
into a home directory, and the re-audit FAILs (or WARNs) exactly those, naming them.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.labkit.fixtures import LabFactory
from tests.labkit.lab import Lab
from tests.support.certgen import make

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.destructive, pytest.mark.timeout(300)]
CONTROLS = [f"NODE-4.{n}" for n in range(1, 10)]


def _audit(lab: Lab, tmp: Path, name: str) -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))
    doc["all"].setdefault("vars", {})["ansible_become"] = True
    inventory = tmp / "inventory.yml"
    inventory.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = tmp / f"{name}.json"
    argv = [
        sys.executable,
        "-m",
        "hardening",
        "audit",
        "-i",
        str(inventory),
        "--benchmark",
        "node-os",
        "--json",
        str(out),
        "--no-progress",
        "-q",
    ]
    for c in CONTROLS:
        argv += ["--control", c]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode in (0, 1), f"exit {proc.returncode}\n{proc.stderr}"
    run = json.loads(out.read_text(encoding="utf-8"))
    return {h["name"]: {r["id"]: r for r in h["results"]} for h in run["hosts"]}


def _put(lab: Lab, node: str, path: str, data: bytes, mode: int) -> None:
    target = lab.node(node).node_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    os.chmod(target, mode)


def _details(result: dict[str, Any]) -> str:
    return "\n".join(result["evidence"].get("details") or [])


def _in_days(n: int) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=n)).strftime("%Y-%m-%d")


def test_node4_passes_stock_pki_and_fails_what_the_test_plants(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = lab_factory(["cp1", "worker1", "worker2"])
    before = _audit(lab, tmp_path, "before")
    errors = [
        (n, c, r["reason"])
        for n, rs in before.items()
        for c, r in rs.items()
        if r["status"] == "ERROR"
    ]
    assert errors == []
    for cid in ("NODE-4.8", "NODE-4.9"):  # worker2's kubelet config: rotateCertificates false
        assert before["worker2"][cid]["status"] == "FAIL", before["worker2"][cid]
    assert before["worker2"]["NODE-4.8"]["evidence"]["source"] == (
        "/var/lib/kubelet/config.yaml: rotateCertificates: false"
    )
    assert (
        "leaves serverTLSBootstrap unset: false"
        in before["worker2"]["NODE-4.9"]["evidence"]["source"]
    )
    for node in ("cp1", "worker1"):
        for cid in (
            "NODE-4.1",
            "NODE-4.2",
            "NODE-4.3",
            "NODE-4.4",
            "NODE-4.5",
            "NODE-4.8",
            "NODE-4.9",
        ):
            got = before[node][cid]
            assert got["status"] == "PASS", (node, cid, got["reason"], _details(got))
    assert before["worker1"]["NODE-4.7"]["status"] == "PASS"
    assert "kubelet.conf (client-certificate-data)" not in _details(before["cp1"]["NODE-4.1"])

    pki = "/etc/kubernetes/pki"
    planted = {
        "expired": make("lab-expired", not_before="2024-01-01", not_after="2024-06-01"),
        "expiring": make("lab-expiring", not_before="2025-01-01", not_after=_in_days(10)),
        "weak": make("lab-weak", key="rsa1024", not_after="2099-01-01"),
        "sha1": make("lab-sha1", key="rsa2048", not_after="2099-01-01", sha1=True),
    }
    for stem, pair in planted.items():
        _put(lab, "cp1", f"{pki}/{stem}.crt", pair.pem, 0o644)
        _put(lab, "cp1", f"{pki}/{stem}.key", pair.key_pem(), 0o600)
    os.chmod(lab.node("cp1").node_path(f"{pki}/weak.key"), 0o644)
    _put(
        lab,
        "worker1",
        "/etc/kubernetes/admin.conf",
        lab.node("cp1").node_path("/etc/kubernetes/admin.conf").read_bytes(),
        0o600,
    )
    token = yaml.safe_dump({"users": [{"name": "u", "user": {"token": "abcdef.0123456789"}}]})
    _put(lab, "worker1", "/home/auditor/.kube/config", token.encode(), 0o644)

    after = _audit(lab, tmp_path, "after")
    cp1, worker1 = after["cp1"], after["worker1"]
    assert cp1["NODE-4.1"]["status"] == "FAIL"
    expiry = _details(cp1["NODE-4.1"])
    assert f"{pki}/expired.crt (CN=lab-expired): expired 2024-06-01" in expiry
    assert f"{pki}/expiring.crt (CN=lab-expiring): expires {_in_days(10)}" in expiry
    assert "apiserver.crt" not in expiry
    assert cp1["NODE-4.2"]["status"] == "FAIL"
    assert f"{pki}/weak.crt (CN=lab-weak): RSA 1024 bits < 2048" in _details(cp1["NODE-4.2"])
    assert cp1["NODE-4.3"]["status"] == "FAIL"
    assert f"{pki}/sha1.crt (CN=lab-sha1): signed with SHA1" in _details(cp1["NODE-4.3"])
    assert cp1["NODE-4.5"]["status"] == "FAIL"
    keys = _details(cp1["NODE-4.5"])
    assert f"{pki}/weak.key: 644 root:root, RSA 1024 (from {pki}/weak.crt)" in keys
    assert f"{pki}/apiserver.key: 600 root:root, EC secp256r1" in keys
    assert cp1["NODE-4.4"]["status"] == "PASS"
    assert worker1["NODE-4.7"]["status"] == "FAIL"
    assert "admin.conf: 600 root:root, credentials: client-key-data -- present" in _details(
        worker1["NODE-4.7"]
    )
    assert worker1["NODE-4.6"]["status"] == "FAIL"
    assert "credentials: token -- mode 644 (at most 600); holds token" in _details(
        worker1["NODE-4.6"]
    )
    report = (tmp_path / "after.json").read_bytes()
    for pair in planted.values():
        for line in pair.key_pem().splitlines()[1:-1]:
            assert line not in report
    assert b"abcdef.0123456789" not in report
