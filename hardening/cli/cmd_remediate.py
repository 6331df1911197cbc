"""``hardening remediate``: fix failed controls with Ansible, then re-audit as proof.

Dry run (check mode with diff) by default; ``--apply`` changes nodes. Rolling batches
(``--serial``, ``--max-fail-percent``), a maintenance window (``--window``), and the exact
playbook for review (``--emit-playbook``). The exit code reflects the re-audit. The
workflow is ``hardening/remediate/workflow.py``; this module parses and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from hardening.cli import build
from hardening.cli.common import (
    add_audit_options,
    dest_of,
    inventory_hosts,
    load_catalogue,
    stdout_console,
    write_reports,
)
from hardening.model.result import RunDocument
from hardening.remediate import changes, playbook, verify, workflow
from hardening.remediate.rollout import RolloutResult
from hardening.remediate.select import Selection
from hardening.remediate.window import parse_window
from hardening.reports.json_doc import read
from hardening.reports.registry import REPORTERS


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        name,
        help="fix failed controls with Ansible, then re-audit",
        description="Remediate failed controls through Ansible. Dry run "
        "(check mode with diff) unless --apply is given.",
    )
    p.add_argument(
        "-i",
        "--inventory",
        required=True,
        metavar="PATH",
        help="the Ansible inventory the audit used",
    )
    p.add_argument(
        "--from-json", type=Path, metavar="RUN.json", help="a saved audit (default: audit first)"
    )
    p.add_argument("--apply", action="store_true", help="change the nodes (default: dry run)")
    p.add_argument(
        "--emit-playbook",
        type=Path,
        metavar="FILE",
        help="write the exact playbook --apply would run, then stop",
    )
    p.add_argument(
        "--serial", default="1", metavar="N|P%", help="hosts per batch, a count or a percent (1)"
    )
    p.add_argument(
        "--max-fail-percent",
        type=int,
        default=0,
        metavar="P",
        help="stop the rollout when a batch fails on more than P%% of its hosts (0)",
    )
    p.add_argument(
        "--window",
        metavar="HH:MM-HH:MM",
        help="maintenance window: --apply starts no batch outside it",
    )
    p.add_argument("--window-tz", default="UTC", metavar="ZONE", help="time zone of --window (UTC)")
    p.add_argument(
        "--values",
        type=Path,
        default=workflow.VALUES_FILE,
        metavar="FILE",
        help="tag -> value to set where a check names no single value",
    )
    p.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        help="where the playbook and the Ansible event log go (default: a new temporary directory)",
    )
    add_audit_options(p, gates=False)


def settings(args: argparse.Namespace) -> workflow.Settings:
    """The remediation settings from the command line."""
    return workflow.Settings(
        inventory=Path(args.inventory),
        apply=args.apply,
        serial=args.serial,
        max_fail_percent=args.max_fail_percent,
        window=parse_window(args.window, args.window_tz) if args.window else None,
        values=workflow.load_values(args.values),
        workdir=args.workdir,
        known_hosts=args.known_hosts,
        accept_new_host_keys=args.accept_new_host_keys,
        forks=args.forks,
    )


def _write_both(
    args: argparse.Namespace, docs: dict[str, RunDocument | None], extra: dict[str, Any]
) -> None:
    """``--json out.json`` -> out.audit.json, out.reaudit.json and out.remediation.json."""
    for stage, doc in docs.items():
        if doc is None:
            continue
        dests = {dest_of(n): getattr(args, dest_of(n)) for n in REPORTERS}
        staged = argparse.Namespace(
            **{
                n: None if d is None else d.with_name(f"{d.stem}.{stage}{d.suffix}")
                for n, d in dests.items()
            }
        )
        write_reports(doc, staged)
    if args.json is not None:
        dest = args.json.with_name(f"{args.json.stem}.remediation.json")
        dest.write_text(json.dumps(extra, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _stdout() -> Console:
    """Results console; lines are never wrapped, so diffs and paths stay copyable."""
    console = stdout_console()
    console.soft_wrap = True
    return console


def _say(line: str, style: str = "") -> None:
    Console(file=sys.stderr, no_color=True, highlight=False, soft_wrap=True).print(
        Text(line, style=style)
    )


def run(args: argparse.Namespace) -> int:
    """Select, run (dry or apply) in batches, re-audit, report; exit on the re-audit."""
    chosen = settings(args)
    chosen.check(datetime.now(UTC))
    cat = load_catalogue(args)
    audit = build.audit(
        args, cat, build.probe_source(args), {"target": args.inventory, "limit": args.limit}
    )
    hosts = audit.hosts(inventory_hosts(args))
    with build.signals() as stop:
        saved = read(args.from_json) if args.from_json else None
        narrowed = any(getattr(args, name, None) for name in ("control", "skip", "level"))
        planned = workflow.plan(chosen, audit, hosts, saved, stop, narrowed)
        if stop.requested:
            _write_both(args, {"audit": planned.before}, {})
            return stop.exit_code
    if args.emit_playbook is not None:
        args.emit_playbook.write_text(planned.playbook, encoding="utf-8")
        fixes = playbook.bundle(args.emit_playbook.resolve().parent)
        _print_selection(planned.selection)
        _say(f"playbook written to {args.emit_playbook}, the fixes it includes to {fixes}")
        return 0
    _print_selection(planned.selection)
    if not planned.selection.hosts:
        _say("nothing to remediate: no failed control has a playbook fix")
        _write_both(
            args,
            {"audit": planned.before},
            {"selection": workflow.selection_dict(planned.selection)},
        )
        return 0
    done = workflow.execute(chosen, audit, hosts, planned, _say)
    _print_rollout(done.rollout, args.apply)
    if args.apply:
        _print_verdicts(list(done.verdicts))
    _write_both(
        args,
        {"audit": planned.before, "reaudit": done.after},
        workflow.summary(chosen, planned, done),
    )
    return done.exit_code


def _print_selection(sel: Selection) -> None:
    out = _stdout()
    for host, fixes in sel.fixes.items():
        for f in fixes:
            out.print(Text(f"fix     {host}  {f.control_id}  [{f.tag}] {f.fix}"))
    for m in sel.manual:
        out.print(Text(f"manual  {m.host}  {m.control_id}  {m.title} ({m.reason})"))
        if m.remediation:
            out.print(Text("        " + " ".join(m.remediation.split())))
    by_host: dict[str, list[str]] = {}
    for m in sel.not_selected:
        by_host.setdefault(m.host, []).append(m.control_id)
    for host, ids in by_host.items():
        out.print(Text(f"not selected  {host}  {', '.join(ids)} (outside the selected controls)"))


def _print_rollout(r: RolloutResult, applied: bool) -> None:
    """One block per file per host (every control's edit of it in one diff), then the count."""
    out = _stdout()
    verb = "changed" if applied else "would change"
    files = changes.combine(r.changes)
    for f in files:
        what = f.path or f.task
        out.print(Text(f"{verb}  {f.host}  {what}  [{', '.join(f.tags)}]"))
        body = [*f.attributes, *f.diff.rstrip().splitlines()]
        if body:
            out.print(Text("\n".join("    " + ln for ln in body)))
    for host, names in r.handlers.items():
        out.print(Text(f"handler {host}  {', '.join(names)}"))
    out.print(
        Text(
            f"rollout: done {', '.join(r.done) or '-'}; failed "
            f"{', '.join(f'{h} ({m})' for h, m in r.failed.items()) or '-'}; "
            f"never started {', '.join(r.not_started) or '-'}"
        )
    )
    if r.stopped:
        out.print(Text(f"rollout stopped: {r.stopped}"))
    out.print(Text(changes.closing_line(files, applied)))


def _print_verdicts(verdicts: list[verify.Verdict]) -> None:
    out = _stdout()
    for v in verdicts:
        out.print(
            Text(
                f"{v.outcome:15} {v.host}  {v.control_id}  {v.before} -> "
                f"{v.after or '-'}  {v.title}"
            )
        )
    fixed = sum(v.outcome == verify.FIXED for v in verdicts)
    out.print(Text(f"verification: {fixed} of {len(verdicts)} fixed"))
