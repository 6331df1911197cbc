"""Node exposure and disks through the official SDK against the loopback RPC API: ECS
DescribeInstances (addresses), DescribeVpcs -> DescribeRouteTables, DescribeNatGateways and
DescribeDisks, each paged, signed and only asked when a control needs it."""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from hardening.checks.kinds import disk_encryption, node_exposure
from hardening.cloud.alibaba import AlibabaCredentials, AlibabaSource
from hardening.cloud.inventory import CloudInventory
from hardening.collect import HostOutcome
from hardening.facts.cloud_instance import CloudInstance
from hardening.facts.node_disks import NodeDisks
from hardening.facts.route_tables import RouteTables
from hardening.facts.security_groups import SecurityGroups
from hardening.model.facts import Facts, Request
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.plan import Plan
from hardening.sources.cloud import CloudFacts
from tests.cloud.aliyun_api import AK_ID, SECRET, AliyunApi, fixture, serve

pytestmark = [pytest.mark.cloud]
REGION = "cn-hangzhou"
SG = "sg-bp1ackdefault0001"
VPC_OK, VPC_BAD = "vpc-bp1private00000001", "vpc-bp1public000000001"
NEEDS = (CloudInstance(), RouteTables(), NodeDisks())


def _table(tid: str, router: str, hop_type: str, hop: str) -> dict[str, Any]:
    out = copy.deepcopy(fixture("alibaba-DescribeRouteTables-response.json"))
    table = out["RouteTables"]["RouteTable"][0]
    table.update({"RouteTableId": tid, "VRouterId": router})
    entries = table["RouteEntrys"]["RouteEntry"]
    for e in entries:
        e["RouteTableId"] = tid
    entries[-1].update({"NextHopType": hop_type, "InstanceId": hop})
    return dict(table)


def _disks(iid: str, encrypted: bool) -> list[dict[str, Any]]:
    proto = fixture("alibaba-DescribeDisks-response.json")["Disks"]["Disk"]
    out = []
    for i, kind in enumerate(("system", "data", "data")):
        disk = {**proto[min(i, 1)], "DiskId": f"d-{iid}-{i}", "InstanceId": iid, "Type": kind}
        disk["Encrypted"] = encrypted or kind == "system"
        out.append(disk)
    return out


@pytest.fixture()
def api() -> Iterator[AliyunApi]:
    state = AliyunApi(
        instances={"i-private": [SG], "i-public": [SG]},
        instance_roles={},
        groups={SG: fixture("alibaba-sg-closed.json")},
        instance_extra={
            "i-private": {
                "VpcAttributes": {
                    "VpcId": VPC_OK,
                    "VSwitchId": "vsw-ok",
                    "PrivateIpAddress": {"IpAddress": ["192.168.0.10"]},
                }
            },
            "i-public": {
                "VpcAttributes": {"VpcId": VPC_BAD, "VSwitchId": "vsw-bad"},
                "PublicIpAddress": {"IpAddress": ["118.31.20.4"]},
            },
        },
        vpcs={VPC_OK: "vrt-ok", VPC_BAD: "vrt-bad"},
        route_tables={
            "vrt-ok": [_table("vtb-ok", "vrt-ok", "NatGateway", "ngw-ok")],
            "vrt-bad": [_table("vtb-bad", "vrt-bad", "Ipv4Gateway", "ipv4gw-bad")],
        },
        nat_gateways={
            VPC_OK: [
                {
                    **fixture("alibaba-DescribeNatGateways-response.json")["NatGateways"][
                        "NatGateway"
                    ][0],
                    "NatGatewayId": "ngw-ok",
                    "VpcId": VPC_OK,
                }
            ]
        },
        disks={"i-private": _disks("i-private", True), "i-public": _disks("i-public", False)},
    )
    with serve(state) as running:
        assert ipaddress.ip_address(urlsplit(running.url).hostname or "").is_loopback
        yield running


def _facts(api: AliyunApi, iid: str, needs: tuple[Request[Any], ...] = NEEDS) -> Facts:
    source = AlibabaSource(REGION, api.url, api.url, AlibabaCredentials(AK_ID, SECRET))
    enricher = CloudFacts(inventory=CloudInventory(source="api"), fetch=source.fetch)
    host = Host(iid, vars={"instance_id": iid, "security_group_ids": SG, "role_name": "r"})
    out = enricher.join(HostOutcome(Plan(host, (), needs), Facts(iid, {})))
    assert out.facts is not None
    return out.facts


def _rule(facts: Facts, rule: str) -> Any:
    return node_exposure.evaluate(node_exposure.Params(rule=rule), facts)


def test_private_node_behind_nat_with_encrypted_disks(api: AliyunApi) -> None:
    facts = _facts(api, "i-private")
    asked = [a for a, _ in api.calls]
    assert asked[0] == "DescribeSecurityGroupAttribute"
    assert asked[1:] == [
        "ListPoliciesForRole",
        "DescribeInstances",
        "DescribeVpcs",
        "DescribeRouteTables",
        "DescribeNatGateways",
        "DescribeDisks",
        "DescribeDisks",  # three disks, two a page
    ]
    assert api.unsigned == 0 and not any(SECRET in line for line in api.log)
    public = _rule(facts, "public_address")
    assert public.status is Status.PASS and "private 192.168.0.10" in public.observed
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.PASS, egress
    assert egress.observed == "vtb-ok: 0.0.0.0/0 -> natgateway ngw-ok (Available)"
    disks = disk_encryption.evaluate(disk_encryption.Params(), facts)
    assert disks.status is Status.PASS and disks.observed == "3 disk(s) encrypted"


def test_public_node_with_an_ipv4_gateway_and_plain_data_disks(api: AliyunApi) -> None:
    facts = _facts(api, "i-public")
    public = _rule(facts, "public_address")
    assert public.status is Status.FAIL and public.observed == "public IP 118.31.20.4"
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.FAIL
    assert egress.observed == "vtb-bad: 0.0.0.0/0 -> ipv4gateway ipv4gw-bad"
    disks = disk_encryption.evaluate(disk_encryption.Params(), facts)
    assert disks.status is Status.FAIL
    assert disks.observed == "d-i-public-1 (data) not encrypted; d-i-public-2 (data) not encrypted"


def test_only_what_the_controls_need_is_asked(api: AliyunApi) -> None:
    _facts(api, "i-private", (SecurityGroups(),))
    assert [a for a, _ in api.calls] == ["DescribeSecurityGroupAttribute", "ListPoliciesForRole"]


def test_an_api_error_on_the_routes_is_that_nodes_error(api: AliyunApi) -> None:
    api.errors[("DescribeRouteTables", "vrt-ok")] = (
        403,
        "Forbidden.RAM",
        "no ecs:DescribeRouteTables",
    )
    facts = _facts(api, "i-private")
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.ERROR
    assert "DescribeRouteTables: Forbidden.RAM" in egress.reason
