"""Metadata probe script and parser, the offline export directory and the per-node join."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from hardening.cloud import metadata
from hardening.cloud.inventory import load_dir
from hardening.collect import HostOutcome
from hardening.errors import UsageError
from hardening.facts.inventory_flag import InventoryFlag
from hardening.facts.role_policies import RoleFact, RolePolicies
from hardening.facts.runtime_classes import ClassList, RuntimeClasses
from hardening.facts.security_groups import GroupList, SecurityGroups
from hardening.model.control import Role
from hardening.model.facts import Absent, CommandOutput, Facts
from hardening.model.host import Host
from hardening.plan import Plan
from hardening.sources.cloud import CloudFacts

DATA = Path(__file__).resolve().parent / "data"


def test_script_quotes_endpoint_and_never_reads_credential_bodies() -> None:
    text = metadata.script("http://127.0.0.1:8111", "aws")
    assert "E=http://127.0.0.1:8111" in text
    assert "get iam/security-credentials/)" in text  # the listing (role name) only
    assert "X-aws-ec2-metadata-token-ttl-seconds" in text and "api/token" in text
    assert "security-credentials/$" not in text


def test_alibaba_paths() -> None:
    text = metadata.script("http://127.0.0.1:8111/", "alibaba")
    assert "region-id" in text and "ram/security-credentials/" in text
    assert "X-aliyun-ecs-metadata-token" in text


@pytest.mark.parametrize(
    "bad", ["ftp://x", "http://x/path", "127.0.0.1", "http://u@h", "http://h/?q=1"]
)
def test_endpoint_must_be_plain_http(bad: str) -> None:
    with pytest.raises(UsageError):
        metadata.check_endpoint(bad)


def test_parse_keeps_identifiers_only() -> None:
    got = metadata.parse(
        "provider=aws\ninstance_id=i-0abc\nregion=us-east-1\n"
        "role_name=eks-node-role,\nmac=0e:aa\n"
        "security_group_ids=sg-1,sg-2,\n"
    )
    assert got == {
        "provider": "aws",
        "instance_id": "i-0abc",
        "region": "us-east-1",
        "role_name": "eks-node-role",
        "security_group_ids": ["sg-1", "sg-2"],
    }


def test_parse_drops_credential_like_values() -> None:
    got = metadata.parse(
        'role_name={"AccessKeyId": "STS.x", "SecurityToken": "t"}\ninstance_id=i-1 ; rm -rf /\n'
    )
    assert "role_name" not in got and "instance_id" not in got


def _export_dir(tmp_path: Path) -> Path:
    root = tmp_path / "export"
    (root / "roles" / "KubernetesWorkerRole").mkdir(parents=True)
    for name in (
        "alibaba-sg-open.json",
        "alibaba-sg-closed.json",
        "alibaba-DescribeInstances-excerpt.json",
        "runtimeclasses.yaml",
    ):
        shutil.copy(DATA / name, root / name)
    shutil.copy(
        DATA / "ram-GetPolicy-response.json",
        root / "roles" / "KubernetesWorkerRole" / "k8sWorkerRolePolicy.json",
    )
    return root


def test_load_dir_recognises_shapes(tmp_path: Path) -> None:
    inv = load_dir(_export_dir(tmp_path))
    assert set(inv.groups) == {"sg-bp1openexample01", "sg-bp1ackdefault0001"}
    assert inv.instances["i-bp67acfmxazb4p****"]["security_group_ids"] == [
        "sg-bp1ackdefault0001",
        "sg-bp1openexample01",
    ]
    assert [c["handler"] for c in inv.runtime_classes or []] == ["runsc", "kata-qemu", "runv"]
    assert [p["name"] for p in inv.roles["KubernetesWorkerRole"]] == ["k8sWorkerRolePolicy"]


def test_load_dir_rejects_broken_json(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(UsageError, match="bad.json: not valid JSON"):
        load_dir(tmp_path)


CLOUD_REQUESTS = (
    SecurityGroups(),
    RolePolicies(),
    RuntimeClasses(),
    InventoryFlag("sandbox_required"),
)


def _outcome(
    host: Host, meta_cmd: CommandOutput | None = None, enricher: CloudFacts | None = None
) -> HostOutcome:
    values: dict[Any, Any] = {}
    if enricher is not None and enricher.metadata_request is not None and meta_cmd is not None:
        values[enricher.metadata_request] = meta_cmd
    return HostOutcome(Plan(host, (), CLOUD_REQUESTS), Facts(host.name, values))


def test_join_by_inventory_vars(tmp_path: Path) -> None:
    enricher = CloudFacts(inventory=load_dir(_export_dir(tmp_path)))
    host = Host(
        "w1",
        roles=frozenset({Role.WORKER}),
        vars={
            "instance_id": "i-bp67acfmxazb4p****",
            "role_name": "KubernetesWorkerRole",
            "sandbox_required": "true",
        },
    )
    facts = enricher.join(_outcome(host)).facts
    assert facts is not None
    groups = facts.get(SecurityGroups())
    assert isinstance(groups, GroupList)
    assert [g["SecurityGroupId"] for g in groups.groups] == [
        "sg-bp1ackdefault0001",
        "sg-bp1openexample01",
    ]
    role = facts.get(RolePolicies())
    assert isinstance(role, RoleFact) and role.name == "KubernetesWorkerRole"
    assert facts.get(InventoryFlag("sandbox_required")) is True
    classes = facts.get(RuntimeClasses())
    assert isinstance(classes, ClassList) and len(classes.items) == 3


def test_unset_inventory_flag_is_false_and_no_exports_is_absent() -> None:
    facts = CloudFacts().join(_outcome(Host("w0"))).facts
    assert facts is not None
    assert facts.get(InventoryFlag("sandbox_required")) is False
    groups = facts.get(SecurityGroups())
    assert isinstance(groups, Absent) and not groups.is_error and "--cloud-facts" in groups.reason
    assert isinstance(facts.get(RuntimeClasses()), Absent)


def test_join_by_metadata_and_missing_reasons(tmp_path: Path) -> None:
    enricher = CloudFacts(
        inventory=load_dir(_export_dir(tmp_path)),
        metadata_request=metadata.request("http://127.0.0.1:9", "alibaba"),
    )
    out = CommandOutput(
        0,
        b"provider=alibaba\ninstance_id=i-unknown\nrole_name=OtherRole\n"
        b"security_group_ids=sg-nothere\n",
    )
    enriched = enricher.join(_outcome(Host("w2"), out, enricher))
    assert enriched.facts is not None
    groups = enriched.facts.get(SecurityGroups())
    assert isinstance(groups, Absent) and "sg-nothere" in groups.reason
    role = enriched.facts.get(RolePolicies())
    assert isinstance(role, Absent) and "OtherRole" in role.reason
    assert enriched.facts.meta["cloud_instance_id"] == "i-unknown"


def test_extend_adds_metadata_request_once() -> None:
    req = metadata.request("http://127.0.0.1:9", "aws")
    enricher = CloudFacts(metadata_request=req)
    from hardening.catalogue.load import load_benchmark

    control = load_benchmark("cloud").controls[0]
    plan = enricher.prepare(Plan(Host("w"), (control,), ()))
    assert plan.requests == (req,)
