"""Kubelet flags set on its command line, fixed where systemd reads them and proved by a
re-audit after the lab's real kubelet restart (lab-restart-kubelet, no systemd in a node).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hardening.parsers.units import unit_argv
from hardening.remediate.unitflags import memory_tree
from tests.ansible.cli import remediate
from tests.ansible.test_remediate_lab import (
    RESTART_KUBELET,
    RESTARTS,
    fingerprint,
    inventory,
    ssh,
    start,
    statuses,
)
from tests.labkit.fixtures import HostSnapshot, LabFactory
from tests.labkit.lab import Lab

pytestmark = [
    pytest.mark.ansible,
    pytest.mark.lab,
    pytest.mark.slow,
    pytest.mark.destructive,
    pytest.mark.timeout(600),
]

KUBELET_CONTROLS = ["--control", "4.2.*"]
UNIT_FILES = (
    "/usr/lib/systemd/system/kubelet.service",
    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/var/lib/kubelet/kubeadm-flags.env",
    "/etc/default/kubelet",
)


def kubelet(lab: Lab, node: str) -> tuple[str, list[str]]:
    """PID and argv of the node's running kubelet."""
    pid = ssh(lab, node, "pgrep -x kubelet").strip()
    assert pid.isdigit(), pid
    argv = ssh(lab, node, f"sudo cat /proc/{pid}/cmdline").split("\0")
    return pid, argv[:-1] if argv and argv[-1] == "" else argv


def computed(lab: Lab, node: str) -> list[str]:
    """The argv lab-restart-kubelet would start (what systemd computes from the files)."""
    return ssh(lab, node, f"sudo {RESTART_KUBELET} --print").split()


def run(capsys: pytest.CaptureFixture[str], inv: Path, *extra: str) -> tuple[int, str]:
    return remediate(capsys, inv, *KUBELET_CONTROLS, *extra)


