"""4.1.1/4.1.2 find the kubelet's service file where the installer put it.

kubeadm packages from pkgs.k8s.io install the drop-in at
/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf (kubernetes/website#45529),
kubespray writes /etc/systemd/system/kubelet.service and no drop-in, older packages
/etc/systemd/system/kubelet.service.d/10-kubeadm.conf. Each is audited, through the CLI and
the image source, as the first that exists of the candidates (kube-bench's svc list order).
"""

from __future__ import annotations

from pathlib import Path

from tests.images.cli import gate

UNIT = "[Service]\nExecStart=/usr/bin/kubelet\n"
DROPIN = "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBEADM_ARGS\n"


def layout(root: Path, files: dict[str, tuple[str, int]]) -> Path:
    for rel, (text, mode) in files.items():
        path = root / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)
    return root


def test_modern_kubeadm_dropin_under_usr_lib_is_the_file_checked(tmp_path: Path) -> None:
    node = layout(
        tmp_path / "kubeadm",
        {
            "/usr/lib/systemd/system/kubelet.service": (UNIT, 0o644),
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": (DROPIN, 0o600),
        },
    )
    run = gate(node, tmp_path, "--role", "worker", "-b", "cis-1.12")
    assert "4.1.1" in run.passed, (run.failed.get("4.1.1"), run.skipped.get("4.1.1"))
    # the unit file itself is 0644, but the drop-in is the first candidate that exists
    node.joinpath("usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf").chmod(0o644)
    run = gate(node, tmp_path, "--role", "worker", "-b", "cis-1.12")
    assert "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf" in run.failed["4.1.1"]


def test_kubespray_unit_without_dropin_is_checked_not_skipped(tmp_path: Path) -> None:
    node = layout(tmp_path / "kubespray", {"/etc/systemd/system/kubelet.service": (UNIT, 0o644)})
    run = gate(node, tmp_path, "--role", "worker", "-b", "cis-1.12")
    assert "4.1.1" in run.failed, run.skipped.get("4.1.1")
    assert "644 /etc/systemd/system/kubelet.service" in run.failed["4.1.1"]
    assert "4.1.2" in run.passed or "4.1.2" in run.failed  # evaluated, not skipped


def test_no_kubelet_service_file_is_not_applicable_and_names_every_candidate(
    tmp_path: Path,
) -> None:
    node = layout(tmp_path / "bare", {"/etc/hostname": ("bare\n", 0o644)})
    run = gate(node, tmp_path, "--role", "worker", "-b", "cis-1.12")
    why = run.skipped["4.1.1"]
    assert "none of" in why and "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf" in why
    assert "/etc/systemd/system/kubelet.service" in why
