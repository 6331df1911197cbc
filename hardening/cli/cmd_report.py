"""``hardening report RUN.json``: re-render a saved run (terminal, HTML, JUnit, JSON)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hardening.cli.common import add_output_options, stdout_console, write_reports
from hardening.reports.json_doc import read
from hardening.reports.terminal import render_console


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(name, help="re-render a saved run document")
    p.add_argument("run", type=Path, help="a JSON file written by 'hardening audit --json'")
    add_output_options(p)


def run(args: argparse.Namespace) -> int:
    """Load, print, write; always 0 unless the document cannot be read."""
    doc = read(args.run)
    render_console(doc, stdout_console(), quiet=args.quiet)
    write_reports(doc, args)
    return 0
