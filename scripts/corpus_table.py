#!/usr/bin/env python3
"""Print the corpus verdict tables (tests/corpus/*/expected.yaml) as Markdown.

docs/semantics.md holds this output between its ``<!-- corpus -->`` markers; a test keeps
the two equal, and tests/integration/test_corpus_layouts.py keeps each expected.yaml equal
to what the audit really says. Usage: python3 scripts/corpus_table.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


def _key(cid: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (1 << 30, p) for p in re.split(r"[.]", cid)]


def _layouts() -> list[tuple[str, str, dict[str, dict[str, str]]]]:
    out = []
    for base in sorted(p for p in CORPUS.iterdir() if (p / "layout.yaml").is_file()):
        spec = yaml.safe_load((base / "layout.yaml").read_text(encoding="utf-8"))
        expected = yaml.safe_load((base / "expected.yaml").read_text(encoding="utf-8"))
        out.append((base.name, str(spec["benchmark"]), expected["verdicts"]))
    return out


def table() -> str:
    """One table per benchmark: a row per control, a column per layout audited with it."""
    layouts = _layouts()
    parts = []
    for bench in sorted({b for _, b, _ in layouts}):
        cols = [(n, v) for n, b, v in layouts if b == bench]
        ids = sorted({cid for _, v in cols for cid in v}, key=_key)
        rows = [
            f"**{bench}**",
            "",
            "| control | " + " | ".join(n for n, _ in cols) + " |",
            "|---|" + "---|" * len(cols),
        ]
        for cid in ids:
            cells = [v[cid]["status"] if cid in v else "-" for _, v in cols]
            rows.append(f"| {cid} | " + " | ".join(cells) + " |")
        counts = []
        for n, v in cols:
            fails = sum(1 for x in v.values() if x["status"] == "FAIL")
            counts.append(f"{n}: {len(v)} controls, {fails} FAIL")
        rows += ["", "; ".join(counts) + "."]
        parts.append("\n".join(rows) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(table())
