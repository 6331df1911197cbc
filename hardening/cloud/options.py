"""Command-line options for cloud facts on ``audit`` and the hooks they build."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hardening.cloud.enrich import CloudEnricher


def add_cloud_options(p: argparse.ArgumentParser) -> None:
    """``--cloud-facts DIR``, ``--aws`` (+ region, profile, endpoint), ``--metadata-endpoint``."""
    g = p.add_argument_group("cloud facts")
    g.add_argument("--cloud-facts", type=Path, metavar="DIR",
                   help="directory of aliyun/aws CLI exports (see docs/cloud.md)")
    g.add_argument("--aws", action="store_true", help="read security groups and the role's "
                   "policies live through boto3 (needs the 'aws' extra)")
    g.add_argument("--aws-region", metavar="REGION", help="AWS region for --aws")
    g.add_argument("--aws-profile", metavar="NAME", help="AWS profile for --aws")
    g.add_argument("--aws-endpoint-url", metavar="URL", help=argparse.SUPPRESS)
    g.add_argument("--metadata-endpoint", metavar="URL",
                   help="ask each node's instance metadata service at URL through the probe "
                        "(e.g. http://169.254.169.254 or http://100.100.100.200)")
    g.add_argument("--metadata-provider", choices=["aws", "alibaba"], default="aws",
                   help="metadata path layout (aws)")


def cloud_hooks(args: argparse.Namespace) -> dict[str, Any]:
    """``extend``/``enrich`` keyword arguments for run_audit (always enrich: host vars)."""
    from hardening.cloud import metadata
    from hardening.cloud.inventory import load_dir

    enricher = CloudEnricher()
    if getattr(args, "cloud_facts", None):
        enricher.inventory = load_dir(args.cloud_facts)
    if getattr(args, "aws", False):
        from hardening.cloud.aws import AwsSource

        enricher.fetch = AwsSource(args.aws_region, args.aws_profile,
                                   args.aws_endpoint_url).fetch
    if getattr(args, "metadata_endpoint", None):
        enricher.metadata_request = metadata.request(args.metadata_endpoint,
                                                     args.metadata_provider)
    return {"extend": enricher.extend, "enrich": enricher.enrich}
