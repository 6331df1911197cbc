#!/usr/bin/env python3
"""Print the component defaults table (hardening/checks/components) as Markdown.

docs/semantics.md holds this output between its ``<!-- defaults -->`` markers; a test keeps
the two equal. Usage: python3 scripts/defaults_table.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hardening.checks.components.registry import MODELS  # noqa: E402


def _cell(value: str | None) -> str:
    return "(none)" if value is None else f"`{value}`" if value else '`""`'


def table() -> str:
    """The Markdown table: one row per setting of every component."""
    rows = [
        "| component | flag | config key | command-line default | config-API default "
        "| versions | upstream |",
        "|---|---|---|---|---|---|---|",
    ]
    for model in MODELS.values():
        for e in model.entries:
            cfg = _cell(e.config_default) if model.config_flag and e.key else "n/a"
            notes = [e.flag_source] if e.flag_source and e.flag_source != e.source else []
            if e.zero:
                notes.append(f"an empty ({e.zero}) value in the file is defaulted")
            if e.flag_ignored or model.config_replaces_all:
                notes.append(f"the flag is ignored when {model.config_flag} is given")
            upstream = "; ".join([e.source, *notes]).replace("|", "\\|")
            rows.append(
                f"| {model.component} | `{e.flag}` | {f'`{e.key}`' if e.key else ''} "
                f"| {_cell(e.flag_default)} | {cfg} | {e.versions} | {upstream} |"
            )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(table())
