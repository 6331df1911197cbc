"""The JUnit XML report: one testsuite per host, one testcase per control.

CI systems read it: FAIL is a ``failure`` (expected vs observed and the evidence), SKIP,
WARN, WAIVED and NOT_APPLICABLE are ``skipped`` with their reason, ERROR is an ``error``.
XML is built by junit-xml, never by string concatenation; node-supplied control characters
are written as visible ``\\xNN`` escapes first, because XML 1.0 cannot carry them at all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from junit_xml import TestCase, TestSuite, to_xml_report_string

from hardening.model.result import HostRun, Result, RunDocument, Score, Status
from hardening.reports.text import for_display, partial_note

SUFFIX = ".xml"

# C0 controls except tab/newline/CR, DEL and C1, surrogates and non-characters: not XML 1.0
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by a visible escape."""
    return _UNSAFE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def _pct(s: Score) -> str:
    return "n/a" if s.percent is None else f"{s.percent:.1f}"


def evidence_text(r: Result) -> str:
    """The evidence block written inside a failure, error or skipped element."""
    ev = r.evidence
    lines = [
        f"control: {r.control_id} {r.title}",
        f"severity: {r.severity}",
        f"expected: {ev.expected}",
        f"observed: {ev.observed}",
        f"source: {ev.source}",
    ]
    lines += [f"detail: {d}" for d in ev.details]
    if r.reason:
        lines.append(f"reason: {r.reason}")
    if r.waiver:
        lines.append("waiver: " + ", ".join(f"{k}={v}" for k, v in sorted(r.waiver.items())))
    if r.remediation:
        lines.append(f"remediation: {r.remediation}")
    if r.playbook_tag:
        lines.append(f"playbook tag: {r.playbook_tag}")
    return safe("\n".join(lines))


def testcase(r: Result) -> TestCase:
    """One control on one host as a JUnit testcase."""
    case = TestCase(
        name=safe(f"{r.control_id} {r.title}"), classname=safe(r.section), status=r.status.value
    )
    ev = r.evidence
    if r.status is Status.FAIL:
        case.add_failure_info(
            message=safe(f"expected {ev.expected!r}, observed {ev.observed!r}"),
            output=evidence_text(r),
            failure_type=r.severity,
        )
    elif r.status is Status.ERROR:
        case.add_error_info(
            message=safe(f"could not evaluate: {r.reason}"),
            output=evidence_text(r),
            error_type="ERROR",
        )
    elif r.status in (Status.SKIP, Status.WARN, Status.WAIVED, Status.NOT_APPLICABLE):
        case.add_skipped_info(
            message=safe(f"{r.status.value}: {r.reason or 'no reason given'}"),
            output=evidence_text(r),
        )
    return case


class HostSuite(TestSuite):  # type: ignore[misc]  # junit-xml ships no type hints
    """A testsuite whose ``time`` is the host's audit time, not a sum of its testcases'
    (each control is evaluated in microseconds; the host's time is the connect and probe)."""

    def __init__(self, *args: Any, seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seconds = seconds

    def build_xml_doc(self, encoding: str | None = None) -> Any:
        """junit-xml's element, with ``time`` set from the host's duration when known."""
        element = super().build_xml_doc(encoding)
        if self.seconds is not None:
            element.attrib["time"] = f"{self.seconds:.3f}"
        return element


def host_seconds(h: HostRun) -> float | None:
    """How long the host's audit took, from its meta (``duration``, else ``elapsed``)."""
    for key in ("duration", "elapsed"):
        try:
            return float(h.meta[key])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def testsuite(h: HostRun, doc: RunDocument) -> TestSuite:
    """One host as a JUnit testsuite, with roles and score as properties."""
    props = {
        "roles": ",".join(h.roles),
        "score": _pct(h.score),
        "address": safe(h.address),
        "benchmark": safe(doc.benchmark),
    }
    if h.error:
        props["error"] = safe(h.error)
    props["coverage"] = doc.coverage.summary()
    if partial_note(doc):
        props["partial"] = partial_note(doc)
    return HostSuite(
        name=safe(h.name),
        test_cases=[testcase(r) for r in h.results],
        hostname=safe(h.address) or None,
        package=safe(doc.benchmark),
        timestamp=doc.started,
        properties=props,
        seconds=host_seconds(h),
    )


def dumps(doc: RunDocument) -> str:
    """The whole run as a JUnit XML string."""
    doc = for_display(doc)  # a byte that was not UTF-8 shows as \xXX (reports/text.py)
    text: str = to_xml_report_string(
        [testsuite(h, doc) for h in doc.targets], prettyprint=True, encoding="utf-8"
    )
    return text


def render(doc: RunDocument, dest: Path) -> None:
    """Write the JUnit XML report to ``dest``."""
    dest.write_text(dumps(doc), encoding="utf-8")
