"""Live Alibaba Cloud facts through the official SDK (optional extra ``alibaba``): the
instance's security groups and its RAM role's policies, read into a CloudInventory.

Each response body is filed by ``CloudInventory`` exactly as the offline ``aliyun`` exports
are. Credentials come from the SDK's default chain or are passed in by the CLI; they are
never logged, put in a message or stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from hardening.cloud.inventory import CloudInventory
from hardening.errors import SourceError, UsageError

ENV_ID, ENV_SECRET, ENV_TOKEN = (
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
)
HINT = (
    "check --region, the endpoints and that the caller may use the read-only ECS and RAM "
    "actions in docs/cloud.md"
)
MAX_PAGES = 100  # a NextToken that never ends is an API fault, not a reason to loop


@dataclass(frozen=True)
class AlibabaCredentials:
    """An AccessKey pair, with an STS token when it is temporary. Never printed."""

    access_key_id: str = field(repr=False)
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)


def credentials_from_env(env: Mapping[str, str]) -> AlibabaCredentials | None:
    """The pair in ``env`` (the SDK's variable names), or None for the SDK's default chain."""
    key, secret = env.get(ENV_ID, ""), env.get(ENV_SECRET, "")
    if not key or not secret:
        return None
    return AlibabaCredentials(key, secret, env.get(ENV_TOKEN) or None)


def split_endpoint(url: str) -> tuple[str, str]:
    """``http://127.0.0.1:8080`` -> (``127.0.0.1:8080``, ``http``); a bare host is https."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise UsageError(
            f"--alibaba-endpoint '{url}': not an endpoint",
            "give a host (ecs.cn-hangzhou.aliyuncs.com) or http(s)://host:port",
        )
    return parts.netloc, parts.scheme


