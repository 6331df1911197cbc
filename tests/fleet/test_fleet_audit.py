"""Fleet audits over real SSH against the namespaced lab: results, failure modes, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hardening.cli.main import main
from tests.fleet.labfleet import write_inventory
from tests.labkit.lab import Lab

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(300)]

COMPLIANT_WORKER = {
    "4.1.1": "PASS",
    "4.1.2": "PASS",
    "4.1.9": "PASS",
    "4.2.1": "PASS",
    "4.2.4": "PASS",
    "NODE-1.1": "PASS",
    "NODE-1.2": "PASS",
    "NODE-2.1": "PASS",
}
NONCOMPLIANT_WORKER = {
    "4.1.1": "FAIL",
    "4.1.2": "PASS",
    "4.1.9": "FAIL",
    "4.2.1": "FAIL",
    "4.2.4": "FAIL",
    "NODE-1.1": "FAIL",
    "NODE-1.2": "FAIL",
    "NODE-2.1": "FAIL",
}
AUDITED = (0, 1)  # every host audited; 1 only means some control failed (catalogue grows)
CONTROL_PLANE = {"NODE-1.1": "PASS", "NODE-1.2": "PASS", "NODE-2.1": "PASS"}


def audit(inventory: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Run the CLI on an inventory; return its exit code and the hosts of its JSON report."""
    out = tmp_path / f"run-{len(list(tmp_path.glob('run-*.json')))}.json"
    code = main(["audit", "-i", str(inventory), "--no-progress", "-q", "--json", str(out), *extra])
    doc = json.loads(out.read_text(encoding="utf-8"))
    return code, {h["name"]: h for h in doc["hosts"]}


def statuses(host: dict[str, Any]) -> dict[str, str]:
    """control id -> status of one host."""
    return {r["id"]: r["status"] for r in host["results"]}


def assert_expected(host: dict[str, Any], expected: dict[str, str]) -> None:
    """The host was audited and each listed control has its expected status."""
    assert host["error"] is None
    got = statuses(host)
    assert {cid: got.get(cid) for cid in expected} == expected


def test_fleet_of_four_from_inventory(fleet: Lab, tmp_path: Path, host_snapshot: Any) -> None:
    inv = write_inventory(
        fleet, tmp_path / "inv", {"cp1": {}, "worker1": {}, "worker2": {}, "worker3": {}}
    )
    code, hosts = audit(inv, tmp_path)
    assert code == 1
    assert set(hosts) == {"cp1", "worker1", "worker2", "worker3"}
    assert_expected(hosts["worker1"], COMPLIANT_WORKER)
    assert_expected(hosts["worker3"], COMPLIANT_WORKER)
    assert_expected(hosts["worker2"], NONCOMPLIANT_WORKER)
    assert_expected(hosts["cp1"], CONTROL_PLANE)
    # roles from evidence (a7c12f4): cp1's inventory groups give control-plane and etcd, and the
    # kubelet found running gives it the worker role, as kube-bench's node targets do
    assert sorted(hosts["cp1"]["roles"]) == ["control-plane", "etcd", "worker"]
    assert "kubelet" in hosts["cp1"]["meta"]["roles"]
    # kubeadm runs a kubelet on the control plane: the worker section is planned there too
    # (as kube-bench checks node targets wherever a kubelet runs), and cp1's is compliant
    cp1 = statuses(hosts["cp1"])
    assert cp1["4.2.1"] == "PASS"
    assert cp1["4.2.4"] == "PASS"


def test_limit_narrows_the_fleet(fleet: Lab, tmp_path: Path) -> None:
    inv = write_inventory(fleet, tmp_path / "inv", {"cp1": {}, "worker1": {}, "worker2": {}})
    code, hosts = audit(inv, tmp_path, "--limit", "kube_node:!worker2")
    assert code in AUDITED
    assert set(hosts) == {"worker1"}


def test_stopped_node_is_error_and_others_complete(fleet: Lab, tmp_path: Path) -> None:
    inv = write_inventory(fleet, tmp_path / "inv", {"worker1": {}, "gone": {}, "worker2": {}})
    code, hosts = audit(inv, tmp_path, "--connect-timeout", "3")
    assert code == 3
    assert "cannot connect" in hosts["gone"]["error"]
    assert set(statuses(hosts["gone"]).values()) == {"ERROR"}
    assert_expected(hosts["worker1"], COMPLIANT_WORKER)
    assert_expected(hosts["worker2"], NONCOMPLIANT_WORKER)


def test_hanging_node_times_out_and_others_complete(fleet: Lab, tmp_path: Path) -> None:
    inv = write_inventory(fleet, tmp_path / "inv", {"worker1": {}, "hang": {}})
    code, hosts = audit(inv, tmp_path, "--command-timeout", "10")
    assert code == 3
    assert "probe did not finish within 10s" in hosts["hang"]["error"]
    assert set(statuses(hosts["hang"]).values()) == {"ERROR"}
    assert_expected(hosts["worker1"], COMPLIANT_WORKER)


