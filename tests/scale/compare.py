"""Compare two run documents host by host and control by control, ignoring timestamps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load(path: Path) -> dict[str, Any]:
    """A run document as plain JSON."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def per_control(doc: dict[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any], str]]:
    """(host, control id) -> (status, evidence, reason)."""
    return {
        (h["name"], r["id"]): (r["status"], r["evidence"], r["reason"])
        for h in doc["hosts"]
        for r in h["results"]
    }


def host_summary(doc: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """host -> (address, roles, error, score, section scores)."""
    return {
        h["name"]: (h["address"], tuple(h["roles"]), h["error"], h["score"], h["sections"])
        for h in doc["hosts"]
    }


def differences(left: dict[str, Any], right: dict[str, Any]) -> list[str]:
    """Human-readable differences of two documents' results (empty when they agree)."""
    a, b = per_control(left), per_control(right)
    out = [f"only in left: {k}" for k in sorted(a.keys() - b.keys())]
    out += [f"only in right: {k}" for k in sorted(b.keys() - a.keys())]
    out += [f"{k}: {a[k]} != {b[k]}" for k in sorted(a.keys() & b.keys()) if a[k] != b[k]]
    return out
