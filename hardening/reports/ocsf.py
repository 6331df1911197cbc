"""OCSF 1.5.0 Compliance Finding (class_uid 2003) as JSON lines (``--ocsf FILE``), for
security data lakes (Amazon Security Lake, Splunk, any OCSF reader).

One event per host x control result, every status: the control's verdict is
``compliance.status_id`` (Pass 1, Warning 2 for a manual control, Fail 3, Other 99 for
not applicable, not evaluated and a host not reached, with ``compliance.status`` saying
which); a waived failure is Fail with the finding's ``status_id`` Suppressed (3). The
required attributes (OCSF schema: base_event ``metadata``; the classification and occurrence
attributes ``activity_id``, ``category_uid``, ``class_uid``, ``type_uid``, ``severity_id``,
``time``; finding ``finding_info`` with ``uid``; compliance_finding ``compliance`` with
``standards``; metadata ``product`` and ``version``) are always set. The evidence and the
scan coverage, which OCSF has no attribute for, are the event's ``unmapped``.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from hardening.model.result import Coverage, HostRun, Result, RunDocument, Status
from hardening.reports.findings import fingerprint

SUFFIX = ".ocsf.jsonl"
OCSF_VERSION = "1.5.0"
CLASS_UID = 2003  # Compliance Finding
CATEGORY_UID = 2  # Findings
ACTIVITY_CREATE = 1
SEVERITY_ID = {"low": 2, "medium": 3, "high": 4, "critical": 5}
# Status -> (compliance.status_id, compliance.status)
COMPLIANCE = {
    Status.PASS: (1, "Pass"),
    Status.WARN: (2, "Warning"),
    Status.FAIL: (3, "Fail"),
    Status.WAIVED: (3, "Fail"),
    Status.SKIP: (99, "Not applicable"),
    Status.NOT_APPLICABLE: (99, "Not applicable"),
    Status.ERROR: (99, "Not evaluated"),
}


def _millis(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp).timestamp() * 1000)


def _resource(h: HostRun) -> dict[str, Any]:
    res: dict[str, Any] = {
        "name": h.name,
        "uid": h.name,
        "type": "Kubernetes node",
        "labels": list(h.roles),
    }
    try:
        res["ip"] = str(ipaddress.ip_address(h.address))
    except ValueError:
        if h.address:
            res["hostname"] = h.address
    return res


def event(doc: RunDocument, h: HostRun, r: Result, cov: Coverage) -> dict[str, Any]:
    """One Compliance Finding."""
    status_id, status = COMPLIANCE[r.status]
    if h.error:
        status = "Not audited: host not reached"
    ev = r.evidence
    when = _millis(doc.finished)
    sev = r.severity if r.severity in SEVERITY_ID else "medium"
    return {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "severity_id": SEVERITY_ID[sev],
        "severity": sev.capitalize(),
        "time": when,
        "status_id": 3 if r.status is Status.WAIVED else 1,
        "status": "Suppressed" if r.status is Status.WAIVED else "New",
        "message": f"{h.name}: {r.control_id} {r.title}: {r.status.value}",
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "hardening",
                "vendor_name": "hardening",
                "version": doc.tool_version,
            },
            "correlation_uid": fingerprint(doc.benchmark, doc.started),
            "log_name": doc.benchmark,
        },
        "finding_info": {
            "uid": fingerprint(h.name, r.control_id, doc.benchmark),
            "title": f"{r.control_id} {r.title}",
            "desc": r.reason or f"observed {ev.observed!r}, expected {ev.expected!r}",
            "types": ["CIS benchmark control"],
            "created_time": when,
        },
        "compliance": {
            "standards": [doc.benchmark],
            "control": r.control_id,
            "requirements": [r.section],
            "status_id": status_id,
            "status": status,
            "status_detail": r.reason or ev.observed,
        },
        "remediation": {"desc": r.remediation or "See the benchmark text for this control."},
        "resources": [_resource(h)],
        "unmapped": {
            "hardening": {
                "status": r.status.value,
                "automated": r.automated,
                "evidence": ev.to_dict(),
                "waiver": r.waiver,
                "playbook_tag": r.playbook_tag,
                "coverage": cov.to_dict(),
            },
        },
    }


def lines(doc: RunDocument) -> list[str]:
    """One JSON text per event (ASCII: lone surrogates from node strings stay escapes)."""
    cov = doc.coverage
    return [
        json.dumps(event(doc, h, r, cov), separators=(",", ":"))
        for h in doc.targets
        for r in h.results
    ]


def dumps(doc: RunDocument) -> str:
    """The JSON lines text."""
    return "".join(line + "\n" for line in lines(doc))


def render(doc: RunDocument, dest: Path) -> None:
    """Write the JSON lines to ``dest``."""
    dest.write_text(dumps(doc), encoding="utf-8")
