"""Live AWS path through boto3 against moto in server mode on 127.0.0.1 (a real HTTP API)."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from hardening.checks.kinds import role_policy, security_group_exposure
from hardening.cloud.aws import AwsSource
from hardening.collect import HostOutcome
from hardening.facts.role_policies import RoleFact, RolePolicies
from hardening.facts.runtime_classes import RuntimeClasses
from hardening.facts.security_groups import SecurityGroups
from hardening.model.facts import Facts
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.plan import Plan
from hardening.sources.cloud import CloudFacts

pytestmark = [pytest.mark.cloud]
CLOUD = (SecurityGroups(), RolePolicies(), RuntimeClasses())  # what the cloud kinds need
REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert ipaddress.ip_address(host).is_loopback
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def _world(url: str, *, open_ssh: bool, extra_policy: dict[str, Any] | None) -> dict[str, str]:
    assert ipaddress.ip_address(urlsplit(url).hostname or "").is_loopback
    ec2, iam = AwsSource(REGION, None, url).clients()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(
        GroupName=f"nodes-{open_ssh}-{bool(extra_policy)}", Description="workers", VpcId=vpc
    )["GroupId"]
    perms: list[dict[str, Any]] = [
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ]
    if open_ssh:
        perms.append(
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        )
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=perms)
    role = f"node-role-{open_ssh}-{bool(extra_policy)}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ec2.amazonaws.com"},
            }
        ],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    worker = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Resource": "*",
                "Action": ["ec2:DescribeInstances", "ecr:BatchGetImage", "eks:DescribeCluster"],
            }
        ],
    }
    arn = iam.create_policy(PolicyName=f"{role}-worker", PolicyDocument=json.dumps(worker))[
        "Policy"
    ]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    if extra_policy:
        iam.put_role_policy(
            RoleName=role, PolicyName="inline-extra", PolicyDocument=json.dumps(extra_policy)
        )
    iam.create_instance_profile(InstanceProfileName=role)
    iam.add_role_to_instance_profile(InstanceProfileName=role, RoleName=role)
    inst = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[sg],
        IamInstanceProfile={"Name": role},
    )["Instances"][0]
    return {"instance_id": inst["InstanceId"], "sg": sg, "role": role}


def _facts(url: str, instance: dict[str, Any]) -> Facts:
    enricher = CloudFacts(fetch=AwsSource(REGION, None, url).fetch)
    host = Host("node", vars=instance)
    out = enricher.join(HostOutcome(Plan(host, (), CLOUD), Facts("node", {})))
    assert out.facts is not None
    return out.facts


def test_compliant_node_by_instance_id(moto_url: str) -> None:
    world = _world(moto_url, open_ssh=False, extra_policy=None)
    facts = _facts(moto_url, {"instance_id": world["instance_id"]})
    assert facts.meta["cloud_security_group_ids"] == world["sg"]
    role = facts.get(RolePolicies())
    assert isinstance(role, RoleFact) and role.name == world["role"]
    ssh = security_group_exposure.evaluate(security_group_exposure.Params(ports="22"), facts)
    assert ssh.status is Status.PASS and world["sg"] in ssh.source
    for rule in ("admin", "escalation", "not_action", "baseline", "registry_readonly"):
        out = role_policy.evaluate(role_policy.Params(rule=rule), facts)
        assert out.status is Status.PASS, (rule, out)


def test_open_and_overprivileged_node(moto_url: str) -> None:
    extra = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Resource": "*",
            "Action": ["iam:PassRole", "ec2:RunInstances", "ecr:PutImage"],
        },
    }
    world = _world(moto_url, open_ssh=True, extra_policy=extra)
    facts = _facts(moto_url, {"instance_id": world["instance_id"]})
    ssh = security_group_exposure.evaluate(security_group_exposure.Params(ports="22"), facts)
    assert ssh.status is Status.FAIL and f"{world['sg']}/IpPermissions" in ssh.observed
    esc = role_policy.evaluate(role_policy.Params(rule="escalation"), facts)
    assert esc.status is Status.FAIL
    assert any("iam:passrole with ec2:runinstances" in d for d in esc.details)
    base = role_policy.evaluate(role_policy.Params(rule="baseline"), facts)
    assert set(base.details) == {"iam:passrole", "ec2:runinstances", "ecr:putimage"}
    registry = role_policy.evaluate(role_policy.Params(rule="registry_readonly"), facts)
    assert registry.status is Status.FAIL
    assert registry.details == (
        "ecr:putimage by inline-extra statement 0 Allow Action "
        "['iam:passrole', 'ec2:runinstances', 'ecr:putimage'] on ['*']",
    )


def test_unknown_instance_is_an_error_result(moto_url: str) -> None:
    facts = _facts(moto_url, {"instance_id": "i-00000000000000000"})
    out = security_group_exposure.evaluate(security_group_exposure.Params(ports="22"), facts)
    assert out.status is Status.ERROR and "aws:" in out.reason


def test_rule_rows_export_reads_like_the_groups_export(moto_url: str, tmp_path: Any) -> None:
    """The same group exported both ways (describe-security-groups and
    describe-security-group-rules, as the CLI writes them) gives the same answers."""
    from pathlib import Path

    from hardening.cloud.inventory import load_dir
    from hardening.cloud.securitygroups import exposure, group_rules

    ec2, _iam = AwsSource(REGION, None, moto_url).clients()
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    sg = ec2.create_security_group(GroupName="rows", Description="rows", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 30000,
                "ToPort": 32767,
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            },
            {
                "IpProtocol": "udp",
                "FromPort": 53,
                "ToPort": 53,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            },
            {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        ],
    )
    groups = ec2.describe_security_groups(GroupIds=[sg])
    rows = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [sg]}])
    answers = []
    for name, doc in (("groups", groups), ("rules", rows)):
        doc.pop("ResponseMetadata", None)
        d = Path(tmp_path) / name
        d.mkdir()
        (d / "sg.json").write_text(json.dumps(doc), encoding="utf-8")
        rules = group_rules(load_dir(d).groups[sg])
        answers.append(
            {
                (proto, lo, hi): sorted(
                    label for label, _ in exposure(rules, proto, lo, hi).exposed
                )
                for proto, lo, hi in (
                    ("tcp", 22, 22),
                    ("tcp", 443, 443),
                    ("udp", 53, 53),
                    ("tcp", 30000, 32767),
                    ("icmp", 0, 0),
                )
            }
        )
    assert any(not r.get("IsEgress") for r in rows["SecurityGroupRules"])
    assert answers[0] == answers[1]
    assert answers[1][("tcp", 22, 22)] == ["IPv4 tcp 22", "IPv6 tcp 22"]
    assert answers[1][("udp", 53, 53)] == ["IPv6 udp 53"]  # 10/8 is not the Internet
