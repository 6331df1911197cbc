"""Run diff: two RunDocuments -> new failures, fixed, still failing, changed evidence,
other status changes, and hosts added or removed. The CI regression gate reads it.

Results are paired by (host name, control id). A *new failure* (a regression) is a result
that is FAIL now and was not FAIL before on a host present in both runs, including a
control that is new to that host; results on added hosts are summarised under
``hosts_added`` rather than counted as regressions, and so are the results of a host the
old run has but could not audit (its ``error``): nothing was known of it before.
*Fixed* is FAIL -> PASS. Any other status change (for example FAIL -> WAIVED,
PASS -> ERROR) is listed in ``status_changed``.
Runs of different benchmarks or kinds (``audit`` against ``reaudit``) are compared all the
same, with a warning: their controls may not pair.
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
    """A host present in only one run (or audited in only one), with its failure count there.

    ``note`` says why a host of both runs counts as added: the old run could not audit it.
    """

    name: str
    failures: int
    score: float | None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the JSON diff."""
        out: dict[str, Any] = {"name": self.name, "failures": self.failures, "score": self.score}
        if self.note:
            out["note"] = self.note
        return out


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
    warnings: tuple[str, ...] = ()

    @property
    def has_regressions(self) -> bool:
        """True when some control newly fails: the CI gate's verdict."""
        return bool(self.new_failures)

    def to_dict(self) -> dict[str, Any]:
        """The diff as a JSON-ready mapping."""
        out: dict[str, Any] = {
            "regressions": self.has_regressions,
            "score": {"old": self.old_score, "new": self.new_score},
            "warnings": list(self.warnings),
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


def _host_change(h: HostRun, note: str = "") -> HostChange:
    fails = sum(r.status is Status.FAIL for r in h.results)
    return HostChange(h.name, fails, h.score.percent, note)


def _unaudited(h: HostRun) -> bool:
    """A host the run could not audit at all: an error and no result to compare with."""
    return bool(h.error) and not h.results


def mismatch(old: RunDocument, new: RunDocument) -> tuple[str, ...]:
    """Warnings for runs that may not pair: other benchmarks, or other kinds of run."""
    out = []
    if old.benchmark != new.benchmark:
        out.append(
            f"the runs audit different benchmarks ({old.benchmark!r}, then {new.benchmark!r}): "
            "controls only one of them has show as added or removed"
        )
    if old.kind != new.kind:
        out.append(
            f"the runs are of different kinds ({old.kind!r}, then {new.kind!r}): "
            "a re-audit covers only the hosts remediation touched"
        )
    return tuple(out)


def diff_runs(old: RunDocument, new: RunDocument) -> RunDiff:
    """Compare two runs result by result."""
    olds = {h.name: h for h in old.targets}
    news = {h.name: h for h in new.targets}
    buckets: dict[str, list[Change]] = {
        k: [] for k in ("new", "fixed", "still", "evidence", "status")
    }
    added = []
    for name, nh in news.items():
        oh = olds.get(name)
        if oh is None:
            added.append(_host_change(nh))
            continue
        if _unaudited(oh) and not _unaudited(nh):
            added.append(_host_change(nh, f"not audited in the old run: {oh.error}"))
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
        tuple(added),
        tuple(_host_change(h) for n, h in olds.items() if n not in news),
        mismatch(old, new),
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
    lines += [
        f"HOST ADDED: {h.name} ({h.failures} failure(s){'; ' + h.note if h.note else ''})"
        for h in d.hosts_added
    ]
    lines += [f"HOST REMOVED: {h.name}" for h in d.hosts_removed]
    return lines
