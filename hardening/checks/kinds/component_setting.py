"""component_setting: a component's effective setting, flag > config file key > default.

The component's argv comes from its running process (or, in an image, its unit or
manifest). ``config_key`` is looked up in the file named by ``config_flag`` (kubelet
``--config``), or in ``config_path`` when the flag is not given. ``flag_key`` makes ``flag`` a
map flag (``--feature-gates=A=true,B=false``): only that key counts, merged over every
occurrence, and a flag that does not name it leaves the config file's value in force.
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
            raise ParamError("flag_key", "needs a string-valued flag (a map flag such as "
                                         "--feature-gates)")
        if self.type not in ("string", "bool"):
            raise ParamError("type", f"unknown type '{self.type}' (expected string or bool)")
        err = check_op(self.op, self.value)
        if err:
            raise ParamError("op", err)


def _request(p: Params) -> ComponentReq:
    files = ((p.config_flag, p.config_path),) if p.config_key else ()
    return ComponentReq(p.component, files)


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The component (argv, and the config file when a config key is read)."""
    return (_request(p),)


def _config(p: Params, comp: Component) -> tuple[tuple[str, Any] | None, Outcome | None, str]:
    """The parsed config file (or None), an early Outcome if it cannot be read, and a note."""
    cf = comp.files.get(p.config_flag) if p.config_key else None
    if cf is None:
        return None, None, ""
    if isinstance(cf.content, Absent):
        if cf.content.is_error:
            return None, Outcome.absent(cf.content, source=cf.path), ""
        note = f"{cf.path} named by {p.config_flag} is missing" if cf.from_flag else ""
        return None, None, note
    try:
        return (cf.path, parse_config(cf.content.text)), None, ""
    except ValueError as exc:
        return None, Outcome(Status.ERROR, source=cf.path, reason=f"{cf.path}: {exc}"), ""


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Resolve the effective value and compare it."""
    comp = facts.get(_request(p))
    name = f"{p.flag}: {p.flag_key}" if p.flag and p.flag_key else p.flag or p.config_key or ""
    if isinstance(comp, Absent):
        return Outcome.absent(comp, source=f"{p.component} not found")
    assert isinstance(comp, Component)
    config, early, note = _config(p, comp)
    if early is not None:
        return early
    setting = resolve(
        argv=comp.argv, argv_source=comp.origin, flag=p.flag, is_bool=p.type == "bool",
        config=config, key=p.config_key, default=p.default, flag_key=p.flag_key,
    )
    ok, expected = compare(p.op, setting.value, p.value, name)
    details = tuple(f"overridden: {s}" for s in setting.shadowed) + ((note,) if note else ())
    shown = p.config_key if setting.origin == "config" and p.config_key else name
    observed = f"{shown}={setting.value}" if setting.origin != "unset" else f"{name} not set"
    return Outcome(pass_fail(ok), observed, expected, setting.source, details=details)


KIND = CheckKind("component_setting", Params, needs, evaluate, __doc__ or "")
