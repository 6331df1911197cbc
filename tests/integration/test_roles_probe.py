"""Roles from evidence through the real probe: fake components (copies of sh named
kube-apiserver, kubelet) run in a fresh PID namespace, the host's plan is probed by /bin/sh
beside them, parsed, and host_run decides which sections apply."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hardening.audit import host_run
from hardening.catalogue.load import load_benchmark
from hardening.collect import HostOutcome
from hardening.model.control import Role
from hardening.model.facts import Facts
from hardening.model.host import Host
from hardening.model.result import HostRun, Status
from hardening.plan import plan_host
from hardening.probe import parse, script

WANTED = {"1.2.1", "2.1", "4.2.1"}
CIS = tuple(c for c in load_benchmark("cis-1.12").controls if c.id in WANTED)
WORKER = Host(
    "w1",
    roles=frozenset({Role.WORKER}),
    role_sources=((Role.WORKER, "inventory group kube_node"),),
)


def audit(tmp: Path, host: Host, *names: str) -> HostRun:
    plan = plan_host(host, CIS)
    probe = script.build(plan.requests)
    (tmp / "probe.sh").write_bytes(probe.data)
    starts = []
    for name in names:
        exe = tmp / "bin" / name
        exe.parent.mkdir(exist_ok=True)
        shutil.copy("/bin/sh", exe)
        starts.append(f"'{exe}' -c 'while :; do sleep 1; done' {name} --anonymous-auth=false &")
    # the namespace's processes end with its first process, the driver
    driver = " ".join(starts) + " sleep 0.3; /bin/sh -s < probe.sh > probe.out"
    subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", "/bin/sh", "-c", driver],
        cwd=tmp,
        check=True,
        timeout=60,
    )
    values, _ = parse.parse((tmp / "probe.out").read_bytes(), probe, "w1", rc=0, stderr=b"")
    return host_run(HostOutcome(plan, Facts("w1", dict(values))))


def by_id(run: HostRun) -> dict[str, Status]:
    return {r.control_id: r.status for r in run.results}


def test_a_worker_without_an_api_server_has_the_control_plane_section_skip(tmp_path: Path) -> None:
    run = audit(tmp_path, WORKER, "kubelet")
    st = by_id(run)
    assert st["4.2.1"] is Status.PASS
    assert st["1.2.1"] is Status.SKIP and st["2.1"] is Status.SKIP
    reason = next(r.reason for r in run.results if r.control_id == "1.2.1")
    assert "no process named 'kube-apiserver' is running" in reason
    assert run.roles == ("worker",)
    assert run.meta["roles"].startswith("worker: inventory group kube_node; kubelet running")


def test_an_api_server_found_running_makes_the_node_a_control_plane(tmp_path: Path) -> None:
    run = audit(tmp_path, WORKER, "kubelet", "kube-apiserver")
    st = by_id(run)
    assert st["1.2.1"] is Status.PASS  # decided from the running API server's argv
    assert st["2.1"] is Status.SKIP  # no etcd here
    assert run.roles == ("control-plane", "worker")
    assert "control-plane: kube-apiserver running (process " in run.meta["roles"]


def test_a_control_plane_without_a_kubelet_has_no_worker_verdicts(tmp_path: Path) -> None:
    cp = Host("cp1", roles=frozenset({Role.CONTROL_PLANE}))
    st = by_id(audit(tmp_path, cp, "kube-apiserver"))
    assert st["4.2.1"] is Status.SKIP and st["1.2.1"] is Status.PASS
