"""Component layers read from an image through ``hardening audit --image DIR``: the
kubelet's ``--config-dir`` drop-ins, and etcd's ``ETCD_*`` variables from a static pod's
``env``, a unit's ``Environment=`` and ``EnvironmentFile=`` (and ignored under
``--config-file``). Each case has its other side: the same tree with the one setting
changed audits the other way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.images.cli import Gate, gate

pytestmark = pytest.mark.slow

KUBELET_UNIT = """[Service]
ExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml {extra}
"""
ETCD_POD = """apiVersion: v1
kind: Pod
metadata: {{name: etcd, namespace: kube-system}}
spec:
  containers:
  - name: etcd
    command: [etcd, --name=cp1, --data-dir=/var/lib/etcd]
    env:
{env}
"""


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc/group").write_text("root:x:0:\n")
    return root


def audit(root: Path, out: Path, role: str, control: str) -> Gate:
    out.mkdir()
    run = gate(root, out, "--role", role, "-b", "cis-1.12", "--control", control)
    assert run.rc in (0, 1), run.stderr
    return run


def kubelet(tmp: Path, name: str, dropins: dict[str, str]) -> Gate:
    files = {
        "/lib/systemd/system/kubelet.service": KUBELET_UNIT.format(
            extra="--config-dir=/etc/kubernetes/kubelet.conf.d"
        ),
        "/var/lib/kubelet/config.yaml": "apiVersion: kubelet.config.k8s.io/v1beta1\n"
        "kind: KubeletConfiguration\nauthentication: {anonymous: {enabled: false}}\n",
        **{f"/etc/kubernetes/kubelet.conf.d/{k}": v for k, v in dropins.items()},
    }
    return audit(tree(tmp / name, files), tmp / f"{name}-out", "worker", "4.2.1")


def test_a_config_dir_dropin_reenabling_anonymous_auth_fails_the_image(tmp_path: Path) -> None:
    run = kubelet(
        tmp_path, "on", {"50-anon.conf": "authentication: {anonymous: {enabled: true}}\n"}
    )
    assert "4.2.1" in run.failed
    assert "drop-in /etc/kubernetes/kubelet.conf.d/50-anon.conf" in run.failed["4.2.1"]


def test_a_later_dropin_or_a_non_conf_file_leaves_it_off(tmp_path: Path) -> None:
    run = kubelet(
        tmp_path,
        "off",
        {
            "10-on.conf": "authentication: {anonymous: {enabled: true}}\n",
            "90-off.conf": "authentication: {anonymous: {enabled: false}}\n",
            "99-ignored.yaml": "authentication: {anonymous: {enabled: true}}\n",
        },
    )
    assert run.passed == {"4.2.1"}, run.failed


def etcd_pod(tmp: Path, name: str, env: dict[str, str]) -> Gate:
    lines = "".join(f"    - {{name: {k}, value: '{v}'}}\n" for k, v in env.items()) or "    []\n"
    files = {"/etc/kubernetes/manifests/etcd.yaml": ETCD_POD.format(env=lines)}
    return audit(tree(tmp / name, files), tmp / f"{name}-out", "etcd", "2.2")


def test_etcd_client_cert_auth_from_the_static_pods_env_passes(tmp_path: Path) -> None:
    assert etcd_pod(tmp_path, "env", {"ETCD_CLIENT_CERT_AUTH": "true"}).passed == {"2.2"}


def test_etcd_static_pod_without_the_variable_fails(tmp_path: Path) -> None:
    run = etcd_pod(tmp_path, "noenv", {"ETCD_NAME": "cp1"})
    assert set(run.failed) == {"2.2"} and "command-line default of etcd" in run.failed["2.2"]


def etcd_unit(tmp: Path, name: str, service: str, env_file: str = "") -> Gate:
    files = {"/etc/systemd/system/etcd.service": service}
    if env_file:
        files["/etc/etcd.env"] = env_file
    return audit(tree(tmp / name, files), tmp / f"{name}-out", "etcd", "2.5")


def test_etcd_unit_environment_assignment_passes(tmp_path: Path) -> None:
    service = '[Service]\nEnvironment="ETCD_PEER_CLIENT_CERT_AUTH=true"\nExecStart=/usr/bin/etcd\n'
    assert etcd_unit(tmp_path, "assign", service).passed == {"2.5"}


def test_etcd_unit_environment_file_passes_and_overrides_an_assignment(tmp_path: Path) -> None:
    service = (
        "[Service]\nEnvironment=ETCD_PEER_CLIENT_CERT_AUTH=false\n"
        "EnvironmentFile=/etc/etcd.env\nExecStart=/usr/bin/etcd\n"
    )
    run = etcd_unit(tmp_path, "file", service, "ETCD_PEER_CLIENT_CERT_AUTH=True\n")
    assert run.passed == {"2.5"}, run.failed


def test_etcd_unit_environment_file_saying_false_fails(tmp_path: Path) -> None:
    service = "[Service]\nEnvironmentFile=/etc/etcd.env\nExecStart=/usr/bin/etcd\n"
    run = etcd_unit(tmp_path, "false", service, "ETCD_PEER_CLIENT_CERT_AUTH=false\n")
    assert set(run.failed) == {"2.5"} and "ETCD_PEER_CLIENT_CERT_AUTH=false" in run.failed["2.5"]


def test_etcd_config_file_replaces_the_environment(tmp_path: Path) -> None:
    service = (
        "[Service]\nEnvironmentFile=/etc/etcd.env\n"
        "ExecStart=/usr/bin/etcd --config-file=/etc/etcd/etcd.conf.yml\n"
    )
    root = tmp_path / "cfg"
    files = {
        "/etc/systemd/system/etcd.service": service,
        "/etc/etcd.env": "ETCD_PEER_CLIENT_CERT_AUTH=true\n",
        "/etc/etcd/etcd.conf.yml": (
            "name: e1\npeer-transport-security:\n  client-cert-auth: false\n"
        ),
    }
    run = audit(tree(root, files), tmp_path / "cfg-out", "etcd", "2.5")
    assert set(run.failed) == {"2.5"}
    assert (
        "/etc/etcd/etcd.conf.yml: peer-transport-security.client-cert-auth: false"
        in (run.failed["2.5"])
    )
