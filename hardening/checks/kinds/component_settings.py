"""component_settings: several settings of one component must ALL satisfy the same op.

For controls that pair settings, such as "--tls-cert-file and --tls-private-key-file are
set". Each entry of ``flags`` is resolved like component_setting (last flag occurrence >
``config_keys`` entry at the same position in the file named by ``config_flag`` >
unset); ``config_keys`` is empty or as long as ``flags`` ("" for no key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.effective import parse_config, resolve
from hardening.checks.ops import check_op, compare
from hardening.model.facts import Absent, Component, Facts
from hardening.model.result import Status
from hardening.probe.requests import ComponentReq, FactRequest


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
            raise ParamError("config_keys", "give one config key per flag (\"\" for none)")
        err = check_op(self.op, self.value)
        if err:
            raise ParamError("op", err)


def _request(p: Params) -> ComponentReq:
    return ComponentReq(p.component, ((p.config_flag, p.config_path),) if p.config_keys else ())


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The component (and its config file when config keys are given)."""
    return (_request(p),)


def _config(p: Params, comp: Component) -> tuple[str, Any] | Outcome | None:
    cf = comp.files.get(p.config_flag) if p.config_keys else None
    if cf is None or isinstance(cf.content, Absent):
        if cf is not None and isinstance(cf.content, Absent) and cf.content.is_error:
            return Outcome.absent(cf.content, source=cf.path)
        return None
    try:
        return cf.path, parse_config(cf.content.text)
    except ValueError as exc:
        return Outcome(Status.ERROR, source=cf.path, reason=f"{cf.path}: {exc}")


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Resolve every setting; PASS only when each one satisfies the op."""
    comp = facts.get(_request(p))
    if isinstance(comp, Absent):
        return Outcome.absent(comp, source=f"{p.component} not found")
    assert isinstance(comp, Component)
    config = _config(p, comp)
    if isinstance(config, Outcome):
        return config
    keys = p.config_keys or ("",) * len(p.flags)
    observed, sources, expected, bad = [], [], [], []
    for flag, key in zip(p.flags, keys, strict=True):
        s = resolve(argv=comp.argv, argv_source=comp.origin, flag=flag, is_bool=False,
                    config=config, key=key or None, default=None)
        ok, exp = compare(p.op, s.value, p.value, flag)
        observed.append(f"{flag}={s.value}" if s.origin != "unset" else f"{flag} not set")
        sources.append(s.source)
        expected.append(exp)
        if not ok:
            bad.append(f"{flag}: {s.source}")
    return Outcome(pass_fail(not bad), "; ".join(observed), " and ".join(expected),
                   "; ".join(sources), details=tuple(bad))


KIND = CheckKind("component_settings", Params, needs, evaluate, __doc__ or "")
