"""Reading a component's command line and config files as the component reads them.

Pure parsing of text the sources brought back (no I/O): the checks and the remediation
both read flags and config files through here, so they cannot disagree on what a flag is.

Kubernetes components parse flags with pflag: the LAST occurrence of a flag wins, a value
may follow ``=`` or be the next argument, and a boolean flag never takes the next argument
(``--anonymous-auth false`` sets true and leaves ``false`` positional). Go's ``flag``
package (etcd) also accepts a single dash. How the layers combine is ``layers.resolve``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import yaml

MISSING = object()


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
    """Look up a dotted key (``authentication.anonymous.enabled``); MISSING when absent."""
    node = doc
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node
