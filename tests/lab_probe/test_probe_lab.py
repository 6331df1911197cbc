"""The probe against hostile nodes over SSH, through the CLI: an ordinary user's file names
cannot forge stat records, and a connection cut mid-stream makes the host an error (exit 3).
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.labkit.fixtures import LabFactory
from tests.labkit.lab import Lab

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(300)]

FORGED = "/var/lib/drop/x\n81ed 0 0 root root /usr/local/bin/evil-suid\ny"


def ssh(lab: Lab, node: str, command: str, user: str) -> None:
    proc = subprocess.run(
        lab.ssh_argv(node, user, command), capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr


def audit_argv(lab: Lab, tmp: Path, bench: str) -> list[str]:
    doc = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))
    doc["all"].setdefault("vars", {})["ansible_become"] = True
    inventory = tmp / "inventory.yml"
    inventory.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return [
        sys.executable,
        "-m",
        "hardening",
        "audit",
        "-i",
        str(inventory),
        "--benchmark",
        bench,
        "--json",
        str(tmp / "run.json"),
        "--no-progress",
        "-q",
    ]


def results(doc: dict[str, Any], host: str) -> dict[str, dict[str, Any]]:
    [run] = [h for h in doc["hosts"] if h["name"] == host]
    return {r["id"]: r for r in run["results"]}


def test_a_users_directory_named_like_a_stat_record_does_not_mask_a_setuid_file(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = lab_factory(["worker2"])  # /usr/local/bin/evil-suid is 4755 there: NODE-2.1 FAILs
    ssh(lab, "worker2", "mkdir -m 1777 /var/lib/drop", user="root")  # a shared drop directory
    make = f'd={shlex.quote(FORGED)}; mkdir -p "$d" && : > "$d/f" && chmod 666 "$d/f"'
    ssh(lab, "worker2", make, user="nopw")
    proc = subprocess.run(
        audit_argv(lab, tmp_path, "node-os"),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    got = results(doc, "worker2")
    assert got["NODE-2.1"]["status"] == "FAIL"
    assert "/usr/local/bin/evil-suid" in json.dumps(got["NODE-2.1"]["evidence"])
    # The user's own file is reported under its whole name, newlines and all.
    assert got["NODE-2.2"]["status"] == "FAIL"
    assert json.dumps(FORGED + "/f")[1:-1] in json.dumps(got["NODE-2.2"]["evidence"])


def _blocked_on(lab: Lab, node: str, path: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(
            p.argv[:1] == ("head",) and p.argv[-1].endswith(path)
            for p in lab.node(node).processes()
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"the probe never reached {path}")


def test_a_connection_cut_mid_stream_makes_the_host_an_error(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = lab_factory(["worker1"])
    fifo = "/var/lib/kubelet/config.yaml"  # the probe blocks reading it, mid-output
    ssh(lab, "worker1", f"rm -f {fifo} && mkfifo -m 600 {fifo}", user="root")
    audit = subprocess.Popen(
        audit_argv(lab, tmp_path, "cis-1.12"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _blocked_on(lab, "worker1", fifo)
        sessions = [
            p
            for p in lab.node("worker1").processes()
            if p.argv and p.argv[0].startswith("sshd: auditor")
        ]
        assert sessions
        for p in sessions:
            os.kill(p.host_pid, signal.SIGKILL)
        _, stderr = audit.communicate(timeout=120)
    finally:
        if audit.poll() is None:
            audit.kill()
    assert audit.returncode == 3, stderr
    doc = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    [run] = doc["hosts"]
    assert run["error"]
    assert "ended before its final frame" in run["error"]
    assert {r["status"] for r in run["results"]} == {"ERROR"}
