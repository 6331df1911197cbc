"""component_settings: several settings of one component must ALL satisfy the same op.

For controls that pair settings, such as "--tls-cert-file and --tls-private-key-file are
set". Each entry of ``flags`` is resolved like component_setting, through the component's
own layers and defaults table; ``config_keys`` is empty or as long as ``flags`` ("" for no
key; the table supplies a key it knows, such as etcd's ``client-transport-security.*``).
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

    def __post_init__(self) -> None:
        if not self.flags:
            raise ParamError("flags", "give at least one flag")
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
    return Outcome(
        pass_fail(not bad),
        "; ".join(observed),
        " and ".join(expected),
        "; ".join(sources),
        details=tuple(bad) + view.notes,
    )


KIND = CheckKind("component_settings", Params, needs, evaluate, __doc__ or "")
