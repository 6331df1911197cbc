"""`hardening remediate` refuses a node whose host key changed, exactly as the audit does,
with real ansible-playbook against a lab node whose sshd gets a new key.

Two ways past the check existed: ``--accept-new-host-keys`` started Ansible with
``ANSIBLE_HOST_KEY_CHECKING=0`` (``StrictHostKeyChecking=no`` ahead of ``accept-new``), and
an SSH ControlPersist master left by an earlier run carried a later run past the check.
The remediations run from a saved audit (``--from-json``), taken before the key changed,
because a fresh audit would itself refuse the node.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from hardening.cli.main import main
from tests.ansible import cli
from tests.labkit.fixtures import HostSnapshot, LabFactory
from tests.labkit.lab import Lab

pytestmark = [
    pytest.mark.ansible,
    pytest.mark.lab,
    pytest.mark.slow,
    pytest.mark.destructive,
    pytest.mark.timeout(600),
]

CONTROLS = ["--control", "NODE-1.*"]


def saved_audit(lab: Lab, tmp: Path) -> Path:
    run = tmp / "run.json"
    code = main(
        ["audit", "-i", str(lab.inventory_path), *CONTROLS, "--json", str(run), "--no-progress"]
    )
    assert code == 1  # the non-compliant worker fails NODE-1
    return run


def remediate(
    capsys: pytest.CaptureFixture[str], lab: Lab, run: Path, tmp: Path, *extra: str
) -> tuple[int, str]:
    return cli.remediate(
        capsys,
        lab.inventory_path,
        *CONTROLS,
        "--from-json",
        str(run),
        "--workdir",
        str(tmp / "work"),
        *extra,
    )


def reachable_masters() -> set[str]:
    """Sockets of running ssh control masters (``ssh: SOCKET [mux]``) that still exist, i.e.
    that a later ssh could reuse without a host-key check."""
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
        except (OSError, UnicodeDecodeError):
            continue
        if title.startswith("ssh: ") and title.endswith(" [mux]"):
            sock = title[len("ssh: ") : -len(" [mux]")]
            if Path(sock).exists():
                found.add(sock)
    return found


def refused(code: int, out: str, log: Path) -> bool:
    events = log.read_text(encoding="utf-8") if log.exists() else ""
    return code != 0 and (
        "REMOTE HOST IDENTIFICATION HAS CHANGED" in events
        or "Host key verification failed" in events
    )


def test_a_master_from_an_earlier_run_does_not_carry_a_changed_key(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = lab_factory(["worker2"])
    run = saved_audit(lab, tmp_path)
    before = reachable_masters()
    code, out = remediate(capsys, lab, run, tmp_path)
    assert code == 0 and "would change  worker2" in out, out
    assert reachable_masters() - before == set()  # no master outlives the run
    lab.node("worker2").rotate_host_key()  # known_hosts keeps the old key
    code, out = remediate(capsys, lab, run, tmp_path)  # well within ControlPersist=60s
    assert refused(code, out, tmp_path / "work" / "ansible-events.jsonl"), out
    assert "would change  worker2" not in out


def test_accept_new_host_keys_refuses_a_changed_key(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = lab_factory(["worker2"])
    run = saved_audit(lab, tmp_path)
    known = lab.known_hosts.read_text(encoding="ascii")
    lab.node("worker2").rotate_host_key()
    code, out = remediate(capsys, lab, run, tmp_path, "--accept-new-host-keys")
    assert refused(code, out, tmp_path / "work" / "ansible-events.jsonl"), out
    assert "would change  worker2" not in out
    assert lab.known_hosts.read_text(encoding="ascii") == known  # the new key is not recorded
    # the audit refuses the same node the same way
    code = main(
        [
            "audit",
            "-i",
            str(lab.inventory_path),
            *CONTROLS,
            "--no-progress",
            "--accept-new-host-keys",
        ]
    )
    assert code == 3


def test_an_inventory_saying_no_to_host_key_checking_is_still_refused(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``ansible_host_key_checking: false`` and ``-o StrictHostKeyChecking=no`` in the
    inventory's ssh args come after the runner's options, so ssh never uses them."""
    lab = lab_factory(["worker2"])
    run = saved_audit(lab, tmp_path)
    doc = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))
    doc["all"]["vars"]["ansible_host_key_checking"] = False
    doc["all"]["vars"]["ansible_ssh_common_args"] += " -o StrictHostKeyChecking=no"
    doc["all"]["vars"]["ansible_ssh_extra_args"] = "-o StrictHostKeyChecking=no"
    inv = tmp_path / "inv.yml"
    inv.write_text(yaml.safe_dump(doc), encoding="utf-8")
    lab.node("worker2").rotate_host_key()
    code, out = cli.remediate(
        capsys,
        inv,
        *CONTROLS,
        "--from-json",
        str(run),
        "--workdir",
        str(tmp_path / "work"),
        "--accept-new-host-keys",
    )
    assert refused(code, out, tmp_path / "work" / "ansible-events.jsonl"), out
    assert "would change  worker2" not in out


def test_accept_new_host_keys_still_records_an_unknown_key(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = lab_factory(["worker2"])
    run = saved_audit(lab, tmp_path)
    lab.known_hosts.write_text("", encoding="ascii")  # the node's key is unknown now
    code, out = remediate(capsys, lab, run, tmp_path)
    assert refused(code, out, tmp_path / "work" / "ansible-events.jsonl") or code != 0, out
    code, out = remediate(capsys, lab, run, tmp_path, "--accept-new-host-keys")
    assert code == 0 and "would change  worker2" in out, out
    assert lab.known_hosts.read_text(encoding="ascii").strip() != ""
