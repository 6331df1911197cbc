"""Run diff: regressions, fixes, changed evidence, hosts added/removed; the CI exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hardening.cli.main import main
from hardening.diff import diff_runs, summary_lines
from hardening.model.result import RunDocument, Status
from hardening.reports import json_doc
from tests.unit.reports.sample import document, host, result

P, F = Status.PASS, Status.FAIL


def _old() -> RunDocument:
    return document(
        [
            host(
                "w1",
                [
                    result("4.2.1", F, "true"),
                    result("4.2.2", P, "Webhook"),
                    result("4.2.4", F, "10255"),
                    result("4.1.1", F, "777"),
                ],
            ),
            host("w2", [result("4.2.1", P, "false")]),
            host("gone", [result("4.2.1", F, "true")]),
        ]
    )


def _new() -> RunDocument:
    return document(
        [
            host(
                "w1",
                [
                    result("4.2.1", P, "false"),
                    result("4.2.2", F, "AlwaysAllow"),
                    result("4.2.4", F, "10250"),
                    result("4.1.1", Status.WAIVED, "777"),
                    result("NODE-1.1", F, "yes"),
                ],
            ),
            host("w2", [result("4.2.1", P, "false")]),
            host("fresh", [result("4.2.1", F, "true"), result("4.2.2", P)]),
        ]
    )


def test_classifies_every_kind_of_change() -> None:
    d = diff_runs(_old(), _new())
    assert [(c.host, c.control_id) for c in d.new_failures] == [("w1", "4.2.2"), ("w1", "NODE-1.1")]
    assert d.new_failures[1].old_status is None
    assert [(c.host, c.control_id) for c in d.fixed] == [("w1", "4.2.1")]
    assert [(c.control_id, c.old_observed, c.new_observed) for c in d.still_failing] == [
        ("4.2.4", "10255", "10250")
    ]
    assert [c.control_id for c in d.changed_evidence] == ["4.2.4"]
    assert [(c.control_id, c.old_status, c.new_status) for c in d.status_changed] == [
        ("4.1.1", "FAIL", "WAIVED")
    ]
    assert [(h.name, h.failures) for h in d.hosts_added] == [("fresh", 1)]
    assert [h.name for h in d.hosts_removed] == ["gone"]
    assert d.has_regressions


def test_identical_runs_have_no_regressions() -> None:
    d = diff_runs(_old(), _old())
    assert not d.has_regressions
    assert d.fixed == () and d.changed_evidence == () and d.status_changed == ()
    assert len(d.still_failing) == 4


def test_removed_control_and_evidence_change_without_status_change() -> None:
    old = document([host("a", [result("4.2.1", P, "false"), result("4.2.2", P, "x")])])
    new = document([host("a", [result("4.2.1", P, "0")])])
    d = diff_runs(old, new)
    assert [c.control_id for c in d.changed_evidence] == ["4.2.1"]
    assert [(c.control_id, c.new_status) for c in d.status_changed] == [("4.2.2", None)]
    assert not d.has_regressions


def test_summary_lines_lead_with_the_counts() -> None:
    lines = summary_lines(diff_runs(_old(), _new()))
    assert lines[0].startswith("score ")
    assert "2 new failure(s), 1 fixed, 1 still failing" in lines[0]
    assert "NEW FAILURE: w1: 4.2.2 [critical] PASS -> FAIL: 'Webhook' -> 'AlwaysAllow'" in lines
    assert "HOST REMOVED: gone" in lines


def _files(tmp_path: Path, old: RunDocument, new: RunDocument) -> tuple[str, str]:
    o, n = tmp_path / "old.json", tmp_path / "new.json"
    json_doc.render(old, o)
    json_doc.render(new, n)
    return str(o), str(n)


def test_cli_exit_1_on_regressions_and_json_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    o, n = _files(tmp_path, _old(), _new())
    out = tmp_path / "diff.json"
    assert main(["diff", o, n, "--json", str(out)]) == 1
    data = json.loads(out.read_text("utf-8"))
    assert data["regressions"] is True
    assert [c["id"] for c in data["new_failures"]] == ["4.2.2", "NODE-1.1"]
    assert data["hosts_added"] == [{"name": "fresh", "failures": 1, "score": 50.0}]
    assert "NEW FAILURE: w1: 4.2.2" in capsys.readouterr().out


def test_cli_json_to_stdout_and_exit_0_without_regressions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    back = _files(tmp_path, _new(), _old())  # going back: 4.2.1 on w1 fails again
    assert main(["diff", *back, "--json", "-"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(c["host"], c["id"]) for c in data["new_failures"]] == [
        ("w1", "4.2.1"),
        ("w1", "4.1.1"),
    ]
    same = _files(tmp_path, _old(), _old())
    assert main(["diff", *same, "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["regressions"] is False
    assert main(["diff", *same, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("score ") and len(out.splitlines()) == 1


def test_cli_exit_2_on_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    o, _ = _files(tmp_path, _old(), _new())
    assert main(["diff", o, str(bad)]) == 2
    assert main(["diff", o, str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "bad.json: cannot read a run document" in err
