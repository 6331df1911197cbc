"""A Trivy or Grype JSON report of the image under audit -> VulnFacts, refused if of another.

Trivy (``trivy image --format json``, SchemaVersion 2): ``Metadata.ImageID`` (the config
digest) and ``Metadata.RepoDigests`` (``repo@sha256:...``, manifest digests); findings under
``Results[].Vulnerabilities[]`` (VulnerabilityID, PkgName, InstalledVersion, FixedVersion,
Severity). Grype (``grype -o json``): ``source.target.imageID``, ``manifestDigest`` and
``repoDigests``; findings under ``matches[]`` (vulnerability.id/severity/fix.versions,
artifact.name/version). The report must name the image's manifest or config digest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardening import safeload
from hardening.errors import UsageError
from hardening.facts.image_vulns import SEVERITIES, Finding, VulnFacts

MAX_REPORT = 256 << 20


def _severity(value: Any) -> str:
    s = str(value or "unknown").strip().lower()
    return s if s in SEVERITIES else "unknown"


def _trivy(doc: dict[str, Any]) -> tuple[set[str], list[Finding]]:
    meta = doc.get("Metadata") or {}
    digests = {str(meta.get("ImageID") or "")}
    digests |= {str(d).rsplit("@", 1)[-1] for d in meta.get("RepoDigests") or []}
    found = []
    for result in doc.get("Results") or []:
        for v in (result or {}).get("Vulnerabilities") or []:
            found.append(
                Finding(
                    str(v.get("VulnerabilityID", "")),
                    str(v.get("PkgName", "")),
                    str(v.get("InstalledVersion", "")),
                    _severity(v.get("Severity")),
                    str(v.get("FixedVersion") or ""),
                )
            )
    return digests, found


def _grype(doc: dict[str, Any]) -> tuple[set[str], list[Finding]]:
    target = (doc.get("source") or {}).get("target") or {}
    target = target if isinstance(target, dict) else {}
    digests = {str(target.get("imageID") or ""), str(target.get("manifestDigest") or "")}
    digests |= {str(d).rsplit("@", 1)[-1] for d in target.get("repoDigests") or []}
    found = []
    for m in doc.get("matches") or []:
        vuln, art = (m or {}).get("vulnerability") or {}, (m or {}).get("artifact") or {}
        fixed = ((vuln.get("fix") or {}).get("versions") or [""])[0]
        found.append(
            Finding(
                str(vuln.get("id", "")),
                str(art.get("name", "")),
                str(art.get("version", "")),
                _severity(vuln.get("severity")),
                str(fixed or ""),
            )
        )
    return digests, found


def load_report(path: Path, manifest_digest: str, config_digest: str) -> VulnFacts:
    """The report's findings; UsageError when unreadable, of unknown shape or of another image."""
    where = f"--vuln-report {path}"
    try:
        docs = safeload.load_file(path, MAX_REPORT)
    except (OSError, ValueError, safeload.LoadLimitError) as exc:
        raise UsageError(
            f"{where}: not a readable JSON report ({str(exc).splitlines()[0]})",
            "give the JSON output of trivy image --format json or grype -o json",
        ) from None
    doc = docs[0] if docs else None
    if (
        isinstance(doc, dict)
        and "matches" not in doc
        and ("Results" in doc or "ArtifactName" in doc)
    ):
        tool, (digests, found) = "trivy", _trivy(doc)
    elif isinstance(doc, dict) and "matches" in doc:
        tool, (digests, found) = "grype", _grype(doc)
    else:
        raise UsageError(
            f"{where}: neither a Trivy nor a Grype JSON report",
            "give the JSON output of trivy image --format json or grype -o json",
        )
    ours = {d for d in (manifest_digest, config_digest) if d}
    named = sorted(d for d in digests if d)
    if not ours & set(named):
        raise UsageError(
            f"{where}: the {tool} report is of another image (it names "
            f"{', '.join(n[:19] for n in named) or 'no digest'}; the image is "
            f"{(manifest_digest or config_digest)[:19]})",
            "scan this image (by digest) and give that report",
        )
    return VulnFacts(tool, str(path), manifest_digest or config_digest, tuple(found))
