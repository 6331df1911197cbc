"""--vuln-report through the gate: Trivy and Grype JSON reports in their documented shapes
(trivy image --format json, SchemaVersion 2; grype -o json), matched to the image by digest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.images.builders import Member, oci_layout
from tests.images.cli import gate
from tests.images.signing import image_digest

pytestmark = pytest.mark.slow
OTHER = "sha256:" + "9" * 64


def _image(dest: Path) -> Path:
    dest.mkdir()
    base = [
        Member("etc", "dir", mode=0o755),
        Member("etc/passwd", data=b"root:x:0:0::/root:/sbin/nologin\n"),
    ]
    return oci_layout(dest, [base], {"User": "root"})


def _config_digest(layout: Path) -> str:
    manifest = image_digest(layout).split(":")[1]
    doc = json.loads((layout / "blobs" / "sha256" / manifest).read_text())
    return str(doc["config"]["digest"])


FINDINGS = [
    ("CVE-2024-6119", "libssl3", "3.0.13-1", "HIGH", "3.0.14-1"),
    ("CVE-2023-45853", "zlib1g", "1:1.2.13", "CRITICAL", ""),
    ("CVE-2024-2511", "openssl", "3.0.13-1", "LOW", "3.0.14-1"),
]


def trivy(image_id: str, repo_digest: str = "") -> dict[str, Any]:
    """A Trivy report: Metadata.ImageID/RepoDigests, Results[].Vulnerabilities[]."""
    vulns = [
        {
            "VulnerabilityID": i,
            "PkgName": p,
            "InstalledVersion": v,
            "Severity": s,
            **({"FixedVersion": f} if f else {}),
            "Status": "fixed" if f else "affected",
        }
        for i, p, v, s, f in FINDINGS
    ]
    return {
        "SchemaVersion": 2,
        "ArtifactName": "app:1",
        "ArtifactType": "container_image",
        "Metadata": {
            "OS": {"Family": "debian", "Name": "12.5"},
            "ImageID": image_id,
            "DiffIDs": [],
            "RepoTags": ["app:1"],
            "RepoDigests": [f"registry.example/app@{repo_digest}"] if repo_digest else [],
        },
        "Results": [
            {
                "Target": "app:1 (debian 12.5)",
                "Class": "os-pkgs",
                "Type": "debian",
                "Vulnerabilities": vulns,
            },
            {"Target": "app/server", "Class": "lang-pkgs", "Type": "gobinary"},
        ],
    }


def grype(manifest_digest: str, image_id: str = "") -> dict[str, Any]:
    """A Grype report: source.target.imageID/manifestDigest, matches[]."""
    matches = [
        {
            "vulnerability": {
                "id": i,
                "severity": s.title(),
                "namespace": "debian:12",
                "fix": {"versions": [f] if f else [], "state": "fixed" if f else "not-fixed"},
            },
            "artifact": {"name": p, "version": v, "type": "deb"},
            "matchDetails": [],
        }
        for i, p, v, s, f in FINDINGS
    ]
    return {
        "matches": matches,
        "source": {
            "type": "image",
            "target": {
                "userInput": "app:1",
                "imageID": image_id,
                "manifestDigest": manifest_digest,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "tags": ["app:1"],
                "repoDigests": [],
            },
        },
        "distro": {"name": "debian", "version": "12"},
        "descriptor": {"name": "grype", "version": "0.79.0"},
    }


def _run(tmp_path: Path, image: Path, report: dict[str, Any], *extra: str):
    path = tmp_path / "report-in.json"
    path.write_text(json.dumps(report))
    return gate(image, tmp_path, "--control", "IMG-10", "--vuln-report", str(path), *extra)


@pytest.mark.parametrize("tool", ["trivy-image-id", "trivy-repo-digest", "grype"])
def test_findings_at_or_above_high_fail_and_are_listed(tmp_path: Path, tool: str) -> None:
    image = _image(tmp_path / "img")
    report = {
        "trivy-image-id": lambda: trivy(_config_digest(image)),
        "trivy-repo-digest": lambda: trivy(OTHER, image_digest(image)),
        "grype": lambda: grype(image_digest(image)),
    }[tool]()
    run = _run(tmp_path, image, report)
    assert run.rc == 1, run.stderr
    doc = json.loads((tmp_path / "report.json").read_text())
    img10 = next(r for r in doc["hosts"][0]["results"] if r["id"] == "IMG-10")
    assert img10["status"] == "FAIL"
    details = img10["evidence"]["details"]
    assert details[0] == "CVE-2023-45853 zlib1g 1:1.2.13 (critical, no fix)"
    assert details[1] == "CVE-2024-6119 libssl3 3.0.13-1 (high, fixed in 3.0.14-1)"
    assert len(details) == 2  # the LOW finding is under the threshold
    assert "3 findings (1 critical, 1 high, 1 low)" in img10["evidence"]["observed"]
    assert tool.split("-")[0] in img10["evidence"]["source"]


def test_a_report_below_the_threshold_passes(tmp_path: Path) -> None:
    image = _image(tmp_path / "img")
    report = grype(image_digest(image))
    report["matches"] = [m for m in report["matches"] if m["vulnerability"]["severity"] == "Low"]
    run = _run(tmp_path, image, report)
    assert run.rc == 0, (run.stdout, run.stderr)
    assert "IMG-10" in run.passed


@pytest.mark.parametrize(
    "report", [lambda: trivy(OTHER, OTHER), lambda: grype(OTHER, OTHER)], ids=["trivy", "grype"]
)
def test_a_report_of_another_image_is_refused(tmp_path: Path, report) -> None:
    run = _run(tmp_path, _image(tmp_path / "img"), report())
    assert run.rc == 2
    assert "report is of another image" in run.stderr
    assert not (tmp_path / "report.json").exists()


def test_a_file_that_is_no_report_is_refused(tmp_path: Path) -> None:
    run = _run(tmp_path, _image(tmp_path / "img"), {"hello": "world"})
    assert run.rc == 2 and "neither a Trivy nor a Grype JSON report" in run.stderr
