"""Roles from evidence (inventory groups and the components found) and the managed profile,
through plan -> facts -> host_run as an audit does them."""

from __future__ import annotations

from typing import Any

import pytest

from hardening.audit import host_run
from hardening.catalogue.load import load_benchmark
from hardening.collect import HostOutcome
from hardening.errors import InventoryError
from hardening.model.control import Role
from hardening.model.host import Host
from hardening.model.result import HostRun, Status
from hardening.plan import plan_host
from hardening.score import score
from tests.support.facts import build_facts

CIS = load_benchmark("cis-1.12").controls
ACK = load_benchmark("ack-1.0").controls
CP = frozenset({Role.CONTROL_PLANE})
WORKER = frozenset({Role.WORKER})
CP_SOURCE = ((Role.CONTROL_PLANE, "inventory group kube_control_plane"),)


def run(
    host: Host, desc: dict[str, Any], controls: Any = CIS, profile: str | None = None
) -> HostRun:
    plan = plan_host(host, controls, profile)
    return host_run(HostOutcome(plan, build_facts(desc, plan.requests)))


def status(run: HostRun) -> dict[str, Status]:
    return {r.control_id: r.status for r in run.results}


def components(*names: str) -> dict[str, Any]:
    return {"components": {n: {"argv": [n]} for n in names}}


def test_a_control_plane_node_without_a_kubelet_has_its_worker_section_skip() -> None:
    got = run(Host("cp1", roles=CP, role_sources=CP_SOURCE), components("kube-apiserver"))
    by_id = {r.control_id: r for r in got.results}
    for cid in ("4.1.1", "4.1.9", "4.2.1", "4.2.4"):
        assert by_id[cid].status is Status.SKIP, by_id[cid]
        assert "no process named 'kubelet' is running" in by_id[cid].reason
        assert "worker role" in by_id[cid].reason
    assert by_id["1.2.1"].status is not Status.SKIP
    assert got.roles == ("control-plane",)
    assert "inventory group kube_control_plane" in got.meta["roles"]
    assert "kube-apiserver running (process 4242)" in got.meta["roles"]


def test_a_control_plane_node_with_a_kubelet_gets_the_worker_section() -> None:
    got = run(Host("cp1", roles=CP), components("kube-apiserver", "kubelet"))
    st = status(got)
    assert st["4.2.1"] is Status.FAIL and st["4.2.4"] is Status.FAIL  # a bare kubelet argv
    assert got.roles == ("control-plane", "worker")
    assert "worker: kubelet running (process 4242)" in got.meta["roles"]


def test_a_worker_running_an_api_server_is_audited_as_a_control_plane() -> None:
    worker = run(Host("w1", roles=WORKER), components("kubelet"))
    assert status(worker)["1.2.1"] is Status.SKIP
    assert "no process named 'kube-apiserver' is running" in worker.results[0].reason
    both = run(Host("w1", roles=WORKER), components("kubelet", "kube-apiserver"))
    assert status(both)["1.2.1"] is Status.FAIL  # --anonymous-auth defaults to true
    assert "control-plane" in both.roles


def test_no_control_of_an_absent_section_passes() -> None:
    got = run(Host("w1", roles=WORKER), components("kubelet"))
    skipped = [r for r in got.results if r.control_id.split(".")[0] in ("1", "2", "3")]
    assert skipped and {r.status for r in skipped} <= {Status.SKIP, Status.WARN}
    auto = [r for r in skipped if r.automated]
    assert auto and {r.status for r in auto} == {Status.SKIP}


def test_managed_profile_makes_provider_owned_controls_not_applicable() -> None:
    host = Host("w1", roles=WORKER, vars={"hardening_profile": "managed"})
    got = run(host, components("kubelet"), ACK)
    st = status(got)
    assert st["1.2.1"] is Status.NOT_APPLICABLE and st["2.1"] is Status.NOT_APPLICABLE
    assert st["3.2.1"] is Status.NOT_APPLICABLE
    na = next(r for r in got.results if r.control_id == "1.2.1")
    assert "provider" in na.reason and "managed" in na.reason
    # managed services (part 6) stay the user's; the worker section is decided
    assert st["6.2.1"] is not Status.NOT_APPLICABLE and st["4.2.1"] is Status.FAIL
    assert got.meta["profile"] == "managed"
    assert score(got.results).counts["NOT_APPLICABLE"] == sum(
        1 for s in st.values() if s is Status.NOT_APPLICABLE
    )


def test_managed_profile_never_hides_a_control_plane_that_runs_on_the_node() -> None:
    host = Host("cp1", roles=CP, vars={"hardening_profile": "managed"})
    got = run(host, components("kube-apiserver"), ACK)
    st = status(got)
    cp = [
        r.status
        for r in got.results
        if Role.CONTROL_PLANE in next(c.roles for c in ACK if c.id == r.control_id)
    ]
    assert cp and Status.NOT_APPLICABLE not in cp
    assert st["2.1"] is Status.NOT_APPLICABLE  # etcd does not run here: the provider's
    assert {st[c] for c in st if c.startswith("1.2.")} >= {Status.FAIL, Status.PASS}


def test_self_managed_is_the_default_and_the_option_overrides_the_variable() -> None:
    host = Host("w1", roles=WORKER, vars={"hardening_profile": "managed"})
    assert status(run(host, components("kubelet"), ACK, "self-managed"))["1.2.1"] is Status.SKIP
    assert status(run(Host("w1", roles=WORKER), components("kubelet"), ACK))["1.2.1"] is (
        Status.SKIP
    )
    with pytest.raises(InventoryError, match="hardening_profile"):
        plan_host(Host("w1", vars={"hardening_profile": "eks"}), ACK)


def test_a_process_table_that_could_not_be_read_is_error_not_skip() -> None:
    plan = plan_host(Host("w1", roles=WORKER), CIS)
    facts = build_facts(components("kubelet"), plan.requests)
    from hardening.facts.component import ComponentReq
    from hardening.model.facts import Absent, Facts

    values = dict(facts.values)
    values[ComponentReq("kube-apiserver")] = Absent("cannot read /proc", is_error=True)
    got = host_run(HostOutcome(plan, Facts("w1", values)))
    assert status(got)["1.2.1"] is Status.ERROR
