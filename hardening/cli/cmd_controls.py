"""``hardening controls list|show|validate``: browse and lint a catalogue."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from hardening.catalogue.load import available, default_root, load_many
from hardening.checks.registry import KINDS
from hardening.cli.common import add_catalogue_options, load_catalogue, stdout_console
from hardening.errors import CatalogueError


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(name, help="list, show or validate controls")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    lst = actions.add_parser("list", help="list the controls of a benchmark")
    add_catalogue_options(lst)
    show = actions.add_parser("show", help="show one control in full")
    show.add_argument("id")
    add_catalogue_options(show)
    val = actions.add_parser("validate", help="validate every benchmark (or those named)")
    add_catalogue_options(val)


def run(args: argparse.Namespace) -> int:
    """Dispatch to list / show / validate."""
    console = stdout_console()
    if args.action == "validate":
        return _validate(args, console)
    cat = load_catalogue(args)
    if args.action == "list":
        t = Table(title=f"{cat.title} ({len(cat.controls)} controls)")
        for col in ("id", "title", "level", "severity", "roles", "type", "kind"):
            t.add_column(col, overflow="fold")
        for c in cat.controls:
            t.add_row(
                c.id,
                c.title,
                str(c.level),
                c.severity.value,
                ",".join(sorted(r.value for r in c.roles)),
                "automated" if c.automated else "manual",
                c.check.kind if c.check else "-",
            )
        console.print(t)
        return 0
    control = cat.get(args.id)
    if control is None:
        from hardening.errors import UsageError

        raise UsageError(
            f"no control '{args.id}' in {cat.benchmark}", "list ids with 'hardening controls list'"
        )
    lines = [
        f"{control.id}  {control.title}",
        f"benchmark {control.benchmark}, section {control.section}, level {control.level}, "
        f"severity {control.severity.value}, "
        f"roles {', '.join(sorted(r.value for r in control.roles))}",
        f"defined at {control.source}",
    ]
    if control.check:
        lines.append(f"check: {control.check.kind} {control.check.params}")
        lines.append(f"  when the fact is missing: {control.check.when_missing}")
        lines.append("  " + (KINDS[control.check.kind].doc.strip().splitlines() or [""])[0])
    for label, text in (
        ("description", control.description),
        ("audit", control.audit),
        ("remediation", control.remediation),
    ):
        if text:
            lines += [f"{label}:", *("  " + ln for ln in text.splitlines())]
    if control.playbook_tag:
        lines.append(f"playbook tag: {control.playbook_tag}")
    console.print(Text("\n".join(lines)))
    return 0


def _validate(args: argparse.Namespace, console: Any) -> int:
    root: Path = args.benchmark_dir or default_root()
    names = args.benchmark or available(root)
    bad = 0
    for name in names:
        try:
            cat = load_many([name], root)
            console.print(Text(f"ok     {name}: {len(cat.controls)} controls"))
        except CatalogueError as exc:
            bad += 1
            console.print(Text(f"error  {exc}", style="red"))
    return 2 if bad else 0
