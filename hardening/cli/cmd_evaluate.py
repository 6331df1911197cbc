"""``hardening evaluate``: the Ansible-native path (AWX / Ansible Automation Platform).

Two steps around one ``ansible-playbook`` run of the shipped ``probe.yml``:

1. ``hardening evaluate -i INV --prepare DIR`` plans the fleet and writes, per host, the very
   probe script ``hardening audit`` would send (see ``hardening/sources/raw.py``), and
   ``DIR/probe.yml`` (a copy of the playbook shipped in ``hardening/playbooks``).
2. The playbook runs each host's script with Ansible's own connection plugins and fetches its
   raw stdout to ``DIR/raw/<host>.out``.
3. ``hardening evaluate -i INV --raw DIR`` re-plans, checks the plan has not changed, and
   audits with the raw outputs as the source: the same Audit (waivers, cloud facts, shard,
   gates) ``hardening audit`` builds.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from hardening.cli import build
from hardening.cli.cmd_audit import finish
from hardening.cli.common import add_audit_options, inventory_hosts, load_catalogue
from hardening.content import shipped
from hardening.sources.raw import RawOutputs, check_names, write_prepared


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        name,
        help="prepare probe scripts for Ansible, or evaluate the raw outputs it fetched",
        description="The Ansible-native path: --prepare DIR writes each host's probe script; "
        "DIR/probe.yml runs them and fetches the raw outputs into DIR/raw; "
        "--raw DIR evaluates them into the run document 'audit' would build.",
    )
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--prepare",
        type=Path,
        metavar="DIR",
        help="write DIR/scripts/<host>.sh, DIR/run.json, DIR/secret and DIR/probe.yml",
    )
    mode.add_argument(
        "--raw",
        type=Path,
        metavar="DIR",
        help="evaluate DIR/raw/<host>.out as fetched by DIR/probe.yml",
    )
    p.add_argument(
        "-i",
        "--inventory",
        required=True,
        metavar="PATH",
        help="the Ansible inventory (the same for --prepare and --raw)",
    )
    add_audit_options(p, connects=False)


def run(args: argparse.Namespace) -> int:
    """Prepare the scripts, or evaluate the raw outputs; exit codes as for ``audit``."""
    catalogue = load_catalogue(args)
    source = RawOutputs(args.raw or args.prepare, catalogue.benchmark)
    audit = build.audit(args, catalogue, source, {"target": args.inventory, "limit": args.limit})
    hosts = audit.hosts(inventory_hosts(args))
    check_names(hosts)
    if args.prepare is not None:
        plans = audit.plans(hosts)
        write_prepared(args.prepare, plans, catalogue.benchmark)
        shutil.copyfile(shipped("playbooks", "probe.yml"), args.prepare / "probe.yml")
        print(
            f"prepared {len(plans)} host(s) in {args.prepare}; next: ansible-playbook -i "
            f"{args.inventory} {args.prepare / 'probe.yml'} -e "
            f"hardening_probe_dir={args.prepare}"
        )
        return 0
    return finish(args, audit, hosts)
