"""The terminal summary (rich): per-host table, per-section totals, worst failures first.

Results go to the console given (stdout). Every string from a node or a catalogue goes in
as ``Text``, never as markup, so a ``[bold]`` or ``[/]`` in evidence prints literally, and
control characters (ESC, CR, BEL...) are shown as ``\\xNN`` so evidence cannot drive the
terminal.
Colour follows the console: off under NO_COLOR and when the output is not a terminal.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hardening.model.result import HostRun, Result, RunDocument, Score, Status
from hardening.probe.privilege import NEEDS_ROOT, probe_uid, unprivileged
from hardening.reports.text import for_display, partial_note

STYLES = {
    "PASS": "green",
    "FAIL": "bold red",
    "WARN": "yellow",
    "SKIP": "dim",
    "ERROR": "bold magenta",
    "WAIVED": "cyan",
    "NOT_APPLICABLE": "dim",
}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _t(text: str, style: str = "") -> Text:
    """Plain text for rich: no markup, control characters made visible."""
    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text), style=style)


def _pct(s: Score) -> str:
    return "n/a" if s.percent is None else f"{s.percent:.1f}%"


def _score_text(s: Score) -> Text:
    if s.percent is None:
        return Text("n/a", style="dim")
    style = "green" if s.percent >= 90 else "yellow" if s.percent >= 70 else "red"
    return Text(_pct(s), style=style)


def _n(counts: dict[str, int], status: str) -> Text:
    n = counts.get(status, 0)
    return Text(str(n), style=STYLES[status] if n else "")


def _counts(s: Score) -> Text:
    out = Text()
    for k, v in s.counts.items():
        if v:
            out.append(f"{v} {k} ", style=STYLES.get(k, ""))
    return out if out.plain else Text("-")


def host_table(doc: RunDocument) -> Table:
    """One row per host, lowest score first: roles, score, counts by status, error."""
    cluster = " and the cluster" if doc.cluster is not None else ""
    t = Table(
        title=_t(f"hardening {doc.benchmark}: {len(doc.hosts)} host(s){cluster}"), expand=False
    )
    cols = ("host", "roles", "score", "pass", "fail", "warn", "skip", "error", "waived", "n/a")
    for col in cols:
        t.add_column(
            col, overflow="fold", justify="right" if col not in ("host", "roles") else "left"
        )
    t.add_column("note", overflow="fold")
    hosts = sorted(doc.targets, key=lambda h: (h.error is None, h.score.percent or 0.0, h.name))
    for h in hosts:
        c = h.score.counts
        t.add_row(
            _t(h.name),
            _t(",".join(h.roles) or "-"),
            _score_text(h.score),
            *(_n(c, s) for s in ("PASS", "FAIL", "WARN", "SKIP", "ERROR", "WAIVED")),
            _n(c, "NOT_APPLICABLE"),
            _t(h.error or "", "magenta"),
        )
    return t


def section_table(doc: RunDocument) -> Table:
    """Fleet totals per section."""
    t = Table(title="sections (all targets)" if doc.cluster is not None else "sections (all hosts)")
    t.add_column("section", overflow="fold")
    t.add_column("score", justify="right")
    t.add_column("counts", overflow="fold")
    for name, s in doc.sections.items():
        t.add_row(_t(name), _score_text(s), _counts(s))
    return t


def worst_failures(doc: RunDocument) -> list[tuple[HostRun, Result]]:
    """Every FAIL, most severe first, then by control id and host."""
    rows = [(h, r) for h in doc.targets for r in h.results if r.status is Status.FAIL]
    rows.sort(key=lambda hr: (SEVERITY_RANK.get(hr[1].severity, 9), hr[1].control_id, hr[0].name))
    return rows


def failures_table(doc: RunDocument, limit: int = 25) -> Table | None:
    """Failed controls, worst first, with the evidence that decided them."""
    rows = worst_failures(doc)
    if not rows:
        return None
    t = Table(title=f"failures ({len(rows)}, worst first)")
    for col in ("severity", "control", "host", "observed", "expected"):
        t.add_column(col, overflow="fold")
    for host, r in rows[:limit]:
        t.add_row(
            Text(r.severity, style="bold red" if r.severity in ("critical", "high") else ""),
            _t(f"{r.control_id} {r.title}"),
            _t(host.name),
            _t(r.evidence.observed[:200]),
            _t(r.evidence.expected[:200]),
        )
    if len(rows) > limit:
        t.caption = f"{len(rows) - limit} more in the JSON/HTML report"
    return t


def verdict(doc: RunDocument) -> Text:
    """The one-line verdict printed last (and alone under ``--quiet``)."""
    c = doc.score.counts
    line = (
        f"fleet score {_pct(doc.score)}: {c.get('PASS', 0)} pass, {c.get('FAIL', 0)} fail, "
        f"{c.get('WARN', 0)} manual, {c.get('SKIP', 0)} skipped, {c.get('ERROR', 0)} error, "
        f"{c.get('WAIVED', 0)} waived"
    )
    if c.get("NOT_APPLICABLE", 0):
        line += f", {c['NOT_APPLICABLE']} not applicable (provider-owned, managed profile)"
    unaudited = sum(1 for h in doc.hosts if h.error)
    unread = doc.cluster is not None and doc.cluster.error is not None
    if c.get("ERROR", 0):
        # The score covers only what could be decided: say so where the number is.
        line += (
            f" (the score leaves out {c['ERROR']} result(s) that could not be evaluated"
            + (f", {unaudited} host(s) not audited" if unaudited else "")
            + (", the cluster not read" if unread else "")
            + ")"
        )
    return Text(line)


def render_console(
    doc: RunDocument, console: Console, *, quiet: bool = False, gate: str = ""
) -> None:
    """Print the summary. ``quiet`` prints only the one-line verdict; ``gate`` (what the
    exit-code gates said, from the caller) ends the verdict line."""
    doc = for_display(doc)  # a byte that was not UTF-8 prints as \xXX (reports/text.py)
    if not quiet:
        console.print(host_table(doc))
        console.print(section_table(doc))
        fails = failures_table(doc)
        if fails is not None:
            console.print(fails)
        for h in doc.targets:
            _host_errors(console, h)
    for warning in unprivileged_hosts(doc):  # said even under --quiet: the errors follow
        console.print(_t(warning, "bold yellow"), highlight=False, soft_wrap=True)
    partial = partial_note(doc)
    if partial:  # said even under --quiet: the score is not the fleet's
        console.print(Text(partial, style="bold yellow"), highlight=False, soft_wrap=True)
    cov = doc.coverage
    if not quiet or cov.degraded:  # a degraded scan is said even under --quiet
        console.print(
            Text(cov.summary(), style="bold yellow" if cov.degraded else ""),
            highlight=False,
            soft_wrap=True,
        )
    said = verdict(doc)
    if gate:
        said.append(f"; {gate}")
    console.print(said, highlight=False, soft_wrap=True)


def unprivileged_hosts(doc: RunDocument) -> list[str]:
    """One warning per host the probe audited as a uid other than 0."""
    out = []
    for h in doc.targets:
        if h.error or not unprivileged(h.meta):
            continue
        n = sum(1 for r in h.results if r.reason.startswith(NEEDS_ROOT))
        out.append(
            f"warning: {h.name} was audited as uid {probe_uid(h.meta)}, not root: {n} check(s) "
            "could not read what they need and are ERROR; set ansible_become: true in the "
            "inventory (or run --local as root)"
        )
    return out


def _host_errors(console: Console, h: HostRun) -> None:
    errs = [r for r in h.results if r.status is Status.ERROR and not h.error]
    for r in errs[:10]:
        console.print(
            _t(f"{h.name}: {r.control_id}: could not evaluate: {r.reason}", "magenta"),
            highlight=False,
        )
