"""kubebench: one kube-bench check (audit / audit_config / audit_env + tests), kube-bench's rules.

Built by ``catalogue/kubebench.py`` from a kube-bench cfg directory, never written by hand.
The audit scripts arrive wrapped for the probe (variable substitution happens on the node).
State rules (kube-bench ``Check.run``): ``type: skip`` gives SKIP (kube-bench's INFO); no
tests gives FAIL if scored else WARN; an audit that exits non-zero is FAIL if scored else WARN
(audit_config's "exit status 127" / "No such file or directory" is ignored when the other
outputs are non-empty); failing tests give FAIL if scored, else WARN. A probe timeout or a
fact the probe could not gather is ERROR (kube-bench would hang or abort instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hardening.checks.base import CheckKind, Outcome
from hardening.checks.kubebench_semantics import BinOpError, CheckItem, Outputs, execute
from hardening.facts.command import Command
from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status

TIMEOUT_RC = 124  # coreutils timeout


@dataclass(frozen=True)
class Scripts:
    """A check's shell texts. ``audit``/``audit_config``/``audit_env`` are as the profile wrote
    them (shown as evidence); ``*_cmd`` are the probe scripts that substitute kube-bench's
    variables on the node and run them ("" when the text is empty). Kept out of Params'
    top-level text fields so plan-time ``${var}`` binding never rewrites shell text."""

    audit: str = ""
    audit_config: str = ""
    audit_env: str = ""
    audit_cmd: str = field(default="", repr=False)
    config_cmd: str = field(default="", repr=False)
    env_cmd: str = field(default="", repr=False)


@dataclass(frozen=True)
class Params:
    """One kube-bench check: its scripts, ``tests`` (None when the check has no ``tests``
    key), ``bin_op``, ``use_multiple_values``, ``scored`` and ``type``."""

    check_id: str
    scripts: Scripts = Scripts()
    tests: tuple[CheckItem, ...] | None = None
    bin_op: str = ""
    use_multiple_values: bool = False
    scored: bool = False
    type: str = ""
    timeout: int = 20


def _commands(p: Params) -> tuple[str, ...]:
    return tuple(c for c in (p.scripts.env_cmd, p.scripts.audit_cmd, p.scripts.config_cmd) if c)


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The check's audit scripts, each one Command in the single probe."""
    if p.type == "skip" or not p.tests:
        return ()
    return tuple(Command(c, p.timeout) for c in _commands(p))


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _failed(p: Params, reason: str, observed: str = "", expected: str = "") -> Outcome:
    status = Status.FAIL if p.scored else Status.WARN
    return Outcome(status, observed[:2000], expected, _source(p), reason=reason)


def _source(p: Params) -> str:
    sc = p.scripts
    return "$ " + (sc.audit or sc.audit_config or sc.audit_env).strip()


class _AuditError(Exception):
    def __init__(self, text: str, out: str, rc: int) -> None:
        self.out = out
        self.rc = rc
        super().__init__(
            f"failed to run: {_go_quote(text.strip())}, output: {_go_quote(out)}, "
            f"error: exit status {rc}"
        )


class _NoFact(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        super().__init__(outcome.reason)


def _run(p: Params, cmd: str, text: str, facts: Facts) -> str:
    """The output of one audit script; raises _AuditError on a non-zero exit."""
    if not cmd:
        return ""
    fact = facts.get(Command(cmd, p.timeout))
    if isinstance(fact, Absent):
        raise _NoFact(Outcome.absent(Absent(fact.reason, is_error=True), source=_source(p)))
    if fact.rc == TIMEOUT_RC:
        raise _NoFact(
            Outcome(
                Status.ERROR,
                source=_source(p),
                reason=f"audit timed out after {p.timeout}s: {text.strip()[:200]}",
            )
        )
    if fact.rc != 0:
        raise _AuditError(text, fact.text, fact.rc)
    return fact.text


def _outputs(p: Params, facts: Facts) -> Outputs:
    """kube-bench ``runAuditCommands``: env, then audit, then config (with its exception)."""
    sc = p.scripts
    env = _run(p, sc.env_cmd, sc.audit_env, facts)
    audit = _run(p, sc.audit_cmd, sc.audit, facts)
    try:
        config = _run(p, sc.config_cmd, sc.audit_config, facts)
    except _AuditError as exc:
        missing = "exit status 127" in str(exc) or "No such file or directory" in str(exc)
        if not (missing and (env != "" or audit != "")):
            raise
        config = ""
    return Outputs(audit, config, env, has_config=bool(sc.audit_config.strip()))


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Decide the check's state exactly as kube-bench ``Check.run`` does."""
    if p.scored and p.type.strip() == "" and p.tests is None:
        return Outcome(Status.WARN, source=_source(p), reason="There are no tests")
    if p.type == "skip":
        return Outcome(Status.SKIP, source=_source(p), reason="Test marked as skip")
    if p.type == "manual":
        return Outcome(Status.WARN, source=_source(p), reason="Test marked as a manual test")
    if not p.tests:
        return _failed(p, "No tests defined")
    try:
        out = _outputs(p, facts)
        ok, expected, actual = execute(p.tests, p.bin_op, out, p.use_multiple_values)
    except _NoFact as exc:
        return exc.outcome
    except _AuditError as exc:
        return _failed(p, str(exc)[:2000], exc.out)
    except BinOpError as exc:
        return _failed(p, str(exc))
    if ok:
        return Outcome(Status.PASS, actual[:2000], expected, _source(p))
    return _failed(
        p, "" if p.scored else "unscored check: failed tests give WARN", actual, expected
    )


KIND = CheckKind("kubebench", Params, needs, evaluate, __doc__ or "")
