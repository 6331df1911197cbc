"""Names that are not valid UTF-8, carried losslessly and shown escaped.

A node's file name is bytes. The probe decodes it with Python's ``surrogateescape`` (PEP 383):
each byte that is not part of valid UTF-8 becomes one lone surrogate U+DC80..U+DCFF, so the
``str`` maps back to the exact bytes. No UTF-8 file or terminal can hold a lone surrogate,
so every writer applies one rule (docs/security.md):

- the JSON run document (the source of truth) writes each lone surrogate as the JSON escape
  ``\\udcXX``: valid JSON text, read back by ``json_doc.read`` to the identical string, so
  the original byte ``0xXX`` is recoverable (``s.encode("utf-8", "surrogateescape")``);
- every displayed format (HTML, JUnit, terminal, SARIF) shows the byte as the four visible
  characters ``\\xXX`` (any other lone surrogate as ``\\uXXXX``), via ``for_display``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from hardening.model.result import RunDocument

_LONE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with each byte that was not UTF-8 shown as ``\\xXX``."""
    return _LONE.sub(_escape, text) if _LONE.search(text) else text


def json_escaped(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with each lone surrogate as
    its ``\\uXXXX`` escape; surrogates only ever occur inside JSON strings."""
    return _LONE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {_walk(k): _walk(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v) for v in value]
    return value


def for_display(doc: RunDocument) -> RunDocument:
    """``doc`` with every string made displayable by ``shown`` (the same object when no string
    holds a lone surrogate)."""
    top = replace(doc, hosts=(), cluster=None).to_dict()  # a host at a time: bounded memory
    if not _has_lone(top) and not any(_has_lone(t.to_dict()) for t in doc.targets):
        return doc
    return RunDocument.from_dict(_walk(doc.to_dict()))


def _has_lone(value: Any) -> bool:
    """Whether any string (key or value) of a JSON-ready tree holds a lone surrogate: one
    C-encoded dump and one search (walking 50,000 results in Python took seconds)."""
    try:
        return _LONE.search(json.dumps(value, ensure_ascii=False)) is not None
    except (TypeError, ValueError):
        return _walk_has_lone(value)


def _walk_has_lone(value: Any) -> bool:
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if _LONE.search(item):
                return True
        elif isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
    return False


def partial_note(doc: RunDocument) -> str:
    """What a partial merge lacks (``options.partial``, written by ``merge --allow-partial``),
    one line for every report; empty for a complete run."""
    part = doc.options.get("partial")
    if not isinstance(part, dict):
        return ""
    merged = ", ".join(str(x) for x in part.get("merged", ()))
    missing = ", ".join(str(x) for x in part.get("missing", ()))
    return f"partial fleet: merged shard {merged}; shard {missing} missing, its hosts not audited"
