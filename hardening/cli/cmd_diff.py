"""``hardening diff OLD.json NEW.json``: what changed between two runs; the CI gate.

Exit codes: 0 no new failure, 1 new failures (regressions), 2 unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hardening.cli.outputs import closed_stdout_ok
from hardening.diff import diff_runs, summary_lines
from hardening.errors import UsageError
from hardening.reports.json_doc import read


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        name,
        help="compare two saved runs; exit 1 on new failures",
        description="New failures, fixed, still failing, changed evidence "
        "and hosts added or removed between two runs.",
    )
    p.add_argument("old", type=Path, help="the earlier run document (JSON)")
    p.add_argument("new", type=Path, help="the later run document (JSON)")
    p.add_argument(
        "--json",
        metavar="FILE",
        dest="json_out",
        help="write the diff as JSON to FILE ('-' for stdout, then no text)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")


def run(args: argparse.Namespace) -> int:
    """Load both runs, print (or write) the diff, 1 on regressions."""
    d = diff_runs(read(args.old), read(args.new))
    code = 1 if d.has_regressions else 0
    for warning in d.warnings:
        print(f"warning: {args.old} and {args.new}: {warning}", file=sys.stderr)
    if args.json_out is not None:
        text = json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if args.json_out == "-":
            with closed_stdout_ok():  # | head: not an error, the exit code stays the diff's
                sys.stdout.write(text)
            return code
        try:
            Path(args.json_out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"{args.json_out}: cannot write the diff: {exc.strerror}",
                "check the directory exists and is writable",
            ) from None
    lines = summary_lines(d)
    with closed_stdout_ok():
        print("\n".join(lines[:1] if args.quiet else lines))
    return code
