"""NOT_APPLICABLE (provider-owned under the managed profile) goes through the model, the
score and every reporter: outside the score, and each report says how many."""

from __future__ import annotations

import json
from importlib import resources
from io import StringIO
from pathlib import Path
from typing import Any

import jsonschema
from rich.console import Console

from hardening.model.result import Status
from hardening.reports import html, json_doc, junit, ocsf, sarif
from hardening.reports.terminal import render_console
from hardening.score import score
from tests.unit.reports.sample import document, host, result

REASON = "not applicable under the managed profile: the provider runs the control plane"


def _doc() -> Any:
    w1 = host(
        "w1",
        [
            result("4.2.1", Status.PASS, "false", expected="false", source="argv"),
            result("4.2.2", Status.FAIL, "AlwaysAllow", expected="Webhook", source="argv"),
            result("1.2.1", Status.NOT_APPLICABLE, "provider-owned", reason=REASON),
            result("2.1", Status.NOT_APPLICABLE, "provider-owned", reason=REASON),
        ],
    )
    return document([w1])


def test_not_applicable_is_outside_the_score_and_counted_apart() -> None:
    doc = _doc()
    with_na = score(doc.hosts[0].results)
    without = score(r for r in doc.hosts[0].results if r.status is not Status.NOT_APPLICABLE)
    assert with_na.percent == without.percent == 50.0  # 4.2.1 and 4.2.2 are both critical
    assert with_na.counts["NOT_APPLICABLE"] == 2
    cov = doc.coverage
    assert cov.provider_owned == 2 and cov.evaluated == 2
    assert "2 provider-owned NOT_APPLICABLE" in cov.summary()


def test_the_json_document_validates_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    json_doc.render(_doc(), path)
    data = json.loads(path.read_text("utf-8"))
    text = resources.files("hardening.reports").joinpath("schema/run-v1.json").read_text("utf-8")
    assert list(jsonschema.Draft202012Validator(json.loads(text)).iter_errors(data)) == []
    assert data["coverage"]["provider_owned"] == 2
    assert data["hosts"][0]["score"]["counts"]["NOT_APPLICABLE"] == 2
    assert json_doc.read(path) == _doc()


def test_terminal_html_junit_sarif_and_ocsf_show_how_many(tmp_path: Path) -> None:
    out = StringIO()
    render_console(_doc(), Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "2 not applicable (provider-owned, managed profile)" in text
    assert "n/a" in text  # the host table's column
    page = html.dumps(_doc())
    assert "NOT_APPLICABLE" in page and "2 provider-owned NOT_APPLICABLE" in page
    xml = junit.dumps(_doc())
    assert xml.count("<skipped") == 2 and "NOT_APPLICABLE: not applicable under" in xml
    log = sarif.document(_doc())
    assert log["runs"][0]["properties"]["coverage"]["provider_owned"] == 2
    assert len(log["runs"][0]["results"]) == 1  # only the FAIL is a finding
    dest = tmp_path / "run.ocsf.jsonl"
    ocsf.render(_doc(), dest)
    events = [json.loads(line) for line in dest.read_text().splitlines()]
    na = [e for e in events if e["compliance"]["status"] == "Not applicable"]
    assert len(na) == 2
