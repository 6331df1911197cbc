"""A component setting's effective value, computed through the component's own layers.

Highest first: the command line (the last ``--flag`` wins; ignored when a config file
replaces it), then the component's environment variables (etcd's ``ETCD_*``, only without a
config file), then drop-in files (the last merged wins), then the config file the component
is given, then the default of the mode the component runs in: its config API's default when
a config file is given, else its command-line default (``components/`` holds both, with the
upstream source of each). The Setting names the layer that won, the file it came from and
every layer it overrode or that was ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hardening.checks.components.model import Entry, Model
from hardening.checks.ops import canonical
from hardening.parsers.flags import MISSING, config_value, flag_value, map_flag_value

_ZERO_DURATION = re.compile(r"(?:0+(?:\.0*)?(?:ns|us|µs|ms|s|m|h)?)+")
# Go's strconv.ParseBool, which pflag, Go's flag package and etcd's ETCD_* variables use:
# ETCD_PEER_CLIENT_CERT_AUTH=True (kubespray's etcd.env renders a Python bool) is true.
_GO_BOOL = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), "true"),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), "false"),
}


@dataclass(frozen=True)
class Setting:
    """A resolved setting: its canonical value ("" when unset) and which layer won.

    ``origin`` is one of flag, env, dropin, config, default, unset.
    """

    value: str
    source: str
    origin: str
    shadowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layers:
    """What one component runs with: argv, the config file it reads, drop-ins, environment.

    ``config`` is (path, parsed document) of the file the component's config flag names,
    None when it runs without one. ``dropins`` are (path, document) in merge order.
    """

    argv: tuple[str, ...]
    argv_source: str
    model: Model | None = None
    config: tuple[str, Any] | None = None
    dropins: tuple[tuple[str, Any], ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    env_source: str = "environment"


def is_zero(value: str, zero: str) -> bool:
    """Whether a config value is Go's zero value for a field the API then defaults."""
    if zero == "string":
        return value == ""
    if zero == "duration":
        return value == "" or bool(_ZERO_DURATION.fullmatch(value))
    return False


def go_bool(value: str) -> str:
    """A boolean given as text, as Go's strconv.ParseBool reads it ("True" -> "true");
    text it rejects is returned unchanged (the component would refuse to start)."""
    return _GO_BOOL.get(value, value)


def _flag(layers: Layers, flag: str, is_bool: bool, flag_key: str | None) -> tuple[str, str] | None:
    if flag_key:
        v = map_flag_value(layers.argv, flag, flag_key)
        return None if v is None else (v, f"{layers.argv_source}: {flag}: {flag_key}={v}")
    v = flag_value(layers.argv, flag, is_bool=is_bool)
    if v is None:
        return None
    if is_bool:
        v = go_bool(v)
    shown = flag if is_bool and v == "true" and flag in layers.argv else f"{flag}={v}"
    return v, f"{layers.argv_source}: {shown}"


def _key_in(doc: Any, key: str, zero: str) -> str | None:
    v = config_value(doc, key)
    if v is MISSING or v is None:
        return None
    value = canonical(v)
    return None if is_zero(value, zero) else value


def _default(
    layers: Layers, entry: Entry | None, default: str | None, key: str
) -> tuple[str, str] | None:
    model = layers.model
    if entry is None or model is None:
        return None if default is None else (default, f"documented default: {default}")
    if layers.config is not None:
        value, where = entry.config_default, entry.source
        what = f"{model.api} default, config file {layers.config[0]} leaves {key} unset"
    else:
        value, where = entry.flag_default, entry.flag_source or entry.source
        what = (
            f"command-line default of {model.component} (no {model.config_flag} given)"
            if model.config_flag
            else f"command-line default of {model.component}"
        )
    if value is None:
        return None
    return value, f"{what}: {value} ({where})"


def resolve(
    layers: Layers,
    *,
    flag: str | None,
    key: str | None,
    is_bool: bool = False,
    default: str | None = None,
    flag_key: str | None = None,
) -> Setting:
    """The effective value of one setting; see the module docstring for the order."""
    model = layers.model
    entry = model.entry(flag, key, flag_key) if model else None
    key = key or (entry.key if entry else None)
    zero = entry.zero if entry else ""
    won: list[tuple[str, str, str]] = []
    ignored: list[str] = []
    given = layers.config is not None
    replaces = given and model is not None and model.config_replaces_all
    if flag:
        found = _flag(layers, flag, is_bool, flag_key)
        if found and given and (replaces or (entry is not None and entry.flag_ignored)):
            ignored.append(
                f"ignored: {found[1]} ({layers.config[0] if layers.config else ''} "
                f"named by {model.config_flag if model else 'the config flag'} "
                "replaces it)"
            )
        elif found:
            won.append(("flag", found[0], found[1]))
        env_name = model.env_name(flag) if model else ""
        if env_name and env_name in layers.env:
            shown = f"{layers.env_source}: {env_name}={layers.env[env_name]}"
            if replaces:
                ignored.append(f"ignored: {shown} (the config file replaces it)")
            else:
                value = canonical(layers.env[env_name])
                won.append(("env", go_bool(value) if is_bool else value, shown))
    if key:
        for path, doc in reversed(layers.dropins):
            v = _key_in(doc, key, zero)
            if v is not None:
                won.append(("dropin", v, f"drop-in {path}: {key}: {v}"))
        if layers.config is not None:
            path, doc = layers.config
            v = _key_in(doc, key, zero)
            if v is not None:
                won.append(("config", v, f"{path}: {key}: {v}"))
            elif config_value(doc, key) is not MISSING:
                ignored.append(f"{path}: {key} is empty, so the default applies")
    fallback = _default(layers, entry, default, key or flag or "")
    if fallback is not None:
        won.append(("default", fallback[0], fallback[1]))
    if not won:
        name = flag or key or ""
        src = (
            f"{name} not set, and {model.component} has no default for it ({entry.source})"
            if entry and model
            else "not set on the command line, in the config file or by default"
        )
        return Setting("", src, "unset", tuple(ignored))
    origin, value, source = won[0]
    return Setting(
        value, source, origin, tuple(f"overridden: {w[2]}" for w in won[1:]) + tuple(ignored)
    )
