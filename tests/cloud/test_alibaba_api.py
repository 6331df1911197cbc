"""Live Alibaba Cloud path: the official SDK against the RPC API fixture on 127.0.0.1."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hardening.checks.kinds import role_policy, security_group_exposure
from hardening.cli.build import cloud
from hardening.cli.common import add_cloud_options
from hardening.cloud.alibaba import AlibabaCredentials, AlibabaSource, credentials_from_env
from hardening.cloud.inventory import CloudInventory
from hardening.collect import HostOutcome
from hardening.errors import UsageError
from hardening.facts.role_policies import RoleFact, RolePolicies
from hardening.facts.runtime_classes import RuntimeClasses
from hardening.facts.security_groups import GroupList, SecurityGroups
from hardening.model.facts import Absent, Facts
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.plan import Plan
from hardening.sources.cloud import CloudFacts
from tests.cloud.aliyun_api import (
    AK_ID,
    SECRET,
    AliyunApi,
    fixture,
    get_policy_response,
    serve,
)

pytestmark = [pytest.mark.cloud]
CLOUD = (SecurityGroups(), RolePolicies(), RuntimeClasses())  # what the cloud kinds need
REGION = "cn-hangzhou"
CLOSED, OPEN = "sg-bp1ackdefault0001", "sg-bp1openexample01"
WORKER = "k8sWorkerRolePolicy-c8f2e3a1b2"
ADMIN = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RAM_ALL = {
    "Version": "1",
    "Statement": [{"Effect": "Allow", "Action": ["ram:*"], "Resource": ["acs:ram:*:*:*"]}],
}
SG_RULES = ("admin", "escalation", "not_action", "baseline", "registry_readonly")


@pytest.fixture()
def api() -> Iterator[AliyunApi]:
    state = AliyunApi(
        instances={
            "i-compliant": [CLOSED],
            "i-open": [CLOSED, OPEN],
            "i-gone": [CLOSED],
            "i-denied": [CLOSED],
            "i-ram": [CLOSED],
        },
        instance_roles={
            "i-compliant": "WorkerRole-ok",
            "i-open": "WorkerRole-admin",
            "i-denied": "WorkerRole-denied",
            "i-ram": "WorkerRole-ram",
        },
        groups={CLOSED: fixture("alibaba-sg-closed.json"), OPEN: fixture("alibaba-sg-open.json")},
        role_policies={
            "WorkerRole-ok": [(WORKER, "Custom")],
            "WorkerRole-admin": [
                (WORKER, "Custom"),
                ("AdministratorAccess", "System"),
                ("k8sWorkerExtra", "Custom"),
            ],
            "WorkerRole-denied": [(WORKER, "Custom")],
            "WorkerRole-ram": [(WORKER, "Custom"), ("RamFullAccess", "Custom")],
        },
        policies={
            (WORKER, "Custom"): fixture("ram-GetPolicy-response.json"),
            ("RamFullAccess", "Custom"): get_policy_response("RamFullAccess", "Custom", RAM_ALL),
            ("AdministratorAccess", "System"): get_policy_response(
                "AdministratorAccess", "System", ADMIN
            ),
            ("k8sWorkerExtra", "Custom"): get_policy_response(
                "k8sWorkerExtra", "Custom", fixture("ram-worker-policy-overprivileged-admin.json")
            ),
        },
        errors={
            ("DescribeInstances", "i-gone"): (
                404,
                "InvalidInstanceId.NotFound",
                "The specified InstanceId does not exist.",
            ),
            ("ListPoliciesForRole", "WorkerRole-denied"): (
                403,
                "NoPermission",
                "You are not authorized to do this action. "
                "Resource: acs:ram:*:1234567890:role/workerrole-denied Action: "
                "ram:ListPoliciesForRole",
            ),
        },
    )
    with serve(state) as running:
        assert ipaddress.ip_address(urlsplit(running.url).hostname or "").is_loopback
        yield running


def _source(api: AliyunApi, secret: str = SECRET) -> AlibabaSource:
    return AlibabaSource(REGION, api.url, api.url, AlibabaCredentials(AK_ID, secret), page_size=2)


def _fleet(fetch: object, inv: CloudInventory, nodes: dict[str, str]) -> dict[str, Facts]:
    """Enrich every node in turn with one shared inventory, as the CLI does."""
    enricher = CloudFacts(inventory=inv, fetch=fetch)  # type: ignore[arg-type]
    out = {}
    for name, iid in nodes.items():
        done = enricher.join(
            HostOutcome(Plan(Host(name, vars={"instance_id": iid}), (), CLOUD), Facts(name, {}))
        )
        assert done.facts is not None
        out[name] = done.facts
    return out


def _sg(facts: Facts, ports: str) -> security_group_exposure.Outcome:
    return security_group_exposure.evaluate(security_group_exposure.Params(ports=ports), facts)


def _role(facts: Facts, rule: str) -> role_policy.Outcome:
    return role_policy.evaluate(role_policy.Params(rule=rule), facts)


def test_compliant_node_passes_and_the_sdk_called_every_action(api: AliyunApi) -> None:
    facts = _fleet(_source(api).fetch, CloudInventory(source="api"), {"a": "i-compliant"})["a"]
    assert [a for a, _ in api.calls] == [
        "DescribeInstances",
        "DescribeInstanceRamRole",
        "DescribeSecurityGroupAttribute",
        "DescribeSecurityGroupAttribute",
        "ListPoliciesForRole",
        "GetPolicy",
    ]
    assert json.loads(api.calls[0][1]["InstanceIds"]) == ["i-compliant"]
    assert api.calls[2][1]["Direction"] == "ingress" and api.calls[3][1]["NextToken"] == "2"
    assert api.unsigned == 0 and all(AK_ID in line for line in api.log)
    assert facts.meta["cloud_security_group_ids"] == CLOSED
    groups, role = facts.get(SecurityGroups()), facts.get(RolePolicies())
    assert isinstance(groups, GroupList) and isinstance(role, RoleFact)
    perms = groups.groups[0]["Permissions"]["Permission"]
    assert len(perms) == 3  # the two pages joined, egress not asked for
    assert role.name == "WorkerRole-ok"
    for ports in ("22", "6443", "10250", "2379-2380"):
        out = _sg(facts, ports)
        assert out.status is Status.PASS and CLOSED in out.source, (ports, out)
    for rule in SG_RULES:
        assert _role(facts, rule).status is Status.PASS, rule


def test_open_group_and_admin_role_fail_with_the_deciding_rule(api: AliyunApi) -> None:
    facts = _fleet(_source(api).fetch, CloudInventory(source="api"), {"b": "i-open"})["b"]
    ssh = _sg(facts, "22")
    assert ssh.status is Status.FAIL
    assert f"{OPEN}/sgr-bp1open0001 priority 1 Accept tcp 22-22 from 0.0.0.0/0" in ssh.observed
    kubelet = _sg(facts, "10250")
    assert kubelet.status is Status.FAIL and "sgr-bp1open0004" in kubelet.observed
    admin = _role(facts, "admin")
    assert admin.status is Status.FAIL
    assert "* by AdministratorAccess statement 0 Allow Action ['*'] on ['*']" in admin.observed
    escalation = _role(facts, "escalation")
    assert escalation.status is Status.FAIL and any("ram:*" in d for d in escalation.details)
    assert _role(facts, "not_action").status is Status.FAIL
    registry = _role(facts, "registry_readonly")
    assert registry.status is Status.FAIL
    assert any(d.startswith("* (grants cr:pushrepository") for d in registry.details)
    assert [a for a, _ in api.calls].count("GetPolicy") == 3


def test_ram_star_alone_is_escalation(api: AliyunApi) -> None:
    facts = _fleet(_source(api).fetch, CloudInventory(source="api"), {"r": "i-ram"})["r"]
    escalation = _role(facts, "escalation")
    assert escalation.status is Status.FAIL
    assert escalation.details[0].startswith("ram:* by RamFullAccess statement 0 Allow")
    assert _role(facts, "admin").status is Status.PASS
    assert "ram:*" in _role(facts, "baseline").observed


def test_api_errors_are_that_hosts_error_and_others_go_on(api: AliyunApi) -> None:
    nodes = {"gone": "i-gone", "a": "i-compliant", "denied": "i-denied", "b": "i-open"}
    fleet = _fleet(_source(api).fetch, CloudInventory(source="api"), nodes)
    gone = _sg(fleet["gone"], "22")
    assert gone.status is Status.ERROR
    assert "DescribeInstances: InvalidInstanceId.NotFound" in gone.reason
    assert "The specified InstanceId does not exist" in gone.reason
    assert _role(fleet["gone"], "admin").status is Status.ERROR
    denied = _role(fleet["denied"], "admin")
    assert denied.status is Status.ERROR
    assert "ListPoliciesForRole: NoPermission: code: 403" in denied.reason
    assert _sg(fleet["denied"], "22").status is Status.ERROR
    assert _sg(fleet["a"], "22").status is Status.PASS
    assert _role(fleet["a"], "baseline").status is Status.PASS
    assert _sg(fleet["b"], "22").status is Status.FAIL
    assert _role(fleet["b"], "admin").status is Status.FAIL
    role = fleet["b"].get(RolePolicies())
    assert isinstance(role, RoleFact) and role.name != "WorkerRole-denied"


def test_a_wrong_secret_is_refused_and_no_secret_crosses_the_wire(api: AliyunApi) -> None:
    facts = _fleet(
        _source(api, secret="not-the-secret").fetch,
        CloudInventory(source="api"),
        {"a": "i-compliant"},
    )["a"]
    assert api.unsigned == 1 and api.calls == []
    assert _sg(facts, "22").status is Status.ERROR
    failed = facts.get(SecurityGroups())
    assert isinstance(failed, Absent) and "IncompleteSignature" in failed.reason
    _fleet(_source(api).fetch, CloudInventory(source="api"), {"a": "i-compliant"})
    assert api.calls and SECRET not in "\n".join(api.log)
    assert "not-the-secret" not in "\n".join(api.log)
    assert SECRET not in repr(_source(api)) and SECRET not in repr(facts)


def test_cli_options_wire_the_live_source(api: AliyunApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    parser = argparse.ArgumentParser()
    add_cloud_options(parser)
    args = parser.parse_args(["--alibaba", "--region", REGION, "--alibaba-endpoint", api.url])
    facts = cloud(args)
    host = Host("n1", vars={"instance_id": "i-open"})
    done = facts.join(HostOutcome(Plan(host, (), CLOUD), Facts("n1", {})))
    assert _sg(done.facts, "22").status is Status.FAIL
    assert {a for a, _ in api.calls} >= {"DescribeInstances", "GetPolicy"}
    assert SECRET not in repr(done.facts)
    both = parser.parse_args(["--alibaba", "--aws", "--region", REGION])
    with pytest.raises(UsageError):
        cloud(both)


def test_credentials_come_from_the_sdk_variables_only() -> None:
    assert credentials_from_env({}) is None
    assert credentials_from_env({"ALIBABA_CLOUD_ACCESS_KEY_ID": "x"}) is None
    creds = credentials_from_env(
        {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s3cr3t",
            "ALIBABA_CLOUD_SECURITY_TOKEN": "tok",
        }
    )
    assert creds is not None and creds.security_token == "tok" and "s3cr3t" not in repr(creds)


def test_audit_command_end_to_end_keeps_the_secret_out(api: AliyunApi, tmp_path: Path) -> None:
    hosts = {"node-ok": "i-compliant", "node-open": "i-open", "node-gone": "i-gone"}
    inventory = {
        "all": {
            "hosts": {
                name: {"ansible_connection": "local", "instance_id": iid}
                for name, iid in hosts.items()
            }
        }
    }
    (tmp_path / "inv.yml").write_text(json.dumps(inventory))
    env = {
        **os.environ,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": AK_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hardening",
            "audit",
            "-i",
            "inv.yml",
            "-b",
            "cloud",
            "--alibaba",
            "--region",
            REGION,
            "--alibaba-endpoint",
            api.url,
            "--json",
            "run.json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    doc = (tmp_path / "run.json").read_text()
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert SECRET not in doc + proc.stdout + proc.stderr
    status = {
        (h["name"], r["id"]): r["status"] for h in json.loads(doc)["hosts"] for r in h["results"]
    }
    assert status[("node-ok", "CLOUD-1.1")] == "PASS"
    assert status[("node-open", "CLOUD-1.1")] == "FAIL"
    assert status[("node-open", "CLOUD-2.1")] == "FAIL"
    assert status[("node-gone", "CLOUD-1.1")] == "ERROR"
    assert "InvalidInstanceId.NotFound" in doc
