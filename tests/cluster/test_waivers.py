"""Waivers by namespace/Kind/name on the cluster target: only the matching findings are
waived, the result is WAIVED only when all are, and the shipped example file works."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hardening.catalogue.load import load_benchmark
from hardening.cluster.exports import ExportSource
from hardening.cluster.target import attach, audit_cluster, cluster_host
from hardening.model.result import Evidence, Result, RunDocument, Score, Status
from hardening.waivers import apply_waivers, finding_ref, parse_waivers, waive_objects
from tests.cluster.apiserver import RECORDED

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs" / "examples" / "waivers-system-namespaces.yaml"
)
TODAY = date(2026, 12, 1)


def _doc() -> RunDocument:
    return RunDocument(
        "t",
        "cis-1.12",
        "2026-12-01T00:00:00+00:00",
        "2026-12-01T00:00:00+00:00",
        (),
        Score(None, 0, 0, {}),
    )


def _audit(waiver_text: str) -> dict[str, Result]:
    controls = load_benchmark("cis-1.12").controls
    waivers = parse_waivers(waiver_text, "w.yaml", (c.id for c in controls), TODAY)
    run = audit_cluster(controls, lambda: ExportSource(RECORDED), "cluster")
    doc = attach(_doc(), run, apply_waivers(waivers))
    assert doc.cluster is not None
    return {r.control_id: r for r in doc.cluster.results}


def test_the_example_waives_the_system_namespaces_and_nothing_else() -> None:
    plain = _audit("waivers: []\n")
    waived = _audit(EXAMPLE.read_text(encoding="utf-8"))
    r = waived["5.2.2"]
    assert r.status is Status.FAIL  # legacy's privileged pod is still there
    assert not any(
        d.startswith(("kube-system/", "Namespace/kube-system")) for d in r.evidence.details
    )
    assert "legacy/Pod/tool container tool" in r.evidence.observed
    assert "finding(s) waived by w.yaml" in r.reason
    assert len(r.evidence.details) < len(plain["5.2.2"].evidence.details)
    assert waived["5.1.1"] == plain["5.1.1"]  # no waiver names it


def test_a_result_is_waived_whole_only_when_every_finding_is() -> None:
    text = (
        'waivers:\n  - control: "5.2.11"\n    hosts: [cluster]\n'
        '    objects: ["kube-system/*", "legacy/*"]\n    reason: "host paths reviewed"\n'
        '    expires: "2027-01-01"\n    approved_by: "sec"\n'
    )
    r = _audit(text)["5.2.11"]
    assert r.status is Status.WAIVED and r.waiver is not None
    assert r.waiver["objects"] == "kube-system/*,legacy/*"


def test_findings_cut_short_in_the_evidence_are_never_waived_whole() -> None:
    cut = Result(
        "5.2.2",
        "t",
        "5.2",
        1,
        "medium",
        Status.FAIL,
        Evidence(
            "900 privileged containers: kube-system/Pod/a: x=true",
            details=("kube-system/Pod/a: x=true",),
        ),
    )
    waiver = parse_waivers(
        'waivers:\n  - control: "5.2.2"\n    hosts: ["*"]\n'
        '    objects: ["kube-system/*"]\n    reason: "r"\n'
        '    expires: "2027-01-01"\n    approved_by: "a"\n',
        "w.yaml",
        ["5.2.2"],
        TODAY,
    ).active[0]
    out = waive_objects(cut, waiver)
    assert out.status is Status.FAIL and out.evidence.observed.startswith("899 not waived")
    assert apply_waivers(parse_waivers("waivers: []\n", "w", [], TODAY))(
        cluster_host("cluster", ""), [cut]
    ) == [cut]


def test_finding_refs() -> None:
    assert finding_ref("legacy/Pod/tool container tool: spec.hostPID=true") == "legacy/Pod/tool"
    assert (
        finding_ref("Namespace/kube-system: pod-security...=unset")
        == "kube-system/Namespace/kube-system"
    )
    assert (
        finding_ref("ClusterRoleBinding/kubeadm:node-proxier -> ClusterRole/x: User y")
        == "ClusterRoleBinding/kubeadm:node-proxier"
    )
