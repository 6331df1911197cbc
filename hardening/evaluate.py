"""Dispatch (control, facts) to its check kind. Pure: no I/O. A kind that raises gives that
control an ERROR result and the run goes on."""

from __future__ import annotations

from hardening.checks.base import Outcome
from hardening.checks.registry import KINDS
from hardening.model.control import Control
from hardening.model.facts import Facts
from hardening.model.result import Evidence, Result, Status
from hardening.probe.privilege import needs_root


def _result(control: Control, status: Status, evidence: Evidence, reason: str = "") -> Result:
    return Result(
        control_id=control.id,
        title=control.title,
        section=control.section,
        level=control.level,
        severity=control.severity.value,
        status=status,
        evidence=evidence,
        reason=reason,
        remediation=control.remediation,
        playbook_tag=control.playbook_tag,
        automated=control.automated,
    )


def _apply_missing(control: Control, out: Outcome) -> tuple[Status, str]:
    """An absent fact: ERROR if we could not look, else the control's ``when_missing``."""
    if out.missing is None:
        return out.status, out.reason
    if out.missing.is_error:
        return Status.ERROR, out.missing.reason
    assert control.check is not None
    if control.check.when_missing == "fail":
        return Status.FAIL, out.missing.reason
    return Status.SKIP, out.missing.reason


def evaluate_control(control: Control, facts: Facts) -> Result:
    """Evaluate one control against one host's facts."""
    if control.check is None:
        audit = control.audit or "see the benchmark text"
        return _result(
            control, Status.WARN, Evidence(expected=audit), "manual control: audit by hand"
        )
    kind = KINDS[control.check.kind]
    try:
        out = kind.evaluate(control.check.params, facts)
    except Exception as exc:  # noqa: BLE001 - one broken kind must not end the run
        return _result(
            control,
            Status.ERROR,
            Evidence(),
            f"internal error in check kind '{kind.name}': {type(exc).__name__}: {exc}",
        )
    status, reason = _apply_missing(control, out)
    if status is Status.ERROR:
        needed = (facts.get(r) for r in kind.needs(control.check.params))
        reason = needs_root(reason, needed, facts.meta)
    evidence = Evidence(out.observed, out.source, out.expected, out.details)
    return _result(control, status, evidence, reason)


def decided(control: Control, status: Status, evidence: Evidence, reason: str) -> Result:
    """The result of a control decided without its kind (not applicable on the host)."""
    return _result(control, status, evidence, reason)


def error_result(control: Control, reason: str) -> Result:
    """The ERROR a control gets when its host could not be audited at all."""
    return _result(control, Status.ERROR, Evidence(), reason)
