"""Cosign-style signatures of an OCI image, verified with a public key on the auditor.

The image's digest is that of the manifest (or index) its layout's index.json names. A
signature is a manifest found by the ``sha256-<hex>.sig`` tag (``org.opencontainers.image.
ref.name``) or as an OCI referrer (a manifest in index.json whose ``subject`` is the image);
each of its ``application/vnd.dev.cosign.simplesigning.v1+json`` layers is a payload whose
``dev.cosignproject.cosign/signature`` annotation is the base64 signature over the payload's
bytes. A signature counts when the key verifies it (ECDSA P-256 with SHA-256, or Ed25519)
**and** the payload's ``critical.image.docker-manifest-digest`` is the image's digest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from hardening.errors import SourceError, UsageError
from hardening.facts.image_signature import SignatureCheck, SignatureFacts
from hardening.sources.artifacts import ARTIFACT_TAG, REF_NAME, is_artifact
from hardening.sources.oci import DIGEST, _blob, _Store, verify

SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"
PAYLOAD_TYPE = "cosign container image signature"
MAX_SIGNATURES = 64


@dataclass(frozen=True)
class VerifyKey:
    """A public key to verify signatures with, and how evidence names it."""

    key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
    fingerprint: str  # sha256:<hex> of the DER SubjectPublicKeyInfo
    type: str


def load_key(path: Path) -> VerifyKey:
    """A PEM public key (cosign.pub); UsageError unless ECDSA P-256 or Ed25519."""
    where = f"--verify-key {path}"
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise UsageError(
            f"{where}: cannot be read ({exc.strerror})",
            "give the signer's public key file (cosign.pub)",
        ) from None
    except ValueError:
        raise UsageError(
            f"{where}: not a PEM public key",
            "give the public key (-----BEGIN PUBLIC KEY-----), not a private key or a certificate",
        ) from None
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fingerprint = "sha256:" + hashlib.sha256(der).hexdigest()
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return VerifyKey(key, fingerprint, "ECDSA P-256")
    if isinstance(key, ed25519.Ed25519PublicKey):
        return VerifyKey(key, fingerprint, "Ed25519")
    raise UsageError(
        f"{where}: unsupported key type {type(key).__name__}",
        "give an ECDSA P-256 or Ed25519 public key",
    )


def image_descriptor(index: Any, where: str) -> dict[str, Any]:
    """The index.json entry that is the image: the first linux one that is no signature."""
    manifests = index.get("manifests") if isinstance(index, dict) else None
    images = [m for m in manifests or [] if isinstance(m, dict) and not is_artifact(m)]
    if not images:
        raise SourceError(
            f"{where}: index.json lists no image manifest",
            "the layout holds no image; build it again",
        )
    return next(
        (m for m in images if (m.get("platform") or {}).get("os", "linux") == "linux"), images[0]
    )


def image_digest(path: Path) -> str:
    """The manifest digest of the image an OCI layout holds ("" for a docker save archive)."""
    store = _Store(path)
    if not store.has("index.json"):
        return ""
    digest = str(image_descriptor(store.json("index.json"), str(path)).get("digest"))
    if not DIGEST.match(digest):
        raise SourceError(f"{path}: invalid image digest '{digest[:80]}'", "build it again")
    return digest


def _candidates(store: _Store, index: Any, digest: str) -> list[tuple[str, dict[str, Any]]]:
    """(where, manifest) of every signature manifest for ``digest``: by tag, by referrer."""
    hexd = digest.split(":", 1)[1]
    found: list[tuple[str, dict[str, Any]]] = []
    for desc in (index.get("manifests") or [])[:1024]:
        if not isinstance(desc, dict) or desc.get("digest") == digest:
            continue
        ref = str((desc.get("annotations") or {}).get(REF_NAME, ""))
        tag = ARTIFACT_TAG.search(ref)
        if tag and (tag.group(1) != hexd or tag.group(2) != "sig"):
            continue
        if not tag and not desc.get("artifactType") and not desc.get("subject"):
            continue
        name = _blob(desc.get("digest"), str(store.path))
        verify(store, name, str(desc.get("digest")))
        doc = store.json(name)
        if not isinstance(doc, dict):
            continue
        if tag:
            found.append((f"tag sha256-{hexd[:12]}….sig", doc))
        elif (doc.get("subject") or {}).get("digest") == digest:
            found.append((f"referrer {str(desc.get('digest'))[:19]}…", doc))
    return found[:MAX_SIGNATURES]


def _check(
    store: _Store, key: VerifyKey, where: str, layer: dict[str, Any], digest: str
) -> SignatureCheck:
    raw = (layer.get("annotations") or {}).get(SIG_ANNOTATION)
    if not isinstance(raw, str):
        return SignatureCheck(where, False, reason="layer has no signature annotation")
    name = _blob(layer.get("digest"), str(store.path))
    verify(store, name, str(layer.get("digest")))
    with store.opener(name)() as f:
        payload = f.read(1 << 20)
    try:
        sig = base64.b64decode(raw, validate=True)
        if isinstance(key.key, ed25519.Ed25519PublicKey):
            key.key.verify(sig, payload)
        else:
            key.key.verify(sig, payload, ec.ECDSA(hashes.SHA256()))
    except (binascii.Error, ValueError, InvalidSignature):
        return SignatureCheck(where, False, reason=f"not signed by key {key.fingerprint[:19]}…")
    try:
        critical = json.loads(payload)["critical"]
        signed = str(critical["image"]["docker-manifest-digest"])
        kind = str(critical.get("type", ""))
    except (ValueError, KeyError, TypeError):
        return SignatureCheck(where, False, reason="the signed payload is not a cosign payload")
    if kind != PAYLOAD_TYPE:
        return SignatureCheck(where, False, signed, f"payload type '{kind[:60]}'")
    if signed != digest:
        return SignatureCheck(where, False, signed, f"signs another image ({signed[:19]}…)")
    return SignatureCheck(where, True, signed)


def verify_image(path: Path, key: VerifyKey) -> SignatureFacts:
    """Every signature of the image at ``path``, checked with ``key``."""
    store = _Store(path)
    if not store.has("index.json"):
        return SignatureFacts(
            "",
            key.fingerprint,
            key.type,
            note="a docker save archive keeps no manifest digest and no "
            "signatures; audit the OCI layout (skopeo copy --all)",
        )
    index = store.json("index.json")
    digest = image_digest(path)
    checks: list[SignatureCheck] = []
    for where, doc in _candidates(store, index, digest):
        layers = [
            x
            for x in doc.get("layers") or []
            if isinstance(x, dict) and x.get("mediaType") == SIMPLE_SIGNING
        ]
        if not layers:
            checks.append(SignatureCheck(where, False, reason="no simplesigning layer"))
        checks += [_check(store, key, where, layer, digest) for layer in layers[:16]]
    return SignatureFacts(digest, key.fingerprint, key.type, tuple(checks))