@dataclass(frozen=True)
class AlibabaSource:
    """Where to ask: region and optional ECS/RAM endpoint overrides."""

    region: str | None = None
    ecs_endpoint: str | None = None
    ram_endpoint: str | None = None
    credentials: AlibabaCredentials | None = field(default=None, repr=False)
    page_size: int = 100

    def _config(self, region: str, endpoint: str | None) -> Any:
        try:
            from alibabacloud_credentials.client import Client as CredentialClient
            from alibabacloud_tea_openapi.models import Config
        except ImportError:
            raise UsageError(
                "--alibaba: the Alibaba Cloud SDK is not installed",
                "pip install 'hardening[alibaba]'",
            ) from None
        cfg = Config(region_id=region, connect_timeout=5000, read_timeout=15000)
        if self.credentials is not None:
            cfg.access_key_id = self.credentials.access_key_id
            cfg.access_key_secret = self.credentials.access_key_secret
            cfg.security_token = self.credentials.security_token
        else:
            cfg.credential = CredentialClient()  # env, profile, then the ECS RAM role
        if endpoint:
            cfg.endpoint, cfg.protocol = split_endpoint(endpoint)
        return cfg

    def clients(self, region: str) -> tuple[Any, Any]:
        """(ecs, ram) SDK clients for ``region``."""
        ecs_cfg, ram_cfg = (
            self._config(region, self.ecs_endpoint),
            self._config(region, self.ram_endpoint),
        )
        from alibabacloud_ecs20140526.client import Client as Ecs
        from alibabacloud_ram20150501.client import Client as Ram

        return Ecs(ecs_cfg), Ram(ram_cfg)

    def fetch(self, inv: CloudInventory, instance: dict[str, Any]) -> None:
        """Fill ``inv`` with what one node needs: instance, groups, role policies."""
        iid = str(instance.get("instance_id") or "")
        region = str(
            self.region or instance.get("region") or inv.instances.get(iid, {}).get("region") or ""
        )
        if not region:
            raise SourceError(
                f"alibaba: no region for instance '{iid or '?'}'",
                "pass --region, or --metadata-endpoint to read it from the node",
            )
        ecs, ram = self.clients(region)
        from alibabacloud_ecs20140526 import models as em

        ids = json.dumps([iid])
        known = inv.instances.get(iid, {})
        if iid and not (instance.get("security_group_ids") or known.get("security_group_ids")):
            inv.add_document(
                _call(
                    "DescribeInstances",
                    ecs.describe_instances,
                    em.DescribeInstancesRequest(region_id=region, instance_ids=ids),
                ),
                "alibaba",
            )
            if iid not in inv.instances:
                raise SourceError(
                    f"alibaba: DescribeInstances: instance '{iid}' not found in region '{region}'",
                    HINT,
                )
        known = inv.instances.get(iid, {})
        if iid and not (instance.get("role_name") or known.get("role_name")):
            inv.add_document(
                _call(
                    "DescribeInstanceRamRole",
                    ecs.describe_instance_ram_role,
                    em.DescribeInstanceRamRoleRequest(region_id=region, instance_ids=ids),
                ),
                "alibaba",
            )
            known = inv.instances.get(iid, {})
        sg_ids = instance.get("security_group_ids") or known.get("security_group_ids") or []
        if isinstance(sg_ids, str):
            sg_ids = [s.strip() for s in sg_ids.split(",") if s.strip()]
        for sg in sg_ids:
            if sg not in inv.groups:
                inv.add_document(self._group(ecs, region, str(sg)), "alibaba")
        role = instance.get("role_name") or known.get("role_name")
        if role and role not in inv.roles:
            self._role(ram, inv, str(role))
        self._node(ecs, inv, iid, region, set(instance.get("needs") or ()))

    def _node(self, ecs: Any, inv: CloudInventory, iid: str, region: str, needs: set[str]) -> None:
        """The instance's description, its VPC's route tables and NAT gateways (each VPC read
        once), its disks: only what the controls asked for (``needs``)."""
        from alibabacloud_ecs20140526 import models as em

        if not iid or not needs:
            return
        if iid not in inv.instance_docs:
            inv.add_document(
                _call(
                    "DescribeInstances",
                    ecs.describe_instances,
                    em.DescribeInstancesRequest(region_id=region, instance_ids=json.dumps([iid])),
                ),
                "alibaba",
            )
        vpc = str((inv.instances.get(iid) or {}).get("vpc") or "")
        if "network" in needs and vpc and vpc not in inv.vpcs_read:
            vpcs = _call(
                "DescribeVpcs",
                ecs.describe_vpcs,
                em.DescribeVpcsRequest(region_id=region, vpc_id=vpc),
            )
            inv.add_document(vpcs, "alibaba")
            for router in [r for r, v in inv.routers.items() if v == vpc]:
                self._pages(
                    inv,
                    "DescribeRouteTables",
                    ecs.describe_route_tables,
                    partial(_route_tables_request, em, region, router),
                    ("RouteTables", "RouteTable"),
                )
            self._pages(
                inv,
                "DescribeNatGateways",
                ecs.describe_nat_gateways,
                lambda n: em.DescribeNatGatewaysRequest(
                    region_id=region, vpc_id=vpc, page_number=n, page_size=50
                ),
                ("NatGateways", "NatGateway"),
            )
            inv.vpcs_read.add(vpc)
        if "disks" in needs and iid not in (inv.disks or {}):
            self._pages(
                inv,
                "DescribeDisks",
                ecs.describe_disks,
                lambda n: em.DescribeDisksRequest(
                    region_id=region, instance_id=iid, page_number=n, page_size=50
                ),
                ("Disks", "Disk"),
            )
            inv.disks = inv.disks if inv.disks is not None else {}
            inv.disks.setdefault(iid, [])

    @staticmethod
    def _pages(
        inv: CloudInventory,
        action: str,
        method: Callable[[Any], Any],
        request: Callable[[int], Any],
        items: tuple[str, str],
    ) -> None:
        """Every page of a PageNumber/TotalCount listing, each filed as it comes."""
        seen = 0
        for number in range(1, MAX_PAGES + 1):
            doc = _call(action, method, request(number))
            got = len((doc.get(items[0]) or {}).get(items[1]) or [])
            inv.add_document(doc, "alibaba")
            seen += got
            if got == 0 or seen >= int(doc.get("TotalCount") or 0):
                return
        raise SourceError(f"alibaba: {action}: more than {MAX_PAGES} pages", HINT)

    def _group(self, ecs: Any, region: str, sg: str) -> dict[str, Any]:
        """Every ingress rule of one group, pages joined by NextToken."""
        from alibabacloud_ecs20140526 import models as em

        rules: list[Any] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            doc = _call(
                "DescribeSecurityGroupAttribute",
                ecs.describe_security_group_attribute,
                em.DescribeSecurityGroupAttributeRequest(
                    region_id=region,
                    security_group_id=sg,
                    direction="ingress",
                    max_results=self.page_size,
                    next_token=token,
                ),
            )
            rules += (doc.get("Permissions") or {}).get("Permission") or []
            token = doc.get("NextToken") or None
            if token is None:
                return {**doc, "Permissions": {"Permission": rules}, "NextToken": ""}
        raise SourceError(
            f"alibaba: DescribeSecurityGroupAttribute {sg}: more than {MAX_PAGES} pages", HINT
        )

    @staticmethod
    def _role(ram: Any, inv: CloudInventory, role: str) -> None:
        """The role's attached policies, each with its default version's document.

        Filed only when every document was read, so a failure never leaves a partial role
        that a later node with the same role would take as complete.
        """
        from alibabacloud_ram20150501 import models as rm

        listing = _call(
            "ListPoliciesForRole",
            ram.list_policies_for_role,
            rm.ListPoliciesForRoleRequest(role_name=role),
        )
        got = []
        for item in (listing.get("Policies") or {}).get("Policy") or []:
            name, kind = str(item.get("PolicyName")), str(item.get("PolicyType"))
            got.append(
                (
                    name,
                    _call(
                        "GetPolicy",
                        ram.get_policy,
                        rm.GetPolicyRequest(policy_name=name, policy_type=kind),
                    ),
                )
            )
        inv.roles[role] = []
        for name, doc in got:
            inv.add_policy(role, name, doc)


def _route_tables_request(em: Any, region: str, router: str, number: int) -> Any:
    """One page of DescribeRouteTables for ``router``."""
    return em.DescribeRouteTablesRequest(
        region_id=region, vrouter_id=router, page_number=number, page_size=50
    )


def _call(action: str, method: Callable[[Any], Any], request: Any) -> dict[str, Any]:
    """One SDK call -> its response body as the API's JSON; SourceError with its message."""
    from alibabacloud_credentials.exceptions import CredentialException
    from darabonba.exceptions import RetryError, ValidateException
    from Tea.exceptions import TeaException

    try:
        body = method(request).body
    except (TeaException, RetryError, ValidateException, CredentialException) as exc:
        code = getattr(exc, "code", None)
        text = str(getattr(exc, "message", None) or exc).splitlines()[0][:240]
        raise SourceError(f"alibaba: {action}: {code + ': ' if code else ''}{text}", HINT) from None
    out = body.to_map() if body is not None else {}
    return out if isinstance(out, dict) else {}
