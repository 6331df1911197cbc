"""ImageVulnerabilities: the findings of a Trivy or Grype report of the image under audit.

Only the image gate answers it, and only with ``--vuln-report``: hardening/sources/
vulnreport.py reads the report, refuses one of another image (matched by manifest or config
digest), and fills this fact. A live node answers ``Absent("not an image")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.model.facts import Absent, Request

NO_REPORT = "no vulnerability report given; audit the image with --vuln-report FILE"
SEVERITIES = ("unknown", "negligible", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class Finding:
    """One vulnerability in one package; ``severity`` lower-case, one of SEVERITIES."""

    id: str
    package: str
    version: str
    severity: str
    fixed: str = ""


@dataclass(frozen=True)
class VulnFacts:
    """What the report says: the tool, the digest it names, its findings."""

    tool: str
    report: str
    image_digest: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ImageVulnerabilities(Request[VulnFacts]):
    """The vulnerability report given with ``--vuln-report`` (image gate only)."""


def fragment(reqs: Sequence[ImageVulnerabilities]) -> list[Section]:
    """No shell: a node is not an image."""
    return []


def parse(
    reqs: Sequence[ImageVulnerabilities], frames: Mapping[str, Frame], host: str
) -> Answers[ImageVulnerabilities]:
    """A live node is not an image."""
    return {r: Absent("not an image") for r in reqs}


def from_root(reqs: Sequence[ImageVulnerabilities], root: Root) -> Answers[ImageVulnerabilities]:
    """A filesystem alone has no report: the image gate's trust step replaces this."""
    return {r: Absent(NO_REPORT) for r in reqs}


def from_description(req: ImageVulnerabilities, desc: Mapping[str, Any]) -> Any:
    """``desc["vulnerabilities"]``: ``{tool, image_digest, findings: [{id, package, ...}]}``."""
    got = desc.get("vulnerabilities")
    if got is None:
        return Absent(NO_REPORT)
    findings = tuple(
        Finding(
            str(f["id"]),
            str(f["package"]),
            str(f.get("version", "")),
            str(f["severity"]).lower(),
            str(f.get("fixed", "")),
        )
        for f in got.get("findings") or ()
    )
    return VulnFacts(
        str(got.get("tool", "trivy")),
        str(got.get("report", "report.json")),
        str(got["image_digest"]),
        findings,
    )


SPEC = RequestSpec(ImageVulnerabilities, fragment, parse, from_root, from_description)
