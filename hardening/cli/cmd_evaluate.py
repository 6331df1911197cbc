"""``hardening evaluate``: the Ansible-native path (AWX / Ansible Automation Platform).

Two steps around one ``ansible-playbook`` run of the shipped ``probe.yml``:

1. ``hardening evaluate -i INV --prepare DIR`` plans the fleet and writes, per host, the very
   probe script ``hardening audit`` would send (``DIR/scripts/<host>.sh``), plus
   ``DIR/run.json`` (the plan's digest per host), ``DIR/secret`` (mode 0600) and
   ``DIR/probe.yml`` (a copy of the playbook shipped in ``hardening/playbooks``).
2. The playbook runs each host's script with Ansible's own connection plugins and fetches its
   raw stdout to ``DIR/raw/<host>.out``.
3. ``hardening evaluate -i INV --raw DIR`` re-plans, checks the plan has not changed, parses
   each raw output and builds the same run document ``hardening audit`` would.

The nonce. A direct audit makes a fresh random nonce per host and never writes it down; here
the parser runs later, so the nonce must be known then. Each host's nonce is
``HMAC-SHA256(secret, host name)``: the secret stays on the controller (``DIR/secret``,
0600), each node only ever sees its own nonce (inside its script, as in a direct audit), so a
node that learns its nonce cannot forge frames in another node's output, and a new
``--prepare`` makes a new secret so a nonce is never reused across runs. What it does not
protect: whoever can write ``DIR`` (the controller's job directory) can forge any host's
results, exactly as whoever controls Ansible's connection can; the raw output is as
trustworthy as the Ansible transport and the job directory that carried it.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from hardening.audit import AuditRequest, run_audit
from hardening.catalogue.load import Catalogue
from hardening.cli.common import (
    add_catalogue_options,
    add_gate_options,
    add_inventory_options,
    add_output_options,
    exit_code,
    inventory_hosts,
    load_catalogue,
    stdout_console,
    write_reports,
)
from hardening.collect import CollectOptions, HostOutcome
from hardening.content import shipped
from hardening.errors import HostError, ProbeError, UsageError
from hardening.model.facts import Facts
from hardening.model.host import Host
from hardening.plan import Plan, plan_fleet
from hardening.probe import parse, script
from hardening.reports.terminal import render_console
from hardening.transports.base import DEFAULT_MAX_OUTPUT

SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,252}")
RUN_FILE = "run.json"
SECRET_FILE = "secret"


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        name, help="prepare probe scripts for Ansible, or evaluate the raw outputs it fetched",
        description="The Ansible-native path: --prepare DIR writes each host's probe script; "
                    "DIR/probe.yml runs them and fetches the raw outputs into DIR/raw; "
                    "--raw DIR evaluates them into the run document 'audit' would build.")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--prepare", type=Path, metavar="DIR",
                      help="write DIR/scripts/<host>.sh, DIR/run.json, DIR/secret and "
                           "DIR/probe.yml")
    mode.add_argument("--raw", type=Path, metavar="DIR",
                      help="evaluate DIR/raw/<host>.out as fetched by DIR/probe.yml")
    p.add_argument("-i", "--inventory", required=True, metavar="PATH",
                   help="the Ansible inventory (the same for --prepare and --raw)")
    add_inventory_options(p)
    p.add_argument("--shard", metavar="K/N", help="only shard K of N of the inventory")
    add_catalogue_options(p)
    add_output_options(p)
    add_gate_options(p)


def _hosts(args: argparse.Namespace) -> tuple[Host, ...]:
    hosts = tuple(inventory_hosts(args))
    if args.shard:
        from hardening.shard import parse_shard, select

        hosts = select(hosts, parse_shard(args.shard))
    for host in hosts:
        if not SAFE_NAME.fullmatch(host.name):
            raise UsageError(f"host {host.name!r}: name unsafe as a file name",
                             "use inventory names of letters, digits, '.', '_', '-', '@'")
    return hosts


def host_nonce(secret: bytes, host: str) -> str:
    """The nonce of one host in a prepared run: HMAC-SHA256(secret, name), 128 bits hex."""
    return hmac.new(secret, host.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _digest(plan: Plan, catalogue: Catalogue) -> str:
    text = "\n".join([catalogue.benchmark, *(c.id for c in plan.controls),
                      script.build(plan.requests, nonce="0" * 32).text])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare(dest: Path, plans: list[Plan], catalogue: Catalogue) -> None:
    """Write each host's probe script, the run's plan digests and its secret."""
    if dest.exists() and any(dest.iterdir()):
        raise UsageError(f"{dest}: exists and is not empty",
                         "prepare each run in a new directory (its secret must be new)")
    (dest / "scripts").mkdir(parents=True, exist_ok=True)
    (dest / "raw").mkdir(exist_ok=True)
    dest.chmod(0o700)
    secret = secrets.token_bytes(32)
    fd = os.open(dest / SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    for plan in plans:
        probe = script.build(plan.requests, nonce=host_nonce(secret, plan.host.name))
        (dest / "scripts" / f"{plan.host.name}.sh").write_bytes(probe.data)
    run = {"benchmark": catalogue.benchmark,
           "hosts": {p.host.name: _digest(p, catalogue) for p in plans}}
    (dest / RUN_FILE).write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")


def _load_run(src: Path) -> tuple[bytes, dict[str, Any]]:
    try:
        secret = (src / SECRET_FILE).read_bytes()
        run: dict[str, Any] = json.loads((src / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{src}: not a prepared probe directory ({exc})",
                         "run 'hardening evaluate --prepare DIR' first") from None
    if (src / SECRET_FILE).stat().st_mode & 0o077:
        raise UsageError(f"{src / SECRET_FILE}: readable by others",
                         "chmod 600 it, or prepare the run again")
    return secret, run


def _check_plans(src: Path, run: dict[str, Any], plans: list[Plan],
                 catalogue: Catalogue) -> None:
    if run.get("benchmark") != catalogue.benchmark:
        raise UsageError(f"{src}: prepared for benchmark {run.get('benchmark')!r}, "
                         f"not {catalogue.benchmark!r}", "pass the same --benchmark options")
    prepared: dict[str, str] = run.get("hosts", {})
    for plan in plans:
        if prepared.get(plan.host.name) != _digest(plan, catalogue):
            raise UsageError(f"{plan.host.name}: its plan differs from the one prepared in {src}",
                             "use the same inventory, limit, shard and catalogue for --prepare "
                             "and --raw, or prepare again")


def outcome_from_raw(plan: Plan, raw_dir: Path, secret: bytes) -> HostOutcome:
    """Parse one host's fetched output; a missing or forged output is that host's error."""
    name = plan.host.name
    probe = script.build(plan.requests, nonce=host_nonce(secret, name))
    path = raw_dir / f"{name}.out"
    try:
        with path.open("rb") as fh:
            data = fh.read(DEFAULT_MAX_OUTPUT + 1)
    except OSError:
        return HostOutcome(plan, None, f"{name}: no raw probe output at {path} (Ansible did not "
                                       "reach the host or did not fetch it); see the playbook log")
    truncated = len(data) > DEFAULT_MAX_OUTPUT
    try:
        values, meta = parse.parse(data[:DEFAULT_MAX_OUTPUT], probe, name)
        if meta.get("sections_seen") == "0":
            raise ProbeError(f"{name}: no probe output in {path}",
                             "check that the account can run /bin/sh on the node")
    except HostError as exc:
        return HostOutcome(plan, None, str(exc))
    if truncated:
        meta["truncated"] = f"output cut at {DEFAULT_MAX_OUTPUT} bytes"
    meta["source"] = "ansible"
    return HostOutcome(plan, Facts(name, values, meta), None)


def run(args: argparse.Namespace) -> int:
    """Prepare the scripts, or evaluate the raw outputs; exit codes as for ``audit``."""
    catalogue = load_catalogue(args)
    hosts = _hosts(args)
    plans = plan_fleet(hosts, catalogue.controls)
    if args.prepare is not None:
        prepare(args.prepare, plans, catalogue)
        shutil.copyfile(shipped("playbooks", "probe.yml"), args.prepare / "probe.yml")
        print(f"prepared {len(plans)} host(s) in {args.prepare}; next: ansible-playbook -i "
              f"{args.inventory} {args.prepare / 'probe.yml'} -e "
              f"hardening_probe_dir={args.prepare}")
        return 0
    secret, prepared = _load_run(args.raw)
    _check_plans(args.raw, prepared, plans, catalogue)
    request = AuditRequest(
        hosts=hosts, controls=catalogue.controls, benchmark=catalogue.benchmark,
        options={"target": args.inventory, "limit": args.limit, "source": "ansible",
                 **({"shard": args.shard} if args.shard else {})})
    doc = run_audit(request, CollectOptions(),
                    gather=lambda ps: [outcome_from_raw(p, args.raw / "raw", secret) for p in ps])
    render_console(doc, stdout_console(), quiet=args.quiet)
    write_reports(doc, args)
    return exit_code(doc, args)
