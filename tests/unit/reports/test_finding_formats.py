"""SARIF 2.1.0, GitLab code quality and OCSF Compliance Finding reports, each checked against
its format's own definition: the official SARIF schema (vendored), GitLab's documented fields,
and OCSF's required attributes plus the py-ocsf-models ComplianceFinding model from PyPI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from pydantic import ValidationError

from hardening.model.result import Status
from hardening.reports import gitlab_codequality, ocsf, sarif
from hardening.reports.findings import file_path
from tests.unit.reports.sample import CONTROLS, document, fleet, host, result

VENDOR = Path(__file__).resolve().parents[2] / "vendor"
FAILING = 9  # FAIL results in sample.fleet(): worker-1 2, worker-2 5, worker-3 2


def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((VENDOR / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return jsonschema.Draft4Validator(schema)


def test_sarif_validates_against_the_official_schema() -> None:
    log = json.loads(sarif.dumps(fleet()))
    assert list(sarif_validator().iter_errors(log)) == []
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_the_schema_check_bites() -> None:
    log = json.loads(sarif.dumps(fleet()))
    log["runs"][0]["results"][0]["level"] = "critical"  # not a SARIF level
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(list(sarif_validator().iter_errors(log))) == 2


def test_sarif_has_one_rule_per_control_with_severity_and_help() -> None:
    run = json.loads(sarif.dumps(fleet()))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c[0] for c in CONTROLS]
    by_id = {r["id"]: r for r in rules}
    assert by_id["4.2.1"]["defaultConfiguration"]["level"] == "error"
    assert by_id["4.2.1"]["properties"]["security-severity"] == "9.5"  # critical band > 9.0
    assert by_id["4.1.9"]["properties"]["security-severity"] == "8.0"  # high: 7.0-8.9
    assert by_id["4.1.1"]["defaultConfiguration"]["level"] == "warning"  # medium
    assert by_id["NODE-2.1"]["defaultConfiguration"]["level"] == "note"  # low
    assert by_id["4.2.1"]["shortDescription"]["text"].startswith("Ensure that the --anonymous")
    assert by_id["4.2.1"]["help"]["text"] == "fix 4.2.1: edit the file and restart the service"


def test_sarif_has_one_result_per_failing_host_and_control() -> None:
    run = json.loads(sarif.dumps(fleet()))["runs"][0]
    pairs = [(r["properties"]["host"], r["ruleId"]) for r in run["results"]]
    assert len(pairs) == len(set(pairs)) == FAILING
    assert ("worker-3", "4.2.4") not in pairs  # waived
    assert ("worker-2", "4.2.3") not in pairs  # error, not a finding
    assert run["results"][0]["level"] == "error"  # worst first: a critical failure
    fingerprints = [r["partialFingerprints"]["hardening/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == FAILING
    again = json.loads(sarif.dumps(fleet()))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in again] == [
        r["partialFingerprints"] for r in run["results"]
    ]


def test_sarif_locations_name_the_node_and_the_file() -> None:
    run_doc = document(
        [
            host(
                "w1",
                [
                    result(
                        "4.1.9",
                        Status.FAIL,
                        "644",
                        expected="<= 600",
                        source="/var/lib/kubelet/config.yaml (--config of process 7)",
                    ),
                    result(
                        "4.2.1", Status.FAIL, "true", expected="false", source="process 7: argv"
                    ),
                ],
            )
        ]
    )
    log = json.loads(sarif.dumps(run_doc))
    assert list(sarif_validator().iter_errors(log)) == []
    second, first = log["runs"][0]["results"]  # worst first: 4.2.1 is critical
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "var/lib/kubelet/config.yaml",
        "uriBaseId": "ROOTFS",
    }
    assert first["locations"][0]["logicalLocations"][0]["name"] == "w1"
    assert second["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "w1",
        "uriBaseId": "NODES",
    }
    assert "ROOTFS" in log["runs"][0]["originalUriBaseIds"]


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ("/var/lib/kubelet/config.yaml: readOnlyPort: 0", "/var/lib/kubelet/config.yaml"),
        (
            "/etc/kubernetes/kubelet.conf (--kubeconfig of process 7)",
            "/etc/kubernetes/kubelet.conf",
        ),
        ("$ cat /proc/sys/kernel/panic", "/proc/sys/kernel/panic"),
        ("stat /etc/shadow", "/etc/shadow"),
        ("/etc/kubernetes/pki/*.key", "/etc/kubernetes/pki/*.key"),
        ("process 7: --anonymous-auth=true", None),
        ("find / -xdev -perm /6000", None),
        ("$ sshd -T", None),
        ("", None),
    ],
)
def test_the_file_path_is_read_from_the_evidence(source: str, path: str | None) -> None:
    assert file_path(result("4.1.1", Status.FAIL, source=source)) == path


def test_past_githubs_results_limit_the_worst_are_kept_with_a_notice() -> None:
    log = json.loads(sarif.dumps(fleet(), max_results=4))
    assert list(sarif_validator().iter_errors(log)) == []
    run = log["runs"][0]
    assert len(run["results"]) == 4 and run["properties"]["resultsLeftOut"] == FAILING - 4
    assert {r["level"] for r in run["results"]} == {"error"}
    notes = run["invocations"][0]["toolExecutionNotifications"]
    (cut,) = [n for n in notes if n["descriptor"]["id"] == "results-truncated"]
    assert cut["message"]["text"].startswith(f"{FAILING - 4} failing result(s) left out")


@pytest.mark.slow
def test_the_real_limit_is_25000() -> None:
    hosts = [host(f"n{i}", [result(c[0], Status.FAIL, "x") for c in CONTROLS]) for i in range(2501)]
    run = sarif.document(document(hosts))["runs"][0]
    assert sarif.MAX_RESULTS == 25_000
    assert len(run["results"]) == 25_000 and run["properties"]["resultsLeftOut"] == 10


def test_sarif_carries_the_coverage() -> None:
    run = json.loads(sarif.dumps(fleet()))["runs"][0]
    assert run["properties"]["coverage"]["degraded"] is True
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    texts = [n["message"]["text"] for n in inv["toolExecutionNotifications"]]
    assert texts[0].startswith("coverage 75.6%: 4 of 5 host(s) reached")
    assert any(t.startswith("worker-9: not audited: ") for t in texts)


# GitLab, https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format:
# a JSON array; each object has description (string), check_name (string), fingerprint
# (string, unique), severity (info, minor, major, critical, blocker), location.path (a
# relative path, no leading ./), location.lines.begin (integer line).
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def check_gitlab_issue(item: dict[str, Any]) -> None:
    assert isinstance(item["description"], str) and item["description"]
    assert isinstance(item["check_name"], str) and item["check_name"]
    assert isinstance(item["fingerprint"], str) and len(item["fingerprint"]) == 64
    assert item["severity"] in GITLAB_SEVERITIES
    path = item["location"]["path"]
    assert isinstance(path, str) and path and not path.startswith(("/", "./"))
    begin = item["location"]["lines"]["begin"]
    assert isinstance(begin, int) and not isinstance(begin, bool) and begin >= 1


def test_gitlab_report_follows_the_documented_format() -> None:
    report = json.loads(gitlab_codequality.dumps(fleet()))
    assert isinstance(report, list) and len(report) == FAILING + 1
    for item in report:
        check_gitlab_issue(item)
    assert len({i["fingerprint"] for i in report}) == len(report)
    by_name = {(i["description"].split(":")[0], i["check_name"]): i for i in report}
    assert by_name[("worker-1", "4.2.1")]["severity"] == "blocker"  # critical
    assert by_name[("worker-1", "4.1.9")]["severity"] == "critical"  # high
    assert by_name[("worker-2", "4.1.1")]["severity"] == "major"  # medium


def test_gitlab_paths_are_the_node_then_the_file() -> None:
    report = gitlab_codequality.document(
        document(
            [
                host(
                    "w1",
                    [
                        result(
                            "4.1.9", Status.FAIL, "644", source="/var/lib/kubelet/config.yaml: x"
                        ),
                        result("4.2.1", Status.FAIL, "true", source="process 7: argv"),
                    ],
                )
            ]
        )
    )
    assert [i["location"]["path"] for i in report[:2]] == ["w1", "w1/var/lib/kubelet/config.yaml"]


def test_gitlab_carries_the_coverage_as_an_issue() -> None:
    degraded = gitlab_codequality.document(fleet())[-1]
    assert degraded["check_name"] == "hardening-coverage" and degraded["severity"] == "major"
    assert "not reached: worker-9" in degraded["description"]
    assert degraded["location"]["path"] == "inventory.ini"
    full = document([host("w1", [result("4.1.1", Status.PASS, "600")])])
    (only,) = gitlab_codequality.document(full)
    assert only["severity"] == "info" and "DEGRADED" not in only["description"]


REQUIRED = json.loads((VENDOR / "ocsf" / "compliance_finding_2003.json").read_text("utf-8"))


def ocsf_events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in ocsf.dumps(fleet()).splitlines()]


def test_ocsf_events_load_into_the_compliance_finding_model() -> None:
    events = ocsf_events()
    assert len(events) == sum(len(h.results) for h in fleet().hosts)
    for e in events:
        model = ComplianceFinding.model_validate(e)
        assert model.class_uid == 2003 and model.type_uid == 200301


def test_the_model_check_bites() -> None:
    broken = ocsf_events()[0]
    del broken["compliance"]
    with pytest.raises(ValidationError):
        ComplianceFinding.model_validate(broken)


def test_ocsf_events_have_every_attribute_the_spec_requires() -> None:
    for e in ocsf_events():
        for name in REQUIRED["required"]:
            assert e.get(name) not in (None, "", []), name
        for where, names in REQUIRED["objects"].items():
            obj = e
            for part in where.split("."):
                obj = obj[part]
            for name in names:
                assert obj.get(name) not in (None, "", []), f"{where}.{name}"
        assert e["class_uid"] == REQUIRED["class_uid"]
        assert e["category_uid"] == REQUIRED["category_uid"]
        assert e["type_uid"] == e["class_uid"] * 100 + e["activity_id"]
        assert e["severity_id"] in REQUIRED["enums"]["severity_id"]
        assert e["status_id"] in REQUIRED["enums"]["status_id"]
        assert e["compliance"]["status_id"] in REQUIRED["enums"]["compliance.status_id"]
        assert isinstance(e["time"], int) and e["time"] > 1_700_000_000_000  # epoch ms


def test_ocsf_statuses_and_coverage() -> None:
    by = {(e["resources"][0]["name"], e["compliance"]["control"]): e for e in ocsf_events()}
    assert by[("worker-1", "4.2.1")]["compliance"]["status_id"] == 3
    assert by[("worker-1", "4.1.1")]["compliance"]["status_id"] == 1
    assert by[("worker-1", "5.1.1")]["compliance"]["status_id"] == 2
    waived = by[("worker-3", "4.2.4")]
    assert waived["compliance"]["status_id"] == 3 and waived["status"] == "Suppressed"
    down = by[("worker-9", "4.1.1")]
    assert down["compliance"]["status"] == "Not audited: host not reached"
    assert down["unmapped"]["hardening"]["coverage"]["unreached"] == ["worker-9"]
    assert by[("worker-1", "4.1.1")]["resources"][0]["ip"] == "127.0.0.11"
