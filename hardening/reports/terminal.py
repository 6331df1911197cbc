"""The terminal summary (rich): per-host table, per-section totals, worst failures first.

Results go to the console given (stdout); rich honours NO_COLOR and non-TTY output.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hardening.model.result import HostRun, RunDocument, Score, Status

STYLES = {"PASS": "green", "FAIL": "bold red", "WARN": "yellow", "SKIP": "dim",
          "ERROR": "bold magenta", "WAIVED": "cyan"}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _pct(s: Score) -> str:
    return "n/a" if s.percent is None else f"{s.percent:.1f}%"


def _counts(s: Score) -> str:
    return " ".join(f"{k[0]}{v}" for k, v in s.counts.items() if v) or "-"


def host_table(doc: RunDocument) -> Table:
    """One row per host: roles, score, counts by status, error."""
    t = Table(title=f"hardening {doc.benchmark}: {len(doc.hosts)} host(s)", expand=False)
    for col in ("host", "roles", "score", "pass", "fail", "warn", "skip", "error", "note"):
        t.add_column(col, overflow="fold")
    for h in doc.hosts:
        c = h.score.counts
        t.add_row(h.name, ",".join(h.roles) or "-", _pct(h.score), str(c.get("PASS", 0)),
                  Text(str(c.get("FAIL", 0)), style="red" if c.get("FAIL") else ""),
                  str(c.get("WARN", 0)), str(c.get("SKIP", 0)),
                  Text(str(c.get("ERROR", 0)), style="magenta" if c.get("ERROR") else ""),
                  Text(h.error or "", style="magenta"))
    return t


def section_table(doc: RunDocument) -> Table:
    """Fleet totals per section."""
    t = Table(title="sections (all hosts)")
    for col in ("section", "score", "counts"):
        t.add_column(col, overflow="fold")
    for name, s in doc.sections.items():
        t.add_row(name, _pct(s), _counts(s))
    return t


def failures_table(doc: RunDocument, limit: int = 25) -> Table | None:
    """Failed controls, most severe first, with the evidence that decided them."""
    rows = [(h, r) for h in doc.hosts for r in h.results if r.status is Status.FAIL]
    if not rows:
        return None
    rows.sort(key=lambda hr: (SEVERITY_RANK.get(hr[1].severity, 9), hr[1].control_id, hr[0].name))
    t = Table(title=f"failures ({len(rows)}, worst first)")
    for col in ("severity", "control", "host", "observed", "expected"):
        t.add_column(col, overflow="fold")
    for host, r in rows[:limit]:
        t.add_row(r.severity, f"{r.control_id} {r.title}", host.name,
                  Text(r.evidence.observed[:200]), Text(r.evidence.expected[:200]))
    if len(rows) > limit:
        t.caption = f"{len(rows) - limit} more in the JSON/HTML report"
    return t


def render_console(doc: RunDocument, console: Console, *, quiet: bool = False) -> None:
    """Print the summary. ``quiet`` prints only the one-line verdict."""
    if not quiet:
        console.print(host_table(doc))
        console.print(section_table(doc))
        fails = failures_table(doc)
        if fails is not None:
            console.print(fails)
        for h in doc.hosts:
            _host_errors(console, h)
    c = doc.score.counts
    console.print(
        f"fleet score {_pct(doc.score)}: {c.get('PASS', 0)} pass, {c.get('FAIL', 0)} fail, "
        f"{c.get('WARN', 0)} manual, {c.get('SKIP', 0)} skipped, {c.get('ERROR', 0)} error, "
        f"{c.get('WAIVED', 0)} waived", highlight=False)


def _host_errors(console: Console, h: HostRun) -> None:
    errs = [r for r in h.results if r.status is Status.ERROR and not h.error]
    for r in errs[:10]:
        console.print(Text(f"{h.name}: {r.control_id}: could not evaluate: {r.reason}",
                           style="magenta"))
