"""The shipped JSON Schema describes the run document exactly as the model emits it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hardening.model.result import Evidence, HostRun, RunDocument, Score, Status
from hardening.reports import json_doc
from tests.unit.reports.sample import document, fleet, host, result


def _schema() -> dict[str, Any]:
    text = resources.files("hardening.reports").joinpath("schema/run-v1.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker())


def test_schema_is_valid_draft_2020_12() -> None:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_fleet_document_validates_after_a_json_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    json_doc.render(fleet(), path)
    data = json.loads(path.read_text("utf-8"))
    errors = list(_validator().iter_errors(data))
    assert errors == []
    assert json_doc.read(path) == fleet()


def test_empty_fleet_and_unscorable_hosts_validate() -> None:
    empty = document([])
    manual = document([host("a", [result("5.1.1", Status.WARN)])])
    for doc in (empty, manual):
        assert list(_validator().iter_errors(doc.to_dict())) == []
    assert manual.score.percent is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(surprise=1),
        lambda d: d["hosts"][0]["results"][0].update(status="MAYBE"),
        lambda d: d["hosts"][0]["results"][0].update(severity="urgent"),
        lambda d: d["hosts"][0]["results"][0]["evidence"].update(extra="x"),
        lambda d: d["hosts"][0]["results"][0].pop("title"),
        lambda d: d["hosts"][0]["score"]["counts"].update(MAYBE=1),
        lambda d: d.update(schema_version="2"),
        lambda d: d.update(started="yesterday"),
        lambda d: d["hosts"][2]["results"][6].update(waiver=None),  # WAIVED needs its waiver
    ],
)
def test_schema_rejects_drift(mutate: Any) -> None:
    data = fleet().to_dict()
    mutate(data)
    assert list(_validator().iter_errors(data)) != []


def test_every_status_and_field_the_model_can_emit_is_covered() -> None:
    everything = [
        HostRun(
            "h",
            "127.0.0.2",
            ("control-plane", "etcd", "worker"),
            tuple(result("4.2.1", s, "x", expected="y", source="z") for s in Status),
            Score(None, 0.0, 0.0, {s.value: 0 for s in Status}),
            "boom",
            {"k": "v"},
            {},
        ),
    ]
    doc = RunDocument(
        "0.1.0",
        "b",
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:00:01Z",
        tuple(everything),
        Score(50.0, 1.0, 2.0, {s.value: 1 for s in Status}),
        kind="reaudit",
    )
    data = doc.to_dict()
    data["hosts"][0]["results"][5]["waiver"] = {
        "control": "4.2.1",
        "hosts": "*",
        "reason": "r",
        "expires": "2026-02-01",
        "approved_by": "a",
        "source": "w.yaml:1",
    }
    assert Evidence().to_dict()["details"] == []
    assert list(_validator().iter_errors(data)) == []
