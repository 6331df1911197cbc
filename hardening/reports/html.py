"""The HTML report: one self-contained file (inline CSS, JS and SVG; nothing fetched).

Jinja2 renders the summary with autoescape on. The per-result data travels as JSON in a
``<script type="application/json">`` block (Jinja's ``tojson`` escapes ``<``, ``>``, ``&``
and ``'``), and the inline script builds the matrix and result rows with ``textContent``
only. A Content-Security-Policy allows exactly the inline script and style by hash, so
even a markup slip could not run node-supplied code or fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from hardening.model.result import HostRun, Result, RunDocument, Score, Status
from hardening.reports.text import for_display, partial_note

SUFFIX = ".html"

# worst first: the order of result rows and of the status filter
STATUS_ORDER = ("FAIL", "ERROR", "WARN", "WAIVED", "SKIP", "NOT_APPLICABLE", "PASS")
SEVERITIES = ("critical", "high", "medium", "low")


class _Strings:
    """A string table: repeated evidence across hosts is stored once."""

    def __init__(self) -> None:
        self.items: list[str] = [""]
        self._index: dict[str, int] = {"": 0}

    def ref(self, text: str) -> int:
        """The index of ``text``, adding it on first use."""
        i = self._index.get(text)
        if i is None:
            i = self._index[text] = len(self.items)
            self.items.append(text)
        return i


def _pct(s: Score) -> float | None:
    return s.percent


def _waiver_text(r: Result) -> str:
    if not r.waiver:
        return ""
    w = r.waiver
    return (
        f"{w.get('reason', '')} (approved by {w.get('approved_by', '?')}, expires "
        f"{w.get('expires', '?')}, {w.get('source', '')})"
    )


def _controls(doc: RunDocument) -> tuple[list[list[Any]], dict[str, int]]:
    """Every control seen, first-seen order: [id, title, section, level, severity,
    remediation, playbook_tag]."""
    rows: list[list[Any]] = []
    index: dict[str, int] = {}
    for h in doc.targets:
        for r in h.results:
            if r.control_id not in index:
                index[r.control_id] = len(rows)
                rows.append(
                    [
                        r.control_id,
                        r.title,
                        r.section,
                        r.level,
                        r.severity,
                        r.remediation,
                        r.playbook_tag or "",
                    ]
                )
    return rows, index


def payload(doc: RunDocument) -> dict[str, Any]:
    """The compact data the page script renders: hosts, controls, a string table, and one
    row per result, ``[host, control, status, observed, source, expected, reason, details,
    waiver]`` with strings as table indices; rows come worst first."""
    strings = _Strings()
    controls, cindex = _controls(doc)
    hosts = [[h.name, h.address, list(h.roles), _pct(h.score), h.error or ""] for h in doc.targets]
    rows: list[list[int]] = []
    for hi, h in enumerate(doc.targets):
        for r in h.results:
            ev = r.evidence
            rows.append(
                [
                    hi,
                    cindex[r.control_id],
                    STATUS_ORDER.index(r.status.value),
                    strings.ref(ev.observed),
                    strings.ref(ev.source),
                    strings.ref(ev.expected),
                    strings.ref(r.reason),
                    strings.ref("\n".join(ev.details)),
                    strings.ref(_waiver_text(r)),
                ]
            )

    def rank(row: list[int]) -> tuple[int, int, int, int]:
        sev = controls[row[1]][4]
        sev_rank = SEVERITIES.index(sev) if sev in SEVERITIES else len(SEVERITIES)
        return (row[2], sev_rank, row[0], row[1])

    rows.sort(key=rank)
    return {
        "statuses": list(STATUS_ORDER),
        "severities": list(SEVERITIES),
        "hosts": hosts,
        "controls": controls,
        "strings": strings.items,
        "results": rows,
    }


def _host_rows(doc: RunDocument) -> list[HostRun]:
    return sorted(doc.targets, key=lambda h: (h.error is None, h.score.percent or 0.0, h.name))


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("hardening.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _asset(name: str) -> str:
    return resources.files("hardening.reports").joinpath(f"templates/{name}").read_text("utf-8")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def dumps(doc: RunDocument) -> str:
    """The whole report as one HTML string."""
    script, style = _asset("report.js"), _asset("report.css")
    csp = (
        f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    doc = for_display(doc)  # a byte that was not UTF-8 shows as \xXX (reports/text.py)
    counts = doc.score.counts
    template = _environment().get_template("report.html.j2")
    return template.render(
        doc=doc,
        csp=csp,
        script=Markup(script),
        style=Markup(style),
        data=payload(doc),
        hosts=_host_rows(doc),
        statuses=[(s, counts.get(s, 0)) for s in STATUS_ORDER],
        target=str(doc.options.get("target") or ""),
        partial=partial_note(doc),
        failed=counts.get(Status.FAIL.value, 0),
    )


def render(doc: RunDocument, dest: Path) -> None:
    """Write the HTML report to ``dest``."""
    dest.write_text(dumps(doc), encoding="utf-8")
