"""``hardening report RUN.json``: re-render a saved run (terminal, HTML, JUnit, JSON) and
gate it as ``audit`` would (``--fail-under``, ``--fail-on``, ``--min-coverage``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hardening.cli.build import gates
from hardening.cli.common import (
    add_gate_options,
    add_output_options,
    closed_stdout_ok,
    stdout_console,
    write_reports,
)
from hardening.reports.json_doc import read
from hardening.reports.terminal import render_console


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(name, help="re-render a saved run document")
    p.add_argument("run", type=Path, help="a JSON file written by 'hardening audit --json'")
    add_output_options(p)
    add_gate_options(p)


def run(args: argparse.Namespace) -> int:
    """Load, write the reports, print; the exit code as ``audit`` gives it for this run,
    with this command's gates (2 when the document cannot be read)."""
    doc = read(args.run)
    gate = gates(args)
    write_reports(doc, args)
    with closed_stdout_ok():
        render_console(doc, stdout_console(args), quiet=args.quiet, gate=gate.verdict(doc))
    return gate.exit_code(doc)
