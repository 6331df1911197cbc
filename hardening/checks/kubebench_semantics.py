"""kube-bench's test semantics, ported exactly: compare ops, flag/path/env lookups, bin_op.

Pure functions over audit output text (see shared/anchors/kube-bench/REFERENCE.md §1.4-1.7).
Where kube-bench panics (an invalid regex) we raise ``ValueError`` so the kind reports ERROR.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from hardening.checks.kubebench_jsonpath import JsonPathError, execute_jsonpath

INT64 = 1 << 63


@dataclass(frozen=True)
class CheckItem:
    """One kube-bench ``test_items`` entry: where to look (flag/path/env) and what to expect."""

    flag: str = ""
    path: str = ""
    env: str = ""
    is_set: bool = True
    op: str = ""
    value: str = ""


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one test item on one source: found, passed, expected text, output."""

    found: bool
    passed: bool
    expected: str
    actual: str


@dataclass(frozen=True)
class Outputs:
    """The (merged stdout+stderr) outputs of a check's audit, audit_config and audit_env."""

    audit: str = ""
    config: str = ""
    env: str = ""
    has_config: bool = False


def _atoi(text: str) -> int | None:
    """Go ``strconv.Atoi(strings.TrimSpace(text))``: decimal, optional sign, int64 range."""
    s = text.strip()
    if not re.fullmatch(r"[+-]?[0-9]+", s):
        return None
    n = int(s)
    return n if -INT64 <= n < INT64 else None


def _octal(text: str) -> int | None:
    """Go ``strconv.ParseInt(text, 8, 64)``."""
    if not re.fullmatch(r"[+-]?[0-7]+", text):
        return None
    n = int(text, 8)
    return n if -INT64 <= n < INT64 else None


def _elements(text: str) -> list[str]:
    """kube-bench ``splitAndRemoveLastSeparator(text, ",")``."""
    clean = text.strip().rstrip(",")
    return [] if not clean else [e.strip() for e in clean.split(",")]


def _valid_elements(value: str, allowed: str) -> bool:
    have, want = _elements(value), _elements(allowed)
    if not have or not want:
        return not have and not want
    return all(e in want for e in have)


def _eq(flag_val: str, value: str) -> bool:
    low = flag_val.lower()
    return (low if low in ("true", "false") else flag_val) == value


def _numeric(op: str, flag_val: str, value: str) -> tuple[str, bool]:
    a, b = _atoi(flag_val), _atoi(value)
    if a is None or b is None:
        return f"Invalid Number(s) used for comparison: '{flag_val}' '{value}'", False
    words = {
        "gt": "is greater than",
        "gte": "is greater or equal to",
        "lt": "is lower than",
        "lte": "is lower or equal to",
    }
    ok = {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]
    return "'%s' " + words[op] + " " + value, ok


KNOWN_OPS = frozenset(
    {
        "eq",
        "noteq",
        "gt",
        "gte",
        "lt",
        "lte",
        "has",
        "nothave",
        "regex",
        "valid_elements",
        "bitmask",
    }
)


def compare_op(op: str, flag_val: str, value: str, name: str) -> tuple[str, bool]:
    """kube-bench ``compareOp``: (expected_result text, pass). Unknown ops fail with ""."""
    if op in ("gt", "gte", "lt", "lte"):
        text, ok = _numeric(op, flag_val, value)
        return (text % name if text.startswith("'%s'") else text), ok
    if op == "bitmask":
        requested, limit = _octal(flag_val), _octal(value)
        if requested is None:
            return f"Not numeric value - flag: {flag_val}", False
        if limit is None:
            return f"Not numeric value - flag: {value}", False
        return (
            f"{name} has permissions {flag_val}, expected {value} or more restrictive",
            (limit & requested) == requested,
        )
    if op == "regex":
        try:
            ok = re.search(value, flag_val) is not None
        except re.error as exc:
            raise ValueError(f"invalid regex '{value}': {exc}") from None
        return f"'{name}' matched by regex expression '{value}'", ok
    table: dict[str, tuple[str, bool]] = {
        "eq": ("'%s' is equal to '%s'", _eq(flag_val, value)),
        "noteq": ("'%s' is not equal to '%s'", not _eq(flag_val, value)),
        "has": ("'%s' has '%s'", value in flag_val),
        "nothave": ("'%s' does not have '%s'", value not in flag_val),
        "valid_elements": (
            "'%s' contains valid elements from '%s'",
            _valid_elements(flag_val, value),
        ),
    }
    if op not in table:
        return "", False
    pattern, ok = table[op]
    return pattern % (name, value), ok


def find_flag(output: str, flag: str) -> tuple[bool, str]:
    """kube-bench ``flagTestItem.findValue``: substring presence, then the value regex."""
    if not output or not flag:
        return False, ""
    if flag not in output:
        return False, ""
    try:
        m = re.search("(" + flag + r")(=|: *)*([^\s]*) *", output)
    except re.error as exc:
        raise ValueError(f"flag '{flag}' is not a valid regex: {exc}") from None
    if m is None:
        raise ValueError(f"invalid flag in testItem definition: {output}")
    if m.group(3):
        return True, m.group(3)
    return True, "true" if flag.startswith("--") else m.group(1)


