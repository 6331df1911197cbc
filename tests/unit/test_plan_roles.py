from __future__ import annotations

from hardening.catalogue.load import load_benchmark
from hardening.evaluate import evaluate_control
from hardening.model.control import Role
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.plan import plan_host
from tests.support.facts import build_facts

CIS = load_benchmark("cis-1.12").controls


def test_a_control_plane_node_gets_the_worker_section() -> None:
    plan = plan_host(Host("cp1", roles=frozenset({Role.CONTROL_PLANE})), CIS)
    ids = {c.id for c in plan.controls}
    assert {"1.2.1", "4.2.1", "4.2.4", "4.1.9"} <= ids


def test_a_worker_does_not_get_the_control_plane_sections() -> None:
    plan = plan_host(Host("w1", roles=frozenset({Role.WORKER})), CIS)
    ids = {c.id for c in plan.controls}
    assert "4.2.1" in ids and "1.2.1" not in ids and "2.2" not in ids


def test_the_worker_section_is_skip_where_no_kubelet_runs_and_decided_where_one_does() -> None:
    plan = plan_host(Host("cp1", roles=frozenset({Role.CONTROL_PLANE})), CIS)
    kubelet = [c for c in plan.controls if c.id in ("4.2.1", "4.2.4")]
    none = build_facts(
        {"components": {"kube-apiserver": {"argv": ["kube-apiserver"]}}}, plan.requests
    )
    for control in kubelet:
        result = evaluate_control(control, none)
        assert result.status is Status.SKIP, result
        assert "kubelet" in result.reason
    some = build_facts({"components": {"kubelet": {"argv": ["kubelet"]}}}, plan.requests)
    assert {evaluate_control(c, some).status for c in kubelet} == {Status.FAIL}
