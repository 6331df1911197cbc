"""ImageSignature: whether the image under audit carries a signature the given key verifies.

Only the image gate answers it, and only with ``--verify-key``: hardening/sources/trust.py
verifies cosign-style signatures (a ``sha256-<digest>.sig`` tag or an OCI referrer) over
the image's manifest digest and fills this fact. A live node answers ``Absent("not an
image")``; an image audited without a key, ``Absent`` with the option to give.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.model.facts import Absent, Request

NO_KEY = "no signature key given; audit the image with --verify-key FILE"


@dataclass(frozen=True)
class SignatureCheck:
    """One signature found: where, whether the key verifies it, the digest it signs."""

    where: str  # "tag sha256-<hex>.sig" or "referrer sha256:<manifest>"
    verified: bool
    signed_digest: str = ""
    reason: str = ""  # why it does not count ("" when it does)


@dataclass(frozen=True)
class SignatureFacts:
    """The image's manifest digest, the key (fingerprint of its SubjectPublicKeyInfo) and
    every signature found for that digest."""

    image_digest: str
    key_fingerprint: str
    key_type: str
    checks: tuple[SignatureCheck, ...] = ()
    note: str = ""  # why no signature could be looked for (a docker save archive)


@dataclass(frozen=True)
class ImageSignature(Request[SignatureFacts]):
    """The image's signatures as verified with ``--verify-key`` (image gate only)."""


def fragment(reqs: Sequence[ImageSignature]) -> list[Section]:
    """No shell: a node is not an image."""
    return []


def parse(
    reqs: Sequence[ImageSignature], frames: Mapping[str, Frame], host: str
) -> Answers[ImageSignature]:
    """A live node is not an image."""
    return {r: Absent("not an image") for r in reqs}


def from_root(reqs: Sequence[ImageSignature], root: Root) -> Answers[ImageSignature]:
    """A filesystem alone holds no verdict: the image gate's trust step replaces this."""
    return {r: Absent(NO_KEY) for r in reqs}


def from_description(req: ImageSignature, desc: Mapping[str, Any]) -> Any:
    """``desc["signature"]``: ``{image_digest, key_fingerprint, key_type, checks: [...]}``."""
    sig = desc.get("signature")
    if sig is None:
        return Absent(NO_KEY)
    checks = tuple(
        SignatureCheck(
            str(c["where"]),
            str(c["verified"]).lower() == "true",
            str(c.get("signed_digest", "")),
            str(c.get("reason", "")),
        )
        for c in sig.get("checks") or ()
    )
    return SignatureFacts(
        str(sig["image_digest"]),
        str(sig["key_fingerprint"]),
        str(sig.get("key_type", "ECDSA P-256")),
        checks,
        str(sig.get("note", "")),
    )


SPEC = RequestSpec(ImageSignature, fragment, parse, from_root, from_description)
