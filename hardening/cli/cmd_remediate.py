"""``hardening remediate``: fix failed controls with Ansible, then re-audit as proof.

Dry run (check mode with diff) by default; ``--apply`` changes nodes. Rolling batches
(``--serial``, ``--max-fail-percent``), a maintenance window (``--window``), and the exact
playbook for review (``--emit-playbook``). The exit code reflects the re-audit.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.text import Text

from hardening import safeload
from hardening.audit import AuditRequest, run_audit
from hardening.catalogue.load import Catalogue
from hardening.cli.common import (
    add_catalogue_options,
    add_connection_options,
    add_inventory_options,
    add_output_options,
    inventory_hosts,
    load_catalogue,
    stdout_console,
    transport_options,
    write_reports,
)
from hardening.collect import CollectOptions
from hardening.errors import UsageError
from hardening.model.host import Host
from hardening.model.result import RunDocument
from hardening.remediate import playbook, verify
from hardening.remediate.rollout import RolloutResult, batch_size, rollout
from hardening.remediate.runner import RunnerOptions, run_batch
from hardening.remediate.select import Selection, select
from hardening.remediate.window import Window, parse_window
from hardening.reports.json_doc import read

VALUES_FILE = playbook.PLAYBOOKS_DIR / "values.yml"


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(name, help="fix failed controls with Ansible, then re-audit",
                       description="Remediate failed controls through Ansible. Dry run "
                                   "(check mode with diff) unless --apply is given.")
    p.add_argument("-i", "--inventory", required=True, metavar="PATH",
                   help="the Ansible inventory the audit used")
    add_inventory_options(p)
    p.add_argument("--from-json", type=Path, metavar="RUN.json",
                   help="a saved audit (default: audit first)")
    p.add_argument("--apply", action="store_true", help="change the nodes (default: dry run)")
    p.add_argument("--emit-playbook", type=Path, metavar="FILE",
                   help="write the exact playbook --apply would run, then stop")
    p.add_argument("--serial", default="1", metavar="N|P%",
                   help="hosts per batch, a count or a percent (1)")
    p.add_argument("--max-fail-percent", type=int, default=0, metavar="P",
                   help="stop the rollout when a batch fails on more than P%% of its hosts (0)")
    p.add_argument("--window", metavar="HH:MM-HH:MM",
                   help="maintenance window: --apply starts no batch outside it")
    p.add_argument("--window-tz", default="UTC", metavar="ZONE",
                   help="time zone of --window (UTC)")
    p.add_argument("--values", type=Path, default=VALUES_FILE, metavar="FILE",
                   help="tag -> value to set where a check names no single value")
    p.add_argument("--workdir", type=Path, metavar="DIR",
                   help="where the playbook and the Ansible event log go (default: a new "
                        "temporary directory)")
    add_catalogue_options(p)
    add_output_options(p)
    add_connection_options(p)


def _values(path: Path) -> dict[str, str]:
    try:
        docs = safeload.load_yaml_all(safeload.read_text(path), str(path))
        data = (docs[0] if docs else None) or {}
    except safeload.LoadLimitError as exc:
        raise UsageError(str(exc), "pass a regular YAML file of playbook tag -> value") from None
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: cannot read the fix values: {exc}",
                         "pass a YAML mapping of playbook tag -> value") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of playbook tag -> value",
                         f"see {VALUES_FILE}")
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in data.items()}


def _audit(args: argparse.Namespace, hosts: tuple[Host, ...], cat: Catalogue,
           kind: str) -> RunDocument:
    request = AuditRequest(hosts=hosts, controls=cat.controls, benchmark=cat.benchmark,
                           options={"target": args.inventory, "limit": args.limit,
                                    "forks": args.forks}, kind=kind)
    options = CollectOptions(forks=args.forks, command_timeout=args.command_timeout,
                             transport_options=transport_options(args))
    return run_audit(request, options)


def _write_both(args: argparse.Namespace, docs: dict[str, RunDocument | None],
                extra: dict[str, Any]) -> None:
    """``--json out.json`` -> out.audit.json, out.reaudit.json and out.remediation.json."""
    for stage, doc in docs.items():
        if doc is None:
            continue
        staged = argparse.Namespace(**{
            n: (None if getattr(args, n) is None else
                getattr(args, n).with_name(f"{getattr(args, n).stem}.{stage}"
                                           f"{getattr(args, n).suffix}"))
            for n in ("json", "html", "junit")})
        write_reports(doc, staged)
    if args.json is not None:
        dest = args.json.with_name(f"{args.json.stem}.remediation.json")
        dest.write_text(json.dumps(extra, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _window(args: argparse.Namespace) -> Window | None:
    return parse_window(args.window, args.window_tz) if args.window else None


def _stdout() -> Console:
    """Results console; lines are never wrapped, so diffs and paths stay copyable."""
    console = stdout_console()
    console.soft_wrap = True
    return console


def _say(line: str, style: str = "") -> None:
    Console(file=sys.stderr, no_color=True, highlight=False,
            soft_wrap=True).print(Text(line, style=style))


def run(args: argparse.Namespace) -> int:
    """Select, run (dry or apply) in batches, re-audit, report; exit on the re-audit."""
    window = _window(args)
    batch_size(args.serial, 1)  # validate before any audit
    if not 0 <= args.max_fail_percent <= 100:
        raise UsageError(f"--max-fail-percent {args.max_fail_percent}: expected 0-100",
                         "e.g. --max-fail-percent 20 stops the rollout when a batch loses a fifth")
    if args.apply and window is not None and not window.is_open(datetime.now(UTC)):
        raise UsageError(f"maintenance window {window.text} is closed "
                         f"(now {datetime.now(UTC):%H:%M} UTC); nothing was changed",
                         "run again inside the window")
    cat = load_catalogue(args)
    hosts = tuple(inventory_hosts(args))
    before = read(args.from_json) if args.from_json else _audit(args, hosts, cat, "audit")
    selection = select(before, cat.controls, _values(args.values), hosts)
    text = playbook.render(selection, playbook.Rollout(args.serial, args.max_fail_percent))
    if args.emit_playbook is not None:
        args.emit_playbook.write_text(text, encoding="utf-8")
        fixes = playbook.bundle(args.emit_playbook.resolve().parent)
        _print_selection(selection)
        _say(f"playbook written to {args.emit_playbook}, the fixes it includes to {fixes}")
        return 0
    _print_selection(selection)
    if not selection.hosts:
        _say("nothing to remediate: no failed control has a playbook fix")
        _write_both(args, {"audit": before}, {"selection": _selection_dict(selection)})
        return 0
    return _execute(args, hosts, cat, before, selection, text, window)


def _execute(args: argparse.Namespace, hosts: tuple[Host, ...], cat: Catalogue,
             before: RunDocument, selection: Selection, text: str,
             window: Window | None) -> int:
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hardening-remediate-"))
    workdir.mkdir(parents=True, exist_ok=True)
    book = workdir / "remediate.yml"
    book.write_text(text, encoding="utf-8")
    playbook.bundle(workdir)
    log_path = workdir / "ansible-events.jsonl"
    opts = RunnerOptions(inventory=Path(args.inventory), workdir=workdir, check=not args.apply,
                         known_hosts=args.known_hosts,
                         accept_new_host_keys=args.accept_new_host_keys, forks=args.forks)
    _say(f"{'applying' if args.apply else 'dry run (check mode)'}: playbook {book}")
    _say(f"ansible event log: {log_path}")
    with log_path.open("w", encoding="utf-8") as log:
        def one(batch: tuple[str, ...]) -> Any:
            _say(f"batch: {', '.join(batch)}")
            return run_batch(book, batch, selection.tags, opts, log)

        result = rollout(selection.hosts, args.serial, args.max_fail_percent, one,
                         window if args.apply else None, lambda: datetime.now(UTC))
    _print_rollout(result, args.apply)
    summary: dict[str, Any] = {"mode": "apply" if args.apply else "check",
                               "workdir": str(workdir), "event_log": str(log_path),
                               "selection": _selection_dict(selection),
                               "rollout": _rollout_dict(result)}
    if not args.apply:
        _write_both(args, {"audit": before}, summary)
        return 3 if result.failed or result.not_started else 0
    touched = [h for h in hosts if h.name in set(result.touched)]
    after = _audit(args, tuple(touched), cat, "reaudit") if touched else None
    verdicts = verify.verify(before, after, {h: selection.controls(h) for h in selection.hosts},
                             set(result.touched))
    _print_verdicts(verdicts)
    summary["verification"] = [v.to_dict() for v in verdicts]
    _write_both(args, {"audit": before, "reaudit": after}, summary)
    return verify.exit_code(verdicts)


def _selection_dict(sel: Selection) -> dict[str, Any]:
    return {"fixes": {h: [{"id": f.control_id, "tag": f.tag, **f.as_vars()} for f in fs]
                      for h, fs in sel.fixes.items() if fs},
            "manual": [{"host": m.host, "id": m.control_id, "title": m.title,
                        "reason": m.reason, "remediation": m.remediation} for m in sel.manual]}


def _rollout_dict(r: RolloutResult) -> dict[str, Any]:
    return {"done": r.done, "failed": r.failed, "not_started": r.not_started,
            "stopped": r.stopped, "handlers": r.handlers,
            "changes": [{"host": c.host, "tag": c.tag, "task": c.task, "diff": c.diff}
                        for c in r.changes]}


def _print_selection(sel: Selection) -> None:
    out = _stdout()
    for host, fixes in sel.fixes.items():
        for f in fixes:
            out.print(Text(f"fix     {host}  {f.control_id}  [{f.tag}] {f.fix}"))
    for m in sel.manual:
        out.print(Text(f"manual  {m.host}  {m.control_id}  {m.title} ({m.reason})"))
        if m.remediation:
            out.print(Text("        " + " ".join(m.remediation.split())))


def _print_rollout(r: RolloutResult, applied: bool) -> None:
    out = _stdout()
    verb = "changed" if applied else "would change"
    for c in r.changes:
        out.print(Text(f"{verb}  {c.host}  [{c.tag}] {c.task}"))
        if c.diff:
            out.print(Text("\n".join("    " + ln for ln in c.diff.rstrip().splitlines())))
    if not r.changes:
        out.print(Text("no change" if applied else "no change would be made"))
    for host, names in r.handlers.items():
        out.print(Text(f"handler {host}  {', '.join(names)}"))
    out.print(Text(f"rollout: done {', '.join(r.done) or '-'}; failed "
                   f"{', '.join(f'{h} ({m})' for h, m in r.failed.items()) or '-'}; "
                   f"never started {', '.join(r.not_started) or '-'}"))
    if r.stopped:
        out.print(Text(f"rollout stopped: {r.stopped}"))


def _print_verdicts(verdicts: list[verify.Verdict]) -> None:
    out = _stdout()
    for v in verdicts:
        out.print(Text(f"{v.outcome:15} {v.host}  {v.control_id}  {v.before} -> "
                       f"{v.after or '-'}  {v.title}"))
    fixed = sum(v.outcome == verify.FIXED for v in verdicts)
    out.print(Text(f"verification: {fixed} of {len(verdicts)} fixed"))
