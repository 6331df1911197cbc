"""command_output: the output of an audit command, optionally narrowed by a regex, compared.

``extract`` is a regex with one group; its first match is the value ("" when none).
With ``each_line`` every non-empty output line must satisfy the op. A command that
is not found (exit 127)
is an absent fact (the control's ``when_missing`` decides); one that cannot execute (126)
or times out (124) is ERROR, never FAIL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.ops import check_op, compare
from hardening.facts.command import Command
from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status


@dataclass(frozen=True)
class Params:
    """YAML: ``command``, ``op``, ``value``; optional ``extract``, ``each_line``, ``timeout``,
    ``label`` (the name shown in evidence) and ``ok_rc`` (exit codes that mean "ran")."""

    command: str
    op: str
    value: Any = None
    extract: str | None = None
    each_line: bool = False
    timeout: int = 20
    label: str | None = None
    ok_rc: tuple[str, ...] = ("0", "1")

    def __post_init__(self) -> None:
        err = check_op(self.op, self.value)
        if err:
            raise ParamError("op", err)
        if self.extract is not None:
            try:
                if re.compile(self.extract, re.M).groups != 1:
                    raise ParamError("extract", "the regex needs exactly one group")
            except re.error as exc:
                raise ParamError("extract", f"invalid regex: {exc}") from None


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The command, run once in the probe."""
    return (Command(p.command, p.timeout),)


def _extract(p: Params, text: str) -> str:
    if p.extract is None:
        return text.strip()
    m = re.search(p.extract, text, re.M)
    return m.group(1).strip() if m else ""


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Compare the (extracted) output."""
    out = facts.get(Command(p.command, p.timeout))
    source = f"$ {p.command}"
    if isinstance(out, Absent):
        return Outcome.absent(out, source=source)
    if out.rc == 127:
        return Outcome.absent(Absent("command not found on the node (exit 127)"), source=source)
    if out.rc == 126:
        return Outcome(Status.ERROR, source=source, reason="command not executable (exit 126)")
    if out.rc == 124:
        return Outcome(Status.ERROR, source=source, reason=f"command timed out after {p.timeout}s")
    if str(out.rc) not in p.ok_rc:
        first = (out.text.strip().splitlines() or [""])[0][:200]
        return Outcome(
            Status.ERROR, observed=first, source=source, reason=f"command exited {out.rc}"
        )
    name = p.label or p.extract or "output"
    text = out.text
    values = (
        [ln for ln in text.splitlines() if ln.strip()]
        if p.each_line
        else ([text] if text.strip() else [])
    )
    if not values:
        ok, expected = compare(p.op, "", p.value, name)
        return Outcome(pass_fail(ok), "(no output)", expected, source)
    results = [(v, *compare(p.op, _extract(p, v), p.value, name)) for v in values]
    bad = [v for v, ok, _ in results if not ok]
    expected = results[0][2]
    observed = "; ".join(_extract(p, v) for v in (bad or values)[:10])[:2000]
    return Outcome(
        pass_fail(not bad), observed, expected, source, details=tuple(b[:500] for b in bad[:50])
    )


KIND = CheckKind("command_output", Params, needs, evaluate, __doc__ or "")
