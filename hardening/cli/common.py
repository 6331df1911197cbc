"""Options and helpers shared by subcommands: catalogue selection, outputs, gates."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from hardening.catalogue.load import Catalogue, default_root, load_many
from hardening.errors import UsageError
from hardening.model.control import Severity
from hardening.model.host import Host
from hardening.model.result import RunDocument, Status
from hardening.reports.registry import REPORTERS, reporter

DEFAULT_BENCHMARKS = ["cis-1.12", "node-os"]


def add_catalogue_options(p: argparse.ArgumentParser) -> None:
    """``--benchmark`` (repeatable) and ``--benchmark-dir``."""
    p.add_argument("-b", "--benchmark", action="append", metavar="NAME",
                   help=f"benchmark to use (repeatable; default: {' + '.join(DEFAULT_BENCHMARKS)})")
    p.add_argument("--benchmark-dir", type=Path, metavar="DIR",
                   help="directory of benchmarks (default: the shipped "
                        "hardening/benchmarks/cis), or a kube-bench cfg directory "
                        "(config.yaml + profiles such as cis-1.12)")
    p.add_argument("--control", action="append", metavar="ID",
                   help="only these control ids (repeatable; a trailing * is a prefix match)")


def load_catalogue(args: argparse.Namespace) -> Catalogue:
    """Load the selected benchmarks and narrow them to ``--control``."""
    cat = load_many(args.benchmark or DEFAULT_BENCHMARKS, args.benchmark_dir or default_root())
    if args.control:
        def wanted(cid: str) -> bool:
            return any(cid == c or (c.endswith("*") and cid.startswith(c[:-1]))
                       for c in args.control)
        controls = tuple(c for c in cat.controls if wanted(c.id))
        if not controls:
            raise UsageError(f"no control matches {', '.join(args.control)}",
                             "list ids with 'hardening controls list'")
        cat = Catalogue(cat.benchmark, cat.title, controls)
    return cat


def add_output_options(p: argparse.ArgumentParser) -> None:
    """``--<format> FILE`` for every format of REPORTERS (json, html, junit, sarif, ...) and
    ``--quiet``."""
    for name in REPORTERS:
        p.add_argument(f"--{name}", type=Path, metavar="FILE", help=f"write the {name} report")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print only the verdict line (and the coverage line when the scan "
                        "was degraded)")


def stdout_console() -> Console:
    """The results console: stdout, colours off under NO_COLOR or when not a terminal."""
    return Console(file=sys.stdout, no_color="NO_COLOR" in os.environ, soft_wrap=False)


def write_reports(doc: RunDocument, args: argparse.Namespace) -> None:
    """Write every file report the user asked for, through the REPORTERS table."""
    for name in REPORTERS:
        dest = getattr(args, name.replace("-", "_"), None)
        if dest is None:
            continue
        try:
            reporter(name).render(doc, dest)
        except OSError as exc:
            raise UsageError(f"{dest}: cannot write the {name} report: {exc.strerror}",
                             "check the directory exists and is writable") from None


def add_gate_options(p: argparse.ArgumentParser) -> None:
    """``--fail-under``, ``--fail-on`` and ``--min-coverage``."""
    p.add_argument("--min-coverage", type=float, metavar="PCT",
                   help="exit 3 when the scan coverage (checks evaluated of those due, see "
                        "docs/reports.md) is below PCT (0-100), or when a host was not reached")
    p.add_argument("--fail-under", type=float, metavar="SCORE",
                   help="exit 1 when the fleet score is below SCORE (0-100)")
    p.add_argument("--fail-on", choices=[s.value for s in Severity], metavar="SEVERITY",
                   help="exit 1 on a failure of this severity or worse "
                        "(low, medium, high, critical)")


def exit_code(doc: RunDocument, args: argparse.Namespace) -> int:
    """3 if a host was not audited, else 1 if a gate tripped, else 0 (see cli.main)."""
    if any(h.error for h in doc.targets):
        return 3
    floor = getattr(args, "min_coverage", None)
    if floor is not None and (doc.coverage.percent or 0.0) < floor:
        return 3
    fails = [r for h in doc.targets for r in h.results if r.status is Status.FAIL]
    gated = args.fail_under is not None or args.fail_on is not None
    if not gated:
        return 1 if fails else 0
    if args.fail_under is not None and (doc.score.percent or 0.0) < args.fail_under:
        return 1
    if args.fail_on is not None:
        floor = Severity(args.fail_on).rank
        if any(Severity(r.severity).rank >= floor for r in fails):
            return 1
    return 0


def add_waiver_options(p: argparse.ArgumentParser) -> None:
    """``--waivers FILE``."""
    p.add_argument("--waivers", type=Path, metavar="FILE",
                   help="YAML waiver file: matching FAIL/WARN results become WAIVED "
                        "(see docs/reports.md)")


def waivers_for(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The audit's waiver result filter (or None) and what to record in the run options.

    Expired waivers are printed to stderr, recorded under ``options["waivers"]`` and ignored.
    Control ids are checked against the whole selected benchmarks, not ``--control``.
    """
    if getattr(args, "waivers", None) is None:
        return None, {}
    from datetime import UTC, datetime

    from hardening.waivers import apply_waivers, load_waivers

    known = load_many(args.benchmark or DEFAULT_BENCHMARKS, args.benchmark_dir or default_root())
    waivers = load_waivers(args.waivers, (c.id for c in known.controls),
                           datetime.now(UTC).date())
    notices = waivers.notices()
    for line in notices:
        print(f"hardening: {line}", file=sys.stderr)
    record = {"file": str(args.waivers), "active": len(waivers.active), "expired": notices}
    return apply_waivers(waivers), {"waivers": record}


