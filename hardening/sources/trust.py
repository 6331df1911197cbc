"""The image gate's trust step: signatures (``--verify-key``) and a vulnerability report
(``--vuln-report``) become the ImageSignature and ImageVulnerabilities facts.

Everything that can be refused is refused before the audit starts (a key that is not an
ECDSA P-256 or Ed25519 public key, a report of another image): those are usage errors,
exit 2. The facts are then added to each outcome of the image's gather.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hardening.collect import HostOutcome, Progress
from hardening.facts.image_signature import ImageSignature, SignatureFacts
from hardening.facts.image_vulns import ImageVulnerabilities, VulnFacts
from hardening.plan import Plan
from hardening.sources.base import Source
from hardening.sources.oci import INDEX_TYPES, _blob, _Store
from hardening.sources.signatures import image_descriptor, image_digest, load_key, verify_image
from hardening.sources.vulnreport import load_report
from hardening.stop import Stop


def config_digest(path: Path) -> str:
    """The config digest of the image an OCI layout holds ("" when there is none)."""
    store = _Store(path)
    if not store.has("index.json"):
        return ""
    doc = store.json("index.json")
    desc = image_descriptor(doc, str(path))
    for _ in range(4):
        doc = store.json(_blob(desc.get("digest"), str(path)))
        if not isinstance(doc, dict) or doc.get("mediaType") not in INDEX_TYPES:
            break
        desc = image_descriptor(doc, str(path))
    config = (doc.get("config") or {}) if isinstance(doc, dict) else {}
    return str(config.get("digest") or "")


@dataclass(frozen=True)
class Trust:
    """The verdicts to add to the image's facts (None: the option was not given)."""

    signature: SignatureFacts | None = None
    vulnerabilities: VulnFacts | None = None

    def add(self, outcome: HostOutcome) -> HostOutcome:
        """The outcome with these verdicts as the answers of the requests it planned."""
        if outcome.facts is None:
            return outcome
        values = dict(outcome.facts.values)
        if self.signature is not None and ImageSignature() in values:
            values[ImageSignature()] = self.signature
        if self.vulnerabilities is not None and ImageVulnerabilities() in values:
            values[ImageVulnerabilities()] = self.vulnerabilities
        return replace(outcome, facts=replace(outcome.facts, values=values))


@dataclass(frozen=True)
class TrustedImage:
    """An image Source (sources/image_source.py) whose outcomes carry the trust verdicts."""

    inner: Source
    trust: Trust

    def prepare(self, plan: Plan) -> Plan:
        """The inner source's plan."""
        return self.inner.prepare(plan)

    def gather(self, plans: Sequence[Plan], progress: Progress, stop: Stop) -> list[HostOutcome]:
        """The inner source's outcomes, with the verdicts added."""
        return [self.trust.add(o) for o in self.inner.gather(plans, progress, stop)]

    def record(self) -> dict[str, Any]:
        """The inner source's record, and which trust options were given."""
        return {
            **self.inner.record(),
            **(
                {"verify_key": self.trust.signature.key_fingerprint} if self.trust.signature else {}
            ),
            **(
                {"vuln_report": self.trust.vulnerabilities.report}
                if self.trust.vulnerabilities
                else {}
            ),
        }


def load_trust(image: Path, verify_key: Path | None, vuln_report: Path | None) -> Trust:
    """Verify the image's signatures and read its report (UsageError/SourceError on refusal)."""
    signature = verify_image(image, load_key(verify_key)) if verify_key else None
    vulns = None
    if vuln_report is not None:
        vulns = load_report(vuln_report, image_digest(image), config_digest(image))
    return Trust(signature, vulns)
