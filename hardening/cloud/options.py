"""Command-line options for cloud facts on ``audit`` and the hooks they build."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hardening.cloud.enrich import CloudEnricher, Fetch
from hardening.cloud.inventory import CloudInventory


def add_cloud_options(p: argparse.ArgumentParser) -> None:
    """``--cloud-facts DIR``, ``--aws`` (+ region, profile, endpoint), ``--alibaba`` (+ region,
    endpoints), ``--metadata-endpoint``."""
    g = p.add_argument_group("cloud facts")
    g.add_argument("--cloud-facts", type=Path, metavar="DIR",
                   help="directory of aliyun/aws CLI exports (see docs/cloud.md)")
    g.add_argument("--aws", action="store_true", help="read security groups and the role's "
                   "policies live through boto3 (needs the 'aws' extra)")
    g.add_argument("--aws-region", metavar="REGION", help="AWS region for --aws")
    g.add_argument("--aws-profile", metavar="NAME", help="AWS profile for --aws")
    g.add_argument("--aws-endpoint-url", metavar="URL", help=argparse.SUPPRESS)
    g.add_argument("--alibaba", action="store_true", help="read security groups and the RAM "
                   "role's policies live through the Alibaba Cloud SDK (needs the 'alibaba' extra)")
    g.add_argument("--region", metavar="REGION",
                   help="region for --alibaba (and for --aws when --aws-region is not given)")
    g.add_argument("--alibaba-endpoint", metavar="URL",
                   help="one endpoint for both ECS and RAM (e.g. a proxy); default: the SDK's")
    g.add_argument("--alibaba-endpoint-ecs", metavar="URL",
                   help="ECS endpoint (e.g. ecs-vpc.cn-hangzhou.aliyuncs.com)")
    g.add_argument("--alibaba-endpoint-ram", metavar="URL", help="RAM endpoint")
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

        enricher.fetch = AwsSource(args.aws_region or getattr(args, "region", None),
                                   args.aws_profile, args.aws_endpoint_url).fetch
    if getattr(args, "alibaba", False):
        enricher.fetch = _alibaba_fetch(args)
        if enricher.inventory is None:
            enricher.inventory = CloudInventory(source="the Alibaba Cloud API")
    if getattr(args, "metadata_endpoint", None):
        enricher.metadata_request = metadata.request(args.metadata_endpoint,
                                                     args.metadata_provider)
    return {"extend": enricher.extend, "enrich": enricher.enrich}


def _alibaba_fetch(args: argparse.Namespace) -> Fetch:
    """The live Alibaba source; an AccessKey in the environment is passed in, else the SDK's
    default credential chain is used."""
    import os

    from hardening.cloud.alibaba import AlibabaSource, credentials_from_env
    from hardening.errors import UsageError

    if getattr(args, "aws", False):
        raise UsageError("--alibaba and --aws: choose one live source",
                         "audit each provider's nodes in a run of its own")
    one = args.alibaba_endpoint
    return AlibabaSource(args.region, args.alibaba_endpoint_ecs or one,
                         args.alibaba_endpoint_ram or one,
                         credentials_from_env(os.environ)).fetch
