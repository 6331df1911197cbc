"""JSON text for large documents: indented to a depth, each value below it on one line.

``json.dumps(indent=2)`` runs Python's pure-Python encoder (the C one is used only without
``indent``): for a 1,000-host run document that was 19 s of 24 for the JSON report. Here the
outer levels (the document, its host list, each host, its result list) are indented as
``indent=2`` does and every value below ``depth`` is one C-encoded line: one result per
line, readable in a diff, parsed to the same data.
"""

from __future__ import annotations

import json
from typing import Any


def layered(value: Any, depth: int, *, ensure_ascii: bool = True, level: int = 0) -> str:
    """``value`` as JSON: the first ``depth`` levels of objects and arrays indented by two
    spaces a level, everything deeper on one line (``", "`` and ``": "`` separators)."""
    if depth <= 0 or not isinstance(value, dict | list | tuple) or not value:
        return json.dumps(value, ensure_ascii=ensure_ascii, separators=(", ", ": "))
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, dict):
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=ensure_ascii)}: "
            + layered(v, depth - 1, ensure_ascii=ensure_ascii, level=level + 1)
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    rows = [
        inner + layered(v, depth - 1, ensure_ascii=ensure_ascii, level=level + 1) for v in value
    ]
    return "[\n" + ",\n".join(rows) + f"\n{pad}]"
