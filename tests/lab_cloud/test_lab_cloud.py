"""Cloud and runtime controls over real SSH against lab nodes.

The nodes ask a metadata service served on 127.0.0.1 (through the probe, with curl on the
node); security groups, role policies and RuntimeClasses come from an export directory.
sbx1 (profile sandboxed-worker) takes its identity from metadata; plain1 (profile worker)
from inventory vars, which win over metadata. Both are in a pool with sandbox_required.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from hardening.cli.main import main
from tests.cloud.imds import SECRET, TOKEN, Imds, serve
from tests.labkit.fixtures import LabFactory
from tests.labkit.lab import Lab, NodeSpec

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(300)]

DATA = Path(__file__).resolve().parents[1] / "unit" / "cloud" / "data"
SBX_ROLE = "KubernetesWorkerRole-sbx"
OPEN_ROLE = "KubernetesWorkerRole-open"


def export_dir(root: Path) -> Path:
    """Alibaba exports: the ACK default group, the open group, two roles, RuntimeClasses."""
    for role, policy in (
        (SBX_ROLE, "ram-GetPolicy-response.json"),
        (OPEN_ROLE, "ram-worker-policy-overprivileged-admin.json"),
    ):
        (root / "roles" / role).mkdir(parents=True)
        shutil.copy(DATA / policy, root / "roles" / role / policy)
    for name in ("alibaba-sg-closed.json", "alibaba-sg-open.json", "runtimeclasses.yaml"):
        shutil.copy(DATA / name, root / name)
    return root


def write_inventory(lab: Lab, dest: Path) -> Path:
    """One group, pool-wide sandbox_required; plain1 carries its cloud ids as host vars."""
    dest.mkdir(parents=True)
    hosts: dict[str, Any] = {
        "sbx1": {"ansible_host": lab.node("sbx1").address},
        "plain1": {
            "ansible_host": lab.node("plain1").address,
            "instance_id": "i-plain1",
            "role_name": OPEN_ROLE,
            "security_group_ids": ["sg-bp1openexample01"],
        },
    }
    doc = {
        "all": {
            "vars": {
                "ansible_user": "auditor",
                "ansible_become": True,
                "ansible_ssh_private_key_file": str(lab.key_path),
                "ansible_ssh_common_args": f"-o UserKnownHostsFile={lab.known_hosts}",
            },
            "children": {"kube_node": {"hosts": hosts, "vars": {"sandbox_required": True}}},
        }
    }
    (dest / "hosts.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return dest


def by_id(host: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in host["results"]}


def test_lab_audit_shows_all_three_control_families(
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "260")  # wide enough that rich keeps evidence on one line
    monkeypatch.setenv("TERM", "unknown")
    lab = lab_factory(
        [
            NodeSpec("sbx1", "127.0.0.41", "sandboxed-worker"),
            NodeSpec("plain1", "127.0.0.42", "worker"),
        ]
    )
    inv = write_inventory(lab, tmp_path / "inv")
    facts_dir = export_dir(tmp_path / "export")
    state = Imds("i-sbx1", SBX_ROLE, "cn-hangzhou", ("sg-bp1ackdefault0001",))
    report = tmp_path / "run.json"
    with serve(state) as imds:
        assert ipaddress.ip_address(urlsplit(imds.url).hostname or "").is_loopback
        code = main(
            [
                "audit",
                "-i",
                str(inv),
                "-b",
                "cloud",
                "--no-progress",
                "--json",
                str(report),
                "--cloud-facts",
                str(facts_dir),
                "--metadata-endpoint",
                imds.url,
                "--metadata-provider",
                "alibaba",
            ]
        )
    terminal = capsys.readouterr().out
    doc = json.loads(report.read_text(encoding="utf-8"))
    hosts = {h["name"]: h for h in doc["hosts"]}
    assert code == 1, terminal
    assert set(hosts) == {"sbx1", "plain1"}

    # the node asked the metadata service: token first, never a credential body
    assert "PUT /latest/api/token" in state.requests
    assert not any(r.endswith(f"/{SBX_ROLE}") for r in state.requests)
    sbx, plain = by_id(hosts["sbx1"]), by_id(hosts["plain1"])
    assert hosts["sbx1"]["meta"]["cloud_instance_id"] == "i-sbx1"
    assert hosts["sbx1"]["meta"]["cloud_role_name"] == SBX_ROLE

    # security groups: ACK default (ICMP only) vs the open group
    for cid in ("CLOUD-1.1", "CLOUD-1.4", "CLOUD-1.6", "CLOUD-1.7", "CLOUD-1.8"):
        assert sbx[cid]["status"] == "PASS", sbx[cid]
        assert plain[cid]["status"] == "FAIL", plain[cid]
    assert (
        "sg-bp1openexample01/sgr-bp1open0001 priority 1 Accept"
        in plain["CLOUD-1.1"]["evidence"]["observed"]
    )
    assert "sg-bp1ackdefault0001" in sbx["CLOUD-1.1"]["evidence"]["source"]

    # worker role: compliant ACK policy vs admin/NotAction/ram:*
    for cid in ("CLOUD-2.1", "CLOUD-2.2", "CLOUD-2.3", "CLOUD-2.4"):
        assert sbx[cid]["status"] == "PASS", sbx[cid]
        assert plain[cid]["status"] == "FAIL", plain[cid]
    assert SBX_ROLE in sbx["CLOUD-2.4"]["evidence"]["source"]

    # sandboxed runtime: runsc + executable shim + RuntimeClass gvisor vs none on a pool
    # that requires one
    assert sbx["CLOUD-3.1"]["status"] == "PASS", sbx["CLOUD-3.1"]
    assert "/usr/local/bin/containerd-shim-runsc-v1" in sbx["CLOUD-3.1"]["evidence"]["observed"]
    assert plain["CLOUD-3.1"]["status"] == "FAIL", plain["CLOUD-3.1"]

    # the terminal shows the three families and the deciding evidence; no secrets anywhere
    for text in (
        "CLOUD-1 Security groups",
        "CLOUD-2 Worker role permissions",
        "CLOUD-3 Sandboxed runtime",
        "sgr-bp1open0001",
    ):
        assert text in terminal, text
    raw = report.read_text(encoding="utf-8")
    assert SECRET not in raw and TOKEN not in raw and SECRET not in terminal
