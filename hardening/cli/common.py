"""Options and helpers shared by subcommands: catalogue selection, outputs, gates."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console

from hardening.catalogue.library import DEFAULT_BENCHMARKS, Library, narrow
from hardening.catalogue.load import Catalogue
from hardening.cli.outputs import STDOUT, drop_stdout, render_to_stdout, report_to_stdout
from hardening.cli.outputs import closed_stdout_ok as closed_stdout_ok
from hardening.cli.outputs import dest_of as dest_of  # re-exported: remediate's staged reports
from hardening.errors import UsageError
from hardening.model.control import Severity
from hardening.model.host import Host
from hardening.model.result import RunDocument
from hardening.reports.registry import REPORTERS, reporter


def add_catalogue_options(p: argparse.ArgumentParser) -> None:
    """``-b`` and ``--benchmark-dir`` (repeatable), ``--kube-version``, ``--control``,
    ``--skip`` and ``--level``."""
    p.add_argument(
        "-b",
        "--benchmark",
        action="append",
        metavar="NAME",
        help=f"benchmark to use (repeatable; default: {' + '.join(DEFAULT_BENCHMARKS)}, or "
        "with a kube-bench cfg the profile its version_mapping gives)",
    )
    p.add_argument(
        "--benchmark-dir",
        type=Path,
        action="append",
        metavar="DIR",
        help="more benchmarks (repeatable): a directory of DIR/<benchmark>/*.yaml or a "
        "kube-bench cfg directory; the shipped ones stay available and a later directory "
        "overrides a benchmark of the same name (said on stderr)",
    )
    p.add_argument(
        "--kube-version",
        metavar="X.Y",
        help="with a kube-bench cfg: pick the profile its version_mapping gives for this "
        "Kubernetes version, as kube-bench --version does",
    )
    p.add_argument(
        "--control",
        action="append",
        metavar="ID",
        help="only these control ids (repeatable; a trailing * is a prefix match)",
    )
    p.add_argument(
        "--skip",
        action="append",
        metavar="ID",
        help="leave out this control or section (repeatable or comma-separated; 1.2 skips "
        "1.2.1, 1.2.10, not 1.20; a trailing * is a plain prefix)",
    )
    p.add_argument(
        "--level",
        type=int,
        choices=(1, 2),
        help="CIS profile level: 1 keeps Level 1 controls, 2 keeps Level 1 and 2 (default: all)",
    )


def _words(values: list[str] | None) -> list[str]:
    return [w.strip() for v in values or () for w in v.split(",") if w.strip()]


def load_catalogue(args: argparse.Namespace, *, narrowed: bool = True) -> Catalogue:
    """Load the selected benchmarks (printing how they were chosen) and narrow them to
    ``--control``, ``--skip`` and ``--level`` (unless ``narrowed`` is false)."""
    cat = Library.of(args.benchmark_dir).load(args.benchmark, args.kube_version)
    if not getattr(args, "catalogue_noted", False):
        for note in cat.notes:
            print(f"hardening: {note}", file=sys.stderr)
        args.catalogue_noted = True
    if not narrowed:
        return cat
    return narrow(cat, _words(args.control), _words(args.skip), args.level)


def add_output_options(p: argparse.ArgumentParser) -> None:
    """``--<format> FILE`` for every format of REPORTERS (json, html, junit, sarif, ...) and
    ``--quiet``."""
    for name in REPORTERS:
        p.add_argument(
            f"--{name}",
            type=Path,
            metavar="FILE",
            help=f"write the {name} report ('-': standard output, the summary then goes to stderr)",
        )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the verdict line (and the coverage line when the scan was degraded)",
    )


def no_color() -> bool:
    """NO_COLOR is set and not empty (no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


def stdout_console(args: argparse.Namespace | None = None) -> Console:
    """The results console: stdout (stderr when a report is written to stdout), no styling
    under NO_COLOR or when not a terminal.

    Under NO_COLOR the console has no colour system at all, so bold, dim and italic go too,
    not only colours (rich's own NO_COLOR handling keeps those).
    """
    plain = no_color()
    return Console(
        file=sys.stderr if args is not None and report_to_stdout(args) else sys.stdout,
        no_color=plain,
        color_system=None if plain else "auto",
        soft_wrap=False,
    )


def write_reports(doc: RunDocument, args: argparse.Namespace) -> None:
    """Write every report the user asked for, through the REPORTERS table (``-``: stdout)."""
    for name in REPORTERS:
        dest = getattr(args, dest_of(name), None)
        if dest is None:
            continue
        try:
            if str(dest) == STDOUT:
                render_to_stdout(reporter(name), doc)
            else:
                reporter(name).render(doc, Path(dest))
        except BrokenPipeError:
            drop_stdout()
        except OSError as exc:
            raise UsageError(
                f"{dest}: cannot write the {name} report: {exc.strerror}",
                "check the directory exists and is writable",
            ) from None


def percent(text: str) -> float:
    """argparse type: a percentage, 0 to 100 (``--fail-under``, ``--min-coverage``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.0 <= value <= 100.0:
        raise argparse.ArgumentTypeError(f"{text}: must be between 0 and 100 (a percentage)")
    return value


def add_gate_options(p: argparse.ArgumentParser) -> None:
    """``--fail-under``, ``--fail-on`` and ``--min-coverage``."""
    p.add_argument(
        "--min-coverage",
        type=percent,
        metavar="PCT",
        help="exit 3 when the scan coverage (checks evaluated of those due, see "
        "docs/reports.md) is below PCT (0-100), or when a host was not reached",
    )
    p.add_argument(
        "--fail-under",
        type=percent,
        metavar="SCORE",
        help="exit 1 when the fleet score is below SCORE (0-100)",
    )
    p.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        metavar="SEVERITY",
        help="exit 1 on a failure of this severity or worse (low, medium, high, critical)",
    )


def add_waiver_options(p: argparse.ArgumentParser) -> None:
    """``--waivers FILE``."""
    p.add_argument(
        "--waivers",
        type=Path,
        metavar="FILE",
        help="YAML waiver file: matching FAIL/WARN results become WAIVED (see docs/reports.md)",
    )


def add_inventory_options(p: argparse.ArgumentParser) -> None:
    """``-l/--limit`` and ``--group-role`` (the ``-i`` flag is each command's own)."""
    p.add_argument("-l", "--limit", metavar="PATTERN", help="Ansible host pattern to narrow to")
    p.add_argument(
        "--group-role",
        action="append",
        metavar="GROUP=ROLE[,ROLE]",
        default=[],
        help="treat an inventory group as these node roles (repeatable; extends the "
        "defaults, e.g. masters -> control-plane)",
    )


def group_roles(args: argparse.Namespace) -> dict[str, list[str]]:
    """``--group-role`` values as group -> roles."""
    out: dict[str, list[str]] = {}
    for item in getattr(args, "group_role", None) or []:
        group, sep, roles = item.partition("=")
        if not sep or not group or not roles:
            raise UsageError(
                f"--group-role '{item}': expected GROUP=ROLE[,ROLE]",
                "e.g. --group-role gpu_nodes=worker",
            )
        out[group] = [r.strip() for r in roles.split(",") if r.strip()]
    return out


def inventory_hosts(args: argparse.Namespace) -> list[Host]:
    """The inventory's hosts for ``-i``/``--limit``/``--group-role``; none is a usage error."""
    from hardening.inventory.ansible import limit_hint, load_inventory

    hosts = load_inventory(args.inventory, limit=args.limit, group_roles=group_roles(args))
    if not hosts and args.limit:
        raise UsageError(
            f"{args.inventory}: --limit '{args.limit}' matches no host; "
            f"{limit_hint(args.inventory, args.limit)}",
            "--limit takes host names, group names and Ansible patterns (a:&b, !c, web*)",
        )
    if not hosts:
        raise UsageError(f"{args.inventory}: no host matches", "check the inventory and --limit")
    return hosts


# Hosts audited at once by default: the knee of the forks curve at 1,000 hosts
# (perf/fleet.py, docs/scale.md "A thousand hosts").
DEFAULT_FORKS = 10


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (``--forks``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{value}: must be at least 1 (try the default, {DEFAULT_FORKS})"
        )
    return value


def add_connection_options(p: argparse.ArgumentParser) -> None:
    """Forks, timeouts and host-key policy: the same words for every command that connects."""
    p.add_argument(
        "-f",
        "--forks",
        type=positive_int,
        default=DEFAULT_FORKS,
        help=f"hosts audited at once ({DEFAULT_FORKS})",
    )
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to connect to a host (10)",
    )
    p.add_argument(
        "--command-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="seconds for the probe to finish on a host (120)",
    )
    p.add_argument(
        "--known-hosts",
        metavar="FILE",
        help="known_hosts file (default: the inventory's UserKnownHostsFile, "
        "else ~/.ssh/known_hosts)",
    )
    p.add_argument(
        "--accept-new-host-keys",
        action="store_true",
        help="record unknown host keys instead of refusing them (a changed key is always refused)",
    )


def add_cloud_options(p: argparse.ArgumentParser) -> None:
    """``--cloud-facts DIR``, ``--aws`` (+ region, profile, endpoint), ``--alibaba`` (+ region,
    endpoints), ``--metadata-endpoint``."""
    g = p.add_argument_group("cloud facts")
    g.add_argument(
        "--cloud-facts",
        type=Path,
        metavar="DIR",
        help="directory of aliyun/aws CLI exports (see docs/cloud.md)",
    )
    g.add_argument(
        "--aws",
        action="store_true",
        help="read security groups and the role's "
        "policies live through boto3 (needs the 'aws' extra)",
    )
    g.add_argument("--aws-region", metavar="REGION", help="AWS region for --aws")
    g.add_argument("--aws-profile", metavar="NAME", help="AWS profile for --aws")
    g.add_argument("--aws-endpoint-url", metavar="URL", help=argparse.SUPPRESS)
    g.add_argument(
        "--alibaba",
        action="store_true",
        help="read security groups and the RAM "
        "role's policies live through the Alibaba Cloud SDK (needs the 'alibaba' extra)",
    )
    g.add_argument(
        "--region",
        metavar="REGION",
        help="region for --alibaba (and for --aws when --aws-region is not given)",
    )
    g.add_argument(
        "--alibaba-endpoint",
        metavar="URL",
        help="one endpoint for both ECS and RAM (e.g. a proxy); default: the SDK's",
    )
    g.add_argument(
        "--alibaba-endpoint-ecs",
        metavar="URL",
        help="ECS endpoint (e.g. ecs-vpc.cn-hangzhou.aliyuncs.com)",
    )
    g.add_argument("--alibaba-endpoint-ram", metavar="URL", help="RAM endpoint")
    g.add_argument(
        "--metadata-endpoint",
        metavar="URL",
        help="ask each node's instance metadata service at URL through the probe "
        "(e.g. http://169.254.169.254 or http://100.100.100.200)",
    )
    g.add_argument(
        "--metadata-provider",
        choices=["aws", "alibaba"],
        default="aws",
        help="metadata path layout (aws)",
    )


def add_shard_option(p: argparse.ArgumentParser) -> None:
    """``--shard K/N``."""
    p.add_argument(
        "--shard",
        metavar="K/N",
        help="audit only shard K of N: the hosts with sha256(name) mod N == K-1 "
        "(join the shards with 'hardening merge')",
    )


def add_audit_options(
    p: argparse.ArgumentParser, *, connects: bool = True, gates: bool = True
) -> None:
    """Every option that shapes an audit, the same for audit, evaluate and remediate."""
    add_inventory_options(p)
    add_catalogue_options(p)
    add_output_options(p)
    if gates:
        add_gate_options(p)
    add_waiver_options(p)
    add_cloud_options(p)
    add_shard_option(p)
    add_profile_option(p)
    if connects:
        add_connection_options(p)


def add_profile_option(p: argparse.ArgumentParser) -> None:
    """``--profile``: self-managed or managed (overrides the hosts' hardening_profile)."""
    p.add_argument(
        "--profile",
        choices=("self-managed", "managed"),
        help="managed: the control plane is the provider's (ACK managed, EKS, GKE), so its "
        "controls are NOT_APPLICABLE on nodes that do not run it (default: each host's "
        "inventory variable hardening_profile, else self-managed)",
    )
