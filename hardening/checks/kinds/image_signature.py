"""image_signature: the image carries a cosign-style signature the given key verifies.

With ``hardening audit --image PATH --verify-key FILE`` the image gate looks for the
``sha256-<digest>.sig`` tag and OCI referrers of the image's manifest digest in the layout
and verifies each signature (ECDSA P-256 or Ed25519) over its payload. PASS needs one that
the key verifies **and** whose payload names this image's digest; unsigned, signed by
another key, tampered, or signed over another digest FAILs. The evidence names the key's
fingerprint (sha256 of its SubjectPublicKeyInfo) and the signed digest. Without
``--verify-key`` the control is SKIP with the option to give.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, pass_fail
from hardening.facts.image_signature import ImageSignature
from hardening.model.facts import Absent, FactRequest, Facts


@dataclass(frozen=True)
class Params:
    """No YAML parameters: the key comes from ``--verify-key``."""


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The signature verdict of the image gate."""
    return (ImageSignature(),)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """PASS when a signature by the key over this image's digest verifies."""
    got = facts.get(ImageSignature())
    source = "cosign signatures (sha256-<digest>.sig tag, OCI referrers)"
    if isinstance(got, Absent):
        return Outcome.absent(
            got, expected="a signature the --verify-key key verifies", source=source
        )
    key = f"key {got.key_fingerprint} ({got.key_type})"
    expected = f"a signature by {key} over {got.image_digest or 'the image digest'}"
    good = [c for c in got.checks if c.verified]
    details = tuple(
        f"{c.where}: " + ("verified, signs " + c.signed_digest if c.verified else c.reason)
        for c in got.checks
    )
    if good:
        observed = f"signed by {key} over {good[0].signed_digest} ({good[0].where})"
    elif got.checks:
        observed = f"{len(got.checks)} signatures found, none verified by {key}"
    else:
        observed = "unsigned: " + (
            got.note
            or f"no sha256-{got.image_digest[7:19]}….sig tag "
            "and no signature referrer in the layout"
        )
    reason = "" if good else (details[0] if details else observed)
    return Outcome(
        pass_fail(bool(good)), observed, expected, source, reason=reason, details=details
    )


KIND = CheckKind("image_signature", Params, needs, evaluate, __doc__ or "")
