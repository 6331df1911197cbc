"""JUnit XML: valid against a Jenkins-style XSD, read back by an independent parser, and
hostile node strings survive as text."""

from __future__ import annotations

from pathlib import Path

import junitparser
import pytest
import xmlschema
from lxml import etree

from hardening.model.result import Status
from hardening.reports import junit
from hardening.reports.registry import REPORTERS, reporter
from tests.unit.reports.sample import CONTROL_CHARS, IMG, SCRIPT, document, fleet, host, result

XSD = Path(__file__).parents[2] / "fixtures" / "junit" / "junit.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def _write(tmp_path: Path) -> Path:
    dest = tmp_path / "run.xml"
    junit.render(fleet(), dest)
    return dest


def test_report_is_valid_against_the_xsd(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    dest = _write(tmp_path)
    schema.validate(str(dest))
    lxml_schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert lxml_schema.validate(etree.parse(str(dest))), lxml_schema.error_log


def test_xsd_rejects_a_foreign_element(schema: xmlschema.XMLSchema) -> None:
    bad = '<testsuites><testsuite name="a" tests="1"><bogus/></testsuite></testsuites>'
    assert not schema.is_valid(bad)


def test_independent_parser_sees_one_suite_per_host_and_one_case_per_control(
    tmp_path: Path,
) -> None:
    doc = fleet()
    xml = junitparser.JUnitXml.fromfile(str(_write(tmp_path)))
    suites = list(xml)
    assert [s.name for s in suites] == [h.name for h in doc.hosts]
    for suite, h in zip(suites, doc.hosts, strict=True):
        props = {p.name: p.value for p in suite.properties()}
        assert props["roles"] == ",".join(h.roles)
        assert props["score"] == ("n/a" if h.score.percent is None else f"{h.score.percent:.1f}")
        cases = list(suite)
        assert [c.name for c in cases] == [f"{r.control_id} {r.title}" for r in h.results]
        assert [c.classname for c in cases] == [r.section for r in h.results]
        assert suite.failures == h.score.counts["FAIL"]
        assert suite.errors == h.score.counts["ERROR"]
        assert suite.skipped == sum(h.score.counts[s] for s in ("SKIP", "WARN", "WAIVED"))


def test_outcome_elements_follow_the_status(tmp_path: Path) -> None:
    xml = junitparser.JUnitXml.fromfile(str(_write(tmp_path)))
    kinds: dict[str, set[str]] = {}
    for suite in xml:
        for case in suite:
            status = case._elem.get("status")
            kinds.setdefault(status, set()).update(type(o).__name__ for o in case.result)
    assert kinds["PASS"] == set()
    assert kinds["FAIL"] == {"Failure"}
    assert kinds["ERROR"] == {"Error"}
    for status in ("SKIP", "WARN", "WAIVED"):
        assert kinds[status] == {"Skipped"}


def test_failure_carries_expected_observed_and_evidence(tmp_path: Path) -> None:
    xml = junitparser.JUnitXml.fromfile(str(_write(tmp_path)))
    w1 = next(s for s in xml if s.name == "worker-1")
    case = next(c for c in w1 if c.name.startswith("4.1.9 "))
    failure = case.result[0]
    assert failure.message == "expected '<= 600', observed '644'"
    assert failure.type == "high"
    assert "source: stat config.yaml" in failure.text
    assert "playbook tag: cis-4.1.9" in failure.text
    w3 = next(s for s in xml if s.name == "worker-3")
    waived = next(c for c in w3 if c.name.startswith("4.2.4 "))
    assert "approved_by=sec-team" in waived.result[0].text
    assert waived.result[0].message == "WAIVED: waived: legacy metrics scraper"


def test_hostile_strings_survive_as_text(tmp_path: Path) -> None:
    dest = _write(tmp_path)
    raw = dest.read_bytes()
    assert b"<script>" not in raw and b"<img" not in raw
    tree = etree.parse(str(dest))  # strict parser: a raw control char would fail here
    texts = "\n".join(t for t in tree.xpath("//text() | //@*"))
    assert SCRIPT in texts and IMG in texts
    assert junit.safe(CONTROL_CHARS) in texts
    assert "nul\\x00 bell\\x07 esc\\x1b[31m vt\\x0b end ]]> &" in junit.safe(CONTROL_CHARS)
    assert not schema_errors(dest)


def schema_errors(dest: Path) -> list[str]:
    """Validation errors of a written report, as text."""
    return [str(e) for e in xmlschema.XMLSchema(str(XSD)).iter_errors(str(dest))]


def test_safe_keeps_tabs_newlines_and_unicode() -> None:
    assert junit.safe("a\tb\nc\rd é ✓") == "a\tb\nc\rd é ✓"
    assert junit.safe("\x7f\ufffe") == "\\x7f\\ufffe"


def test_hostile_host_and_section_names_stay_valid(tmp_path: Path) -> None:
    r = result("4.2.1", Status.FAIL, "x").__class__(
        control_id="4.2.1",
        title=f"t {SCRIPT}",
        section=f"s\x01{IMG}",
        level=1,
        severity="high",
        status=Status.FAIL,
        evidence=result("4.2.1", Status.FAIL).evidence,
    )
    doc = document([host(f"evil\x02{IMG}", [r], error="down\x03")])
    dest = tmp_path / "evil.xml"
    junit.render(doc, dest)
    assert schema_errors(dest) == []
    suite = next(iter(junitparser.JUnitXml.fromfile(str(dest))))
    assert suite.name == f"evil\\x02{IMG}"
    assert next(iter(suite)).classname == f"s\\x01{IMG}"


def test_registered_as_junit() -> None:
    assert REPORTERS["junit"] == "hardening.reports.junit"
    assert reporter("junit").SUFFIX == ".xml"
