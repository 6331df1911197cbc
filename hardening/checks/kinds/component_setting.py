"""component_setting: a component's effective setting, computed as the component computes it.

The component's argv comes from its running process (or, in an image, its unit or
manifest). The layers and defaults come from the component's table in
``hardening/checks/components`` (kubelet: command line over ``--config-dir`` drop-ins over
the ``--config`` file over the KubeletConfiguration v1beta1 defaults, or over the
command-line defaults when no config file is given; etcd: a ``--config-file`` replaces flags
and ``ETCD_*`` variables; kube-proxy: ``--config`` replaces its flags). A config file is read
only when the component's flag names it: a file at ``config_path`` that the component is not
told to read changes nothing, and the evidence says so. ``default`` is only for a setting the
tables do not know. ``flag_key`` makes ``flag`` a map flag (``--feature-gates=A=true,B=false``):
only that key counts, merged over every occurrence, and a flag that does not name it leaves
the config file's value in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.component_view import (
    component_layers,
    component_request,
    dropins_unknown,
    extra_requests,
)
from hardening.checks.components.registry import MODELS
from hardening.checks.layers import Layers, resolve
from hardening.checks.ops import check_op, compare
from hardening.model.facts import Absent, FactRequest, Facts


@dataclass(frozen=True)
class Params:
    """YAML keys of a component_setting check."""

    component: str
    op: str
    flag: str | None = None
    flag_key: str | None = None
    config_key: str | None = None
    config_flag: str = "--config"
    config_path: str = ""
    default: str | None = None
    type: str = "string"
    value: Any = None

    def __post_init__(self) -> None:
        if not self.flag and not self.config_key:
            raise ParamError("flag", "give a flag, a config_key or both")
        if self.flag_key and (not self.flag or self.type == "bool"):
            raise ParamError(
                "flag_key", "needs a string-valued flag (a map flag such as --feature-gates)"
            )
        if self.type not in ("string", "bool"):
            raise ParamError("type", f"unknown type '{self.type}' (expected string or bool)")
        model = MODELS.get(self.component)
        entry = model.entry(self.flag, self.config_key, self.flag_key) if model else None
        if entry is not None and self.default is not None:
            raise ParamError(
                "default",
                f"the {self.component} defaults table gives "
                f"{self.flag or self.config_key} its default in each mode "
                f"({entry.source}); remove default",
            )
        err = check_op(self.op, self.value)
        if err:
            raise ParamError("op", err)


def _request(p: Params) -> FactRequest:
    return component_request(
        p.component, p.config_flag, p.config_path, reads_config=bool(p.config_key)
    )


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The component (argv, and the config file and drop-ins its flags name)."""
    return (_request(p), *extra_requests(p.component))


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Resolve the effective value and compare it."""
    comp = facts.get(_request(p))
    name = f"{p.flag}: {p.flag_key}" if p.flag and p.flag_key else p.flag or p.config_key or ""
    if isinstance(comp, Absent):
        return Outcome.absent(comp, source=f"{p.component} not found")
    layers = component_layers(comp, p.config_flag, reads_config=bool(p.config_key), facts=facts)
    if isinstance(layers, Outcome):
        return layers
    setting = resolve(
        layers.layers,
        flag=p.flag,
        key=p.config_key,
        is_bool=p.type == "bool",
        default=p.default,
        flag_key=p.flag_key,
    )
    unknown = dropins_unknown(layers, setting, p.component)
    if unknown is not None:
        return unknown
    ok, expected = compare(p.op, setting.value, p.value, name)
    details = setting.shadowed + layers.notes
    key = p.config_key or _table_key(p, layers.layers)
    shown = key if setting.origin in ("config", "dropin") and key else name
    observed = f"{shown}={setting.value}" if setting.origin != "unset" else f"{name} not set"
    return Outcome(pass_fail(ok), observed, expected, setting.source, details=details)


def _table_key(p: Params, layers: Layers) -> str:
    entry = layers.model.entry(p.flag, p.config_key, p.flag_key) if layers.model else None
    return entry.key if entry else ""


KIND = CheckKind("component_setting", Params, needs, evaluate, __doc__ or "")
