"""Node exposure and disks from an export directory: every accepted shape, the join, the
kinds on both sides, and the reason when routes were not exported."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from hardening.checks.kinds import disk_encryption, node_exposure
from hardening.cloud import network
from hardening.cloud.inventory import join, load_dir
from hardening.facts.cloud_instance import CloudInstance
from hardening.facts.node_disks import NodeDisks
from hardening.facts.route_tables import RouteTables
from hardening.model.facts import Facts
from hardening.model.result import Status
from tests.support.facts import build_facts

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cloud"
ALI_ID = "i-bp67acfmxazb4p****"
AWS_ID = "i-0123456789abcdef0"
AWS_INSTANCE = {
    "Reservations": [
        {
            "Instances": [
                {
                    "InstanceId": AWS_ID,
                    "VpcId": "vpc-0a1b2c3d4e5f00001",
                    "SubnetId": "subnet-0a1b2c3d4e5f00001",
                    "PrivateIpAddress": "10.0.1.15",
                    "SecurityGroups": [{"GroupId": "sg-0a1b2c3d4e5f60001"}],
                    "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Groups": []}],
                }
            ]
        }
    ]
}


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _export(root: Path, docs: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, doc in docs.items():
        (root / name).write_text(json.dumps(doc), encoding="utf-8")
    return root


def _facts(root: Path, iid: str) -> Facts:
    cloud = join(load_dir(root), {"instance_id": iid}, {})
    return build_facts({"cloud": cloud}, (CloudInstance(), RouteTables(), NodeDisks()))


def _rule(facts: Facts, rule: str) -> Any:
    return node_exposure.evaluate(node_exposure.Params(rule=rule), facts)


def test_aws_private_subnet_behind_nat_with_one_plain_volume(tmp_path: Path) -> None:
    root = _export(
        tmp_path / "aws",
        {
            "instances.json": AWS_INSTANCE,
            "routes.json": _load("aws-describe-route-tables.json"),
            "nat.json": _load("aws-describe-nat-gateways.json"),
            "volumes.json": _load("aws-describe-volumes.json"),
        },
    )
    facts = _facts(root, AWS_ID)
    assert _rule(facts, "public_address").status is Status.PASS
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.PASS
    assert egress.observed == (
        "rtb-0private000000001: 0.0.0.0/0 -> natgateway nat-0a1b2c3d4e5f00001 (available)"
    )
    disks = disk_encryption.evaluate(disk_encryption.Params(), facts)
    assert disks.status is Status.FAIL
    assert disks.observed == "vol-0a1b2c3d4e5f00002 (/dev/xvdb) not encrypted"


def test_aws_subnet_without_association_uses_the_main_table(tmp_path: Path) -> None:
    inst = copy.deepcopy(AWS_INSTANCE)
    inst["Reservations"][0]["Instances"][0]["SubnetId"] = "subnet-0public0000000001"
    inst["Reservations"][0]["Instances"][0]["PublicIpAddress"] = "3.210.10.99"
    root = _export(
        tmp_path / "aws", {"i.json": inst, "r.json": _load("aws-describe-route-tables.json")}
    )
    facts = _facts(root, AWS_ID)
    public = _rule(facts, "public_address")
    assert public.status is Status.FAIL and public.observed == "public IP 3.210.10.99"
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.FAIL
    assert "rtb-0main00000000001: 0.0.0.0/0 -> internetgateway igw-0a1b2c3d4e5f00001" in (
        egress.observed
    )
    assert disk_encryption.evaluate(disk_encryption.Params(), facts).status is Status.SKIP


def test_no_route_tables_exported_is_manual_with_the_reason(tmp_path: Path) -> None:
    root = _export(tmp_path / "aws", {"i.json": AWS_INSTANCE})
    egress = _rule(_facts(root, AWS_ID), "nat_egress")
    assert egress.status is Status.SKIP
    assert "manual: no route tables" in egress.reason and "describe-route-tables" in egress.reason


def test_alibaba_ecs_route_tables_through_the_vpc_router_and_nat(tmp_path: Path) -> None:
    root = _export(
        tmp_path / "ali",
        {
            "instances.json": _load("alibaba-DescribeInstances-excerpt.json"),
            "vpcs.json": _load("alibaba-DescribeVpcs-response.json"),
            "routes.json": _load("alibaba-DescribeRouteTables-response.json"),
            "nat.json": _load("alibaba-DescribeNatGateways-response.json"),
            "disks.json": _load("alibaba-DescribeDisks-response.json"),
        },
    )
    facts = _facts(root, ALI_ID)
    public = _rule(facts, "public_address")
    assert public.status is Status.PASS and "private 192.168.0.10" in public.observed
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.PASS, egress
    assert "vtb-bp145q7glnuzdvzu2****: 0.0.0.0/0 -> natgateway ngw-bp1uewa15k4iy5770****" in (
        egress.observed
    )
    assert "(Available)" in egress.observed
    disks = disk_encryption.evaluate(disk_encryption.Params(), facts)
    assert disks.status is Status.PASS
    assert "d-bp1data0000000001 (data) encrypted with key-hzz6a1b2c3d4e5f0001" in disks.details


def test_alibaba_vswitch_bound_to_a_custom_table_with_an_ipv4_gateway(tmp_path: Path) -> None:
    inst = _load("alibaba-DescribeInstances-excerpt.json")
    inst["Instances"]["Instance"][0]["EipAddress"] = {
        "AllocationId": "eip-bp1q8jsf0qpvfm7v0001",
        "IpAddress": "47.98.10.21",
    }
    root = _export(
        tmp_path / "ali",
        {
            "instances.json": inst,
            "list.json": _load("alibaba-DescribeRouteTableList-response.json"),
            "entries.json": _load("alibaba-DescribeRouteEntryList-response.json"),
        },
    )
    facts = _facts(root, ALI_ID)
    public = _rule(facts, "public_address")
    assert public.status is Status.FAIL
    assert public.observed == "EIP 47.98.10.21 (eip-bp1q8jsf0qpvfm7v0001)"
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.FAIL
    assert egress.observed == (
        "vtb-bp1custom0nodes****: 0.0.0.0/0 -> ipv4gateway ipv4gw-bp1ge0ewv3zdyp2m6****"
    )


def test_alibaba_bindings_without_entries_are_manual(tmp_path: Path) -> None:
    root = _export(
        tmp_path / "ali",
        {
            "instances.json": _load("alibaba-DescribeInstances-excerpt.json"),
            "list.json": _load("alibaba-DescribeRouteTableList-response.json"),
        },
    )
    egress = _rule(_facts(root, ALI_ID), "nat_egress")
    assert egress.status is Status.SKIP and "entries of vtb-bp1custom0nodes****" in egress.reason


@pytest.mark.parametrize(
    ("route", "hop"),
    [
        ({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}, ("internetgateway", "igw-1")),
        (
            {"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-1"},
            ("transitgateway", "tgw-1"),
        ),
        ({"NextHopType": "NatGateway", "InstanceId": "ngw-1"}, ("natgateway", "ngw-1")),
        (
            {"NextHops": {"NextHop": [{"NextHopType": "Ipv4Gateway", "NextHopId": "g"}]}},
            ("ipv4gateway", "g"),
        ),
    ],
)
def test_next_hops_of_every_shape(route: dict[str, Any], hop: tuple[str, str]) -> None:
    assert network._hop(route) == [hop]


def test_every_table_judged_when_alibaba_bindings_are_unknown() -> None:
    tables = [
        {"id": "vtb-sys", "vpc": "v", "main": True, "subnets": None, "routes": []},
        {"id": "vtb-c", "vpc": "v", "main": False, "subnets": None, "routes": []},
    ]
    got = network.tables_of(tables, "v", "vsw-1")
    assert got.tables == ("vtb-sys", "vtb-c") and "bindings are not known" in got.unsure
