"""Node images built from the lab's worker profiles, gated end to end through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.images.builders import node_image
from tests.images.cli import gate

pytestmark = pytest.mark.slow

NONCOMPLIANT_FAILS = {
    "4.1.1",
    "4.1.5",
    "4.1.9",
    "4.1.10",
    "4.2.1",
    "4.2.2",
    "4.2.4",
    "NODE-1.1",
    "NODE-1.2",
    "NODE-2.1",
}


@pytest.mark.parametrize("compress", ["", "gz", "zst"])
def test_compliant_worker_image_passes_the_gate(tmp_path: Path, compress: str) -> None:
    suffix = {"": ".tar", "gz": ".tar.gz", "zst": ".tar.zst"}[compress]
    image = node_image("worker", tmp_path / f"worker{suffix}", compress)
    run = gate(image, tmp_path, "--fail-on", "high")
    assert run.rc == 0, (run.stdout, run.stderr)
    assert run.failed == {}
    assert {"4.1.1", "4.1.9", "4.2.1", "4.2.4", "NODE-1.1", "NODE-2.1"} <= run.passed
    assert 'name="worker"' in run.junit


def test_noncompliant_worker_image_fails_with_the_expected_controls(tmp_path: Path) -> None:
    image = node_image("worker-noncompliant", tmp_path / "worker-bad.tar.zst", "zst")
    run = gate(image, tmp_path, "--fail-on", "high")
    assert run.rc == 1, (run.stdout, run.stderr)
    assert set(run.failed) >= NONCOMPLIANT_FAILS, sorted(run.failed)
    assert "/usr/local/bin/evil-suid" in run.failed["NODE-2.1"]
    # the flag comes from KUBELET_EXTRA_ARGS in /etc/default/kubelet, via the drop-in
    assert "--anonymous-auth=true" in run.failed["4.2.1"]
    assert "10-kubeadm.conf" in run.failed["4.2.1"]


def test_running_node_controls_skip_as_not_applicable(tmp_path: Path) -> None:
    image = node_image("worker", tmp_path / "worker.tar", "")
    run = gate(image, tmp_path, "--fail-on", "high")
    kernel = {cid: why for cid, why in run.skipped.items() if cid.startswith("NODE-3")}
    assert kernel, run.skipped
    assert all("not applicable to an image" in why for why in kernel.values())


def test_fail_under_gates_on_the_image_score(tmp_path: Path) -> None:
    image = node_image("worker-noncompliant", tmp_path / "bad.tar.gz", "gz")
    assert gate(image, tmp_path, "--fail-under", "95").rc == 1
    assert gate(image, tmp_path, "--fail-under", "5").rc == 0


def test_waiver_turns_an_image_failure_into_waived(tmp_path: Path) -> None:
    image = node_image("worker-noncompliant", tmp_path / "bad.tar", "")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        'waivers:\n  - control: "NODE-2.1"\n    hosts: ["bad"]\n'
        "    reason: vendor agent needs it\n    expires: 2999-12-31\n"
        "    approved_by: security\n"
    )
    run = gate(image, tmp_path, "--waivers", str(waivers), "--control", "NODE-2.1")
    assert run.rc == 0, (run.stdout, run.stderr)
    assert "NODE-2.1" in run.skipped and "NODE-2.1" not in run.failed
