"""The cluster as a target of the audit: the CLI through the real client and the loopback API
server, the exports path giving the same results, an unreadable cluster never passing, the
cluster in every report, waivers by target name."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import JUnitXml

from hardening.cli.main import main
from hardening.model.result import RunDocument
from tests.cluster.apiserver import RECORDED, Behaviour, serve_api

# What the recorded cluster (a kubeadm-like cluster with a 'legacy' namespace full of bad
# practice and a 'shop' namespace done right) must give; every automated control is here.
EXPECTED = {
    "5.1.1": "FAIL",
    "5.1.2": "FAIL",
    "5.1.3": "FAIL",
    "5.1.4": "FAIL",
    "5.1.5": "FAIL",
    "5.1.6": "FAIL",
    "5.1.7": "WARN",
    "5.1.8": "FAIL",
    "5.1.9": "FAIL",
    "5.1.10": "FAIL",
    "5.1.11": "FAIL",
    "5.1.12": "FAIL",
    "5.1.13": "FAIL",
    "5.3.1": "WARN",
    "5.3.2": "FAIL",
    "5.4.1": "FAIL",
    "5.4.2": "WARN",
    "5.5.1": "FAIL",
    "5.6.1": "WARN",
    "5.6.2": "FAIL",
    "5.6.3": "WARN",
    "5.6.4": "PASS",
    **{f"5.2.{i}": "FAIL" for i in range(1, 13)},
}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path)


def _run(tmp_path: Path, *argv: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "run.json"
    code = main(["audit", *argv, "--json", str(out), "--no-progress", "-q"])
    return code, json.loads(out.read_text("utf-8")) if out.exists() else {}


def _statuses(doc: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in doc["cluster"]["results"]}


def _schema_errors(doc: dict[str, Any]) -> list[str]:
    text = resources.files("hardening.reports").joinpath("schema/run-v1.json").read_text()
    validator = jsonschema.Draft202012Validator(json.loads(text))
    return [e.message for e in validator.iter_errors(doc)]


def test_live_audit_of_the_recorded_cluster(tmp_path: Path) -> None:
    with serve_api() as api:
        code, doc = _run(tmp_path, "--kubeconfig", str(api.kubeconfig))
    assert code == 1  # failures found
    assert _schema_errors(doc) == []
    assert doc["hosts"] == [] and doc["cluster"]["roles"] == ["cluster"]
    assert doc["cluster"]["error"] is None
    assert _statuses(doc) == EXPECTED
    assert set(doc["sections"]) == {r["section"] for r in doc["cluster"]["results"]}
    results = {r["id"]: r for r in doc["cluster"]["results"]}
    assert (
        "ClusterRoleBinding/ops-admin -> ClusterRole/cluster-admin: User alice@example.com"
        in results["5.1.1"]["evidence"]["observed"]
    )
    assert "kubeadm:cluster-admins" not in json.dumps(results["5.1.1"])  # kubeadm's own
    privileged = results["5.2.2"]["evidence"]["details"]
    assert (
        "legacy/Pod/tool container tool: spec.containers[0].securityContext.privileged=true"
        in privileged
    )
    assert any(
        d.startswith(
            "kube-system/DaemonSet/kube-proxy container kube-proxy: "
            "spec.template.spec.containers[0]"
        )
        for d in privileged
    )
    assert not any("shop/" in d for d in privileged)  # the restricted namespace is clean


def test_exports_give_the_same_results_as_the_live_api(tmp_path: Path) -> None:
    with serve_api() as api:
        _, live = _run(tmp_path / "a", "--kubeconfig", str(api.kubeconfig))
    _, offline = _run(tmp_path / "b", "--cluster-facts", str(RECORDED))
    strip = [{**r, "evidence": {**r["evidence"], "source": ""}} for r in live["cluster"]["results"]]
    assert strip == [
        {**r, "evidence": {**r["evidence"], "source": ""}} for r in offline["cluster"]["results"]
    ]
    assert "kubectl exports in" in offline["cluster"]["address"]


def test_rejected_credentials_make_the_cluster_an_error_never_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_api(how=Behaviour(client_token="revoked")) as api:
        code, doc = _run(tmp_path, "--kubeconfig", str(api.kubeconfig))
    assert "the cluster not read" in capsys.readouterr().out
    assert code == 3
    cluster = doc["cluster"]
    assert "401 Unauthorized" in cluster["error"]
    assert {r["status"] for r in cluster["results"]} == {"ERROR"}
    assert len(cluster["results"]) == len(EXPECTED)
    assert doc["score"]["percent"] is None


def test_a_forbidden_list_errors_only_the_controls_that_need_it(tmp_path: Path) -> None:
    with serve_api(how=Behaviour(forbidden={"pods"})) as api:
        code, doc = _run(tmp_path, "--kubeconfig", str(api.kubeconfig))
    statuses = _statuses(doc)
    assert code == 1 and doc["cluster"]["error"] is None
    assert statuses["5.2.2"] == "ERROR" and statuses["5.4.1"] == "ERROR"
    assert statuses["5.1.1"] == "FAIL" and statuses["5.3.2"] == "FAIL"
    reason = next(r["reason"] for r in doc["cluster"]["results"] if r["id"] == "5.2.2")
    assert "the kubeconfig's user cannot list pods" in reason


def test_the_cluster_is_in_every_report(tmp_path: Path) -> None:
    html, xml = tmp_path / "r.html", tmp_path / "r.xml"
    code = main(
        [
            "audit",
            "--cluster-facts",
            str(RECORDED),
            "--html",
            str(html),
            "--junit",
            str(xml),
            "--no-progress",
            "-q",
        ]
    )
    assert code == 1
    suites = {s.name: s for s in JUnitXml.fromfile(str(xml))}
    assert list(suites) == ["cluster"] and suites["cluster"].failures == 28
    page = html.read_text("utf-8")
    assert "and the cluster" in page and "5.2.2" in page


def test_a_waiver_for_the_cluster_target(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        'waivers:\n  - control: "5.2.*"\n    hosts: [cluster]\n'
        '    reason: "legacy workloads move to the shop namespace in Q1"\n'
        '    expires: "2099-01-01"\n    approved_by: "sec-team"\n'
    )
    _, doc = _run(tmp_path, "--cluster-facts", str(RECORDED), "--waivers", str(waivers))
    statuses = _statuses(doc)
    assert {statuses[f"5.2.{i}"] for i in range(1, 13)} == {"WAIVED"}
    assert statuses["5.1.1"] == "FAIL"


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--kubeconfig", "k", "--cluster-facts", str(RECORDED)]) == 2
    assert main(["audit", "--context", "x", "--cluster-facts", str(RECORDED)]) == 2
    assert main(["audit", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "choose one cluster source" in err and "nothing to audit" in err


def test_a_missing_export_directory_is_a_cluster_error(tmp_path: Path) -> None:
    code, doc = _run(tmp_path, "--cluster-facts", str(tmp_path / "nope"))
    assert code == 3 and "not a directory of cluster exports" in doc["cluster"]["error"]


def test_the_document_round_trips_with_its_cluster(tmp_path: Path) -> None:
    _, doc = _run(tmp_path, "--cluster-facts", str(RECORDED))
    again = RunDocument.from_dict(doc).to_dict()
    assert again["cluster"] == doc["cluster"]
