"""Kubelet layering through the real probe: a process named kubelet with --config and
--config-dir runs in a fresh PID namespace (so no other kubelet on the machine is seen), the
probe is run by /bin/sh beside it, parsed, and the controls are evaluated on what came back.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hardening.checks.registry import KINDS
from hardening.facts.dropins import Dropins
from hardening.model.facts import Facts
from hardening.model.result import Status
from hardening.probe import parse, script

PARAMS = KINDS["component_setting"].params
ANON = PARAMS(
    component="kubelet",
    flag="--anonymous-auth",
    type="bool",
    config_key="authentication.anonymous.enabled",
    op="eq",
    value="false",
)
PORT = PARAMS(
    component="kubelet", flag="--read-only-port", config_key="readOnlyPort", op="eq", value="0"
)


CERT_AUTH = PARAMS(component="etcd", flag="--client-cert-auth", type="bool", op="eq", value="true")


def probe_kubelet(
    tmp: Path,
    *args: str,
    name: str = "kubelet",
    env: str = "",
    checks: tuple[object, ...] = (ANON, PORT),
) -> Facts:
    """Facts for ``checks`` from a fake component (a copy of sh, waiting) run with ``args``
    and the environment assignments ``env``."""
    exe = tmp / "bin" / name
    exe.parent.mkdir(exist_ok=True)
    shutil.copy("/bin/sh", exe)
    reqs = [r for p in checks for r in KINDS["component_setting"].needs(p)]
    probe = script.build(reqs)
    (tmp / "probe.sh").write_bytes(probe.data)
    quoted = " ".join(f"'{a}'" for a in args)
    driver = (
        f"{env} '{exe}' -c 'while :; do sleep 1; done' {name} {quoted} & "
        "sleep 0.3; /bin/sh -s < probe.sh > probe.out; kill $!"
    )
    subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", "/bin/sh", "-c", driver],
        cwd=tmp,
        check=True,
        timeout=60,
    )
    values, _ = parse.parse((tmp / "probe.out").read_bytes(), probe, "me", rc=0, stderr=b"")
    return Facts("me", dict(values))


def status(p: object, facts: Facts) -> tuple[Status, str]:
    out = KINDS["component_setting"].evaluate(p, facts)
    return out.status, out.source


def test_a_dropin_reenabling_anonymous_auth_fails_through_the_probe(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("authentication:\n  anonymous:\n    enabled: false\n")
    drop = tmp_path / "kubelet.conf.d"
    (drop / "sub").mkdir(parents=True)
    (drop / "10-base.conf").write_text("readOnlyPort: 0\n")
    (drop / "sub" / "50-anon.conf").write_text("authentication: {anonymous: {enabled: true}}\n")
    (drop / "60-ignored.yaml").write_text("authentication: {anonymous: {enabled: false}}\n")
    facts = probe_kubelet(tmp_path, f"--config={tmp_path}/config.yaml", f"--config-dir={drop}")
    got = facts.get(Dropins("kubelet", "--config-dir"))
    assert [Path(f.path).name for f in got] == ["10-base.conf", "50-anon.conf"]  # type: ignore[union-attr]
    st, src = status(ANON, facts)
    assert (
        st is Status.FAIL
        and src == f"drop-in {drop}/sub/50-anon.conf: authentication.anonymous.enabled: true"
    )
    assert status(PORT, facts)[0] is Status.PASS


def test_a_later_dropin_turning_it_back_off_passes_through_the_probe(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("kind: KubeletConfiguration\n")
    drop = tmp_path / "d"
    drop.mkdir()
    (drop / "10-on.conf").write_text("authentication: {anonymous: {enabled: true}}\n")
    (drop / "90-off.conf").write_text("authentication: {anonymous: {enabled: false}}\n")
    facts = probe_kubelet(tmp_path, f"--config={tmp_path}/config.yaml", f"--config-dir={drop}")
    assert status(ANON, facts) == (
        Status.PASS,
        f"drop-in {drop}/90-off.conf: authentication.anonymous.enabled: false",
    )


def test_no_config_serves_the_read_only_port_through_the_probe(tmp_path: Path) -> None:
    (tmp_path / "var" / "lib" / "kubelet").mkdir(parents=True)
    facts = probe_kubelet(tmp_path, "--kubeconfig=/etc/kubernetes/kubelet.conf")
    st, src = status(PORT, facts)
    assert st is Status.FAIL and src.startswith("command-line default of kubelet")
    assert status(ANON, facts)[0] is Status.FAIL


def test_a_minimal_config_file_passes_through_the_probe(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
    )
    facts = probe_kubelet(tmp_path, f"--config={tmp_path}/config.yaml")
    st, src = status(ANON, facts)
    assert st is Status.PASS and "KubeletConfiguration v1beta1 default" in src
    assert status(PORT, facts)[0] is Status.PASS


def test_etcd_configured_through_its_environment_passes_through_the_probe(tmp_path: Path) -> None:
    facts = probe_kubelet(
        tmp_path,
        "--name=e1",
        name="etcd",
        checks=(CERT_AUTH,),
        env="ETCD_CLIENT_CERT_AUTH=true SECRET_TOKEN=hunter2",
    )
    out = KINDS["component_setting"].evaluate(CERT_AUTH, facts)
    assert out.status is Status.PASS and out.source.endswith("ETCD_CLIENT_CERT_AUTH=true")
    assert "hunter2" not in (tmp_path / "probe.out").read_text(errors="replace")


def test_etcd_without_the_variable_fails_through_the_probe(tmp_path: Path) -> None:
    facts = probe_kubelet(
        tmp_path, "--name=e1", name="etcd", checks=(CERT_AUTH,), env="ETCD_NAME=e1"
    )
    out = KINDS["component_setting"].evaluate(CERT_AUTH, facts)
    assert out.status is Status.FAIL and "command-line default of etcd" in out.source
