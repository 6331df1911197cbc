"""component_settings: several settings of one component must ALL satisfy the same op.

For controls that pair settings, such as "--tls-cert-file and --tls-private-key-file are
set". Each entry of ``flags`` is resolved like component_setting, through the component's
own layers and defaults table; ``config_keys`` is empty or as long as ``flags`` ("" for no
key; the table supplies a key it knows, such as etcd's ``client-transport-security.*``).
``or_flag``/``or_config_key``/``or_value``: a setting that, when it resolves to ``or_value``,
satisfies the control instead (a kubelet with ``serverTLSBootstrap: true`` and no
``tlsCertFile`` serves a cluster-CA certificate, never a self-signed one: cmd/kubelet/app/
server.go: InitializeTLS self-signs only ``if !kc.ServerTLSBootstrap && kc.TLSCertFile ==
"" && kc.TLSPrivateKeyFile == ""``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.component_view import (
    View,
    component_layers,
    component_request,
    dropins_unknown,
    extra_requests,
)
from hardening.checks.layers import resolve
from hardening.checks.ops import check_op, compare
from hardening.model.facts import Absent, FactRequest, Facts


@dataclass(frozen=True)
class Params:
    """YAML: ``component``, ``flags``, ``op``, ``value``; optional ``config_keys``,
    ``config_flag`` (default ``--config``) and ``config_path``."""

    component: str
    flags: tuple[str, ...]
    op: str
    value: Any = None
    config_keys: tuple[str, ...] = ()
    config_flag: str = "--config"
    config_path: str = ""
    or_flag: str | None = None
    or_config_key: str | None = None
    or_value: str | None = None

    def __post_init__(self) -> None:
        if not self.flags:
            raise ParamError("flags", "give at least one flag")
        if (self.or_flag or self.or_config_key) and self.or_value is None:
            raise ParamError("or_value", "give the value or_flag/or_config_key must have")
        if self.or_value is not None and not (self.or_flag or self.or_config_key):
            raise ParamError("or_flag", "or_value needs or_flag, or_config_key or both")
        if self.config_keys and len(self.config_keys) != len(self.flags):
            raise ParamError("config_keys", 'give one config key per flag ("" for none)')
        err = check_op(self.op, self.value)
        if err:
            raise ParamError("op", err)


def _request(p: Params) -> FactRequest:
    return component_request(
        p.component, p.config_flag, p.config_path, reads_config=bool(p.config_keys)
    )


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The component (and the config file its table or ``config_keys`` name)."""
    return (_request(p), *extra_requests(p.component))


def _alternative(p: Params, view: View) -> Outcome | None:
    """PASS when the alternative setting has ``or_value``; None otherwise."""
    if p.or_value is None:
        return None
    value = str(p.or_value)
    s = resolve(
        view.layers, flag=p.or_flag, key=p.or_config_key, is_bool=value in ("true", "false")
    )
    if s.value != value:
        return None
    name = p.or_config_key if s.origin in ("config", "dropin") and p.or_config_key else p.or_flag
    return Outcome(
        pass_fail(True), f"{name}={s.value}", f"or {name} = '{value}'", s.source, details=view.notes
    )


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Resolve every setting; PASS only when each one satisfies the op."""
    comp = facts.get(_request(p))
    if isinstance(comp, Absent):
        return Outcome.absent(comp, source=f"{p.component} not found")
    view = component_layers(comp, p.config_flag, reads_config=bool(p.config_keys), facts=facts)
    if isinstance(view, Outcome):
        return view
    keys = p.config_keys or ("",) * len(p.flags)
    observed, sources, expected, bad = [], [], [], []
    for flag, key in zip(p.flags, keys, strict=True):
        s = resolve(view.layers, flag=flag, key=key or None)
        unknown = dropins_unknown(view, s, p.component)
        if unknown is not None:
            return unknown
        ok, exp = compare(p.op, s.value, p.value, flag)
        observed.append(f"{flag}={s.value}" if s.origin != "unset" else f"{flag} not set")
        sources.append(s.source)
        expected.append(exp)
        if not ok:
            bad.append(f"{flag}: {s.source}")
    instead = _alternative(p, view) if bad else None
    if instead is not None:
        return instead
    return Outcome(
        pass_fail(not bad),
        "; ".join(observed),
        " and ".join(expected),
        "; ".join(sources),
        details=tuple(bad) + view.notes,
    )


KIND = CheckKind("component_settings", Params, needs, evaluate, __doc__ or "")
