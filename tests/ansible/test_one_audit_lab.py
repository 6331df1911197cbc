"""One audit object behind every entry point: ``audit``, ``evaluate --raw`` and remediation's
re-audit, given the same waivers and cloud exports, agree on every status.

Before the audit object, evaluate and the re-audit had no waivers and no cloud facts, so a
waived FAIL came back FAIL and the security-group and sandbox controls came back SKIP.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hardening.cli.main import main
from tests.ansible import cli
from tests.ansible.test_remediate_lab import inventory, start
from tests.lab_cloud.test_lab_cloud import OPEN_ROLE, export_dir
from tests.labkit.fixtures import LabFactory
from tests.scale.test_ansible_path import playbook

pytestmark = [
    pytest.mark.ansible,
    pytest.mark.lab,
    pytest.mark.slow,
    pytest.mark.destructive,
    pytest.mark.timeout(600),
]

WAIVED = "4.1.9"  # FAIL on the non-compliant worker, and remediation would fix it


def statuses(path: Path) -> dict[str, str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    (host,) = doc["hosts"]
    assert host["error"] is None
    return {r["id"]: r["status"] for r in host["results"]}


def options(path: Path) -> dict[str, Any]:
    opts: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["options"]
    return opts


def test_audit_evaluate_and_reaudit_agree(
    lab_factory: LabFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = start(lab_factory, "w1")
    inv = inventory(
        lab,
        tmp_path,
        w1={
            "instance_id": "i-plain1",
            "role_name": OPEN_ROLE,
            "security_group_ids": ["sg-bp1openexample01"],
            "sandbox_required": True,
        },
    )
    exports = export_dir(tmp_path / "export")
    waivers = tmp_path / "waivers.yml"
    waivers.write_text(
        f'waivers:\n  - control: "{WAIVED}"\n    hosts: ["*"]\n'
        "    reason: accepted for the test\n    expires: 2999-12-31\n"
        "    approved_by: the test\n",
        encoding="utf-8",
    )
    common = [
        "-b",
        "cis-1.12",
        "-b",
        "cloud",
        "--control",
        "4.1.*",
        "--control",
        "CLOUD-*",
        "--waivers",
        str(waivers),
        "--cloud-facts",
        str(exports),
        "-q",
    ]

    assert (
        main(
            [
                "audit",
                "-i",
                str(inv),
                *common,
                "--no-progress",
                "--json",
                str(tmp_path / "audit.json"),
            ]
        )
        == 1
    )
    probe_dir = tmp_path / "probe"
    assert main(["evaluate", "-i", str(inv), *common, "--prepare", str(probe_dir)]) == 0
    done = playbook(inv, probe_dir, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (
        main(
            [
                "evaluate",
                "-i",
                str(inv),
                *common,
                "--raw",
                str(probe_dir),
                "--json",
                str(tmp_path / "evaluate.json"),
            ]
        )
        == 1
    )
    code, out = cli.remediate(capsys, inv, *common, "--apply", "--json", str(tmp_path / "fix.json"))
    assert code in (0, 1), out

    audit = statuses(tmp_path / "audit.json")
    assert statuses(tmp_path / "evaluate.json") == audit
    assert statuses(tmp_path / "fix.audit.json") == audit
    # the waiver and the cloud facts reached every entry point
    assert audit[WAIVED] == "WAIVED"
    assert audit["CLOUD-1.1"] == "FAIL"  # the open group admits tcp 22 from 0.0.0.0/0
    assert audit["CLOUD-3.1"] == "FAIL"  # sandbox_required and no sandbox on this worker
    assert {audit[c] for c in audit if c.startswith("CLOUD-2")} >= {"FAIL"}
    summary = json.loads((tmp_path / "fix.remediation.json").read_text(encoding="utf-8"))
    fixed = {f["id"] for fs in summary["selection"]["fixes"].values() for f in fs}
    assert fixed and WAIVED not in fixed
    after = statuses(tmp_path / "fix.reaudit.json")
    assert {c: s for c, s in after.items() if c not in fixed} == {
        c: s for c, s in audit.items() if c not in fixed
    }
    assert all(after[c] == "PASS" for c in fixed)
    for name in ("audit.json", "evaluate.json", "fix.audit.json", "fix.reaudit.json"):
        opts = options(tmp_path / name)
        assert opts["waivers"]["active"] == 1 and opts["cloud"]["exports"] == str(exports)
    assert options(tmp_path / "audit.json")["command_timeout"] == 120.0
    assert options(tmp_path / "fix.reaudit.json")["ssh"]["connect_timeout"] == 10.0
