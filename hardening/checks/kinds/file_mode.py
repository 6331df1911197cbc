"""file_mode: a file's permission bits are the given mode or more restrictive.

``path`` may be a glob (every match must comply) or, with ``component`` and ``flag``, the
file a running component names in that flag (``path`` is then the documented default).
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.kinds._files import path_requests, stats_of
from hardening.checks.ops import compare
from hardening.model.facts import Absent, FactRequest, Facts


@dataclass(frozen=True)
class Params:
    """YAML: ``path``, ``max_mode`` (octal text, e.g. "600"), optional ``component``/``flag``."""

    path: str
    max_mode: str
    component: str | None = None
    flag: str | None = None

    def __post_init__(self) -> None:
        try:
            int(self.max_mode, 8)
        except ValueError:
            raise ParamError("max_mode", f"not an octal mode: '{self.max_mode}'") from None
        if bool(self.component) != bool(self.flag):
            raise ParamError("flag", "component and flag go together")


def needs(p: Params) -> tuple[FactRequest, ...]:
    """One stat: of the path (or glob), or of the file the component's flag names."""
    return path_requests(p.path, p.component, p.flag)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Every matching file must have no permission bit outside ``max_mode``."""
    stats, source = stats_of(facts, p.path, p.component, p.flag)
    expected = f"permissions {p.max_mode} or more restrictive"
    if isinstance(stats, Absent):
        return Outcome.absent(stats, expected=expected, source=source)
    bad = [s for s in stats if not compare("bitmask", s.octal, p.max_mode, s.path)[0]]
    observed = "; ".join(f"{s.octal} {s.path}" for s in (bad or stats)[:20])
    details = tuple(f"{s.path}: {s.octal}" for s in bad)
    return Outcome(pass_fail(not bad), observed, expected, source, details=details)


KIND = CheckKind("file_mode", Params, needs, evaluate, __doc__ or "")
