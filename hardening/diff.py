"""Run diff: two RunDocuments -> new failures, fixed, still failing, changed evidence,
other status changes, and hosts added or removed. The CI regression gate reads it.

Results are paired by (host name, control id). A *new failure* (a regression) is a result
that is FAIL now and was not FAIL before on a host present in both runs, including a
control that is new to that host; results on added hosts are summarised under
``hosts_added`` rather than counted as regressions. *Fixed* is FAIL -> PASS. Any other
status change (for example FAIL -> WAIVED, PASS -> ERROR) is listed in ``status_changed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.model.result import HostRun, Result, RunDocument, Status


@dataclass(frozen=True)
class Change:
    """One control on one host, before and after (``None``: absent from that run)."""

    host: str
    control_id: str
    title: str
    severity: str
    old_status: str | None
    new_status: str | None
    old_observed: str
    new_observed: str

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the JSON diff."""
        return {
            "host": self.host,
            "id": self.control_id,
            "title": self.title,
            "severity": self.severity,
            "old_status": self.old_status,
            "new_status": self.new_status,
            "old_observed": self.old_observed,
            "new_observed": self.new_observed,
        }


@dataclass(frozen=True)
class HostChange:
    """A host present in only one run, with its failure count there."""

    name: str
    failures: int
    score: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the JSON diff."""
        return {"name": self.name, "failures": self.failures, "score": self.score}


@dataclass(frozen=True)
class RunDiff:
    """What changed between two runs."""

    old_score: float | None
    new_score: float | None
    new_failures: tuple[Change, ...]
    fixed: tuple[Change, ...]
    still_failing: tuple[Change, ...]
    changed_evidence: tuple[Change, ...]
    status_changed: tuple[Change, ...]
    hosts_added: tuple[HostChange, ...]
    hosts_removed: tuple[HostChange, ...]

    @property
    def has_regressions(self) -> bool:
        """True when some control newly fails: the CI gate's verdict."""
        return bool(self.new_failures)

    def to_dict(self) -> dict[str, Any]:
        """The diff as a JSON-ready mapping."""
        out: dict[str, Any] = {
            "regressions": self.has_regressions,
            "score": {"old": self.old_score, "new": self.new_score},
        }
        for name in (
            "new_failures",
            "fixed",
            "still_failing",
            "changed_evidence",
            "status_changed",
            "hosts_added",
            "hosts_removed",
        ):
            out[name] = [c.to_dict() for c in getattr(self, name)]
        return out


def _change(host: str, old: Result | None, new: Result | None) -> Change:
    ref = new if new is not None else old
    assert ref is not None  # one side always exists by construction
    return Change(
        host,
        ref.control_id,
        ref.title,
        ref.severity,
        None if old is None else old.status.value,
        None if new is None else new.status.value,
        "" if old is None else old.evidence.observed,
        "" if new is None else new.evidence.observed,
    )


def _host_change(h: HostRun) -> HostChange:
    return HostChange(h.name, sum(r.status is Status.FAIL for r in h.results), h.score.percent)


def diff_runs(old: RunDocument, new: RunDocument) -> RunDiff:
    """Compare two runs result by result."""
    olds = {h.name: h for h in old.targets}
    news = {h.name: h for h in new.targets}
    buckets: dict[str, list[Change]] = {
        k: [] for k in ("new", "fixed", "still", "evidence", "status")
    }
    for name, nh in news.items():
        oh = olds.get(name)
        if oh is None:
            continue
        before = {r.control_id: r for r in oh.results}
        after = {r.control_id: r for r in nh.results}
        for cid in [*after, *(c for c in before if c not in after)]:
            o, n = before.get(cid), after.get(cid)
            _classify(buckets, _change(name, o, n), o, n)
    return RunDiff(
        old.score.percent,
        new.score.percent,
        tuple(buckets["new"]),
        tuple(buckets["fixed"]),
        tuple(buckets["still"]),
        tuple(buckets["evidence"]),
        tuple(buckets["status"]),
        tuple(_host_change(h) for n, h in news.items() if n not in olds),
        tuple(_host_change(h) for n, h in olds.items() if n not in news),
    )


def _classify(
    buckets: dict[str, list[Change]], ch: Change, o: Result | None, n: Result | None
) -> None:
    was_fail = o is not None and o.status is Status.FAIL
    is_fail = n is not None and n.status is Status.FAIL
    if is_fail and not was_fail:
        buckets["new"].append(ch)
    elif was_fail and n is not None and n.status is Status.PASS:
        buckets["fixed"].append(ch)
    elif was_fail and is_fail:
        buckets["still"].append(ch)
        if ch.old_observed != ch.new_observed:
            buckets["evidence"].append(ch)
    elif ch.old_status != ch.new_status:
        buckets["status"].append(ch)
    elif ch.old_observed != ch.new_observed:
        buckets["evidence"].append(ch)


def summary_lines(d: RunDiff) -> list[str]:
    """The diff as plain text lines for the terminal, regressions first."""

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1f}%"

    lines = [
        f"score {pct(d.old_score)} -> {pct(d.new_score)}: {len(d.new_failures)} new "
        f"failure(s), {len(d.fixed)} fixed, {len(d.still_failing)} still failing, "
        f"{len(d.changed_evidence)} changed evidence, {len(d.status_changed)} other "
        f"status change(s), {len(d.hosts_added)} host(s) added, "
        f"{len(d.hosts_removed)} removed"
    ]
    groups = (
        ("NEW FAILURE", d.new_failures),
        ("FIXED", d.fixed),
        ("EVIDENCE", d.changed_evidence),
        ("STATUS", d.status_changed),
    )
    for label, changes in groups:
        for c in changes:
            lines.append(
                f"{label}: {c.host}: {c.control_id} [{c.severity}] "
                f"{c.old_status or 'absent'} -> {c.new_status or 'absent'}: "
                f"{c.old_observed!r} -> {c.new_observed!r}"
            )
    lines += [f"HOST ADDED: {h.name} ({h.failures} failure(s))" for h in d.hosts_added]
    lines += [f"HOST REMOVED: {h.name}" for h in d.hosts_removed]
    return lines
