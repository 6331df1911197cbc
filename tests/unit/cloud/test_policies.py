"""Worker role policies: RAM and IAM shapes, wildcards, NotAction, Deny, baselines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hardening.checks.kinds import role_policy as rp
from hardening.cloud.policies import escalations, extra_actions, parse_policy
from hardening.facts.role_policies import RolePolicies
from hardening.model.result import Status
from tests.support.facts import build_facts

DATA = Path(__file__).resolve().parent / "data"


def doc(*stmts: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(stmts)}


def allow(action: Any, resource: Any = "*", **kw: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **kw}


def deny(action: Any, resource: Any = "*", **kw: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **kw}


def run(rule: str, *documents: Any, baseline: str = "auto") -> Any:
    role = {
        "name": "worker",
        "policies": [{"name": f"p{i}", "document": d} for i, d in enumerate(documents)],
    }
    return rp.evaluate(
        rp.Params(rule=rule, baseline=baseline),
        build_facts({"cloud": {"role": role}}, (RolePolicies(),)),
    )


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def test_ram_getpolicy_with_document_as_json_string_is_compliant() -> None:
    got = load("ram-GetPolicy-response.json")
    assert isinstance(got["DefaultPolicyVersion"]["PolicyDocument"], str)
    policy = parse_policy(got, "k8sWorkerRolePolicy")
    assert policy.dialect == "ram" and len(policy.statements) == 3
    for rule in ("admin", "not_action", "escalation", "baseline"):
        assert run(rule, got).status is Status.PASS, rule


def test_iam_compliant_node_policy_passes_every_rule() -> None:
    got = load("iam-node-policy-compliant.json")
    for rule in ("admin", "not_action", "escalation", "baseline"):
        out = run(rule, got)
        assert out.status is Status.PASS, (rule, out)


def test_overprivileged_ram_admin_fails_every_rule() -> None:
    got = load("ram-worker-policy-overprivileged-admin.json")
    assert run("admin", got).status is Status.FAIL
    assert run("not_action", got).status is Status.FAIL
    esc = run("escalation", got)
    assert esc.status is Status.FAIL and any(d.startswith("ram:*") for d in esc.details)
    base = run("baseline", got)
    assert base.status is Status.FAIL and "*" in base.details


def test_action_as_string_not_list() -> None:
    assert run("admin", doc(allow("ec2:*"))).status is Status.FAIL
    assert run("admin", doc(allow("ec2:DescribeInstances"))).status is Status.PASS


def test_statement_as_object_not_list() -> None:
    single = {"Version": "2012-10-17", "Statement": allow("iam:PassRole")}
    assert parse_policy(single, "x").statements[0].actions == ("iam:passrole",)


def test_service_star_on_scoped_resource_is_not_admin() -> None:
    assert run("admin", doc(allow("s3:*", "arn:aws:s3:::logs/*"))).status is Status.PASS


def test_not_action_fails() -> None:
    out = run("not_action", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    assert out.status is Status.FAIL and "NotAction" in out.observed


def test_not_action_grants_escalation_outside_its_list() -> None:
    d = doc({"Effect": "Allow", "NotAction": ["s3:*"], "Resource": "*"})
    assert run("escalation", d).status is Status.FAIL


def test_deny_removes_an_escalation() -> None:
    granted = doc(allow(["iam:AttachRolePolicy", "ec2:DescribeInstances"]))
    assert run("escalation", granted).status is Status.FAIL
    denied = doc(allow(["iam:AttachRolePolicy", "ec2:DescribeInstances"]), deny("iam:Attach*"))
    assert run("escalation", denied).status is Status.PASS


def test_deny_in_another_policy_is_honoured() -> None:
    out = run("admin", doc(allow("*")), doc(deny("*")))
    assert out.status is Status.PASS


def test_conditional_deny_is_not_relied_on() -> None:
    d = doc(
        allow("iam:PutRolePolicy"),
        deny("iam:PutRolePolicy", Condition={"Bool": {"aws:SecureTransport": "false"}}),
    )
    assert run("escalation", d).status is Status.FAIL


def test_deny_of_one_action_does_not_remove_a_wildcard_grant() -> None:
    d = doc(allow("ram:*", "acs:ram:*:*:*"), deny("ram:AttachPolicyToRole"), version="1")
    out = run("escalation", d)
    assert out.status is Status.FAIL and any(x.startswith("ram:*") for x in out.details)


def test_case_insensitive_action_matching() -> None:
    assert run("escalation", doc(allow("IAM:putUSERpolicy"))).status is Status.FAIL


def test_passrole_alone_is_not_escalation_but_with_runinstances_is() -> None:
    assert (
        run("escalation", doc(allow("iam:PassRole", "arn:aws:iam::1:role/x"))).status is Status.PASS
    )
    both = run("escalation", doc(allow(["iam:PassRole", "ec2:RunInstances"])))
    assert both.status is Status.FAIL
    assert any("iam:passrole with ec2:runinstances" in d for d in both.details)


def test_ram_assume_role_only_on_star() -> None:
    scoped = doc(allow("sts:AssumeRole", "acs:ram::1:role/x"), version="1")
    assert run("escalation", scoped).status is Status.PASS
    star = doc(allow("sts:AssumeRole"), version="1")
    assert run("escalation", star).status is Status.FAIL


def test_ram_attach_and_create_policy_version() -> None:
    for action in ("ram:AttachPolicyToRole", "ram:CreatePolicyVersion", "ram:PassRole"):
        d = doc(allow(action), version="1")
        assert run("escalation", d).status is Status.FAIL, action


def test_baseline_diff_lists_extra_actions() -> None:
    d = doc(allow(["ec2:DescribeInstances", "s3:GetObject", "ec2:TerminateInstances"]))
    out = run("baseline", d)
    assert out.status is Status.FAIL
    assert set(out.details) == {"s3:getobject", "ec2:terminateinstances"}
    assert "eks-worker" in out.source


def test_baseline_diff_leaves_out_denied_actions() -> None:
    d = doc(allow(["ec2:DescribeInstances", "s3:GetObject"]), deny("s3:*"))
    assert run("baseline", d).status is Status.PASS


def test_baseline_explicit_choice() -> None:
    d = doc(allow("ecs:DescribeInstances"), version="1")
    assert run("baseline", d, baseline="ack-worker").status is Status.PASS
    assert run("baseline", d, baseline="eks-worker").status is Status.FAIL


def test_iam_get_role_policy_url_encoded_document() -> None:
    text = (
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
        "%22Allow%22%2C%22Action%22%3A%22iam%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"
    )
    got = {"RoleName": "r", "PolicyName": "inline", "PolicyDocument": text}
    assert run("admin", got).status is Status.FAIL


def test_iam_get_policy_version_shape() -> None:
    got = {"PolicyVersion": {"Document": doc(allow("ec2:DescribeVpcs")), "VersionId": "v1"}}
    assert run("baseline", got).status is Status.PASS


def test_extra_actions_with_wildcard_baseline() -> None:
    policy = parse_policy(doc(allow(["log:GetIndex", "log:PutLogs"])), "p")
    assert extra_actions([policy], ["log:Get*"]) == ["log:putlogs"]


def test_escalation_lists_for_both_dialects() -> None:
    ram = parse_policy(doc(allow("ram:*"), version="1"), "r")
    assert escalations([ram], "ram")
    assert not escalations([parse_policy(doc(allow("ecs:Describe*"), version="1"), "r")], "ram")


def test_broken_document_is_error_not_fail() -> None:
    out = run("admin", {"Nothing": 1})
    assert out.status is Status.ERROR


def test_no_role_facts_is_absent() -> None:
    out = rp.evaluate(rp.Params(rule="admin"), build_facts({}, (RolePolicies(),)))
    assert out.status is Status.SKIP and out.missing is not None


def test_unknown_rule_or_baseline_refused() -> None:
    with pytest.raises(ValueError):
        rp.Params(rule="everything")
    with pytest.raises(ValueError, match="unknown baseline"):
        rp.Params(rule="baseline", baseline="gke-worker")


@pytest.mark.parametrize(
    "actions",
    [
        ["cr:GetAuthorizationToken", "cr:ListInstanceEndpoint", "cr:PullRepository"],
        ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        ["cr:Get*", "ecr:Describe*", "ecr:List*", "oss:*", "ecs:DescribeInstances"],
    ],
)
def test_registry_reads_only_pass(actions: list[str]) -> None:
    assert run("registry_readonly", doc(allow(actions))).status is Status.PASS


@pytest.mark.parametrize(
    ("actions", "finding"),
    [
        (["cr:PullRepository", "cr:PushRepository"], "cr:pushrepository by p0 statement 0"),
        (["ecr:InitiateLayerUpload"], "ecr:initiatelayerupload by p0"),
        (["ecr:PutImage"], "ecr:putimage by p0"),
        ("cr:*", "cr:* (grants cr:pushrepository"),
        ("*", "* (grants cr:pushrepository"),
        ("ecr:Batch*", "ecr:batch* (grants ecr:batchdeleteimage)"),
        ("cr:Pu*", "cr:pu* (grants cr:pushrepository)"),
        ("ecr-public:PutImage", "ecr-public:putimage"),
        (["cr:CreateRepoSyncRule"], "cr:createreposyncrule by p0"),  # not listed, not a read
    ],
)
def test_registry_writes_fail_with_the_granting_statement(actions: Any, finding: str) -> None:
    out = run("registry_readonly", doc(allow(actions), version="1"))
    assert out.status is Status.FAIL
    assert any(finding in d for d in out.details), out.details


def test_registry_deny_of_every_write_is_honoured_but_of_one_is_not() -> None:
    writes = ["ecr:Put*", "ecr:*LayerUpload", "ecr:UploadLayerPart", "ecr:*Delete*", "ecr:Set*"]
    writes += ["ecr:Create*", "ecr:ReplicateImage", "ecr:*Tag*", "ecr:StartImageScan"]
    assert run("registry_readonly", doc(allow("ecr:*"), deny(writes))).status is Status.PASS
    one = run("registry_readonly", doc(allow("ecr:*"), deny("ecr:PutImage")))
    assert one.status is Status.FAIL and "ecr:putimage" not in one.details[0]
    assert "ecr:initiatelayerupload" in one.details[0]
    conditional = deny("ecr:PutImage", Condition={"Bool": {"aws:SecureTransport": "false"}})
    assert run("registry_readonly", doc(allow("ecr:PutImage"), conditional)).status is Status.FAIL


def test_registry_not_action_leaving_writes_in_fails() -> None:
    stmt = {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}
    out = run("registry_readonly", doc(stmt))
    assert out.status is Status.FAIL and out.details[0].startswith("NotAction grants cr:")
