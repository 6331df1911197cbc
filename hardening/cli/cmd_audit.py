"""``hardening audit``: audit this machine (``--local``) or an inventory over SSH."""

from __future__ import annotations

import argparse
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

from hardening.audit import Audit
from hardening.cli import build
from hardening.cli.common import (
    add_audit_options,
    closed_stdout_ok,
    inventory_hosts,
    load_catalogue,
    stdout_console,
    write_reports,
)
from hardening.cli.progress import HostProgress
from hardening.cluster.options import add_cluster_options, cluster_step, has_cluster_source
from hardening.errors import UsageError
from hardening.model.control import Role
from hardening.model.host import Host
from hardening.reports.terminal import render_console


def add_parser(sub: Any, name: str) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        name,
        help="audit nodes against a benchmark",
        description="Audit this machine or the hosts of an inventory.",
    )
    target = p.add_mutually_exclusive_group()  # none: the cluster alone (--kubeconfig)
    target.add_argument("--local", action="store_true", help="audit this machine")
    target.add_argument("-i", "--inventory", metavar="PATH", help="Ansible inventory to audit")
    target.add_argument(
        "--image",
        metavar="PATH",
        type=Path,
        help="audit an image offline: a root filesystem directory or tar "
        "(.tar, .tar.gz, .tar.zst), an OCI layout or a docker save archive",
    )
    p.add_argument(
        "--verify-key",
        metavar="FILE",
        type=Path,
        help="with --image: verify the image's cosign signatures with this public key "
        "(ECDSA P-256 or Ed25519 PEM); see docs/trust.md",
    )
    p.add_argument(
        "--vuln-report",
        metavar="FILE",
        type=Path,
        help="with --image: a Trivy or Grype JSON report of the same image",
    )
    p.add_argument(
        "--role",
        action="append",
        metavar="ROLE",
        help="with --image: node roles (repeatable; default worker for a node "
        "image, none for a container image)",
    )
    add_audit_options(p)
    add_cluster_options(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def local_host() -> Host:
    """This machine, holding every role so that absent components show as SKIP."""
    return Host(
        name=socket.gethostname(),
        address="localhost",
        transport="local",
        roles=frozenset({Role.CONTROL_PLANE, Role.ETCD, Role.WORKER}),
    )


def targets(args: argparse.Namespace, audit: Audit) -> tuple[Host, ...]:
    """The hosts to audit (none when only the cluster is)."""
    if args.local:
        return (local_host(),)
    if args.inventory:
        return audit.hosts(inventory_hosts(args))
    if has_cluster_source(args):
        return ()
    raise UsageError(
        "nothing to audit: give --local, -i INVENTORY, --image PATH, or a cluster source",
        "e.g. hardening audit -i inventory.yml --kubeconfig admin.conf",
    )


def run(args: argparse.Namespace) -> int:
    """Audit, print the summary, write reports, return the exit code."""
    if args.image is not None:
        return run_image(args)
    if args.verify_key or args.vuln_report:
        raise UsageError(
            "--verify-key and --vuln-report apply to an image", "give them with --image PATH"
        )
    catalogue = load_catalogue(args)
    audit = build.audit(
        args,
        catalogue,
        build.probe_source(args, local=args.local),
        {"target": "local" if args.local else args.inventory or "cluster", "limit": args.limit},
    )
    audit = replace(audit, cluster=cluster_step(args, catalogue.controls))
    return finish(args, audit, targets(args, audit), progress=not args.no_progress)


def finish(
    args: argparse.Namespace, audit: Audit, hosts: tuple[Host, ...], progress: bool = False
) -> int:
    """Run the audit under the signal handlers, write every report, then print the summary
    (a reader that stops early, ``| head``, cannot lose a report), pick the code."""
    with build.signals() as stop:
        with HostProgress(len(hosts), enabled=None if progress else False) as bar:
            doc = audit.run(hosts, bar, stop)
        write_reports(doc, args)
        with closed_stdout_ok():
            render_console(
                doc, stdout_console(args), quiet=args.quiet, gate=audit.gates.verdict(doc)
            )
    return stop.exit_code if stop.requested else audit.gates.exit_code(doc)


def run_image(args: argparse.Namespace) -> int:
    """``audit --image``: the image is one host, its facts read from the image, not a probe."""
    from hardening.inventory.roles import parse_role
    from hardening.sources.image import image_kind, image_name
    from hardening.sources.image_source import ImageGather
    from hardening.sources.trust import TrustedImage, load_trust

    if not args.image.exists():  # a mistyped path is a usage error, not an image that failed
        raise UsageError(
            f"--image {args.image}: no such file or directory",
            "give a root filesystem directory, a tar archive or an OCI image",
        )
    kind = image_kind(args.image)
    if not args.benchmark:
        args.benchmark = ["container-image"] if kind == "container" else None
    default = [] if kind == "container" else ["worker"]
    roles = frozenset(parse_role(r, "--role") for r in (args.role or default))
    host = Host(
        name=image_name(args.image), address=str(args.image), transport="image", roles=roles
    )
    catalogue = load_catalogue(args)
    audit = build.audit(
        args,
        catalogue,
        TrustedImage(
            ImageGather(args.image), load_trust(args.image, args.verify_key, args.vuln_report)
        ),
        {"target": f"image:{args.image}", "image_kind": kind},
    )
    return finish(args, audit, (host,))
