"""Certificates and public keys as typed values: PEM text -> Cert / PublicKey, on the auditor.

Only certificates and public keys are ever parsed here: the probe sends no private key
bytes (hardening/facts/certs.py), only the label of a private key's PEM block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n([A-Za-z0-9+/=\r\n]{0,65536}?)-----END \1-----"
)
KEY_LABEL = re.compile(rb"^-----KEY ([A-Z0-9 ]{1,40})-----$", re.MULTILINE)
CERT_LABELS = (b"CERTIFICATE", b"TRUSTED CERTIFICATE")
PUBLIC_LABELS = (b"PUBLIC KEY", b"RSA PUBLIC KEY")


@dataclass(frozen=True)
class PublicKey:
    """A public key's algorithm and size: ``RSA``/2048, ``EC``/256 (curve ``secp256r1``)."""

    type: str
    bits: int
    curve: str = ""

    @property
    def label(self) -> str:
        """``RSA 2048``, ``EC secp256r1``, ``Ed25519``."""
        if self.type == "EC":
            return f"EC {self.curve}"
        return f"{self.type} {self.bits}" if self.type in ("RSA", "DSA") else self.type


@dataclass(frozen=True)
class Cert:
    """One certificate: where it is, its validity (epoch seconds), key, signature and names.

    ``where`` is a file path, or ``KUBECONFIG (users[NAME].client-certificate-data)`` for a
    certificate embedded in a kubeconfig; ``index`` counts certificates within ``where``.
    """

    where: str
    index: int
    subject: str
    issuer: str
    not_before: int
    not_after: int
    key: PublicKey
    signature_hash: str  # "sha256", "sha1", "md5"; "" for Ed25519/Ed448
    signature_algorithm: str
    is_ca: bool
    server_auth: bool
    client_auth: bool
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The certificate as evidence names it: ``PATH`` or ``PATH#2`` and its subject."""
        at = self.where if self.index == 0 else f"{self.where}#{self.index}"
        return f"{at} ({self.subject})"


def public_key_of(key: object) -> PublicKey:
    """The algorithm and size of a public key object from ``cryptography``."""
    if isinstance(key, rsa.RSAPublicKey):
        return PublicKey("RSA", key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return PublicKey("EC", key.curve.key_size, key.curve.name)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return PublicKey("Ed25519", 256)
    if isinstance(key, ed448.Ed448PublicKey):
        return PublicKey("Ed448", 456)
    if isinstance(key, dsa.DSAPublicKey):
        return PublicKey("DSA", key.key_size)
    return PublicKey(type(key).__name__, 0)


def _ext(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def cert_of(der_or_pem: bytes, where: str, index: int) -> Cert:
    """A Cert from one PEM block or DER; raises ValueError when it does not parse."""
    raw = (
        x509.load_pem_x509_certificate(der_or_pem)
        if der_or_pem.startswith(b"-----")
        else x509.load_der_x509_certificate(der_or_pem)
    )
    basic = _ext(raw, x509.BasicConstraints)
    eku = _ext(raw, x509.ExtendedKeyUsage)
    san = _ext(raw, x509.SubjectAlternativeName)
    usages = set(eku) if isinstance(eku, x509.ExtendedKeyUsage) else set()
    dns: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    if isinstance(san, x509.SubjectAlternativeName):
        dns = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(i) for i in san.get_values_for_type(x509.IPAddress))
    algo = raw.signature_hash_algorithm
    return Cert(
        where=where,
        index=index,
        subject=raw.subject.rfc4514_string()[:200],
        issuer=raw.issuer.rfc4514_string()[:200],
        not_before=int(raw.not_valid_before_utc.timestamp()),
        not_after=int(raw.not_valid_after_utc.timestamp()),
        key=public_key_of(raw.public_key()),
        signature_hash=algo.name if algo is not None else "",
        signature_algorithm=getattr(raw.signature_algorithm_oid, "_name", "")
        or raw.signature_algorithm_oid.dotted_string,
        is_ca=isinstance(basic, x509.BasicConstraints) and basic.ca,
        server_auth=ExtendedKeyUsageOID.SERVER_AUTH in usages,
        client_auth=ExtendedKeyUsageOID.CLIENT_AUTH in usages,
        dns_names=dns,
        ip_addresses=ips,
    )


@dataclass(frozen=True)
class PemContent:
    """What the PEM text of one file holds: certificates, public keys, private key labels.

    ``errors`` names blocks that did not parse (by position, never by content).
    """

    certs: tuple[Cert, ...] = ()
    public_keys: tuple[PublicKey, ...] = ()
    private_labels: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def parse_pem(text: bytes, where: str) -> PemContent:
    """The certificates and public keys in ``text`` (private keys appear only as labels)."""
    certs: list[Cert] = []
    pubs: list[PublicKey] = []
    errors: list[str] = []
    for n, block in enumerate(PEM_BLOCK.finditer(text)):
        label = block.group(1)
        try:
            if label in CERT_LABELS:
                pem = block.group(0).replace(b"TRUSTED CERTIFICATE", b"CERTIFICATE")
                certs.append(cert_of(pem, where, len(certs)))
            elif label in PUBLIC_LABELS:
                pubs.append(public_key_of(serialization.load_pem_public_key(block.group(0))))
        except ValueError:
            errors.append(f"{where}: PEM block {n + 1} ({label.decode()}) does not parse")
    labels = tuple(m.group(1).decode() for m in KEY_LABEL.finditer(text))
    return PemContent(tuple(certs), tuple(pubs), labels, tuple(errors))
