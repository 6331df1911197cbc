"""An audit over SSH without become: what the account may not read is ERROR, never FAIL.

The lab's ``auditor`` logs in with ``ansible_become: false``: ``sshd -T`` prints nothing and
exits 1, the kubelet's config is mode 600 and some directories under / cannot be searched.
The same node audited with become is the baseline: every control that FAILs or ERRORs only
without root must be ERROR with "needs root: set ansible_become", and the summary warns once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.labkit.fixtures import LabFactory

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]
SSHD_CONTROLS = ["NODE-1.3", "NODE-1.6", "NODE-1.7", "NODE-1.8", "NODE-1.9", "NODE-1.10"]


def audit(inventory: Path, out: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "hardening", "audit", "-i", str(inventory), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"},
    )
    return proc, json.loads(out.read_text(encoding="utf-8"))


def statuses(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in doc["hosts"][0]["results"]}


def test_an_audit_without_become_errors_what_needs_root(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = lab_factory(["worker1"])
    doc = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))
    doc["all"]["vars"]["ansible_become"] = False
    plain = tmp_path / "nonroot.yml"
    plain.write_text(yaml.safe_dump(doc), encoding="utf-8")

    rooted, root_doc = audit(lab.inventory_path, tmp_path / "root.json")
    proc, user_doc = audit(plain, tmp_path / "user.json")

    assert root_doc["hosts"][0]["meta"]["uid"] == "0", rooted.stderr
    assert user_doc["hosts"][0]["meta"]["uid"] not in ("", "0")
    as_root, as_user = statuses(root_doc), statuses(user_doc)
    for cid in SSHD_CONTROLS:
        assert as_root[cid]["status"] == "PASS", as_root[cid]
        assert as_user[cid]["status"] == "ERROR", as_user[cid]
        assert as_user[cid]["reason"].startswith("needs root: set ansible_become")
    # The non-root walk cannot see every directory: an error, not a shorter (passing) list.
    assert as_root["NODE-2.1"]["status"] == "PASS"
    assert as_user["NODE-2.1"]["status"] == "ERROR"
    assert "permission denied" in as_user["NODE-2.1"]["reason"]
    # Nothing fails without root that passes with it: the lack of privilege is never a FAIL.
    worse = [
        cid
        for cid, r in as_user.items()
        if r["status"] == "FAIL" and as_root[cid]["status"] != "FAIL"
    ]
    assert worse == []
    needs_root = [cid for cid, r in as_user.items() if r["reason"].startswith("needs root")]
    assert "4.2.1" in needs_root  # the kubelet's config file, mode 600
    assert proc.stdout.count("was audited as uid") == 1
    warning = next(ln for ln in proc.stdout.splitlines() if "was audited as uid" in ln)
    assert f"{len(needs_root)} check(s)" in warning and "ansible_become: true" in warning
    assert proc.returncode == 1, proc.stderr  # worker1's known failures (NODE-3.x)
