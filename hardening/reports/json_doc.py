"""The JSON result document: write and read it. This is the machine format; every other
report renders a document loaded through :func:`read`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from hardening.errors import UsageError
from hardening.model.result import SCHEMA_VERSION, RunDocument
from hardening.reports.jsontext import layered
from hardening.reports.text import json_escaped
from hardening.safeload import LoadLimitError, load_json, read_text

SUFFIX = ".json"
DEPTH = 4  # the document, its hosts, a host, its results: indented; a result: one line
RUN_MAX_BYTES = 1 << 30  # a run of thousands of nodes; a FIFO or a device is never read


def chunks(doc: RunDocument) -> Iterator[str]:
    """The document's JSON text in pieces, one host at a time, so writing a 1,000-host run
    never holds the whole document as one mapping or one string. Stable key order, UTF-8
    kept readable; a byte of a name that was not UTF-8 is the escape ``\\udcXX``, read back
    losslessly (reports/text.py). Indented down to each result, which is one line
    (reports/jsontext.py): the text of ``layered(doc.to_dict(), DEPTH)``."""
    top = replace(doc, hosts=()).to_dict()
    top["coverage"] = doc.coverage.to_dict()  # counted from every host, not the empty copy
    yield "{"
    for i, (key, value) in enumerate(top.items()):
        yield ("," if i else "") + f"\n  {json.dumps(key, ensure_ascii=False)}: "
        if key != "hosts" or not doc.hosts:
            yield json_escaped(layered(value, DEPTH - 1, ensure_ascii=False, level=1))
            continue
        yield "[\n"
        for j, host in enumerate(doc.hosts):
            text = layered(host.to_dict(), DEPTH - 2, ensure_ascii=False, level=2)
            yield (",\n" if j else "") + "    " + json_escaped(text)
        yield "\n  ]"
    yield "\n}\n"


def dumps(doc: RunDocument) -> str:
    """The document as JSON text (``chunks`` joined)."""
    return "".join(chunks(doc))


def render(doc: RunDocument, dest: Path) -> None:
    """Write the document to ``dest``, a host at a time."""
    with dest.open("w", encoding="utf-8") as out:
        for piece in chunks(doc):
            out.write(piece)


def read(path: Path) -> RunDocument:
    """Load a saved run; a wrong or unknown document is a UsageError naming the file."""
    try:
        data: Any = load_json(read_text(path, RUN_MAX_BYTES), str(path))
    except LoadLimitError as exc:
        raise UsageError(
            f"run document {exc}", "pass a file written by 'hardening audit --json'"
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"{path}: cannot read a run document: {exc}",
            "pass a file written by 'hardening audit --json'",
        ) from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise UsageError(
            f"{path}: not a hardening run document of schema version {SCHEMA_VERSION}",
            "re-run the audit with this version",
        )
    try:
        return RunDocument.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(
            f"{path}: malformed run document ({type(exc).__name__}: {exc})",
            "re-run the audit to get a fresh document",
        ) from None
