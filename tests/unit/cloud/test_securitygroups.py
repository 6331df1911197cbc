"""Security group exposure: Alibaba priority/Drop semantics, AWS allow-union, both families."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hardening.checks.kinds import security_group_exposure as sge
from hardening.cloud import securitygroups as sg
from hardening.cloud.securitygroups import alibaba_rules, aws_rules, exposure, group_rules
from hardening.facts.security_groups import SecurityGroups
from hardening.model.result import Status
from tests.support.facts import build_facts

DATA = Path(__file__).resolve().parent / "data"


def ali(*perms: dict[str, Any], gid: str = "sg-t") -> dict[str, Any]:
    return {"SecurityGroupId": gid, "Permissions": {"Permission": list(perms)}}


def perm(
    rid: str,
    proto: str = "TCP",
    ports: str = "22/22",
    cidr: str = "0.0.0.0/0",
    policy: str = "Accept",
    prio: Any = 1,
    v6: str = "",
) -> dict[str, Any]:
    return {
        "SecurityGroupRuleId": rid,
        "Direction": "ingress",
        "IpProtocol": proto,
        "PortRange": ports,
        "SourceCidrIp": cidr,
        "Ipv6SourceCidrIp": v6,
        "Policy": policy,
        "Priority": prio,
    }


def run(docs: list[dict[str, Any]], **params: Any) -> Any:
    p = sge.Params(**params)
    return sge.evaluate(p, build_facts({"cloud": {"security_groups": docs}}, sge.needs(p)))


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


def test_ack_default_group_icmp_only_passes_every_port_control() -> None:
    doc = load("alibaba-sg-closed.json")
    for ports in ("22", "3389", "6443", "10250", "10255", "2379-2380"):
        out = run([doc], ports=ports)
        assert out.status is Status.PASS, (ports, out)
    every = run([doc], protocols=("tcp", "udp", "gre"), ports="1-65535")
    assert every.status is Status.PASS
    assert any("icmp" in d for d in every.details)


def test_accept_22_shadowed_by_higher_priority_drop_passes() -> None:
    doc = ali(perm("acc", prio=50), perm("drop", policy="Drop", prio=1))
    out = run([doc], ports="22")
    assert out.status is Status.PASS
    assert any("closed by sg-t/drop priority 1 Drop" in d for d in out.details)


def test_same_priority_accept_and_drop_drop_wins() -> None:
    doc = ali(perm("acc", prio=10), perm("drop", policy="drop", prio="10"))
    assert run([doc], ports="22").status is Status.PASS


def test_lower_priority_drop_does_not_shadow_accept() -> None:
    doc = ali(perm("acc", prio=5), perm("drop", policy="Drop", prio=6))
    out = run([doc], ports="22")
    assert out.status is Status.FAIL
    assert "sg-t/acc priority 5 Accept" in out.observed


def test_all_minus_one_from_ipv6_any_fails_every_port() -> None:
    doc = ali(perm("v6all", proto="ALL", ports="-1/-1", cidr="", v6="::/0"))
    for ports in ("22", "3389", "6443", "10250", "10255", "2379-2380"):
        out = run([doc], ports=ports)
        assert out.status is Status.FAIL, ports
        assert out.observed.startswith("Internet ingress") and "IPv6" in out.observed
    full = run([doc], protocols=("tcp", "udp"), ports="1-65535", match="every")
    assert full.status is Status.FAIL


def test_icmp_minus_one_is_not_a_port_range() -> None:
    doc = ali(perm("icmp", proto="icmp", ports="-1/-1"))
    assert run([doc], ports="22").status is Status.PASS
    assert (
        run([doc], protocols=("tcp", "udp"), ports="1-65535", match="every").status is Status.PASS
    )
    assert exposure(alibaba_rules(doc), "icmp").exposed


def test_gre_from_internet_fails_only_icmp_control() -> None:
    doc = ali(perm("gre", proto="GRE", ports="-1/-1"))
    assert run([doc], protocols=("tcp", "udp", "gre")).status is Status.FAIL
    assert run([doc], ports="22").status is Status.PASS


def test_priority_as_string_and_case_insensitive_protocol_policy() -> None:
    rules = alibaba_rules(ali(perm("a", proto="tcp", policy="ACCEPT", prio=" 7 ")))
    assert rules[0].priority == 7 and rules[0].accept and rules[0].protocol == "tcp"


def test_priority_out_of_range_is_an_error() -> None:
    out = run([ali(perm("a", prio=101))], ports="22")
    assert out.status is Status.ERROR
    assert "outside 1-100" in out.reason


def test_pooled_groups_drop_in_one_group_shadows_accept_in_another() -> None:
    g1 = ali(perm("acc", prio=20), gid="sg-a")
    g2 = ali(perm("drop", policy="Drop", prio=1), gid="sg-b")
    out = run([g1, g2], ports="22")
    assert out.status is Status.PASS
    assert "sg-a, sg-b" in out.source


def test_narrow_drop_does_not_close_internet() -> None:
    doc = ali(perm("acc", prio=20), perm("drop", cidr="10.0.0.0/8", policy="Drop", prio=1))
    assert run([doc], ports="22").status is Status.FAIL


def test_range_partly_open_reports_the_open_port() -> None:
    doc = ali(perm("etcd", ports="2380/2380"))
    out = run([doc], ports="2379-2380")
    assert out.status is Status.FAIL
    assert "IPv4 tcp 2380 open" in out.observed


def test_every_match_needs_the_whole_range() -> None:
    doc = ali(perm("ssh"))
    assert run([doc], protocols=("tcp",), ports="1-65535", match="every").status is Status.PASS
    full = ali(perm("tcpall", ports="1/65535"))
    assert run([full], protocols=("tcp",), ports="1-65535", match="every").status is Status.FAIL


def test_alibaba_open_anchor_fails_ssh_kubelet_and_all_ports() -> None:
    doc = load("alibaba-sg-open.json")
    assert run([doc], ports="22").status is Status.FAIL
    out = run([doc], ports="10250")
    assert "sgr-bp1open0004" in out.observed or "sgr-bp1open0002" in out.observed
    assert run([doc], protocols=("tcp", "udp"), match="every").status is Status.FAIL


def test_alibaba_port_list_is_unevaluable() -> None:
    p = perm("pl", ports="")
    p["PortRangeListId"] = "prl-1"
    out = run([ali(p)], ports="22")
    assert out.status is Status.WARN
    assert "port list prl-1" in out.observed


def test_aws_open_anchor() -> None:
    doc = load("aws-sg-open.json")
    assert len(group_rules(doc)) == 4  # CIDR sources only; group pairs are not Internet
    for ports in ("22", "6443", "10250", "2379-2380"):
        assert run([doc], ports=ports).status is Status.FAIL, ports
    assert run([doc], protocols=("tcp", "udp"), match="every").status is Status.FAIL


def test_aws_closed_anchor_passes() -> None:
    doc = load("aws-sg-closed.json")
    for ports in ("22", "6443", "10250", "2379-2380"):
        assert run([doc], ports=ports).status is Status.PASS, ports


def test_aws_minus_one_has_no_ports_and_covers_everything() -> None:
    g = {
        "GroupId": "sg-1",
        "IpPermissions": [{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
    }
    rules = aws_rules(g)
    assert (rules[0].lo, rules[0].hi) == (1, 65535)
    assert run([g], ports="3389").status is Status.FAIL


def test_aws_group_source_is_not_internet() -> None:
    g = {
        "GroupId": "sg-1",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 10250,
                "ToPort": 10250,
                "UserIdGroupPairs": [{"GroupId": "sg-2"}],
            }
        ],
    }
    assert run([g], ports="10250").status is Status.PASS


def test_aws_prefix_list_warns_not_passes() -> None:
    g = {
        "GroupId": "sg-1",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 0,
                "ToPort": 65535,
                "PrefixListIds": [{"PrefixListId": "pl-9"}],
            }
        ],
    }
    out = run([g], ports="6443")
    assert out.status is Status.WARN and "unevaluable" in out.reason


def test_fail_beats_unevaluable() -> None:
    g = {
        "GroupId": "sg-1",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "PrefixListIds": [{"PrefixListId": "pl-9"}],
            }
        ],
    }
    assert run([g], ports="22").status is Status.FAIL


def test_missing_facts_are_absent_not_pass() -> None:
    out = sge.evaluate(sge.Params(ports="22"), build_facts({}, (SecurityGroups(),)))
    assert out.status is Status.SKIP and out.missing is not None


@pytest.mark.parametrize(
    "bad", [{"ports": "0"}, {"ports": "x"}, {"match": "all"}, {"protocols": ("sctp",)}]
)
def test_bad_params_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        sge.Params(**bad)


def test_rule_rows_of_describe_security_group_rules() -> None:
    doc = {
        "SecurityGroupRules": [
            {
                "SecurityGroupRuleId": "sgr-1",
                "GroupId": "sg-a",
                "IsEgress": False,
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "CidrIpv4": "0.0.0.0/0",
            },
            {
                "SecurityGroupRuleId": "sgr-2",
                "GroupId": "sg-a",
                "IsEgress": True,
                "IpProtocol": "-1",
                "FromPort": -1,
                "ToPort": -1,
                "CidrIpv4": "0.0.0.0/0",
            },
            {
                "SecurityGroupRuleId": "sgr-3",
                "GroupId": "sg-b",
                "IsEgress": False,
                "IpProtocol": "-1",
                "FromPort": -1,
                "ToPort": -1,
                "CidrIpv6": "::/0",
            },
            {
                "SecurityGroupRuleId": "sgr-4",
                "GroupId": "sg-b",
                "IsEgress": False,
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListId": "pl-1",
            },
            {
                "SecurityGroupRuleId": "sgr-5",
                "GroupId": "sg-b",
                "IsEgress": False,
                "IpProtocol": "tcp",
                "FromPort": 10250,
                "ToPort": 10250,
                "ReferencedGroupInfo": {"GroupId": "sg-c"},
            },
        ]
    }
    assert sg.group_ids(doc) == ["sg-a", "sg-b"]
    rules = sg.group_rules(doc)
    assert [(r.group_id, r.rule_id, r.protocol, r.lo, r.hi, r.source) for r in rules] == [
        ("sg-a", "sgr-1", "tcp", 22, 22, "0.0.0.0/0"),
        ("sg-b", "sgr-3", "all", 1, 65535, "::/0"),
        ("sg-b", "sgr-4", "tcp", 443, 443, "prefix list pl-1"),
    ]  # the egress row and the group reference are not Internet ingress
    ssh = sg.exposure(rules, "tcp", 22, 22)
    assert [label for label, _ in ssh.exposed] == ["IPv4 tcp 22", "IPv6 tcp 22"]
    assert [r.rule_id for r in sg.exposure(rules, "tcp", 443, 443).unevaluable] == ["sgr-4"]
