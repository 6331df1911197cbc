"""file_owner: a file is owned by one of the allowed ``user:group`` pairs.

Names are compared as the node reports them; numeric ids stand in for unknown names.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.kinds._files import path_requests, stats_of
from hardening.model.facts import Absent, FactRequest, Facts


@dataclass(frozen=True)
class Params:
    """YAML: ``path``, ``owner`` ("root:root" or a list of pairs), ``component``/``flag``."""

    path: str
    owner: tuple[str, ...]
    component: str | None = None
    flag: str | None = None

    def __post_init__(self) -> None:
        for pair in self.owner:
            if pair.count(":") != 1:
                raise ParamError("owner", f"expected user:group, got '{pair}'")
        if bool(self.component) != bool(self.flag):
            raise ParamError("flag", "component and flag go together")


def needs(p: Params) -> tuple[FactRequest, ...]:
    """One stat: of the path (or glob), or of the file the component's flag names."""
    return path_requests(p.path, p.component, p.flag)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Every matching file must be owned by an allowed pair."""
    stats, source = stats_of(facts, p.path, p.component, p.flag)
    expected = "owner " + " or ".join(p.owner)
    if isinstance(stats, Absent):
        return Outcome.absent(stats, expected=expected, source=source)
    bad = [s for s in stats if s.owner not in p.owner]
    observed = "; ".join(f"{s.owner} {s.path}" for s in (bad or stats)[:20])
    details = tuple(f"{s.path}: {s.owner}" for s in bad)
    return Outcome(pass_fail(not bad), observed, expected, source, details=details)


KIND = CheckKind("file_owner", Params, needs, evaluate, __doc__ or "")
