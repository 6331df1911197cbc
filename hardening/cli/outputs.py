"""Where reports go: paths checked before anything is audited, ``-`` for standard output,
and a reader of stdout that stops early (``| head``), which is not an error."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hardening.errors import UsageError
from hardening.model.result import RunDocument
from hardening.reports.registry import REPORTERS, Reporter

STDOUT = "-"  # a report path of "-" is standard output


def dest_of(name: str) -> str:
    """The argparse attribute of ``--<format>`` (``a-b`` is stored as ``a_b``)."""
    return name.replace("-", "_")


def report_dests(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(option, path) of every report the command line asks for (diff's ``--json`` too)."""
    out = [
        (f"--{name}", Path(dest))
        for name in REPORTERS
        if (dest := getattr(args, dest_of(name), None)) is not None
    ]
    if getattr(args, "json_out", None) is not None:
        out.append(("--json", Path(args.json_out)))
    return out


def report_to_stdout(args: argparse.Namespace) -> bool:
    """Whether a report goes to standard output (then the summary goes to stderr)."""
    return any(str(dest) == STDOUT for _, dest in report_dests(args))


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse a report path that cannot be written, before anything is audited.

    Each path's directory must exist and be writable, the path must not be a directory or
    a file we may not write, and at most one report may go to standard output (``-``).
    """
    dests = report_dests(args)
    to_stdout = [opt for opt, dest in dests if str(dest) == STDOUT]
    if len(to_stdout) > 1:
        raise UsageError(
            f"{' and '.join(to_stdout)}: only one report can go to standard output ('-')",
            "write the others to files",
        )
    for opt, dest in dests:
        if str(dest) == STDOUT:
            continue
        parent = dest.parent if str(dest.parent) else Path(".")
        problem = (
            "is a directory"
            if dest.is_dir()
            else f"directory '{parent}' does not exist"
            if not parent.is_dir()
            else f"directory '{parent}' is not writable"
            if not os.access(parent, os.W_OK | os.X_OK)
            else "is not writable"
            if dest.exists() and not os.access(dest, os.W_OK)
            else ""
        )
        if problem:
            raise UsageError(
                f"{opt} {dest}: {problem}", "give a writable path, or '-' for standard output"
            )


def render_to_stdout(report: Reporter, doc: RunDocument) -> None:
    """Reporters write files: render into a private directory, then copy to stdout."""
    with tempfile.TemporaryDirectory(prefix="hardening-report-") as tmp:
        path = Path(tmp) / f"report{report.SUFFIX}"
        report.render(doc, path)
        sys.stdout.flush()
        sys.stdout.buffer.write(path.read_bytes())
        sys.stdout.flush()


def drop_stdout() -> None:
    """The reader of stdout went away (``| head``): send the rest of stdout nowhere.

    Whatever is still buffered would fail again at exit; pointing the descriptor at
    /dev/null ends that, and the command's exit code stays the verdict's.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real descriptor (an embedding caller's stream)
        pass


@contextlib.contextmanager
def closed_stdout_ok() -> Iterator[None]:
    """Printing results to a reader that stopped early (``| head``) is not an error."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        drop_stdout()
