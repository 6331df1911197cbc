"""Live AWS facts through boto3 (optional extra ``aws``): the instance's security groups
and its role's managed and inline policies, read into a CloudInventory for the join.

``endpoint_url`` points every client at another endpoint of the same API (tests use moto
in server mode on 127.0.0.1). Credentials come from boto3's usual chain and are never
logged or stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.cloud.inventory import CloudInventory
from hardening.errors import SourceError, UsageError


@dataclass(frozen=True)
class AwsSource:
    """Where to ask: region, profile and optional endpoint override."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None

    def _session(self) -> Any:
        try:
            import boto3  # type: ignore[import-untyped]
        except ImportError:
            raise UsageError(
                "--aws: boto3 is not installed", "pip install 'hardening[aws]'"
            ) from None
        return boto3.session.Session(profile_name=self.profile, region_name=self.region)

    def clients(self) -> tuple[Any, Any]:
        """(ec2, iam) clients."""
        session = self._session()
        kw = {"endpoint_url": self.endpoint_url} if self.endpoint_url else {}
        return session.client("ec2", **kw), session.client("iam", **kw)

    def fetch(self, inv: CloudInventory, instance: dict[str, Any]) -> None:
        """Fill ``inv`` with what one node needs (instance, groups, role policies)."""
        from botocore.exceptions import (  # type: ignore[import-untyped]
            BotoCoreError,
            ClientError,
        )

        ec2, iam = self.clients()
        try:
            iid = str(instance.get("instance_id") or "")
            if iid and iid not in inv.instances:
                inv.add_document(ec2.describe_instances(InstanceIds=[iid]), "aws")
            known = inv.instances.get(iid, {})
            sg_ids = instance.get("security_group_ids") or known.get("security_group_ids") or []
            if isinstance(sg_ids, str):
                sg_ids = [s for s in sg_ids.split(",") if s]
            missing = [s for s in sg_ids if s not in inv.groups]
            if missing:
                inv.add_document(ec2.describe_security_groups(GroupIds=missing), "aws")
            role = instance.get("role_name")
            profile = known.get("instance_profile")
            if not role and profile and profile not in inv.profiles:
                inv.add_document(iam.get_instance_profile(InstanceProfileName=profile), "aws")
            role = role or inv.profiles.get(str(profile))
            if role and role not in inv.roles:
                self._role(iam, inv, str(role))
            self._node(ec2, inv, iid, set(instance.get("needs") or ()))
        except (BotoCoreError, ClientError) as exc:
            raise SourceError(
                f"aws: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}",
                "check --aws-region/--aws-profile and the caller's permissions",
            ) from None

    @staticmethod
    def _node(ec2: Any, inv: CloudInventory, iid: str, needs: set[str]) -> None:
        """The instance's description, its VPC's route tables and NAT gateways, its volumes:
        only what the controls asked for (``needs``), each VPC's network read once."""
        if not iid or not needs:
            return
        if iid not in inv.instance_docs:
            inv.add_document(ec2.describe_instances(InstanceIds=[iid]), "aws")
        vpc = str((inv.instances.get(iid) or {}).get("vpc") or "")
        if "network" in needs and vpc and vpc not in inv.vpcs_read:
            by_vpc = [{"Name": "vpc-id", "Values": [vpc]}]
            for page in ec2.get_paginator("describe_route_tables").paginate(Filters=by_vpc):
                inv.add_document({"RouteTables": page["RouteTables"]}, "aws")
            for page in ec2.get_paginator("describe_nat_gateways").paginate(Filter=by_vpc):
                inv.add_document({"NatGateways": page["NatGateways"]}, "aws")
            inv.vpcs_read.add(vpc)
        if "disks" in needs and iid not in (inv.disks or {}):
            by_instance = [{"Name": "attachment.instance-id", "Values": [iid]}]
            for page in ec2.get_paginator("describe_volumes").paginate(Filters=by_instance):
                inv.add_document({"Volumes": page["Volumes"]}, "aws")
            inv.disks = inv.disks if inv.disks is not None else {}
            inv.disks.setdefault(iid, [])

    @staticmethod
    def _role(iam: Any, inv: CloudInventory, role: str) -> None:
        inv.roles.setdefault(role, [])
        pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=role)
        for page in pages:
            for item in page["AttachedPolicies"]:
                pol = iam.get_policy(PolicyArn=item["PolicyArn"])["Policy"]
                ver = iam.get_policy_version(
                    PolicyArn=item["PolicyArn"], VersionId=pol["DefaultVersionId"]
                )
                inv.add_policy(role, item["PolicyName"], ver["PolicyVersion"]["Document"])
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
            for name in page["PolicyNames"]:
                doc = iam.get_role_policy(RoleName=role, PolicyName=name)
                inv.add_policy(role, name, doc["PolicyDocument"])
