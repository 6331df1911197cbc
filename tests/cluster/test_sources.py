"""The real kubernetes client against the loopback API server, and the exports source:
identical facts, pagination, and each fault (401, 403, 410 Gone, unreachable)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from hardening.cluster.exports import ExportSource
from hardening.cluster.live import LiveSource
from hardening.cluster.source import gather
from hardening.errors import ClusterError
from hardening.facts.cluster_list import ClusterList
from hardening.model.cluster import RESOURCES, ClusterObjects
from hardening.model.facts import Absent
from tests.cluster.apiserver import (
    RECORDED,
    Behaviour,
    certificates,
    kubeconfig_text,
    recorded,
    serve_api,
)

ALL = [ClusterList(p) for p in RESOURCES]


def _items(facts, plural: str):  # type: ignore[no-untyped-def]
    got = facts.get(ClusterList(plural))
    assert isinstance(got, ClusterObjects), got
    return got.items


def test_live_and_exports_give_identical_facts_over_every_page() -> None:
    offline = gather(ExportSource(RECORDED), ALL)
    with serve_api() as api:
        live = gather(LiveSource(api.kubeconfig, page=2), ALL)
        sent = list(api.how.requests)
    for plural in RESOURCES:
        assert _items(live, plural) == _items(offline, plural), plural
    assert sum(len(_items(live, p)) for p in RESOURCES) == sum(map(len, recorded().values()))
    assert {m for m, _ in sent} == {"GET"}
    assert any("continue=" in path for _, path in sent)
    assert all("limit=2" in path for _, path in sent)


def test_projection_drops_status_and_managed_fields_and_fills_the_kind() -> None:
    with serve_api() as api:
        pods = _items(gather(LiveSource(api.kubeconfig), [ClusterList("pods")]), "pods")
    assert pods and all(p["kind"] == "Pod" and p["apiVersion"] == "v1" for p in pods)
    assert all("status" not in p and "managedFields" not in p["metadata"] for p in pods)
    keys = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in pods]
    assert keys == sorted(keys) and ("kube-system", "kube-apiserver-cp1") in keys
    assert not any("last-applied" in k for p in pods for k in p["metadata"].get("annotations", {}))


def test_a_forbidden_resource_is_an_error_for_it_alone() -> None:
    with serve_api(how=Behaviour(forbidden={"secrets", "clusterrolebindings"})) as api:
        facts = gather(LiveSource(api.kubeconfig), ALL)
    crb = facts.get(ClusterList("clusterrolebindings"))
    assert isinstance(crb, Absent) and crb.is_error
    assert "the kubeconfig's user cannot list clusterrolebindings" in crb.reason
    assert "403" in crb.reason
    assert len(_items(facts, "pods")) == len(recorded()["pods"])


def test_bad_credentials_make_the_whole_cluster_unreadable() -> None:
    with (
        serve_api(how=Behaviour(client_token="a-revoked-token")) as api,
        pytest.raises(ClusterError, match="401 Unauthorized"),
    ):
        gather(LiveSource(api.kubeconfig), ALL)


def test_a_stale_continue_token_restarts_the_list_without_duplicates() -> None:
    how = Behaviour(expire={"pods": 1})
    with serve_api(how=how) as api:
        pods = _items(gather(LiveSource(api.kubeconfig, page=2), [ClusterList("pods")]), "pods")
    names = [p["metadata"]["name"] for p in pods]
    assert sorted(names) == sorted(o["metadata"]["name"] for o in recorded()["pods"])
    assert how.expire["pods"] == 0
    starts = [p for m, p in how.requests if "continue=" not in p]
    assert len(starts) == 2  # the first list, then one fresh list after the 410


def test_a_list_that_keeps_expiring_is_an_error() -> None:
    with serve_api(how=Behaviour(expire={"pods": 99})) as api:
        got = gather(LiveSource(api.kubeconfig, page=2), [ClusterList("pods")]).get(
            ClusterList("pods")
        )
    assert isinstance(got, Absent) and got.is_error and "410 Gone" in got.reason


def test_an_unreachable_api_server_is_a_cluster_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    config = tmp_path / "kubeconfig"
    config.write_text(
        kubeconfig_text(f"https://127.0.0.1:{port}", certificates("127.0.0.1")[0], "t"),
        encoding="utf-8",
    )
    with pytest.raises(ClusterError, match="cannot reach the API server"):
        gather(LiveSource(config, timeout=2), [ClusterList("namespaces")])


def test_a_missing_kubeconfig_or_context_is_a_cluster_error(tmp_path: Path) -> None:
    with pytest.raises(ClusterError, match="no such kubeconfig"):
        LiveSource(tmp_path / "nope")
    with serve_api() as api, pytest.raises(ClusterError, match="cannot use the kubeconfig"):
        LiveSource(api.kubeconfig, context="no-such-context")
    leaky = tmp_path / "leaky"
    leaky.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n"
        "  context: {cluster: x, user: u}\nclusters:\n- name: x\n"
        "  cluster: {server: 'https://127.0.0.1:1', certificate-authority: /no/ca}\n"
        "users:\n- name: u\n  user: {token: s3cret-token}\n"
    )
    with pytest.raises(ClusterError) as err:
        gather(LiveSource(leaky, timeout=2), [ClusterList("namespaces")])
    assert "s3cret" not in str(err.value) and "s3cret" not in err.value.hint


def test_the_context_is_named_in_the_source_label() -> None:
    with serve_api() as api:
        assert "(context test)" in LiveSource(api.kubeconfig, context="test").label


def test_an_export_missing_or_of_the_wrong_kind_is_an_error_for_that_resource(
    tmp_path: Path,
) -> None:
    (tmp_path / "pods.json").write_text(
        json.dumps({"kind": "List", "items": [{"kind": "Deployment", "metadata": {"name": "x"}}]})
    )
    (tmp_path / "namespaces.json").write_text("{not json")
    facts = gather(ExportSource(tmp_path), ALL)
    pods, nss, sas = (facts.get(ClusterList(p)) for p in ("pods", "namespaces", "services"))
    assert isinstance(pods, Absent) and "holds Deployment objects" in pods.reason
    assert isinstance(nss, Absent) and "not a JSON export" in nss.reason
    assert isinstance(sas, Absent) and "kubectl get services -A -o json" in sas.reason
    with pytest.raises(ClusterError, match="not a directory"):
        ExportSource(tmp_path / "missing")


def test_an_empty_export_is_an_empty_list_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "networkpolicies.json").write_text(
        '{"apiVersion": "v1", "items": [], "kind": "List"}'
    )
    got = gather(ExportSource(tmp_path), [ClusterList("networkpolicies")]).get(
        ClusterList("networkpolicies")
    )
    assert isinstance(got, ClusterObjects) and got.items == ()


def test_a_hostile_export_is_refused_for_its_resource_alone(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pods.json")  # would block a plain open() forever
    (tmp_path / "roles.json").write_text("[" * 5000 + "]" * 5000)
    facts = gather(ExportSource(tmp_path), [ClusterList("pods"), ClusterList("roles")])
    pods, roles = facts.get(ClusterList("pods")), facts.get(ClusterList("roles"))
    assert isinstance(pods, Absent) and "not a regular file" in pods.reason
    assert isinstance(roles, Absent) and "nested more than" in roles.reason


def test_a_list_nested_too_deep_from_the_api_is_refused_for_its_resource_alone() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(150):
        node["x"] = {}
        node = node["x"]  # type: ignore[assignment]
    objects = {
        **recorded(),
        "roles": [{"metadata": {"name": "r", "namespace": "a"}, "rules": [deep]}],
    }
    with serve_api(objects) as api:
        facts = gather(LiveSource(api.kubeconfig), [ClusterList("roles"), ClusterList("pods")])
    roles = facts.get(ClusterList("roles"))
    assert isinstance(roles, Absent) and "nested more than" in roles.reason
    assert isinstance(facts.get(ClusterList("pods")), ClusterObjects)
