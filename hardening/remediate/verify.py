"""Proof after remediation: the re-audit of the touched hosts against the first audit.

Per host and remediated control: fixed (PASS now), still failing, or not remediated (the
rollout never reached the host). Any other control that passed before and fails now is
newly failing: a regression. The exit code follows this verdict, not Ansible's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.model.result import HostRun, RunDocument, Status

FIXED = "fixed"
STILL_FAILING = "still failing"
NEWLY_FAILING = "newly failing"
NOT_REMEDIATED = "not remediated"
NOT_REAUDITED = "not re-audited"
_GOOD = (Status.PASS, Status.SKIP, Status.WAIVED)


@dataclass(frozen=True)
class Verdict:
    """One control on one host after remediation."""

    host: str
    control_id: str
    title: str
    outcome: str
    before: str
    after: str
    observed: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for the remediation JSON."""
        return {
            "host": self.host,
            "id": self.control_id,
            "title": self.title,
            "outcome": self.outcome,
            "before": self.before,
            "after": self.after,
            "observed": self.observed,
        }


def _by_name(doc: RunDocument | None) -> dict[str, HostRun]:
    return {h.name: h for h in doc.hosts} if doc is not None else {}


def verify(
    before: RunDocument,
    after: RunDocument | None,
    remediated: dict[str, frozenset[str]],
    touched: set[str],
) -> list[Verdict]:
    """Verdicts for every remediated control, then every regression on touched hosts."""
    old, new = _by_name(before), _by_name(after)
    out: list[Verdict] = []
    for host, ids in remediated.items():
        prior = {r.control_id: r for r in old[host].results} if host in old else {}
        run = new.get(host)
        now = {r.control_id: r for r in run.results} if run and not run.error else {}
        for cid in sorted(ids):
            was = prior.get(cid)
            title, before_s = (was.title, was.status.value) if was else ("", "")
            if host not in touched:
                out.append(Verdict(host, cid, title, NOT_REMEDIATED, before_s, ""))
            elif cid not in now:
                out.append(Verdict(host, cid, title, NOT_REAUDITED, before_s, ""))
            else:
                res = now[cid]
                outcome = FIXED if res.status is Status.PASS else STILL_FAILING
                out.append(
                    Verdict(
                        host, cid, title, outcome, before_s, res.status.value, res.evidence.observed
                    )
                )
        for res in run.results if run else ():
            was = prior.get(res.control_id)
            if (
                res.control_id not in ids
                and was is not None
                and was.status in _GOOD
                and res.status in (Status.FAIL, Status.ERROR)
            ):
                out.append(
                    Verdict(
                        host,
                        res.control_id,
                        res.title,
                        NEWLY_FAILING,
                        was.status.value,
                        res.status.value,
                        res.evidence.observed,
                    )
                )
    return out


def exit_code(verdicts: list[Verdict]) -> int:
    """0 all remediated controls fixed and no regression; 3 a host not re-audited; else 1."""
    if any(v.outcome == NOT_REAUDITED for v in verdicts):
        return 3
    return 0 if all(v.outcome == FIXED for v in verdicts) else 1