def test_junk_and_forged_frames_only_hurt_their_own_node(fleet: Lab, tmp_path: Path) -> None:
    inv = write_inventory(fleet, tmp_path / "inv", {"worker1": {}, "junk": {}, "worker2": {}})
    code, hosts = audit(inv, tmp_path)
    assert code == 3
    assert "no probe output came back" in hosts["junk"]["error"]
    assert set(statuses(hosts["junk"]).values()) == {"ERROR"}
    assert_expected(hosts["worker1"], COMPLIANT_WORKER)
    assert_expected(hosts["worker2"], NONCOMPLIANT_WORKER)


def test_audit_through_jump_host(fleet: Lab, tmp_path: Path) -> None:
    jump, target = fleet.node("jump"), fleet.node("worker3")
    args = f"-o UserKnownHostsFile={fleet.known_hosts} -J auditor@{jump.address}:22"
    inv = write_inventory(fleet, tmp_path / "inv", {"worker3": {"ansible_ssh_common_args": args}})
    before = jump.log_path.read_text(encoding="utf-8", errors="replace")
    code, hosts = audit(inv, tmp_path)
    assert code in AUDITED
    assert_expected(hosts["worker3"], COMPLIANT_WORKER)
    log = jump.log_path.read_text(encoding="utf-8", errors="replace")[len(before) :]
    assert f"target {target.address} port 22" in log


def test_become_without_passwordless_sudo(fleet: Lab, tmp_path: Path) -> None:
    inv = write_inventory(
        fleet,
        tmp_path / "inv",
        {"worker1": {}, "nopw": {"node": "worker3", "ansible_user": "nopw"}},
    )
    code, hosts = audit(inv, tmp_path)
    assert code == 3
    assert "sudo needs a password for user 'nopw'" in hosts["nopw"]["error"]
    assert_expected(hosts["worker1"], COMPLIANT_WORKER)


def test_without_become_root_only_facts_are_not_passed(fleet: Lab, tmp_path: Path) -> None:
    inv = write_inventory(
        fleet, tmp_path / "inv", {"worker1": {}}, common={"ansible_become": False}
    )
    code, hosts = audit(inv, tmp_path)
    assert hosts["worker1"]["error"] is None
    assert statuses(hosts["worker1"])["NODE-1.1"] != "PASS"  # sshd -T needs root
    assert code in (0, 1)


def test_unknown_host_key_refused_then_accepted(fleet: Lab, tmp_path: Path) -> None:
    inv = write_inventory(fleet, tmp_path / "inv", {"worker1": {}})
    known = tmp_path / "kh" / "known_hosts"
    code, hosts = audit(inv, tmp_path, "--known-hosts", str(known))
    assert code == 3
    assert "is not in" in hosts["worker1"]["error"]
    assert not known.exists()
    code, hosts = audit(inv, tmp_path, "--known-hosts", str(known), "--accept-new-host-keys")
    assert code in AUDITED
    name, key_type, _blob = known.read_text(encoding="ascii").split()
    node = fleet.node("worker1")
    assert name.startswith("|1|") and node.address not in name and key_type == "ssh-ed25519"
    # OpenSSH itself accepts the recorded (hashed) entry under strict checking.
    ssh = subprocess.run(
        [
            "ssh",
            "-i",
            str(fleet.key_path),
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            f"UserKnownHostsFile={known}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-p",
            str(node.port),
            f"auditor@{node.address}",
            "true",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ssh.returncode == 0, ssh.stderr
    code, hosts = audit(inv, tmp_path, "--known-hosts", str(known))
    assert code in AUDITED


@pytest.mark.destructive
def test_changed_host_key_is_refused_even_with_accept_new(lab_factory: Any, tmp_path: Path) -> None:
    lab = lab_factory(["worker1"])
    node = lab.node("worker1")
    inv = write_inventory(lab, tmp_path / "inv", {"worker1": {}})
    assert audit(inv, tmp_path)[0] in AUDITED
    node.rotate_host_key()  # known_hosts keeps the old key
    code, hosts = audit(inv, tmp_path, "--accept-new-host-keys")
    assert code == 3
    assert "host key differs from known_hosts line 1" in hosts["worker1"]["error"]
    assert "ssh-keygen -R" in hosts["worker1"]["error"]


def test_wrong_key_is_an_auth_error(fleet: Lab, tmp_path: Path) -> None:
    import paramiko

    stranger = tmp_path / "stranger_key"
    paramiko.ECDSAKey.generate().write_private_key_file(str(stranger))
    inv = write_inventory(fleet, tmp_path / "inv", {"worker1": {}, "worker2": {}})
    hosts_yml = (inv / "hosts.yml").read_text(encoding="utf-8")
    (inv / "hosts.yml").write_text(
        hosts_yml.replace(
            "ansible_host: " + fleet.node("worker1").address,
            f"ansible_host: {fleet.node('worker1').address}\n"
            f"          ansible_ssh_private_key_file: {stranger}",
            1,
        ),
        encoding="utf-8",
    )
    code, hosts = audit(inv, tmp_path)
    assert code == 3
    assert "user 'auditor' was refused with 1 key(s)" in hosts["worker1"]["error"]
    assert_expected(hosts["worker2"], NONCOMPLIANT_WORKER)
