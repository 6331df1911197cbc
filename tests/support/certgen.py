"""Certificates made to order for the certificate tests: validity, key, signature, SANs.

``cryptography`` no longer signs certificates with SHA-1, so ``sha1`` re-signs a SHA-256
RSA certificate: the two algorithm identifiers have the same DER length, so the TBS is
patched in place and signed again with PKCS#1 v1.5 over SHA-1.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")
SHA1_RSA = bytes.fromhex("06092a864886f70d010105")
UTC = datetime.UTC
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def day(text: str) -> datetime.datetime:
    """``2026-01-31`` as a UTC datetime."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def epoch(text: str) -> int:
    """``2026-01-31`` as epoch seconds."""
    return int(day(text).timestamp())


def new_key(kind: str = "ec256") -> PrivateKey:
    """``ec256``, ``ec384``, ``rsa2048``, ``rsa1024`` ..."""
    if kind.startswith("ec"):
        return ec.generate_private_key(
            {"256": ec.SECP256R1(), "384": ec.SECP384R1(), "224": ec.SECP224R1()}[kind[2:]]
        )
    return rsa.generate_private_key(65537, int(kind[3:]))


@dataclass(frozen=True)
class Made:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: PrivateKey
    pem: bytes

    def key_pem(self) -> bytes:
        """The private key, PKCS#8 PEM."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_len(len(body)) + body


def _resign_sha1(cert: x509.Certificate, key: rsa.RSAPrivateKey) -> x509.Certificate:
    tbs = cert.tbs_certificate_bytes.replace(SHA256_RSA, SHA1_RSA)
    sig = key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    algid = _tlv(0x30, SHA1_RSA + b"\x05\x00")
    return x509.load_der_x509_certificate(_tlv(0x30, tbs + algid + _tlv(0x03, b"\0" + sig)))


def make(
    cn: str,
    *,
    not_before: str = "2025-01-01",
    not_after: str = "2027-01-01",
    key: str = "ec256",
    ca: bool = False,
    server: bool = False,
    dns: tuple[str, ...] = (),
    issuer: Made | None = None,
    sha1: bool = False,
) -> Made:
    """One certificate (self-signed unless ``issuer``); ``sha1`` needs an RSA signer."""
    private = new_key(key)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    usages = [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(day(not_before))
        .not_valid_after(day(not_after))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), critical=False
        )
    signer = issuer.key if issuer else private
    cert = builder.sign(signer, hashes.SHA256())
    if sha1:
        assert isinstance(signer, rsa.RSAPrivateKey), "a SHA-1 signature needs an RSA signer"
        cert = _resign_sha1(cert, signer)
    return Made(cert, private, cert.public_bytes(serialization.Encoding.PEM))


def b64(data: bytes) -> str:
    """Base64 text, as a kubeconfig embeds PEM."""
    return base64.b64encode(data).decode("ascii")
