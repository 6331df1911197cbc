"""The subset of k8s.io/client-go/util/jsonpath that kube-bench profiles use, printed like Go.

Supported: ``{.a.b}``, ``{.a[0]}``, ``{.a[*]}``, ``{.a[:]}``, ``{range ...}...{end}``, ``{}``
/ ``{@}`` (the current item), quoted literals ``{','}`` and plain text between blocks.
Missing keys print nothing (``AllowMissingKeys(true)``); anything else is a JsonPathError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

FloatFormat = Callable[[float], str]

_BLOCK = re.compile(r"\{((?:'[^']*'|\"[^\"]*\"|[^}])*)\}")
_STEP = re.compile(r"\.([A-Za-z0-9_/-]+)|\[(\*|:|-?[0-9]+)\]")


class JsonPathError(ValueError):
    """The path expression cannot be parsed or its result cannot be printed."""


def _blocks(template: str) -> list[tuple[str, str]]:
    """Split into ("text", literal) and ("expr", inner) parts."""
    parts: list[tuple[str, str]] = []
    pos = 0
    for m in _BLOCK.finditer(template):
        if m.start() > pos:
            parts.append(("text", template[pos : m.start()]))
        parts.append(("expr", m.group(1).strip()))
        pos = m.end()
    rest = template[pos:]
    if "{" in rest or "}" in rest:
        raise JsonPathError(f"unclosed action in '{template}'")
    if rest:
        parts.append(("text", rest))
    return parts


def _select(path: str, root: Any) -> list[Any]:
    """Evaluate a field/index chain such as ``.a.b[0]`` from ``root``."""
    path = path[1:] if path.startswith(("@", "$")) else path
    values = [root]
    pos = 0
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None:
            raise JsonPathError(f"unrecognized character in action: {path[pos:]!r}")
        pos = m.end()
        nxt: list[Any] = []
        for v in values:
            if v is None:
                continue
            if m.group(1) is not None:
                if isinstance(v, dict) and m.group(1) in v:
                    nxt.append(v[m.group(1)])
            elif isinstance(v, list):
                idx = m.group(2)
                if idx in ("*", ":"):
                    nxt.extend(v)
                elif -len(v) <= int(idx) < len(v):
                    nxt.append(v[int(idx)])
                else:
                    raise JsonPathError(f"array index out of bounds: index {idx}")
        values = nxt
    return values


def _has_map(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(_has_map(v) for v in value)


def _json(value: Any, fmt: FloatFormat) -> str:
    def norm(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
            return int(v)  # encoding/json prints integral float64 without a fraction
        return v

    text = json.dumps(norm(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(value: Any, is_json: bool, fmt: FloatFormat) -> str:
    """Print one result the way jsonpath's PrintResults does."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, (dict, list)):
        if not is_json and _has_map(value):
            raise JsonPathError("json: unsupported type: map[interface {}]interface {}")
        return _json(value, fmt)
    return str(value)


def _run(parts: list[tuple[str, str]], root: Any, is_json: bool, fmt: FloatFormat) -> str:
    out: list[str] = []
    i = 0
    while i < len(parts):
        kind, text = parts[i]
        i += 1
        if kind == "text":
            out.append(text)
        elif text.startswith("range "):
            depth, j = 1, i
            while j < len(parts) and depth:
                if parts[j] == ("expr", "end"):
                    depth -= 1
                elif parts[j][0] == "expr" and parts[j][1].startswith("range "):
                    depth += 1
                j += 1
            if depth:
                raise JsonPathError("range without end")
            body = parts[i : j - 1]
            for item in _select(text[6:].strip(), root):
                out.append(_run(body, item, is_json, fmt))
            i = j
        elif text == "end":
            raise JsonPathError("not in range, nothing to end")
        elif text[:1] in ("'", '"') and len(text) >= 2 and text[-1] == text[0]:
            out.append(text[1:-1])
        else:
            found = _select(text, root) if text not in ("", "@") else [root]
            out.append(" ".join(render(v, is_json, fmt) for v in found))
    return "".join(out)


def execute_jsonpath(template: str, doc: Any, is_json: bool, fmt: FloatFormat) -> str:
    """Run a JSONPath template over a parsed document and return the printed text."""
    return _run(_blocks(template), doc, is_json, fmt)
