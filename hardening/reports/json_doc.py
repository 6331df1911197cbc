"""The JSON result document: write and read it. This is the machine format; every other
report renders a document loaded through :func:`read`."""

from __future__ import annotations

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


def dumps(doc: RunDocument) -> str:
    """The document as JSON text (stable key order, UTF-8 kept readable; a byte of a name
    that was not UTF-8 is the escape ``\\udcXX``, read back losslessly: reports/text.py).
    Indented down to each result, which is one line (reports/jsontext.py)."""
    return json_escaped(layered(doc.to_dict(), DEPTH, ensure_ascii=False)) + "\n"


def render(doc: RunDocument, dest: Path) -> None:
    """Write the document to ``dest``."""
    dest.write_text(dumps(doc), encoding="utf-8")


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
