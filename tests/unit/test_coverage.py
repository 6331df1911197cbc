"""Scan coverage: counted from the hosts, carried by the run document and every report, and
gated by ``--min-coverage``: a green gate must never hide a fleet that was not audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from hardening.audit import Gates
from hardening.cli.main import main
from hardening.model.result import Coverage, RunDocument, Status
from hardening.reports import html, json_doc, junit
from hardening.reports.registry import REPORTERS, reporter
from tests.unit.reports.sample import document, fleet, host, result


def test_coverage_counts_each_kind_apart() -> None:
    cov = fleet().coverage
    assert (cov.hosts_listed, cov.hosts_reached, cov.unreached) == (5, 4, ("worker-9",))
    assert cov.selected == 50
    assert (cov.evaluated, cov.errors, cov.unreachable) == (34, 1, 10)
    assert (cov.not_applicable, cov.manual) == (1, 4)
    assert cov.percent == 75.6 and cov.degraded  # 34 of 45 due
    assert cov.summary().endswith("DEGRADED")


def full_run() -> RunDocument:
    return document(
        [
            host(
                "w1",
                [
                    result("4.1.1", Status.PASS, "600"),
                    result("4.1.9", Status.FAIL, "644"),
                    result("4.1.2", Status.SKIP),
                    result("5.1.1", Status.WARN),
                ],
            )
        ]
    )


def test_a_complete_scan_is_not_degraded_and_skips_do_not_count_against_it() -> None:
    cov = full_run().coverage
    assert cov.percent == 100.0 and not cov.degraded
    assert (cov.not_applicable, cov.manual) == (1, 1)


def test_one_error_on_a_reached_host_degrades_the_scan() -> None:
    cov = document(
        [
            host(
                "w1",
                [
                    result("4.1.1", Status.PASS, "600"),
                    result("4.2.3", Status.ERROR, reason="unreadable"),
                ],
            )
        ]
    ).coverage
    assert cov.percent == 50.0 and cov.degraded and cov.hosts_reached == 1


def test_no_host_at_all_is_degraded() -> None:
    cov = Coverage.of(())
    assert cov.percent is None and cov.degraded


def test_the_json_document_round_trips_the_coverage(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    json_doc.render(fleet(), path)
    data = json.loads(path.read_text("utf-8"))
    assert data["coverage"]["percent"] == 75.6 and data["coverage"]["degraded"] is True
    assert json_doc.read(path).coverage == fleet().coverage
    del data["coverage"]  # a document written before the field existed still reads
    path.write_text(json.dumps(data), "utf-8")
    assert json_doc.read(path).coverage.unreached == ("worker-9",)


def test_every_report_carries_the_coverage(tmp_path: Path) -> None:
    doc = fleet()
    line = doc.coverage.summary()
    for name in REPORTERS:
        dest = tmp_path / f"report-{name}"
        reporter(name).render(doc, dest)
        text = dest.read_text("utf-8")
        assert ("75.6" in text) and ("degraded" in text.lower()), name
    tree = etree.fromstring(junit.dumps(doc).encode("utf-8"))
    props = tree.xpath("//testsuite[@name='worker-1']/properties/property[@name='coverage']")
    assert props[0].get("value") == line
    assert f'<p id="coverage" class="degraded">{line}</p>' in html.dumps(doc)


def args(min_coverage: float | None = None) -> Gates:
    return Gates(min_coverage=min_coverage)


def exit_code(doc: RunDocument, gates: Gates) -> int:
    return gates.exit_code(doc)


def test_min_coverage_fails_the_gate_below_the_floor() -> None:
    errored = document(
        [
            host(
                "w1",
                [
                    result("4.1.1", Status.PASS, "600"),
                    result("4.2.3", Status.ERROR, reason="unreadable"),
                ],
            )
        ]
    )
    assert exit_code(errored, args()) == 0  # errors alone never gated the run before
    assert exit_code(errored, args(min_coverage=50.0)) == 0
    assert exit_code(errored, args(min_coverage=90.0)) == 3
    assert exit_code(full_run(), args(min_coverage=100.0)) == 1  # the FAIL still counts
    passed = document([host("w1", [result("4.1.1", Status.PASS, "600")])])
    assert exit_code(passed, args(min_coverage=100.0)) == 0


def test_report_re_renders_every_format_from_a_saved_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "run.json"
    json_doc.render(fleet(), saved)
    outs = {name: tmp_path / f"out-{name}" for name in REPORTERS if name != "json"}
    flags = [x for name, path in outs.items() for x in (f"--{name}", str(path))]
    # report exits as audit did on this run: 3, a host was not reached
    assert main(["report", str(saved), "-q", *flags]) == 3
    assert "coverage 75.6%: 4 of 5 host(s) reached" in capsys.readouterr().out
    assert json.loads(outs["sarif"].read_text("utf-8"))["version"] == "2.1.0"
    assert json.loads(outs["gitlab-codequality"].read_text("utf-8"))[-1]["check_name"] == (
        "hardening-coverage"
    )
    first = json.loads(outs["ocsf"].read_text("utf-8").splitlines()[0])
    assert first["class_uid"] == 2003
