"""A component fact as its layers: which files it reads, by its own rules, for the setting kinds.

``component_request`` asks for the file the component's table names (its config file flag),
``extra_requests`` for its drop-in directory; ``component_layers`` turns the answers into
``Layers``: the config file only when the component's flag names it (a file at the
catalogue's default path that the component is not told to read changes nothing, and a note
says so), and the drop-ins in merge order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import Outcome
from hardening.checks.components.registry import MODELS
from hardening.checks.layers import Layers, Setting
from hardening.facts.component import ComponentReq
from hardening.facts.component_env import ComponentEnv
from hardening.facts.dropins import Dropins
from hardening.model.facts import Absent, Component, FactRequest, Facts
from hardening.model.result import Status
from hardening.parsers.flags import parse_config


@dataclass(frozen=True)
class View:
    """The layers of one component, notes for the evidence, and why a drop-in directory the
    component reads could not be read ("" when none)."""

    layers: Layers
    notes: tuple[str, ...] = ()
    unread_dropins: str = ""


def config_flag_of(component: str, config_flag: str, reads_config: bool) -> str:
    """The flag naming the component's config file: the table's, else the catalogue's."""
    model = MODELS.get(component)
    if model is not None:
        return model.config_flag
    return config_flag if reads_config else ""


def component_request(
    component: str, config_flag: str, config_path: str, *, reads_config: bool
) -> ComponentReq:
    """The request for the component and the config file its table (or the check) names."""
    flag = config_flag_of(component, config_flag, reads_config)
    return ComponentReq(component, ((flag, config_path),) if flag else ())


def env_request(component: str) -> ComponentEnv | None:
    """The environment variables the component reads its flags from (etcd), or None."""
    model = MODELS.get(component)
    if model is None or not model.env_prefix:
        return None
    names = {model.env_name(e.flag) for e in model.entries} | {model.config_env}
    return ComponentEnv(component, tuple(sorted(n for n in names if n)))


def extra_requests(component: str) -> tuple[FactRequest, ...]:
    """The requests beside the component's own: its drop-in directory, its environment."""
    model = MODELS.get(component)
    out: list[FactRequest] = []
    if model is not None and model.dropin_flag:
        out.append(Dropins(component, model.dropin_flag))
    env = env_request(component)
    if env is not None:
        out.append(env)
    return tuple(out)


def _env(facts: Facts, comp: Component, config_named: bool) -> tuple[dict[str, str], str]:
    """(the component's variables, why they could not be read or are not enough)."""
    req = env_request(comp.name)
    if req is None:
        return {}, ""
    got = facts.get(req)
    if isinstance(got, Absent):
        return {}, got.reason if got.is_error else ""
    env = dict(got)
    model = MODELS[comp.name]
    if model.config_env in env and not config_named:
        return env, (
            f"{model.config_env}={env[model.config_env]} names a config file that "
            "replaces every flag, and it is not read"
        )
    return env, ""


def _dropins(facts: Facts, component: str) -> tuple[tuple[tuple[str, Any], ...], str] | Outcome:
    """(path, document) of each drop-in in merge order, and a directory we could not read."""
    model = MODELS.get(component)
    if model is None or not model.dropin_flag:
        return (), ""
    got = facts.get(Dropins(component, model.dropin_flag))
    if isinstance(got, Absent):
        return ((), got.reason) if got.is_error else ((), "")
    out = []
    for f in got:
        try:
            out.append((f.path, parse_config(f.text)))
        except ValueError as exc:
            return Outcome(Status.ERROR, source=f.path, reason=f"{f.path}: {exc}")
    return tuple(out), ""


def component_layers(
    comp: Component, config_flag: str, *, reads_config: bool, facts: Facts | None = None
) -> View | Outcome:
    """The component's layers, or an ERROR/SKIP Outcome when its config cannot be read."""
    model = MODELS.get(comp.name)
    flag = config_flag_of(comp.name, config_flag, reads_config)
    notes: list[str] = []
    config = None
    cf = comp.files.get(flag) if flag else None
    if cf is not None and not cf.from_flag:
        if not isinstance(cf.content, Absent):
            notes.append(f"{cf.path} is not read: {comp.name} is not given {flag}")
    elif cf is not None and isinstance(cf.content, Absent):
        if cf.content.is_error:
            return Outcome.absent(cf.content, source=cf.path)
        notes.append(f"{cf.path} named by {flag} is missing")
    elif cf is not None and not isinstance(cf.content, Absent):
        try:
            config = (cf.path, parse_config(cf.content.text))
        except ValueError as exc:
            return Outcome(Status.ERROR, source=cf.path, reason=f"{cf.path}: {exc}")
    dropins: tuple[tuple[str, Any], ...] = ()
    unread = ""
    if facts is not None:
        found = _dropins(facts, comp.name)
        if isinstance(found, Outcome):
            return found
        dropins, unread = found
        notes += [f"drop-in {path} merged over the config file" for path, _ in dropins]
        env, why = _env(facts, comp, cf is not None and cf.from_flag)
        unread = unread or why
    else:
        env = {}
    layers = Layers(
        comp.argv, comp.origin, model, config, dropins, env, f"environment of {comp.origin}"
    )
    return View(layers, tuple(notes), unread)


def dropins_unknown(view: View, setting: Setting, component: str) -> Outcome | None:
    """ERROR when a drop-in directory the facts do not show could change the setting."""
    if not view.unread_dropins or setting.origin == "flag":
        return None
    return Outcome(
        Status.ERROR,
        source=view.layers.argv_source,
        reason=f"{component}: {view.unread_dropins}; the effective value cannot "
        "be decided without it",
    )
