"""Every check kind against its fixtures in tests/fixtures/checks/<kind>/<case>.yaml.

Params go through the real catalogue schema (so YAML typing is exercised too), facts are
built by tests/support/facts.py, and the Result comes from evaluate.evaluate_control.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hardening.catalogue.schema import build_control
from hardening.catalogue.yamlload import LDict, load
from hardening.checks.registry import KINDS
from hardening.evaluate import evaluate_control
from tests.support.facts import build_facts

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "checks"
CASES = sorted(FIXTURES.glob("*/*.yaml"))


def _control(case: Path, doc: LDict):
    check = LDict({"kind": case.parent.name, **doc["params"]})
    check.key_lines = {}
    if doc.get("when_missing"):
        check["when_missing"] = doc["when_missing"]
    node = LDict({"id": "T.1", "title": "fixture", "section": "T", "check": check})
    node.key_lines = {}
    empty = LDict()
    empty.key_lines = {}
    return build_control(str(case), node, empty, "fixtures")


def _facts(case: Path, doc: LDict) -> dict:
    """The fixture's node description; cluster objects are JSON (real booleans and numbers),
    so that part is read with the plain YAML loader rather than the catalogue's."""
    desc = dict(doc.get("facts") or {})
    if "cluster" in desc:
        desc["cluster"] = yaml.safe_load(case.read_text())["facts"]["cluster"]
    return desc


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(case: Path) -> None:
    doc = load(case.read_text())
    control = _control(case, doc)
    kind = KINDS[control.check.kind]
    facts = build_facts(_facts(case, doc), kind.needs(control.check.params))
    result = evaluate_control(control, facts)
    expect = doc["expect"]
    assert result.status.value == expect["status"], (result.reason, result.evidence)
    for key in ("observed", "expected", "source"):
        if key in expect:
            assert expect[key] in getattr(result.evidence, key)
    if "reason" in expect:
        assert expect["reason"] in result.reason
    if "details" in expect:
        assert any(expect["details"] in d for d in result.evidence.details), result.evidence


def test_every_kind_has_pass_and_fail_fixtures() -> None:
    statuses: dict[str, set[str]] = {}
    for case in CASES:
        statuses.setdefault(case.parent.name, set()).add(load(case.read_text())["expect"]["status"])
    for name in KINDS:
        if name in ("kubebench",):
            continue  # covered by its own oracle tests
        got = statuses.get(name, set())
        assert {"PASS", "FAIL"} <= got, f"kind {name} lacks a PASS or FAIL fixture: {got}"


def test_every_kind_is_documented() -> None:
    for name, kind in KINDS.items():
        assert kind.name == name
        assert len(kind.doc.strip()) > 20, f"kind {name} has no docstring"


def test_evaluation_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole fixture corpus evaluates with files, sockets and subprocesses forbidden."""
    import builtins
    import socket
    import subprocess

    prepared = []
    for case in CASES:
        doc = load(case.read_text())
        control = _control(case, doc)
        kind = KINDS[control.check.kind]
        prepared.append(
            (control, build_facts(_facts(case, doc), kind.needs(control.check.params)), doc)
        )

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluation tried to do I/O")

    monkeypatch.setattr(builtins, "open", forbidden)
    monkeypatch.setattr(socket, "socket", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    for control, facts, doc in prepared:
        result = evaluate_control(control, facts)
        assert result.status.value == doc["expect"]["status"]
        assert "I/O" not in result.reason
