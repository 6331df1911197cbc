"""SARIF 2.1.0 (``--sarif FILE``), for GitHub code scanning and other SARIF readers.

One run. One rule per control of the run: its id, its title, the severity as ``level`` and as
``properties.security-severity`` (GitHub's critical/high/medium/low bands), and the remediation
as ``help``. One result per failing host x control, located at the file the evidence names
(relative to the node's root, ``uriBaseId`` ROOTFS) or, without one, at the node itself
(``uriBaseId`` NODES), with the node as a logical location; ``partialFingerprints`` keep an
alert the same alert across runs. GitHub takes at most 25,000 results per run: past that the
worst are kept and a notification says how many were left out. The scan coverage is the
run's ``properties.coverage``, and a degraded scan is a notification and
``executionSuccessful: false``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from hardening.model.result import HostRun, Result, RunDocument
from hardening.reports.findings import controls, failures, file_path, fingerprint, message
from hardening.reports.jsontext import layered

SUFFIX = ".sarif"
SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
MAX_RESULTS = 25_000  # GitHub code scanning: results per run
MAX_HOST_NOTES = 50
DEPTH = 4  # the log, its runs, a run, its results: indented; a result: one line

# GitHub shows security-severity > 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def rule(r: Result) -> dict[str, Any]:
    """The reportingDescriptor of one control."""
    help_text = r.remediation or "See the benchmark text for this control."
    return {
        "id": r.control_id,
        "name": r.control_id,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": f"{r.section}: {r.title}"},
        "help": {"text": help_text, "markdown": f"**Remediation.** {help_text}"},
        "defaultConfiguration": {"level": LEVEL.get(r.severity, "warning")},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(r.severity, "5.5"),
            "problem.severity": "error" if LEVEL.get(r.severity) == "error" else "warning",
            "precision": "very-high",
            "tags": ["security", "compliance", r.section],
            "severity": r.severity,
            "automated": r.automated,
        },
    }


def location(h: HostRun, r: Result) -> dict[str, Any]:
    """The file the evidence names, relative to the node's root; else the node."""
    path = file_path(r)
    # a byte that was not UTF-8 (a lone surrogate, reports/text.py) is percent-encoded as itself
    artifact = (
        {"uri": quote(path.lstrip("/"), errors="surrogateescape"), "uriBaseId": "ROOTFS"}
        if path
        else {"uri": quote(h.name, safe="", errors="surrogateescape"), "uriBaseId": "NODES"}
    )
    return {
        "physicalLocation": {"artifactLocation": artifact},
        "logicalLocations": [{"name": h.name, "fullyQualifiedName": h.name, "kind": "resource"}],
    }


def result(h: HostRun, r: Result, index: dict[str, int]) -> dict[str, Any]:
    """One failing control on one host."""
    ev = r.evidence
    return {
        "ruleId": r.control_id,
        "ruleIndex": index[r.control_id],
        "level": LEVEL.get(r.severity, "warning"),
        "kind": "fail",
        "message": {"text": message(h, r)},
        "locations": [location(h, r)],
        "partialFingerprints": {
            "hardening/v1": fingerprint(h.name, r.control_id, file_path(r) or "")
        },
        "properties": {
            "host": h.name,
            "address": h.address,
            "roles": list(h.roles),
            "observed": ev.observed,
            "expected": ev.expected,
            "source": ev.source,
            "details": list(ev.details[:20]),
        },
    }


def notifications(doc: RunDocument, left_out: int) -> list[dict[str, Any]]:
    """Tool notifications: a degraded scan, each unreached host, results left out."""
    cov = doc.coverage
    notes: list[dict[str, Any]] = [
        {
            "descriptor": {"id": "coverage"},
            "level": "warning" if cov.degraded else "note",
            "message": {"text": cov.summary()},
        }
    ]
    unreached = [h for h in doc.targets if h.error]
    for h in unreached[:MAX_HOST_NOTES]:
        notes.append(
            {
                "descriptor": {"id": "host-not-audited"},
                "level": "error",
                "message": {"text": f"{h.name}: not audited: {h.error}"},
            }
        )
    if len(unreached) > MAX_HOST_NOTES:
        notes.append(
            {
                "descriptor": {"id": "host-not-audited"},
                "level": "error",
                "message": {
                    "text": f"{len(unreached) - MAX_HOST_NOTES} more host(s) "
                    "not audited; see the JSON run document"
                },
            }
        )
    if left_out:
        notes.append(
            {
                "descriptor": {"id": "results-truncated"},
                "level": "warning",
                "message": {
                    "text": f"{left_out} failing result(s) left out, the least "
                    f"severe first: GitHub code scanning takes at most "
                    f"{MAX_RESULTS} results per run; the JSON run "
                    "document has them all"
                },
            }
        )
    return notes


def document(doc: RunDocument, max_results: int = MAX_RESULTS) -> dict[str, Any]:
    """The SARIF log as data."""
    rules = [rule(r) for r in controls(doc)]
    index = {r["id"]: i for i, r in enumerate(rules)}
    failing = failures(doc)
    kept, left_out = failing[:max_results], max(0, len(failing) - max_results)
    cov = doc.coverage
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "hardening", "version": doc.tool_version, "rules": rules}
                },
                "automationDetails": {"id": f"hardening/{doc.benchmark}/"},
                "originalUriBaseIds": {
                    "ROOTFS": {
                        "uri": "file:///",
                        "description": {
                            "text": "the root of the audited node's file "
                            "system (the node is the logical location)"
                        },
                    },
                    "NODES": {
                        "description": {
                            "text": "the audited nodes by inventory name, for a "
                            "result that names no file"
                        }
                    },
                },
                "invocations": [
                    {
                        "executionSuccessful": not cov.degraded,
                        "startTimeUtc": doc.started,
                        "endTimeUtc": doc.finished,
                        "toolExecutionNotifications": notifications(doc, left_out),
                    }
                ],
                "results": [result(h, r, index) for h, r in kept],
                "properties": {
                    "benchmark": doc.benchmark,
                    "kind": doc.kind,
                    "score": doc.score.percent,
                    "coverage": cov.to_dict(),
                    "resultsLeftOut": left_out,
                },
            }
        ],
    }


def dumps(doc: RunDocument, max_results: int = MAX_RESULTS) -> str:
    """The SARIF log as JSON text (ASCII: lone surrogates from node strings stay escapes),
    indented down to each result, which is one line (reports/jsontext.py)."""
    return layered(document(doc, max_results), DEPTH) + "\n"


def render(doc: RunDocument, dest: Path) -> None:
    """Write the SARIF log to ``dest``."""
    dest.write_text(dumps(doc), encoding="utf-8")