def find_env(output: str, env: str) -> tuple[bool, str]:
    """kube-bench ``envTestItem.findValue``: first ``ENV=...`` (unanchored), empty is absent."""
    if not output or not env:
        return False, ""
    m = re.search(env + r"=.*(?:\Z|\n)", output)
    out = m.group(0) if m else ""
    out = out.replace("\n", "", 1).replace(env + "=", "", 1)
    return (True, out) if out else (False, "")


class _GoYamlLoader(yaml.SafeLoader):
    """YAML 1.1 like yaml.v2 into interface{}: timestamps stay strings."""


_GoYamlLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def parse_config(output: str) -> tuple[Any, bool]:
    """kube-bench ``unmarshal``: JSON first, then YAML. Returns (document, is_json)."""
    try:
        return json.loads(
            output, parse_float=float, parse_int=float, parse_constant=_reject_constant
        ), True
    except ValueError:
        pass
    try:
        return yaml.load(output, Loader=_GoYamlLoader), False  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValueError(f"failed to load YAML or JSON from input: {exc}") from None


def go_float(f: float) -> str:
    """Go's ``%v`` of a float64, as kube-bench prints JSON numbers: the shortest digits that
    round-trip, in exponent form when the decimal exponent is < -4 or >= 6 (strconv's ``'g'``
    with shortest precision decides at 6: ``fmt.Println(1e6)`` prints ``1e+06``)."""
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if math.isnan(f):
        return "NaN"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    d = Decimal(repr(f))
    sign, digits, _ = d.as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    exp = d.adjusted()
    neg = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mant = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{neg}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{neg}0.{'0' * (-exp - 1)}{text}"
    whole = text[: exp + 1].ljust(exp + 1, "0")
    frac = text[exp + 1 :]
    return f"{neg}{whole}{'.' + frac if frac else ''}"


def find_path(output: str, path: str) -> tuple[bool, str]:
    """kube-bench ``pathTestItem.findValue``: JSON/YAML, k8s JSONPath, found = non-empty."""
    doc, is_json = parse_config(output)
    try:
        value = execute_jsonpath(path, doc, is_json, go_float)
    except JsonPathError as exc:
        raise ValueError(f'unable to parse path expression "{path}": {exc}') from None
    return value != "", value


def _evaluate_line(item: CheckItem, text: str, source: str) -> ItemResult:
    name = {"flag": item.flag, "path": item.path, "env": item.env}[source]
    try:
        if source == "flag":
            match, value = find_flag(text, item.flag)
        elif source == "path":
            match, value = find_path(text, item.path)
        else:
            match, value = find_env(text, item.env)
    except ValueError:
        return ItemResult(False, False, "", text)  # kube-bench failTestItem
    if not item.is_set:
        return ItemResult(match, not match, f"'{name}' is not present", text)
    if match and item.op:
        expected, ok = compare_op(item.op, value, item.value, name)
        return ItemResult(match, ok, expected, text)
    return ItemResult(match, match, f"'{name}' is present", text)


def run_item(item: CheckItem, output: str, source: str, multiple: bool) -> ItemResult:
    """kube-bench ``testItem.execute`` on one source ("flag", "path" or "env")."""
    text = output.rstrip(" \n")
    lines = text.split("\n") if multiple else [text]
    result = ItemResult(False, False, "", text)
    for line in lines:
        result = _evaluate_line(item, line, source)
        if not result.passed:
            break
    return ItemResult(result.found, result.passed, result.expected, text)


def evaluate_item(item: CheckItem, out: Outputs, multiple: bool) -> ItemResult:
    """The flag -> config -> env fallback of kube-bench ``Check.execute`` for one item."""
    result = run_item(item, out.audit, "flag", multiple)
    if not result.found and out.has_config and out.config != "":
        result = run_item(item, out.config, "path", multiple)
        if not result.found and item.env:
            result = run_item(item, out.env, "env", multiple)
    if not result.found and item.env:
        result = run_item(item, out.env, "env", multiple)
    return result


class BinOpError(ValueError):
    """``tests.bin_op`` is neither ``and``, ``or`` nor empty."""


def execute(
    items: tuple[CheckItem, ...], bin_op: str, out: Outputs, multiple: bool
) -> tuple[bool, str, str]:
    """All items combined by bin_op: (pass, expected_result, actual_value of item 1)."""
    if bin_op not in ("", "and", "or"):
        raise BinOpError(f"unknown binary operator for tests {bin_op}")
    results = [evaluate_item(i, out, multiple) for i in items]
    joiner = " OR " if bin_op == "or" else " AND "
    expected = joiner.join(r.expected for r in results)
    passes = [r.passed for r in results]
    ok = any(passes) if bin_op == "or" else all(passes)
    return ok, expected, results[0].actual if results else ""
