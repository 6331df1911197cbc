"""`hardening remediate` against real sshd lab nodes with real ansible-runner/ansible-playbook."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from hardening.cli.main import main
from tests.ansible import cli
from tests.labkit.fixtures import HostSnapshot, LabFactory
from tests.labkit.lab import Lab, NodeSpec

pytestmark = [
    pytest.mark.ansible,
    pytest.mark.lab,
    pytest.mark.slow,
    pytest.mark.destructive,
    pytest.mark.timeout(600),
]

# Controls the lab can prove: file modes/owners, kubelet config keys, sshd, SUID. Kernel
# parameters are left out: lab nodes share the host's kernel.
CONTROLS = [
    "--control",
    "4.1.*",
    "--control",
    "4.2.*",
    "--control",
    "NODE-1.*",
    "--control",
    "NODE-2.*",
]
# 4.2.5 is not here: the profile's streamingConnectionIdleTimeout: 0s is Go's zero duration,
# which the kubelet defaults to 4h (SetDefaults_KubeletConfiguration), so it passes already.
REMEDIATED = {
    "4.1.1",
    "4.1.5",
    "4.1.7",
    "4.1.9",
    "4.1.10",
    "4.2.1",
    "4.2.2",
    "4.2.3",
    "4.2.4",
    "4.2.6",
    "4.2.10",
    "4.2.13",
    "4.2.14",
    "NODE-1.1",
    "NODE-1.2",
    "NODE-1.4",
    "NODE-1.5",
    "NODE-2.1",
    "NODE-2.2",
}
WATCHED = (
    "/etc/kubernetes /etc/ssh /etc/systemd /etc/default /etc/sysctl.d /var/lib/kubelet "
    "/usr/lib/systemd/system/kubelet.service /usr/local/bin"
)
RESTARTS = "/root/hardening-restarts"
RESTART_KUBELET = "/usr/local/sbin/lab-restart-kubelet"  # tests/labkit/restart_kubelet.py


def start(lab_factory: LabFactory, *names: str) -> Lab:
    """Fresh non-compliant workers called ``names``."""
    specs = [NodeSpec(n, f"127.0.0.{31 + i}", "worker-noncompliant") for i, n in enumerate(names)]
    return lab_factory(specs)  # type: ignore[arg-type]  # the factory takes specs too


def inventory(lab: Lab, tmp: Path, **host_vars: dict[str, Any]) -> Path:
    """The lab inventory plus become and lab-safe handler/sysctl commands.

    Each handler records itself in RESTARTS; the kubelet one then really restarts the
    node's kubelet with the argv its unit files give (the lab's stand-in for systemctl).
    """
    doc = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))
    doc["all"]["vars"].update(
        {
            "ansible_become": True,
            "hardening_restart_kubelet": [
                "sh",
                "-c",
                f"echo kubelet >> {RESTARTS} && exec {RESTART_KUBELET}",
            ],
            "hardening_reload_sshd": ["sh", "-c", f"echo sshd >> {RESTARTS}"],
            "hardening_daemon_reload": ["sh", "-c", f"echo daemon-reload >> {RESTARTS}"],
            "hardening_sysctl_load": ["true"],
        }
    )
    for name, values in host_vars.items():
        doc["all"]["hosts"][name].update(values)
    path = tmp / "inventory.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def ssh(lab: Lab, node: str, command: str) -> str:
    result = subprocess.run(
        lab.ssh_argv(node, "auditor", command),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def fingerprint(lab: Lab, node: str) -> str:
    """Mode, owner and sha256 of every file under the watched node paths."""
    return ssh(
        lab,
        node,
        f"sudo find {WATCHED} -xdev -printf '%p %m %u:%g\\n' | sort; "
        f"sudo find {WATCHED} -xdev -type f -exec sha256sum {{}} + | sort",
    )


def remediate(capsys: pytest.CaptureFixture[str], inv: Path, *extra: str) -> tuple[int, str]:
    return cli.remediate(capsys, inv, *CONTROLS, *extra)


def statuses(path: Path, host: str) -> dict[str, str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    run = next(h for h in doc["hosts"] if h["name"] == host)
    return {r["id"]: r["status"] for r in run["results"]}


def test_dry_run_lists_changes_and_changes_nothing(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "worker2")
    inv = inventory(lab, tmp_path)
    before = fingerprint(lab, "worker2")
    code, out = remediate(capsys, inv, "--workdir", str(tmp_path / "work"))
    assert code == 0, out
    # One block, with one combined diff, per file: every control that edits the file is in it.
    kubelet_config = "would change  worker2  /var/lib/kubelet/config.yaml  ["
    assert out.count(kubelet_config) == 1
    block = out.split(kubelet_config, 1)[1].split("\nwould change  ", 1)[0]
    for tag in ("cis-1.12-4.1.9", "cis-1.12-4.2.2", "cis-1.12-4.2.4", "cis-1.12-4.2.14"):
        assert tag in block.splitlines()[0]
    assert out.count("--- /var/lib/kubelet/config.yaml") == 1
    for line in ("-readOnlyPort: 10255", "+readOnlyPort: 0", "-  mode: AlwaysAllow"):
        assert f"    {line}\n" in block
    assert "+  mode: Webhook" in block and "+seccompDefault: true" in block
    # the file's mode after 4.1.9 (600) and NODE-2.2 (o-w) together
    assert "    mode 0666 -> 0600\n" in block
    # edited in place: the lists keep their indentation, so no line but the keys set changes
    changed = [ln for ln in block.splitlines() if ln.startswith(("    -", "    +"))]
    assert not [ln for ln in changed if "10.96.0.10" in ln or "TLS_" in ln], changed
    sshd = out.split("would change  worker2  /etc/ssh/sshd_config  [", 1)[1]
    assert out.count("--- /etc/ssh/sshd_config") == 1
    for setting in ("maxauthtries 4", "passwordauthentication no", "x11forwarding no"):
        assert f"    +{setting}\n" in sshd
    assert "    +permitrootlogin prohibit-password\n" in sshd  # what NODE-1.1's text asks
    assert re.search(r"^20 changes in 7 files on 1 host; rerun with --apply$", out, re.M), out
    assert f"ansible event log: {tmp_path / 'work' / 'ansible-events.jsonl'}" in out
    assert fingerprint(lab, "worker2") == before
    assert (
        "No such file"
        in subprocess.run(
            lab.ssh_argv("worker2", "auditor", f"sudo cat {RESTARTS}"),
            capture_output=True,
            text=True,
        ).stderr
    )


def test_dry_run_of_one_control_from_a_full_audit_calls_the_rest_not_selected(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "worker2")
    inv = inventory(lab, tmp_path)
    saved = tmp_path / "full.json"
    assert main(["audit", "-i", str(inv), "--json", str(saved), "--quiet"]) == 1
    capsys.readouterr()
    code, out = cli.remediate(
        capsys,
        inv,
        "--from-json",
        str(saved),
        "--control",
        "NODE-1.1",
        "--json",
        str(tmp_path / "one.json"),
    )
    assert code == 0, out
    assert "\nmanual  " not in out and not out.startswith("manual")
    (line,) = [ln for ln in out.splitlines() if ln.startswith("not selected  worker2  ")]
    ids = line.split("  ")[2].split(" (")[0].split(", ")
    assert "4.2.9" in ids and "NODE-1.2" in ids and "NODE-1.1" not in ids
    assert "would change  worker2  /etc/ssh/sshd_config  [node-os-NODE-1.1]" in out
    assert "    +permitrootlogin prohibit-password\n" in out
    assert "passwordauthentication no" not in out
    assert re.search(r"^1 change in 1 file on 1 host; rerun with --apply$", out, re.M), out
    summary = json.loads((tmp_path / "one.remediation.json").read_text(encoding="utf-8"))
    assert summary["selection"]["manual"] == []
    assert {"host": "worker2", "id": "4.2.9"} in summary["selection"]["not_selected"]
    (changed,) = summary["rollout"]["files"]
    assert (changed["path"], changed["tags"]) == ("/etc/ssh/sshd_config", ["node-os-NODE-1.1"])


def test_apply_fixes_then_a_second_apply_changes_nothing(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "worker2")
    inv = inventory(lab, tmp_path)
    report = tmp_path / "run.json"
    code, out = remediate(capsys, inv, "--apply", "--json", str(report))
    assert code == 0, out
    after = statuses(tmp_path / "run.reaudit.json", "worker2")
    first = statuses(tmp_path / "run.audit.json", "worker2")
    assert all(first[c] == "FAIL" for c in REMEDIATED)
    assert {c: after[c] for c in REMEDIATED} == {c: "PASS" for c in REMEDIATED}
    summary = json.loads((tmp_path / "run.remediation.json").read_text(encoding="utf-8"))
    assert {v["id"] for v in summary["verification"] if v["outcome"] == "fixed"} == REMEDIATED
    assert ssh(lab, "worker2", f"sudo cat {RESTARTS}").split() == ["kubelet", "sshd"]
    assert ssh(lab, "worker2", "sudo ls /var/lib/kubelet").count("config.yaml.") >= 1  # backup
    settled = fingerprint(lab, "worker2")
    # The same fixes again, from the first audit: Ansible must find nothing to change.
    code, out = remediate(capsys, inv, "--apply", "--from-json", str(tmp_path / "run.audit.json"))
    assert code == 0, out
    assert "no change\n" in out and "\nchanged  " not in out
    assert fingerprint(lab, "worker2") == settled
    assert ssh(lab, "worker2", f"sudo cat {RESTARTS}").split() == ["kubelet", "sshd"]


def test_a_failing_node_stops_the_rollout_and_the_others_are_untouched(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "bad", "good1", "good2")
    # On "bad", sshd validation cannot pass: its sshd task fails.
    inv = inventory(lab, tmp_path, bad={"hardening_sshd_binary": "/bin/false"})
    others = {n: fingerprint(lab, n) for n in ("good1", "good2")}
    code, out = remediate(
        capsys,
        inv,
        "--apply",
        "--serial",
        "1",
        "--max-fail-percent",
        "0",
        "--json",
        str(tmp_path / "run.json"),
    )
    assert code == 1, out
    assert "rollout stopped: batch 1 failed on 1 of 1 host(s)" in out
    assert "never started good1, good2" in out
    assert {n: fingerprint(lab, n) for n in ("good1", "good2")} == others
    summary = json.loads((tmp_path / "run.remediation.json").read_text(encoding="utf-8"))
    assert list(summary["rollout"]["failed"]) == ["bad"]
    assert summary["rollout"]["not_started"] == ["good1", "good2"]
    outcomes = {(v["host"], v["outcome"]) for v in summary["verification"]}
    assert ("good1", "not remediated") in outcomes and ("bad", "still failing") in outcomes


def test_a_closed_window_refuses_to_start(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "worker2")
    inv = inventory(lab, tmp_path)
    before = fingerprint(lab, "worker2")
    opens = datetime.now(UTC) + timedelta(hours=2)
    window = f"{opens:%H}:00-{opens + timedelta(hours=1):%H}:00"
    code, out = remediate(capsys, inv, "--apply", "--window", window, "--window-tz", "UTC")
    assert code == 2
    assert f"maintenance window {window} UTC is closed" in out
    assert fingerprint(lab, "worker2") == before


def test_an_emitted_playbook_run_by_ansible_playbook_equals_apply(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "plain", "viacli")
    inv = inventory(lab, tmp_path)
    book = tmp_path / "reviewed.yml"
    code, out = remediate(capsys, inv, "--limit", "plain", "--emit-playbook", str(book))
    assert code == 0 and book.is_file(), out
    run = subprocess.run(
        ["ansible-playbook", "-i", str(inv), str(book)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            **os.environ,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        },
    )
    assert run.returncode == 0, run.stdout[-3000:]
    code, out = remediate(capsys, inv, "--limit", "viacli", "--apply")
    assert code == 0, out
    audit = main(
        [
            "audit",
            "-i",
            str(inv),
            *CONTROLS,
            "--json",
            str(tmp_path / "after.json"),
            "--no-progress",
            "-q",
        ]
    )
    capsys.readouterr()
    assert audit in (0, 1)
    assert statuses(tmp_path / "after.json", "plain") == statuses(tmp_path / "after.json", "viacli")
    config = (
        "sudo sha256sum /var/lib/kubelet/config.yaml | cut -d' ' -f1; "
        "sudo grep -v -e ListenAddress /etc/ssh/sshd_config | sha256sum"
    )
    assert ssh(lab, "plain", config) == ssh(lab, "viacli", config)
    assert ssh(lab, "plain", f"sudo cat {RESTARTS}") == ssh(lab, "viacli", f"sudo cat {RESTARTS}")


KERNEL = {
    "NODE-3.1": ("vm.overcommit_memory", "1"),
    "NODE-3.3": ("kernel.panic", "10"),
    "NODE-3.4": ("kernel.panic_on_oops", "1"),
}


def test_kernel_parameters_are_persisted_and_loaded_by_file_and_the_host_is_untouched(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The sysctl fix writes one file per parameter and loads exactly that file. The lab
    shares the host's kernel, so the loader is a stand-in that records its argument, and the
    re-audit must say the live values are still wrong, never that they were fixed."""
    live = {key: Path("/proc/sys", key.replace(".", "/")).read_text() for key, _ in KERNEL.values()}
    wrong = {cid for cid, (key, want) in KERNEL.items() if live[key].strip() != want}
    if not wrong:
        pytest.fail("this host already has every NODE-3 value the test fixes; pick others")
    host_sysctl = sorted(p.name for p in Path("/etc/sysctl.d").iterdir())
    lab = start(lab_factory, "worker2")
    inv = inventory(lab, tmp_path)
    doc = yaml.safe_load(inv.read_text(encoding="utf-8"))
    doc["all"]["vars"]["hardening_sysctl_load"] = ["sh", "-c", f"echo load $0 >> {RESTARTS}"]
    inv.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    code, out = cli.remediate(
        capsys, inv, "--control", "NODE-3.*", "--apply", "--json", str(tmp_path / "run.json")
    )
    assert code == 1, out  # the live values cannot change here: still failing
    for cid in wrong:
        key, want = KERNEL[cid]
        conf = f"/etc/sysctl.d/60-hardening-{key}.conf"
        assert ssh(lab, "worker2", f"sudo cat {conf}") == f"{key} = {want}\n"
        assert ssh(lab, "worker2", f"sudo stat -c '%a %U' {conf}").strip() == "644 root"
    loads = ssh(lab, "worker2", f"sudo cat {RESTARTS}").split("\n")
    assert sorted(filter(None, loads)) == sorted(
        f"load /etc/sysctl.d/60-hardening-{KERNEL[c][0]}.conf" for c in wrong
    )
    summary = json.loads((tmp_path / "run.remediation.json").read_text(encoding="utf-8"))
    outcomes = {v["id"]: v["outcome"] for v in summary["verification"]}
    assert {c: outcomes[c] for c in wrong} == {c: "still failing" for c in wrong}
    # Nothing reached the host: its kernel values and its /etc/sysctl.d are as they were.
    assert {key: Path("/proc/sys", key.replace(".", "/")).read_text() for key in live} == live
    assert sorted(p.name for p in Path("/etc/sysctl.d").iterdir()) == host_sysctl
    # A second apply finds the files in place and loads nothing again.
    code, _out = cli.remediate(capsys, inv, "--control", "NODE-3.*", "--apply")
    assert code == 1
    assert ssh(lab, "worker2", f"sudo cat {RESTARTS}").split("\n") == loads
