"""GitLab code quality report (``--gitlab-codequality FILE``, for
``artifacts:reports:codequality``).

GitLab's format (docs/ci/testing/code_quality: "Code Quality report format") is a JSON array
of issues, each with ``description``, ``check_name``, ``fingerprint`` (unique), ``severity``
(info, minor, major, critical, blocker), ``location.path`` and ``location.lines.begin``; the
Code Climate fields ``type`` and ``categories`` ride along. One issue per failing host x
control; its path is the node's name then the file the evidence names
(``worker-1/etc/kubernetes/kubelet.conf``), or the node's name alone; the nodes are not files
of the repository, so the line is 1. The array has no room for a header, so the scan coverage
is one more issue, ``check_name`` ``hardening-coverage``: ``info`` when the scan was complete,
``major`` when it was degraded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hardening.model.result import HostRun, Result, RunDocument
from hardening.reports.findings import failures, file_path, fingerprint, message

SUFFIX = ".json"
SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}
COVERAGE_CHECK = "hardening-coverage"


def issue(h: HostRun, r: Result) -> dict[str, Any]:
    """One failing control on one host."""
    path = file_path(r)
    return {
        "type": "issue",
        "description": message(h, r),
        "check_name": r.control_id,
        "fingerprint": fingerprint(h.name, r.control_id, path or ""),
        "severity": SEVERITY.get(r.severity, "major"),
        "categories": ["Security"],
        "location": {"path": f"{h.name}{path}" if path else h.name, "lines": {"begin": 1}},
    }


def coverage_issue(doc: RunDocument) -> dict[str, Any]:
    """The scan coverage as an issue (GitLab's array has nowhere else to carry it)."""
    cov = doc.coverage
    unreached = f"; not reached: {', '.join(cov.unreached)}" if cov.unreached else ""
    return {
        "type": "issue",
        "description": f"{doc.benchmark}: {cov.summary()}{unreached}",
        "check_name": COVERAGE_CHECK,
        "fingerprint": fingerprint(COVERAGE_CHECK, doc.benchmark),
        "severity": "major" if cov.degraded else "info",
        "categories": ["Security"],
        "location": {"path": _where(doc), "lines": {"begin": 1}},
    }


def _where(doc: RunDocument) -> str:
    """The inventory the run read when it is a relative path (a file of the repository),
    else the benchmark name."""
    target = doc.options.get("target")
    if isinstance(target, str) and target and not target.startswith("/"):
        return target
    return doc.benchmark


def document(doc: RunDocument) -> list[dict[str, Any]]:
    """The report as data: the failures worst first, then the coverage."""
    return [issue(h, r) for h, r in failures(doc)] + [coverage_issue(doc)]


def dumps(doc: RunDocument) -> str:
    """The report as JSON text."""
    return json.dumps(document(doc), indent=2) + "\n"


def render(doc: RunDocument, dest: Path) -> None:
    """Write the code quality report to ``dest``."""
    dest.write_text(dumps(doc), encoding="utf-8")
