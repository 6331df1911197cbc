"""image_vulnerabilities: a Trivy or Grype report of this image has no finding at or above
``fail_at``.

With ``hardening audit --image PATH --vuln-report FILE`` the gate reads the report (refused,
exit 2, when it names another image's digest). FAIL lists each finding at or above
``fail_at`` (critical, high, medium, low; default high) as ``ID package version (severity,
fixed in V)``; the observed value counts findings by severity. Without ``--vuln-report``
the control is SKIP with the option to give.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.facts.image_vulns import SEVERITIES, ImageVulnerabilities
from hardening.model.facts import Absent, FactRequest, Facts

LEVELS = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Params:
    """YAML: ``fail_at`` (low|medium|high|critical, default high)."""

    fail_at: str = "high"

    def __post_init__(self) -> None:
        if self.fail_at not in LEVELS:
            raise ParamError(
                "fail_at",
                f"unknown severity '{self.fail_at}' (expected one of: {', '.join(LEVELS)})",
            )


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The report given to the image gate."""
    return (ImageVulnerabilities(),)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL on any finding at or above ``fail_at``."""
    expected = f"no finding of severity {p.fail_at} or above"
    got = facts.get(ImageVulnerabilities())
    if isinstance(got, Absent):
        return Outcome.absent(got, expected=expected, source="vulnerability report")
    floor = SEVERITIES.index(p.fail_at)
    bad = sorted(
        (f for f in got.findings if SEVERITIES.index(f.severity) >= floor),
        key=lambda f: (-SEVERITIES.index(f.severity), f.id, f.package),
    )
    counts = Counter(f.severity for f in got.findings)
    observed = (
        (
            f"{len(got.findings)} findings ("
            + ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s])
            + f"); {len(bad)} at or above {p.fail_at}"
        )
        if got.findings
        else "no findings"
    )
    details = tuple(
        f"{f.id} {f.package} {f.version} ({f.severity}"
        + (f", fixed in {f.fixed})" if f.fixed else ", no fix)")
        for f in bad
    )
    source = f"{got.tool} report {got.report} of {got.image_digest}"
    return Outcome(
        pass_fail(not bad),
        observed,
        expected,
        source,
        reason=details[0] if details else "",
        details=details,
    )


KIND = CheckKind("image_vulnerabilities", Params, needs, evaluate, __doc__ or "")
