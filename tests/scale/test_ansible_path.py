"""The Ansible-native path: real ansible-playbook against the lab builds the same run document
as a direct audit, control by control; stale or missing outputs are refused, never trusted."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hardening.cli.main import main
from tests.labkit.fixtures import LabFactory
from tests.labkit.lab import Lab
from tests.scale.compare import differences, host_summary, load

pytestmark = [pytest.mark.ansible, pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(600)]


def playbook(inventory: Path, probe_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the probe.yml that ``--prepare`` copied into the probe dir, with real
    ansible-playbook."""
    env = {
        **os.environ,
        "ANSIBLE_HOST_KEY_CHECKING": "True",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
    }
    exe = shutil.which("ansible-playbook")
    assert exe, "ansible-playbook is installed with ansible-core"
    return subprocess.run(
        [
            exe,
            "-i",
            str(inventory),
            str(probe_dir / "probe.yml"),
            "-e",
            f"hardening_probe_dir={probe_dir}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def evaluate(lab: Lab, catalogue: Path, mode: str, probe_dir: Path, *extra: str) -> int:
    """``hardening evaluate --prepare/--raw`` on the lab's inventory."""
    return main(
        [
            "evaluate",
            "-i",
            str(lab.inventory_path),
            "--benchmark-dir",
            str(catalogue),
            f"--{mode}",
            str(probe_dir),
            "-q",
            *extra,
        ]
    )


def test_ansible_run_document_equals_direct_audit(
    lab_factory: LabFactory, pinned_catalogue: Path, tmp_path: Path
) -> None:
    lab = lab_factory(["cp1", "worker1", "worker2"])
    probe_dir = tmp_path / "probe"
    assert evaluate(lab, pinned_catalogue, "prepare", probe_dir) == 0
    assert (probe_dir / "secret").stat().st_mode & 0o777 == 0o600
    done = playbook(lab.inventory_path, probe_dir, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert sorted(p.name for p in (probe_dir / "raw").iterdir()) == [
        "cp1.out",
        "worker1.out",
        "worker2.out",
    ]
    ansible_code = evaluate(
        lab, pinned_catalogue, "raw", probe_dir, "--json", str(tmp_path / "ansible.json")
    )
    direct_code = main(
        [
            "audit",
            "-i",
            str(lab.inventory_path),
            "--benchmark-dir",
            str(pinned_catalogue),
            "--no-progress",
            "-q",
            "--json",
            str(tmp_path / "direct.json"),
        ]
    )
    via_ansible, direct = load(tmp_path / "ansible.json"), load(tmp_path / "direct.json")
    assert all(h["error"] is None for h in via_ansible["hosts"])
    assert differences(direct, via_ansible) == []
    assert host_summary(direct) == host_summary(via_ansible)
    assert via_ansible["score"] == direct["score"]
    assert ansible_code == direct_code
    assert len({r["status"] for h in direct["hosts"] for r in h["results"]}) >= 3


def test_stale_missing_and_changed_outputs_are_refused(
    lab_factory: LabFactory,
    pinned_catalogue: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = lab_factory(["worker1", "worker2"])
    old, new = tmp_path / "old", tmp_path / "new"
    assert evaluate(lab, pinned_catalogue, "prepare", old) == 0
    assert evaluate(lab, pinned_catalogue, "prepare", new) == 0
    assert playbook(lab.inventory_path, old, tmp_path).returncode == 0
    # worker1's output from an earlier run (another secret, so another nonce): not trusted
    shutil.copy(old / "raw" / "worker1.out", new / "raw" / "worker1.out")
    assert evaluate(lab, pinned_catalogue, "raw", new, "--json", str(tmp_path / "r.json")) == 3
    hosts = {h["name"]: h for h in load(tmp_path / "r.json")["hosts"]}
    assert "no probe output" in hosts["worker1"]["error"]
    assert "no raw probe output" in hosts["worker2"]["error"]
    assert {r["status"] for r in hosts["worker1"]["results"]} == {"ERROR"}
    # the catalogue changed between --prepare and --raw: refused before anything is parsed
    capsys.readouterr()
    assert evaluate(lab, pinned_catalogue, "raw", old, "--control", "4.1.1") == 2
    assert "its plan differs from the one prepared" in capsys.readouterr().err
    # a directory already used is not prepared again (its secret must be new)
    assert evaluate(lab, pinned_catalogue, "prepare", old) == 2
