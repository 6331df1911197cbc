"""The effective value of a component setting, with the precedence the component uses.

Kubernetes components parse flags with pflag: the LAST occurrence of a flag wins, a value
may follow ``=`` or be the next argument, and a boolean flag never takes the next argument
(``--anonymous-auth false`` sets true and leaves ``false`` positional). Go's ``flag``
package (etcd) also accepts a single dash. A flag set on the command line overrides the
config file key, which overrides the component's documented default.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import yaml

from hardening.checks.ops import canonical

_MISSING = object()


@dataclass(frozen=True)
class Setting:
    """A resolved setting: its canonical value ("" when unset) and which source won."""

    value: str
    source: str
    origin: str  # "flag" | "config" | "default" | "unset"
    shadowed: tuple[str, ...] = ()


def _norm(arg: str) -> str:
    return arg[1:] if arg.startswith("--") else arg


def flag_values(argv: tuple[str, ...], flag: str, *, is_bool: bool) -> list[str]:
    """Every value ``flag`` is given in ``argv``, in order (empty when not given)."""
    want = _norm(flag)
    found: list[str] = []
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            break
        norm = _norm(arg)
        if norm.startswith(want + "="):
            found.append(norm[len(want) + 1 :])
        elif norm == want:
            if is_bool:
                found.append("true")
            elif i + 1 < len(argv):
                found.append(argv[i + 1])
                i += 1
            else:
                found.append("")
        i += 1
    return found


def flag_value(argv: tuple[str, ...], flag: str, *, is_bool: bool) -> str | None:
    """The value of ``flag`` in ``argv`` (last occurrence wins), or None when not given."""
    values = flag_values(argv, flag, is_bool=is_bool)
    return values[-1] if values else None


def map_flag_value(argv: tuple[str, ...], flag: str, key: str) -> str | None:
    """``key`` of a map flag (``--feature-gates=A=true,B=false``), or None when not named.

    Each occurrence of the flag merges its pairs into one map, so a later occurrence sets a
    key again only if it names it (component-base's feature-gate and map flags do this).
    """
    found: str | None = None
    for value in flag_values(argv, flag, is_bool=False):
        for pair in value.split(","):
            name, eq, val = pair.partition("=")
            if eq and name.strip() == key:
                found = val.strip()
    return found


_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=64)
def parse_config(text: str) -> Any:
    """A component config file (YAML or JSON) as data; raises ValueError when neither.

    Memoised on the text: a node's kubelet config is read by dozens of controls, and a fleet
    of nodes built alike shares one text. Callers treat the result as read-only.
    """
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:  # libyaml's loader when present: same safe schema, ~10x faster on kubelet configs
        return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML or JSON: {str(exc).splitlines()[0]}") from exc


def config_value(doc: Any, key: str) -> Any:
    """Look up a dotted key (``authentication.anonymous.enabled``); _MISSING when absent."""
    node = doc
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def resolve(
    *,
    argv: tuple[str, ...],
    argv_source: str,
    flag: str | None,
    is_bool: bool,
    config: tuple[str, Any] | None,
    key: str | None,
    default: str | None,
    flag_key: str | None = None,
) -> Setting:
    """Resolve flag > config key > default, recording the sources that lost.

    With ``flag_key`` the flag is a map flag and only that key of it counts: a flag that does
    not name the key leaves the config file's value (kubelet merges its ``--feature-gates``
    over the file's ``featureGates`` key by key).
    """
    candidates: list[tuple[str, str, str]] = []
    if flag and flag_key:
        v = map_flag_value(argv, flag, flag_key)
        if v is not None:
            candidates.append(("flag", v, f"{argv_source}: {flag}: {flag_key}={v}"))
    elif flag:
        v = flag_value(argv, flag, is_bool=is_bool)
        if v is not None:
            shown = flag if is_bool and v == "true" and flag in argv else f"{flag}={v}"
            candidates.append(("flag", v, f"{argv_source}: {shown}"))
    if config is not None and key:
        path, doc = config
        v2 = config_value(doc, key)
        if v2 is not _MISSING:
            candidates.append(("config", canonical(v2), f"{path}: {key}: {canonical(v2)}"))
    if default is not None:
        candidates.append(("default", default, f"documented default: {default}"))
    if not candidates:
        return Setting("", "not set on the command line, in the config file or by default",
                       "unset")
    origin, value, source = candidates[0]
    return Setting(value, source, origin, tuple(c[2] for c in candidates[1:]))
