"""The closed table of comparison ops: name -> pure function over canonical strings.

Observed values are canonical text (see ``canonical``): booleans ``true``/``false``,
numbers as written, lists joined by ``,``. An op never raises on odd input; a value that
cannot be compared fails the comparison and says why in the expected text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(h|ms|m|s|us|ns))+$")
_DUR_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


_SECRET_KEY = re.compile(r"(?i)secret|passw|token|credential|private|^keys?$|^data$")


def redacted(value: Any) -> Any:
    """A copy of a mapping/list with the values of secret-looking keys replaced.

    Evidence must never carry a secret: a check that reads a whole sub-tree of a config
    (an EncryptionConfiguration holds AES keys, a kubeconfig holds tokens) shows its shape.
    """
    if isinstance(value, dict):
        return {
            k: "<redacted>" if _SECRET_KEY.search(str(k)) else redacted(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


def canonical(value: Any) -> str:
    """A config or flag value as the text ops compare: YAML/JSON types made uniform.

    Mappings are rendered as JSON with secret-looking keys redacted (see ``redacted``).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(canonical(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(redacted(value), sort_keys=True, default=str)
    return str(value)


def number(text: str) -> float | None:
    """An integer, decimal or Go duration (``5m``, ``4h0m0s``, in seconds); else None."""
    text = text.strip()
    try:
        return float(int(text))
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        pass
    if _DURATION.match(text):
        return sum(float(n) * _UNITS[u] for n, u in _DUR_PART.findall(text))
    return None


def elements(text: str) -> list[str]:
    """Comma-separated elements, trimmed, empties dropped."""
    return [e.strip() for e in text.split(",") if e.strip()]


def _num(op: Callable[[float, float], bool]) -> Callable[[str, Any], bool]:
    def compare(observed: str, value: Any) -> bool:
        a, b = number(observed), number(str(value))
        return a is not None and b is not None and op(a, b)

    return compare


def _bitmask(observed: str, value: Any) -> bool:
    try:
        have, allowed = int(observed, 8), int(str(value), 8)
    except ValueError:
        return False
    return have & ~allowed == 0


def _regex(observed: str, value: Any) -> bool:
    return re.search(str(value), observed) is not None


def _as_set(value: Any) -> set[str]:
    if isinstance(value, (list, tuple)):
        return {str(v) for v in value}
    return set(elements(str(value)))


@dataclass(frozen=True)
class Op:
    """An op: its test and how to say what it expects."""

    test: Callable[[str, Any], bool]
    template: str
    needs_value: bool = True


OPS: dict[str, Op] = {
    "eq": Op(lambda o, v: o == str(v), "{name} = '{value}'"),
    "noteq": Op(lambda o, v: o != str(v), "{name} != '{value}'"),
    "has": Op(lambda o, v: str(v) in elements(o), "{name} includes '{value}'"),
    "nothas": Op(lambda o, v: str(v) not in elements(o), "{name} does not include '{value}'"),
    "contains": Op(lambda o, v: str(v) in o, "{name} contains '{value}'"),
    "notcontains": Op(lambda o, v: str(v) not in o, "{name} does not contain '{value}'"),
    "in": Op(lambda o, v: o in _as_set(v), "{name} is one of {value}"),
    "valid_elements": Op(
        lambda o, v: bool(elements(o)) and set(elements(o)) <= _as_set(v),
        "every element of {name} is one of {value}",
    ),
    "gt": Op(_num(lambda a, b: a > b), "{name} > {value}"),
    "gte": Op(_num(lambda a, b: a >= b), "{name} >= {value}"),
    "lt": Op(_num(lambda a, b: a < b), "{name} < {value}"),
    "lte": Op(_num(lambda a, b: a <= b), "{name} <= {value}"),
    "regex": Op(_regex, "{name} matches /{value}/"),
    "bitmask": Op(_bitmask, "{name} is {value} or more restrictive"),
    "set": Op(lambda o, v: o != "", "{name} is set", needs_value=False),
    "unset": Op(lambda o, v: o == "", "{name} is not set", needs_value=False),
}


def check_op(op: str, value: Any) -> str | None:
    """Validate an op and its value at load time; return an error message or None."""
    if op not in OPS:
        return f"unknown op '{op}' (expected one of: {', '.join(OPS)})"
    if OPS[op].needs_value and value is None:
        return f"op '{op}' needs a value"
    if op == "regex":
        try:
            re.compile(str(value))
        except re.error as exc:
            return f"invalid regex '{value}': {exc}"
    if op in ("gt", "gte", "lt", "lte") and number(str(value)) is None:
        return f"op '{op}' needs a number or duration, got '{value}'"
    if op == "bitmask":
        try:
            int(str(value), 8)
        except ValueError:
            return f"op 'bitmask' needs an octal mode, got '{value}'"
    return None


def compare(op: str, observed: str, value: Any, name: str) -> tuple[bool, str]:
    """Apply ``op``; return (passed, expected text)."""
    spec = OPS[op]
    shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
    return spec.test(observed, value), spec.template.format(name=name, value=shown)
