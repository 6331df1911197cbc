"""The score: severity-weighted share of passed automated controls.

    score = 100 * sum(w(c) for c PASS) / sum(w(c) for c PASS or FAIL)

with weights low 1, medium 2, high 3, critical 5. Only automated PASS and FAIL count:
WARN (manual), SKIP (not applicable), ERROR (could not evaluate) and WAIVED neither raise
nor lower it, so nothing the tool could not decide inflates the score. ERRORs are counted
and shown beside it. With nothing scorable the score is ``None`` (shown as "n/a").
The fleet and section scores pool the weights of every host, not the mean of host scores.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from hardening.model.result import Result, Score, Status

WEIGHTS = {"low": 1.0, "medium": 2.0, "high": 3.0, "critical": 5.0}


def score(results: Iterable[Result]) -> Score:
    """Score a set of results (one host, one section, or a whole fleet)."""
    passed = total = 0.0
    counts: Counter[str] = Counter()
    for r in results:
        counts[r.status.value] += 1
        if not r.automated or r.status not in (Status.PASS, Status.FAIL):
            continue
        w = WEIGHTS.get(r.severity, 2.0)
        total += w
        if r.status is Status.PASS:
            passed += w
    percent = round(100.0 * passed / total, 1) if total else None
    return Score(percent, passed, total, {s.value: counts.get(s.value, 0) for s in Status})


def section_order(name: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of section names: "1.2 API" < "1.10 X" < "4.1 Y" < "NODE-1 SSH"."""
    head = name.split(" ", 1)[0]
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.-]", head)
    )


def by_section(results: Iterable[Result]) -> dict[str, Score]:
    """One score per section, sections in natural order of their numbers."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.section, []).append(r)
    return {name: score(groups[name]) for name in sorted(groups, key=section_order)}
