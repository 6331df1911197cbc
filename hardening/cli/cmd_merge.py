"""``hardening merge RUN.json...``: join shard run documents into one run document."""

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
from hardening.merge import merge
from hardening.reports import json_doc
from hardening.reports.terminal import render_console


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        name,
        help="join shard run documents into one",
        description="Merge the run documents of shards (--shard K/N, AWX slices) into one "
        "run document; scores are recomputed, overlapping hosts refused.",
    )
    p.add_argument("runs", nargs="+", type=Path, metavar="RUN.json", help="shard run documents")
    p.add_argument(
        "--allow-partial",
        action="store_true",
        help="merge even when shards of the split are missing; the result is marked partial",
    )
    add_output_options(p)
    add_gate_options(p)


def run(args: argparse.Namespace) -> int:
    """Merge, write the reports, print the summary; exit codes as for ``audit``."""
    doc = merge(
        [(str(path), json_doc.read(path)) for path in args.runs],
        allow_partial=args.allow_partial,
    )
    write_reports(doc, args)
    with closed_stdout_ok():
        render_console(doc, stdout_console(args), quiet=args.quiet, gate=gates(args).verdict(doc))
    return gates(args).exit_code(doc)
