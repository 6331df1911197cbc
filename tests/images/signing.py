"""Cosign-style signatures added to an OCI layout made by the tests (keys made in the test).

A signature is a manifest whose one layer is the simple-signing payload naming a digest,
with the base64 signature in the layer's ``dev.cosignproject.cosign/signature`` annotation;
it is listed in index.json under the ``sha256-<hex>.sig`` tag, or with a ``subject`` as an
OCI referrer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

Key = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def new_key(kind: str = "p256") -> Key:
    """A fresh signing key: ``p256`` or ``ed25519``."""
    return (
        ed25519.Ed25519PrivateKey.generate()
        if kind == "ed25519"
        else ec.generate_private_key(ec.SECP256R1())
    )


def write_public(key: Key, path: Path) -> Path:
    """The key's public half as cosign.pub (PEM SubjectPublicKeyInfo)."""
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def fingerprint(key: Key) -> str:
    """sha256 of the public key's DER SubjectPublicKeyInfo, as the evidence names it."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256:" + hashlib.sha256(der).hexdigest()


def sign(key: Key, payload: bytes) -> bytes:
    """What cosign writes: ECDSA P-256 over SHA-256 (DER), or Ed25519 over the payload."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(payload)
    return key.sign(payload, ec.ECDSA(hashes.SHA256()))


def payload(digest: str, ref: str = "registry.example/app") -> bytes:
    """The simple-signing payload cosign signs."""
    return json.dumps(
        {
            "critical": {
                "identity": {"docker-reference": ref},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature",
            },
            "optional": None,
        }
    ).encode()


def _put(layout: Path, data: bytes) -> dict[str, Any]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
    return {"digest": digest, "size": len(data)}


def image_digest(layout: Path) -> str:
    """The digest of the image index.json lists (the first entry that is no signature)."""
    manifests = json.loads((layout / "index.json").read_text())["manifests"]
    return str(
        next(m for m in manifests if not m.get("artifactType") and "annotations" not in m)["digest"]
    )


def add_signature(
    layout: Path,
    key: Key,
    *,
    signed: str | None = None,
    tamper: bool = False,
    referrer: bool = False,
) -> None:
    """Sign ``signed`` (default: the image's digest) and list the signature in index.json.

    ``tamper`` flips a byte of the payload after signing; ``referrer`` lists it with a
    subject instead of the tag.
    """
    target = image_digest(layout)
    body = payload(signed or target)
    sig = base64.b64encode(sign(key, body)).decode()
    if tamper:
        body = body.replace(b"registry.example", b"registry.evil.ex")
    layer = {
        "mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
        **_put(layout, body),
        "annotations": {"dev.cosignproject.cosign/signature": sig},
    }
    config = {"mediaType": "application/vnd.oci.image.config.v1+json", **_put(layout, b"{}")}
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": config,
        "layers": [layer],
    }
    index = json.loads((layout / "index.json").read_text())
    if referrer:
        manifest["artifactType"] = "application/vnd.dev.cosign.artifact.sig.v1+json"
        manifest["subject"] = {"mediaType": MANIFEST, "digest": target, "size": 0}
    desc: dict[str, Any] = {"mediaType": MANIFEST, **_put(layout, json.dumps(manifest).encode())}
    if referrer:
        desc["artifactType"] = manifest["artifactType"]
    else:
        tag = "sha256-" + target.split(":")[1] + ".sig"
        desc["annotations"] = {"org.opencontainers.image.ref.name": tag}
    index["manifests"].insert(0, desc)  # first: the gate must still find the image
    (layout / "index.json").write_text(json.dumps(index))
