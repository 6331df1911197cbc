"""Node exposure and disks through boto3 against moto in server mode on 127.0.0.1: public
addresses (describe-instances), the default route (describe-route-tables,
describe-nat-gateways) and volume encryption (describe-volumes)."""

from __future__ import annotations

from typing import Any

import pytest

from hardening.checks.kinds import disk_encryption, node_exposure
from hardening.cloud.aws import AwsSource
from hardening.cloud.inventory import CloudInventory
from hardening.collect import HostOutcome
from hardening.facts.cloud_instance import CloudInstance
from hardening.facts.node_disks import NodeDisks
from hardening.facts.route_tables import RouteTables
from hardening.model.facts import Facts
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.plan import Plan
from hardening.sources.cloud import CloudFacts
from tests.cloud.test_aws_moto import REGION, fake_credentials, moto_url  # noqa: F401

pytestmark = [pytest.mark.cloud]
NEEDS = (CloudInstance(), RouteTables(), NodeDisks())


def _vpc(ec2: Any) -> dict[str, str]:
    """A VPC with a public subnet (main table -> igw) and a private one (-> NAT gateway)."""
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.0.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])
    nat_id = nat["NatGateway"]["NatGatewayId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=private)
    return {"vpc": vpc, "public": public, "private": private, "igw": igw, "nat": nat_id, "rtb": rtb}


def _node(ec2: Any, subnet: str, *, encrypted: bool) -> str:
    return str(
        ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet,
            BlockDeviceMappings=[
                {"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 20, "Encrypted": encrypted}}
            ],
        )["Instances"][0]["InstanceId"]
    )


def _facts(url: str, iid: str) -> Facts:
    enricher = CloudFacts(fetch=AwsSource(REGION, None, url).fetch)
    host = Host("node", vars={"instance_id": iid})
    out = enricher.join(HostOutcome(Plan(host, (), NEEDS), Facts("node", {})))
    assert out.facts is not None
    return out.facts


def _rule(facts: Facts, rule: str) -> node_exposure.Outcome:
    return node_exposure.evaluate(node_exposure.Params(rule=rule), facts)


def test_private_node_behind_a_nat_gateway_passes(moto_url: str) -> None:  # noqa: F811
    ec2, _ = AwsSource(REGION, None, moto_url).clients()
    net = _vpc(ec2)
    iid = _node(ec2, net["private"], encrypted=True)
    facts = _facts(moto_url, iid)
    public = _rule(facts, "public_address")
    assert public.status is Status.PASS, public
    assert iid in public.source and "private 10.20.1." in public.observed
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.PASS, egress
    assert f"{net['rtb']}: 0.0.0.0/0 -> natgateway {net['nat']}" in egress.observed
    assert net["private"] in egress.source
    disks = disk_encryption.evaluate(disk_encryption.Params(), facts)
    assert disks.status is Status.PASS, disks
    assert any("(/dev/sdb) encrypted with arn:aws:kms:" in d for d in disks.details), disks


def test_public_node_on_the_main_table_fails(moto_url: str) -> None:  # noqa: F811
    ec2, _ = AwsSource(REGION, None, moto_url).clients()
    net = _vpc(ec2)
    iid = _node(ec2, net["public"], encrypted=False)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(InstanceId=iid, AllocationId=eip["AllocationId"])
    facts = _facts(moto_url, iid)
    public = _rule(facts, "public_address")
    assert public.status is Status.FAIL, public
    assert eip["PublicIp"] in public.observed
    egress = _rule(facts, "nat_egress")
    assert egress.status is Status.FAIL, egress
    assert f"0.0.0.0/0 -> internetgateway {net['igw']}" in egress.observed
    disks = disk_encryption.evaluate(disk_encryption.Params(), facts)
    assert disks.status is Status.FAIL and "(/dev/sdb) not encrypted" in disks.observed


def test_the_public_address_control_alone_reads_no_routes_or_volumes(moto_url: str) -> None:  # noqa: F811
    ec2, _ = AwsSource(REGION, None, moto_url).clients()
    subnet = ec2.create_subnet(
        VpcId=ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"], CidrBlock="10.30.0.0/24"
    )["Subnet"]["SubnetId"]
    iid = _node(ec2, subnet, encrypted=True)
    inv = CloudInventory(source="aws")
    enricher = CloudFacts(inventory=inv, fetch=AwsSource(REGION, None, moto_url).fetch)
    host = Host("node", vars={"instance_id": iid})
    out = enricher.join(HostOutcome(Plan(host, (), (CloudInstance(),)), Facts("node", {})))
    assert out.facts is not None
    assert _rule(out.facts, "public_address").status is Status.PASS
    assert iid in inv.instance_docs
    assert inv.route_tables is None and inv.nat_gateways is None and inv.disks is None
