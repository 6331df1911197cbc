"""Plan-time ``${var:-default}`` substitution from inventory vars (layout overrides)."""

from __future__ import annotations

import pytest

from hardening.catalogue.load import load_benchmark
from hardening.checks.kinds.component_setting import Params as SettingParams
from hardening.errors import InventoryError
from hardening.facts.component import ComponentReq
from hardening.model.control import CheckSpec, Control, Role, Severity
from hardening.model.host import Host
from hardening.plan import plan_host, substitute_text

WORKER = frozenset({Role.WORKER})


def _control(config_path: str) -> Control:
    params = SettingParams(
        component="kubelet",
        op="eq",
        value="false",
        config_key="authentication.anonymous.enabled",
        config_path=config_path,
    )
    return Control(
        id="T.1",
        title="t",
        section="s",
        benchmark="b",
        level=1,
        severity=Severity.LOW,
        roles=WORKER,
        automated=True,
        check=CheckSpec("component_setting", params),
    )


def test_default_applies_when_the_host_sets_nothing() -> None:
    plan = plan_host(
        Host("w1", roles=WORKER), [_control("${kubelet_config:-/var/lib/kubelet/config.yaml}")]
    )
    assert plan.requests[0] == ComponentReq(
        "kubelet", (("--config", "/var/lib/kubelet/config.yaml"),)
    )
    assert plan.controls[0].check is not None
    assert plan.controls[0].check.params.config_path == "/var/lib/kubelet/config.yaml"


def test_group_var_overrides_the_default() -> None:
    host = Host("w1", roles=WORKER, vars={"kubelet_config": "/etc/k0s/kubelet.yaml"})
    plan = plan_host(host, [_control("${kubelet_config:-/var/lib/kubelet/config.yaml}")])
    assert plan.requests[0] == ComponentReq("kubelet", (("--config", "/etc/k0s/kubelet.yaml"),))
    assert plan.controls[0].check is not None
    assert plan.controls[0].check.params.config_path == "/etc/k0s/kubelet.yaml"


def test_missing_variable_without_default_is_an_inventory_error() -> None:
    with pytest.raises(InventoryError, match="w1: control T.1: inventory variable 'kcfg'"):
        plan_host(Host("w1", roles=WORKER), [_control("${kcfg}")])


def test_escaped_and_plain_text_are_left_alone() -> None:
    assert substitute_text("$${x}", {"x": "y"}, "here") == "${x}"
    assert substitute_text("/etc/a-$b", {}, "here") == "/etc/a-$b"
    assert substitute_text("${a}/${b:-z}", {"a": "/p"}, "here") == "/p/z"


def test_shipped_catalogue_uses_overridable_kubelet_paths() -> None:
    cat = load_benchmark("cis-1.12")
    control = cat.get("4.2.1")
    assert control is not None and control.check is not None
    host = Host("w1", roles=WORKER, vars={"kubelet_config": "/srv/kubelet/config.yaml"})
    bound = plan_host(host, [control]).controls[0]
    assert bound.check is not None
    assert bound.check.params.config_path == "/srv/kubelet/config.yaml"
