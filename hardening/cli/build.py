"""Command-line options -> the library's audit object, the same for every command.

``audit``, ``audit --image``, ``evaluate`` and ``remediate`` all build their Audit here, so
waivers, cloud facts, shards, gates and the recorded options cannot drift apart; only the
node source differs. Signals are turned into a :class:`Stop` here as well.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from hardening.audit import Audit, Gates, Waivers
from hardening.catalogue.load import Catalogue
from hardening.cli.common import load_catalogue
from hardening.collect import CollectOptions, ProbeSource
from hardening.errors import UsageError
from hardening.shard import parse_shard
from hardening.sources.base import Source
from hardening.sources.cloud import CloudFacts, Fetch, WithCloud
from hardening.stop import Stop
from hardening.transports.settings import SshSettings, TransportSettings


def gates(args: argparse.Namespace) -> Gates:
    """``--fail-under`` / ``--fail-on`` / ``--min-coverage`` (none for commands without)."""
    return Gates(
        getattr(args, "fail_under", None),
        getattr(args, "fail_on", None),
        getattr(args, "min_coverage", None),
    )


def waivers(args: argparse.Namespace) -> Waivers | None:
    """The ``--waivers`` file, loaded against the whole selected benchmarks.

    Expired waivers are printed to stderr, recorded and ignored. Control ids are checked
    against the selected benchmarks, not ``--control``.
    """
    if getattr(args, "waivers", None) is None:
        return None
    from hardening.waivers import load_waivers

    known = load_catalogue(args, narrowed=False)
    loaded = load_waivers(args.waivers, (c.id for c in known.controls), datetime.now(UTC).date())
    notices = loaded.notices()
    for line in notices:
        print(f"hardening: {line}", file=sys.stderr)
    return Waivers(
        loaded, {"file": str(args.waivers), "active": len(loaded.active), "expired": notices}
    )


def probe_source(args: argparse.Namespace, local: bool = False) -> ProbeSource:
    """The probe over SSH (or ``/bin/sh`` here), with the command line's settings."""
    ssh = (
        SshSettings()
        if local
        else SshSettings(
            known_hosts=args.known_hosts,
            accept_new=args.accept_new_host_keys,
            connect_timeout=args.connect_timeout,
        )
    )
    return ProbeSource(
        CollectOptions(
            forks=args.forks,
            command_timeout=args.command_timeout,
            transports=TransportSettings(ssh=ssh),
        )
    )


def cloud(args: argparse.Namespace) -> CloudFacts:
    """The cloud facts the command line asks for (host vars always count)."""
    from hardening.cloud import metadata
    from hardening.cloud.inventory import CloudInventory, load_dir

    facts = CloudFacts()
    if getattr(args, "cloud_facts", None):
        facts.inventory = load_dir(args.cloud_facts)
        facts.settings["exports"] = str(args.cloud_facts)
    if getattr(args, "aws", False):
        from hardening.cloud.aws import AwsSource

        region = args.aws_region or getattr(args, "region", None)
        facts.fetch = AwsSource(region, args.aws_profile, args.aws_endpoint_url).fetch
        facts.settings["live"] = {"provider": "aws", "region": region, "profile": args.aws_profile}
    if getattr(args, "alibaba", False):
        facts.fetch = _alibaba_fetch(args)
        facts.settings["live"] = {"provider": "alibaba", "region": args.region}
        if facts.inventory is None:
            facts.inventory = CloudInventory(source="the Alibaba Cloud API")
    if getattr(args, "metadata_endpoint", None):
        facts.metadata_request = metadata.request(args.metadata_endpoint, args.metadata_provider)
        facts.settings["metadata"] = {
            "endpoint": args.metadata_endpoint,
            "provider": args.metadata_provider,
        }
    return facts


def _alibaba_fetch(args: argparse.Namespace) -> Fetch:
    """The live Alibaba source; an AccessKey in the environment is passed in, else the SDK's
    default credential chain is used."""
    from hardening.cloud.alibaba import AlibabaSource, credentials_from_env

    if getattr(args, "aws", False):
        raise UsageError(
            "--alibaba and --aws: choose one live source",
            "audit each provider's nodes in a run of its own",
        )
    one = args.alibaba_endpoint
    return AlibabaSource(
        args.region,
        args.alibaba_endpoint_ecs or one,
        args.alibaba_endpoint_ram or one,
        credentials_from_env(os.environ),
    ).fetch


def audit(
    args: argparse.Namespace,
    catalogue: Catalogue,
    node: Source,
    options: dict[str, Any],
    kind: str = "audit",
) -> Audit:
    """The one audit object of a command: its node source joined with the cloud facts."""
    shard = parse_shard(args.shard) if getattr(args, "shard", None) else None
    if shard is not None and not getattr(args, "inventory", None):
        raise UsageError(
            f"--shard {args.shard}: shards split an inventory", "pass -i INVENTORY, or drop --shard"
        )
    chosen = {
        "benchmarks": catalogue.benchmark.split("+"),
        "benchmark_dir": [str(d) for d in args.benchmark_dir or ()],
        "benchmark_notes": list(catalogue.notes),
        "controls": list(args.control or []),
        "skip": list(getattr(args, "skip", None) or []),
        "level": getattr(args, "level", None),
        "group_roles": list(getattr(args, "group_role", None) or []),
        "profile": getattr(args, "profile", None),
        **options,
    }
    return Audit(
        controls=catalogue.controls,
        benchmark=catalogue.benchmark,
        source=WithCloud(node, cloud(args)),
        waivers=waivers(args),
        gates=gates(args),
        shard=shard,
        options=chosen,
        kind=kind,
        profile=getattr(args, "profile", None),
    )


@contextlib.contextmanager
def signals(grace: float = 2.0) -> Iterator[Stop]:
    """SIGINT and SIGTERM stop the run (instead of killing it) while the block runs.

    The first signal stops new hosts and gives running ones ``grace`` seconds; a second
    one cancels them at once. The old handlers come back afterwards.
    """
    stop = Stop(grace)

    def handler(signum: int, frame: Any) -> None:
        stop.request(signum)

    if threading.current_thread() is not threading.main_thread():
        yield stop  # only the main thread may take signals (an embedding caller's thread)
        return
    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)