def add_inventory_options(p: argparse.ArgumentParser) -> None:
    """``-l/--limit`` and ``--group-role`` (the ``-i`` flag is each command's own)."""
    p.add_argument("-l", "--limit", metavar="PATTERN", help="Ansible host pattern to narrow to")
    p.add_argument("--group-role", action="append", metavar="GROUP=ROLE[,ROLE]", default=[],
                   help="treat an inventory group as these node roles (repeatable; extends the "
                        "defaults, e.g. masters -> control-plane)")


def group_roles(args: argparse.Namespace) -> dict[str, list[str]]:
    """``--group-role`` values as group -> roles."""
    out: dict[str, list[str]] = {}
    for item in getattr(args, "group_role", None) or []:
        group, sep, roles = item.partition("=")
        if not sep or not group or not roles:
            raise UsageError(f"--group-role '{item}': expected GROUP=ROLE[,ROLE]",
                             "e.g. --group-role gpu_nodes=worker")
        out[group] = [r.strip() for r in roles.split(",") if r.strip()]
    return out


def inventory_hosts(args: argparse.Namespace) -> list[Host]:
    """The inventory's hosts for ``-i``/``--limit``/``--group-role``; none is a usage error."""
    from hardening.inventory.ansible import load_inventory

    hosts = load_inventory(args.inventory, limit=args.limit, group_roles=group_roles(args))
    if not hosts:
        raise UsageError(f"{args.inventory}: no host matches", "check the inventory and --limit")
    return hosts


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (``--forks``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: must be at least 1 (try the default, 10)")
    return value


def add_connection_options(p: argparse.ArgumentParser) -> None:
    """Forks, timeouts and host-key policy: the same words for every command that connects."""
    p.add_argument("-f", "--forks", type=positive_int, default=10,
                   help="hosts audited at once (10)")
    p.add_argument("--connect-timeout", type=float, default=10.0, metavar="S",
                   help="seconds to connect to a host (10)")
    p.add_argument("--command-timeout", type=float, default=120.0, metavar="S",
                   help="seconds for the probe to finish on a host (120)")
    p.add_argument("--known-hosts", metavar="FILE",
                   help="known_hosts file (default: the inventory's UserKnownHostsFile, "
                        "else ~/.ssh/known_hosts)")
    p.add_argument("--accept-new-host-keys", action="store_true",
                   help="record unknown host keys instead of refusing them "
                        "(a changed key is always refused)")


def transport_options(args: argparse.Namespace) -> dict[str, Any]:
    """Settings the SSH transport takes from the command line."""
    from hardening.transports.ssh import KeyCache  # lazily: --local never loads paramiko

    return {
        "known_hosts": args.known_hosts,
        "accept_new": args.accept_new_host_keys,
        "connect_timeout": args.connect_timeout,
        "key_cache": KeyCache(),  # each key file is read (and parsed) once per run
    }
