"""Image trust through the gate: cosign-style signatures (--verify-key) and Trivy/Grype
reports (--vuln-report), on OCI layouts and keys made in the test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.images.builders import Member, docker_save, oci_layout
from tests.images.cli import gate
from tests.images.signing import add_signature, fingerprint, image_digest, new_key, write_public
from tests.support.certgen import new_key as cert_key

pytestmark = pytest.mark.slow
PASSWD = b"root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001::/app:/sbin/nologin\n"


def _image(dest: Path) -> Path:
    dest.mkdir()
    base = [
        Member("etc", "dir", mode=0o755),
        Member("etc/passwd", data=PASSWD),
        Member("app", "dir", mode=0o755),
        Member("app/server", data=b"\x7fELF", mode=0o755),
    ]
    return oci_layout(dest, [base], {"User": "app", "Entrypoint": ["/app/server"]})


def _results(out: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads((out / "report.json").read_text())
    return {r["id"]: r for r in doc["hosts"][0]["results"]}


def _trust(image: Path, out: Path, *extra: str) -> dict[str, dict[str, Any]]:
    run = gate(image, out, "--control", "IMG-9", "--control", "IMG-10", *extra)
    assert run.rc in (0, 1), (run.rc, run.stderr)
    return _results(out)


@pytest.mark.parametrize("kind", ["p256", "ed25519"])
@pytest.mark.parametrize("referrer", [False, True], ids=["tag", "referrer"])
def test_a_signature_by_the_key_over_the_digest_passes(
    tmp_path: Path, kind: str, referrer: bool
) -> None:
    image, key = _image(tmp_path / "img"), new_key(kind)
    add_signature(image, new_key(kind))  # another signer's signature does not get in the way
    add_signature(image, key, referrer=referrer)
    got = _trust(image, tmp_path, "--verify-key", str(write_public(key, tmp_path / "k.pub")))
    img9 = got["IMG-9"]
    assert img9["status"] == "PASS", img9
    digest = image_digest(image)
    assert img9["evidence"]["observed"].startswith(f"signed by key {fingerprint(key)}")
    assert f"over {digest}" in img9["evidence"]["observed"]
    assert ("referrer" if referrer else "tag sha256-") in img9["evidence"]["observed"]


@pytest.mark.parametrize(
    ("case", "why"),
    [
        ("unsigned", "unsigned: no sha256-"),
        ("other_key", "not signed by key"),
        ("tampered", "not signed by key"),
        ("other_digest", "signs another image"),
    ],
)
def test_unsigned_or_mis_signed_images_fail(tmp_path: Path, case: str, why: str) -> None:
    image, key = _image(tmp_path / "img"), new_key()
    if case == "other_key":
        add_signature(image, new_key())
    elif case == "tampered":
        add_signature(image, key, tamper=True)
    elif case == "other_digest":
        add_signature(image, key, signed="sha256:" + "0" * 64)
    got = _trust(image, tmp_path, "--verify-key", str(write_public(key, tmp_path / "k.pub")))
    img9 = got["IMG-9"]
    assert img9["status"] == "FAIL", img9
    text = img9["evidence"]["observed"] + " ".join(img9["evidence"].get("details") or [])
    assert why in text, img9
    assert fingerprint(key) in img9["evidence"]["expected"]


def test_the_image_is_audited_with_its_signatures_listed_first(tmp_path: Path) -> None:
    image, key = _image(tmp_path / "img"), new_key()
    add_signature(image, key)
    run = gate(image, tmp_path, "--verify-key", str(write_public(key, tmp_path / "k.pub")))
    results = _results(tmp_path)
    assert results["IMG-1"]["status"] == "PASS", results["IMG-1"]  # User app, from the image
    assert results["IMG-9"]["status"] == "PASS"
    assert run.rc in (0, 1)


def test_without_a_key_signatures_are_skipped_with_the_option(tmp_path: Path) -> None:
    got = _trust(_image(tmp_path / "img"), tmp_path)
    assert got["IMG-9"]["status"] == "SKIP"
    assert "--verify-key FILE" in got["IMG-9"]["reason"]


@pytest.mark.parametrize("bad", ["private", "rsa", "garbage"])
def test_a_key_that_is_not_a_p256_or_ed25519_public_key_is_refused(
    tmp_path: Path, bad: str
) -> None:
    from cryptography.hazmat.primitives import serialization

    path = tmp_path / "k.pem"
    if bad == "private":
        path.write_bytes(
            cert_key("ec256").private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    elif bad == "rsa":
        path.write_bytes(
            cert_key("rsa2048")
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    else:
        path.write_text("not a key\n")
    run = gate(_image(tmp_path / "img"), tmp_path, "--verify-key", str(path))
    assert run.rc == 2, run.stderr
    assert f"--verify-key {path}:" in run.stderr


def test_a_docker_save_archive_has_no_signatures(tmp_path: Path) -> None:
    base = [Member("etc", "dir", mode=0o755), Member("etc/passwd", data=PASSWD)]
    image = docker_save(tmp_path / "img.tar", [base], {"User": "app"})
    key = new_key()
    got = _trust(image, tmp_path, "--verify-key", str(write_public(key, tmp_path / "k.pub")))
    assert got["IMG-9"]["status"] == "FAIL"
    assert "docker save archive keeps no manifest digest" in got["IMG-9"]["evidence"]["observed"]