def flag_failures(path: Path, host: str) -> dict[str, str]:
    """Failed kubelet controls whose winning value came from the command line."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    results = next(h for h in doc["hosts"] if h["name"] == host)["results"]
    return {
        r["id"]: r["evidence"]["source"]
        for r in results
        if r["status"] == "FAIL" and re.search(r"^process \d+: --", r["evidence"]["source"])
    }


def test_the_unit_files_give_the_running_kubelet_argv(
    host_snapshot: HostSnapshot, lab_factory: LabFactory
) -> None:
    lab = start(lab_factory, "worker2")
    pid, argv = kubelet(lab, "worker2")
    assert argv == list(lab.node("worker2").profile.processes[1].argv)
    assert computed(lab, "worker2") == argv
    # The image source's reader (what the fix re-derives with) agrees with the lab's oracle.
    files = {p: ssh(lab, "worker2", f"sudo cat {p}") for p in UNIT_FILES}
    found = unit_argv(memory_tree(files), "kubelet.service")
    assert found is not None and list(found[0]) == argv
    assert "--anonymous-auth=true" in ssh(lab, "worker2", "sudo cat /etc/default/kubelet")
    ssh(lab, "worker2", f"sudo {RESTART_KUBELET}")
    new_pid, new_argv = kubelet(lab, "worker2")
    assert new_pid != pid and new_argv == argv


def test_dry_run_shows_the_flag_change_and_changes_nothing(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "worker2")
    inv = inventory(lab, tmp_path)
    before, running = fingerprint(lab, "worker2"), kubelet(lab, "worker2")
    code, out = run(capsys, inv, "--json", str(tmp_path / "dry.json"))
    assert code == 0, out
    assert "would change  worker2  /etc/default/kubelet  [cis-1.12-4.2.1]" in out
    selection = json.loads((tmp_path / "dry.remediation.json").read_text(encoding="utf-8"))[
        "selection"
    ]
    (fix,) = [f for f in selection["fixes"]["worker2"] if f["id"] == "4.2.1"]
    assert (fix["fix"], fix["flag"], fix["value"]) == ("kubelet_flag", "--anonymous-auth", "false")
    assert "4.2.1" not in {m["id"] for m in selection["manual"]}
    assert '-KUBELET_EXTRA_ARGS="--anonymous-auth=true --node-ip=' in out
    assert '+KUBELET_EXTRA_ARGS="--anonymous-auth=false --node-ip=' in out
    assert fingerprint(lab, "worker2") == before
    assert kubelet(lab, "worker2") == running
    assert "No such file" in ssh(lab, "worker2", f"sudo cat {RESTARTS} 2>&1 || true")


def test_apply_fixes_the_flags_restarts_once_and_a_second_apply_changes_nothing(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "worker2")
    inv = inventory(lab, tmp_path)
    old_pid, _ = kubelet(lab, "worker2")
    code, out = run(capsys, inv, "--apply", "--json", str(tmp_path / "run.json"))
    assert code == 0, out
    flags = flag_failures(tmp_path / "run.audit.json", "worker2")
    assert "4.2.1" in flags, flags
    after = statuses(tmp_path / "run.reaudit.json", "worker2")
    assert {c: after[c] for c in flags} == {c: "PASS" for c in flags}
    summary = json.loads((tmp_path / "run.remediation.json").read_text(encoding="utf-8"))
    fixed = {v["id"]: v["observed"] for v in summary["verification"] if v["outcome"] == "fixed"}
    assert fixed["4.2.1"] == "--anonymous-auth=false"
    assert not {m["id"] for m in summary["selection"]["manual"]} & set(flags)
    # Several kubelet edits (flag and config keys), one restart, with the new command line.
    assert ssh(lab, "worker2", f"sudo cat {RESTARTS}").split() == ["kubelet"]
    pid, argv = kubelet(lab, "worker2")
    assert pid != old_pid and argv == computed(lab, "worker2")
    assert "--anonymous-auth=false" in argv and "--anonymous-auth=true" not in argv
    assert ssh(lab, "worker2", "sudo ls /etc/default").count("kubelet.") == 1  # the backup
    settled = fingerprint(lab, "worker2")
    code, out = run(capsys, inv, "--apply", "--from-json", str(tmp_path / "run.audit.json"))
    assert code == 0, out
    assert "no change\n" in out and "\nchanged  " not in out
    assert fingerprint(lab, "worker2") == settled
    assert ssh(lab, "worker2", f"sudo cat {RESTARTS}").split() == ["kubelet"]
    assert kubelet(lab, "worker2")[0] == pid


def test_a_flag_in_the_drop_in_is_fixed_there_and_systemd_rereads_its_units(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = start(lab_factory, "worker2")
    dropin = UNIT_FILES[1]
    # As some installers do: the flag written into the drop-in's ExecStart, bare (boolean).
    ssh(
        lab,
        "worker2",
        "sudo sed -i 's/--anonymous-auth=true //' /etc/default/kubelet && "
        "sudo sed -i 's|^ExecStart=/usr/bin/kubelet |&--anonymous-auth |' "
        f"{dropin} && sudo {RESTART_KUBELET}",
    )
    assert "--anonymous-auth" in kubelet(lab, "worker2")[1]
    inv = inventory(lab, tmp_path)
    code, out = remediate(
        capsys, inv, "--control", "4.2.1", "--apply", "--json", str(tmp_path / "run.json")
    )
    assert code == 0, out
    assert statuses(tmp_path / "run.reaudit.json", "worker2")["4.2.1"] == "PASS"
    text = ssh(lab, "worker2", f"sudo cat {dropin}")
    assert "ExecStart=/usr/bin/kubelet --anonymous-auth=false $KUBELET_KUBECONFIG_ARGS" in text
    assert ssh(lab, "worker2", f"sudo cat {RESTARTS}").split() == ["daemon-reload", "kubelet"]
    listing = ssh(lab, "worker2", f"sudo ls {dropin.rsplit('/', 1)[0]}").split()
    assert len(listing) == 2 and [n for n in listing if n.endswith("~")]  # the backup
    assert "--anonymous-auth=false" in kubelet(lab, "worker2")[1]
