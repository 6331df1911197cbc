"""``hardening controls list|show|validate``: browse and lint a catalogue."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import asdict
from typing import Any

from rich.table import Table
from rich.text import Text

from hardening.catalogue.library import Library
from hardening.catalogue.load import Catalogue
from hardening.checks.registry import KINDS
from hardening.cli.common import add_catalogue_options, load_catalogue, stdout_console
from hardening.errors import CatalogueError, UsageError


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(name, help="list, show or validate controls")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    lst = actions.add_parser("list", help="list the controls of a benchmark")
    add_catalogue_options(lst)
    lst.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json: one object per control, with its check's parameters",
    )
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
    if args.action == "list" and args.format == "json":
        sys.stdout.write(json.dumps(listing(cat), indent=2, ensure_ascii=False) + "\n")
        return 0
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
        lines.append(f"check: {control.check.kind}")
        lines += [f"  {name}: {value}" for name, value in _fields(control.check.params)]
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


def listing(cat: Catalogue) -> dict[str, Any]:
    """``controls list --format json``: the catalogue as plain data (params as YAML gives
    them: tuples become lists)."""
    return {
        "benchmark": cat.benchmark,
        "title": cat.title,
        "notes": list(cat.notes),
        "controls": [
            {
                "id": c.id,
                "title": c.title,
                "benchmark": c.benchmark,
                "section": c.section,
                "level": c.level,
                "severity": c.severity.value,
                "roles": sorted(r.value for r in c.roles),
                "automated": c.automated,
                "kind": c.check.kind if c.check else None,
                "params": _plain(asdict(c.check.params)) if c.check else None,
                "when_missing": c.check.when_missing if c.check else None,
                "playbook_tag": c.playbook_tag,
                "source": c.source,
            }
            for c in cat.controls
        ],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _shown(value: Any) -> str:
    """A parameter as the catalogue writes it: ``[a, b]`` for a list, JSON for a mapping."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list | frozenset):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ", ".join(f"{n}: {_shown(v)}" for n, v in _fields(value))
    return str(value)


def _fields(params: Any) -> list[tuple[str, str]]:
    """The check's parameters that are set, one ``(name, value)`` each, in YAML key order."""
    if not dataclasses.is_dataclass(params) or isinstance(params, type):
        return [("params", str(params))]
    return [
        (f.name, _shown(getattr(params, f.name)))
        for f in dataclasses.fields(params)
        if getattr(params, f.name) not in (None, (), [], {}, "")
    ]


def _validate(args: argparse.Namespace, console: Any) -> int:
    library = Library.of(args.benchmark_dir)
    names = args.benchmark or library.names()
    bad = 0
    for name in names:
        try:
            cat = library.load([name])
            console.print(Text(f"ok     {name}: {len(cat.controls)} controls"))
        except (CatalogueError, UsageError) as exc:
            bad += 1
            console.print(Text(f"error  {exc}", style="red"))
    return 2 if bad else 0
