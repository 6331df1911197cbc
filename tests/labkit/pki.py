"""Real X.509 material for lab nodes: a kubeadm-style PKI and kubeconfigs.

Keys are ECDSA P-256 so a lab starts fast; the files, names and modes follow kubeadm.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
from dataclasses import dataclass

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_VALIDITY = datetime.timedelta(days=365)
_SERVER = [ExtendedKeyUsageOID.SERVER_AUTH]
_CLIENT = [ExtendedKeyUsageOID.CLIENT_AUTH]
_BOTH = _SERVER + _CLIENT


@dataclass(frozen=True)
class KeyPair:
    """A private key and its certificate (the certificate is None for a bare key)."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    def cert_pem(self) -> bytes:
        """The certificate as PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _name(common_name: str, org: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if org:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def make_ca(common_name: str) -> KeyPair:
    """A self-signed CA certificate, as kubeadm makes for `kubernetes`, `etcd-ca`, ..."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + 10 * _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, True, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return KeyPair(key, cert)


def issue(
    ca: KeyPair,
    common_name: str,
    usages: list[x509.ObjectIdentifier],
    *,
    org: str = "",
    dns: tuple[str, ...] = (),
    ips: tuple[str, ...] = (),
) -> KeyPair:
    """A leaf certificate signed by `ca` with the given usages and subject alternative names."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, org))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    )
    sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    sans += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return KeyPair(key, builder.sign(ca.key, hashes.SHA256()))


@dataclass(frozen=True)
class ClusterCas:
    """The three kubeadm CAs shared by every node of one lab."""

    kubernetes: KeyPair
    etcd: KeyPair
    front_proxy: KeyPair

    @classmethod
    def generate(cls) -> ClusterCas:
        """Fresh CAs for one lab."""
        return cls(make_ca("kubernetes"), make_ca("etcd-ca"), make_ca("front-proxy-ca"))


def control_plane_pki(cas: ClusterCas, hostname: str, address: str) -> dict[str, bytes]:
    """Files of /etc/kubernetes/pki (relative path -> bytes) for a kubeadm control plane."""
    names = (hostname, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "localhost")
    ips = (address, "10.96.0.1", "127.0.0.1")
    leaves = {
        "apiserver": issue(cas.kubernetes, "kube-apiserver", _SERVER, dns=names, ips=ips),
        "apiserver-kubelet-client": issue(
            cas.kubernetes, "kube-apiserver-kubelet-client", _CLIENT, org="kubeadm:cluster-admins"
        ),
        "front-proxy-client": issue(cas.front_proxy, "front-proxy-client", _CLIENT),
        "apiserver-etcd-client": issue(cas.etcd, "kube-apiserver-etcd-client", _CLIENT),
        "etcd/server": issue(cas.etcd, hostname, _BOTH, dns=(hostname, "localhost"), ips=ips),
        "etcd/peer": issue(cas.etcd, hostname, _BOTH, dns=(hostname, "localhost"), ips=ips),
        "etcd/healthcheck-client": issue(cas.etcd, "kube-etcd-healthcheck-client", _CLIENT),
    }
    files = {
        "ca.crt": cas.kubernetes.cert_pem(),
        "ca.key": cas.kubernetes.key_pem(),
        "front-proxy-ca.crt": cas.front_proxy.cert_pem(),
        "front-proxy-ca.key": cas.front_proxy.key_pem(),
        "etcd/ca.crt": cas.etcd.cert_pem(),
        "etcd/ca.key": cas.etcd.key_pem(),
    }
    for stem, pair in leaves.items():
        files[f"{stem}.crt"] = pair.cert_pem()
        files[f"{stem}.key"] = pair.key_pem()
    sa_key = ec.generate_private_key(ec.SECP256R1())
    files["sa.key"] = KeyPair(sa_key, cas.kubernetes.cert).key_pem()
    files["sa.pub"] = sa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return files


def kubelet_serving(cas: ClusterCas, hostname: str, address: str) -> KeyPair:
    """The kubelet's own serving certificate (/var/lib/kubelet/pki/kubelet.crt)."""
    return issue(cas.kubernetes, hostname, _SERVER, dns=(hostname,), ips=(address,))


def kubeconfig(cas: ClusterCas, server: str, user: str, org: str = "") -> bytes:
    """A kubeconfig with embedded CA and a client certificate for `user` (kubeadm's layout)."""
    client = issue(cas.kubernetes, user, _CLIENT, org=org)

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "kubernetes",
                "cluster": {
                    "certificate-authority-data": b64(cas.kubernetes.cert_pem()),
                    "server": server,
                },
            }
        ],
        "contexts": [
            {"name": f"{user}@kubernetes", "context": {"cluster": "kubernetes", "user": user}}
        ],
        "current-context": f"{user}@kubernetes",
        "preferences": {},
        "users": [
            {
                "name": user,
                "user": {
                    "client-certificate-data": b64(client.cert_pem()),
                    "client-key-data": b64(client.key_pem()),
                },
            }
        ],
    }
    return yaml.safe_dump(doc, sort_keys=False).encode("utf-8")
