"""``hardening audit``: audit this machine (``--local``) or an inventory over SSH."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path
from typing import Any

from hardening.audit import AuditRequest, run_audit
from hardening.cli.common import (
    add_catalogue_options,
    add_connection_options,
    add_gate_options,
    add_inventory_options,
    add_output_options,
    add_waiver_options,
    exit_code,
    inventory_hosts,
    load_catalogue,
    stdout_console,
    transport_options,
    waivers_for,
    write_reports,
)
from hardening.cli.progress import HostProgress
from hardening.cloud.options import add_cloud_options, cloud_hooks
from hardening.cluster.options import add_cluster_options, cluster_step, has_cluster_source
from hardening.collect import CollectOptions
from hardening.errors import UsageError
from hardening.model.control import Role
from hardening.model.host import Host
from hardening.reports.terminal import render_console


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(name, help="audit nodes against a benchmark",
                       description="Audit this machine or the hosts of an inventory.")
    target = p.add_mutually_exclusive_group()  # none: the cluster alone (--kubeconfig)
    target.add_argument("--local", action="store_true", help="audit this machine")
    target.add_argument("-i", "--inventory", metavar="PATH", help="Ansible inventory to audit")
    target.add_argument("--image", metavar="PATH", type=Path,
                        help="audit an image offline: a root filesystem directory or tar "
                             "(.tar, .tar.gz, .tar.zst), an OCI layout or a docker save archive")
    p.add_argument("--role", action="append", metavar="ROLE",
                   help="with --image: node roles (repeatable; default worker for a node "
                        "image, none for a container image)")
    add_inventory_options(p)
    add_catalogue_options(p)
    add_output_options(p)
    add_gate_options(p)
    add_waiver_options(p)
    add_cloud_options(p)
    add_cluster_options(p)
    add_connection_options(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--shard", metavar="K/N",
                   help="audit only shard K of N: the hosts with sha256(name) mod N == K-1 "
                        "(join the shards with 'hardening merge')")


def local_host() -> Host:
    """This machine, holding every role so that absent components show as SKIP."""
    return Host(name=socket.gethostname(), address="localhost", transport="local",
                roles=frozenset({Role.CONTROL_PLANE, Role.ETCD, Role.WORKER}))


def hosts_from(args: argparse.Namespace) -> tuple[Host, ...]:
    """The hosts to audit (none when only the cluster is)."""
    if not args.local and not args.inventory:
        if has_cluster_source(args):
            return ()
        raise UsageError("nothing to audit: give --local, -i INVENTORY, --image PATH, or a "
                         "cluster source", "e.g. hardening audit -i inventory.yml "
                         "--kubeconfig admin.conf")
    if args.local:
        return (local_host(),)
    hosts = inventory_hosts(args)
    if getattr(args, "shard", None):
        from hardening.shard import parse_shard, select

        return select(hosts, parse_shard(args.shard))
    return tuple(hosts)


def run(args: argparse.Namespace) -> int:
    """Audit, print the summary, write reports, return the exit code."""
    if args.image is not None:
        return run_image(args)
    catalogue = load_catalogue(args)
    post, waiver_options = waivers_for(args)
    hosts = hosts_from(args)
    request = AuditRequest(
        hosts=hosts, controls=catalogue.controls, benchmark=catalogue.benchmark,
        options={"target": "local" if args.local else args.inventory or "cluster",
                 "limit": args.limit,
                 "forks": args.forks, **({"shard": args.shard} if args.shard else {}),
                 **waiver_options},
    )
    options = CollectOptions(forks=args.forks, command_timeout=args.command_timeout,
                             transport_options={} if args.local else transport_options(args))
    cluster = cluster_step(args, catalogue.controls)
    with HostProgress(len(hosts), enabled=False if args.no_progress else None) as progress:
        doc = run_audit(request, options, progress, post=post, **cloud_hooks(args))
    if cluster is not None:
        doc = cluster(doc, post)
    render_console(doc, stdout_console(), quiet=args.quiet)
    write_reports(doc, args)
    return exit_code(doc, args)


def run_image(args: argparse.Namespace) -> int:
    """``audit --image``: the image is one host, its facts read from the image, not a probe."""
    from hardening.inventory.roles import parse_role
    from hardening.sources.image import gatherer, image_kind, image_name

    kind = image_kind(args.image)
    if not args.benchmark:
        args.benchmark = ["container-image"] if kind == "container" else None
    default = [] if kind == "container" else ["worker"]
    roles = frozenset(parse_role(r, "--role") for r in (args.role or default))
    host = Host(name=image_name(args.image), address=str(args.image), transport="image",
                roles=roles)
    catalogue = load_catalogue(args)
    post, waiver_options = waivers_for(args)
    request = AuditRequest(hosts=(host,), controls=catalogue.controls,
                           benchmark=catalogue.benchmark,
                           options={"target": f"image:{args.image}", "image_kind": kind,
                                    **waiver_options})
    doc = run_audit(request, CollectOptions(forks=1), gather=gatherer(args.image),
                    post=post, **cloud_hooks(args))
    render_console(doc, stdout_console(), quiet=args.quiet)
    write_reports(doc, args)
    return exit_code(doc, args)
