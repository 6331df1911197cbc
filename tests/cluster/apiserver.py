"""A loopback Kubernetes API server for tests: recorded object lists, real pagination.

It serves every resource of ``hardening.model.cluster.RESOURCES`` at its real path over
HTTPS (a throwaway CA made per server), with bearer-token auth, ``limit``/``continue``
pagination as kube-apiserver does it (opaque tokens, ``remainingItemCount``, items without
kind/apiVersion), and the errors a real one gives: 401 for a bad token, 403 Forbidden for
a resource the user may not list, 410 Gone (reason Expired) for a stale continue token.
Only GET is answered; anything else is 405, and every request is recorded.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import ssl
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hardening.model.cluster import RESOURCES

RECORDED = Path(__file__).resolve().parent / "recorded"
TOKEN = "test-token-6a1c0c6e"


def recorded(root: Path = RECORDED) -> dict[str, list[dict[str, Any]]]:
    """The recorded cluster: plural -> its objects (as ``kubectl get -o json`` wrote them)."""
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))["items"]
        for p in sorted(root.glob("*.json"))
    }


@dataclass
class Behaviour:
    """What the server does besides serving: which faults, and what it saw."""

    forbidden: set[str] = field(default_factory=set)  # plurals answered 403
    expire: dict[str, int] = field(default_factory=dict)  # plural -> 410s still to give
    token: str = TOKEN  # the one the server accepts
    client_token: str | None = None  # the kubeconfig's, when it should differ
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path?query)
    max_limit: int = 0  # the largest limit a client asked for


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def discovery(path: str) -> dict[str, Any] | None:
    """The legacy discovery documents kubectl reads first (/api, /apis, /api/v1, /apis/G/V)."""
    groups = sorted({r.group for r in RESOURCES.values() if r.group})
    if path == "/api":
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}
            ],
        }
    if path == "/apis":
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [
                {
                    "name": g,
                    "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
                    "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"},
                }
                for g in groups
            ],
        }
    for group in ("", *groups):
        base = f"/apis/{group}/v1" if group else "/api/v1"
        if path == base:
            return {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": f"{group}/v1" if group else "v1",
                "resources": [
                    {
                        "name": r.plural,
                        "singularName": r.kind.lower(),
                        "namespaced": r.namespaced,
                        "kind": r.kind,
                        "verbs": ["get", "list", "watch"],
                    }
                    for r in RESOURCES.values()
                    if r.group == group
                ],
            }
    return None


def _handler(
    objects: Mapping[str, list[dict[str, Any]]], how: Behaviour, lock: threading.Lock
) -> type[BaseHTTPRequestHandler]:
    paths = {r.path: r for r in RESOURCES.values()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _send(self, code: int, body: Mapping[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - the audit must never write
            with lock:
                how.requests.append(("POST", self.path))
            self._send(405, _status(405, "MethodNotAllowed", "read-only test server"))

        do_PUT = do_PATCH = do_DELETE = do_POST  # noqa: N815

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with lock:
                how.requests.append(("GET", self.path))
            if self.headers.get("Authorization") != f"Bearer {how.token}":
                return self._send(401, _status(401, "Unauthorized", "Unauthorized"))
            found = discovery(url.path)
            if found is not None:
                return self._send(200, found)
            resource = paths.get(url.path)
            if resource is None:
                return self._send(
                    404,
                    _status(404, "NotFound", "the server could not find the requested resource"),
                )
            if resource.plural in how.forbidden:
                return self._send(
                    403,
                    _status(
                        403,
                        "Forbidden",
                        f'{resource.plural} is forbidden: User "auditor" cannot '
                        f'list resource "{resource.plural}" in API group "{resource.group}" at the '
                        "cluster scope",
                    ),
                )
            self._list(resource.plural, resource.kind, resource.api_version, query)

        def _list(self, plural: str, kind: str, api_version: str, query: dict[str, str]) -> None:
            items = objects.get(plural, [])
            start = 0
            if query.get("continue"):
                with lock:
                    left = how.expire.get(plural, 0)
                    if left:
                        how.expire[plural] = left - 1
                if left:
                    return self._send(
                        410,
                        _status(
                            410,
                            "Expired",
                            "The provided continue parameter is too old to display "
                            "a consistent list result. You can start a new list without the "
                            "continue parameter.",
                        ),
                    )
                start = json.loads(base64.urlsafe_b64decode(query["continue"]))["start"]
            limit = int(query.get("limit") or 0)
            with lock:
                how.max_limit = max(how.max_limit, limit)
            end = len(items) if limit <= 0 else min(len(items), start + limit)
            meta: dict[str, Any] = {"resourceVersion": "1042"}
            if end < len(items):
                token = json.dumps({"rv": 1042, "start": end}).encode()
                meta["continue"] = base64.urlsafe_b64encode(token).decode()
                meta["remainingItemCount"] = len(items) - end
            page = [
                {k: v for k, v in o.items() if k not in ("kind", "apiVersion")}
                for o in items[start:end]
            ]
            self._send(
                200,
                {"kind": f"{kind}List", "apiVersion": api_version, "metadata": meta, "items": page},
            )

    return Handler


def certificates(host: str) -> tuple[bytes, bytes, bytes]:
    """(CA cert PEM, server cert PEM, server key PEM) for ``host``, valid for a day."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-kubernetes-ca")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca.public_bytes(pem), cert.public_bytes(pem), key_pem


@dataclass(frozen=True)
class Served:
    """A running server: its URL and the kubeconfig that reaches it."""

    url: str
    kubeconfig: Path
    how: Behaviour


def kubeconfig_text(url: str, ca_pem: bytes, token: str, context: str = "test") -> str:
    """A kubeconfig as kubeadm writes one, with a token user."""
    ca = base64.b64encode(ca_pem).decode()
    return (
        f"apiVersion: v1\nkind: Config\ncurrent-context: {context}\n"
        f"clusters:\n- name: test\n  cluster:\n    server: {url}\n"
        f"    certificate-authority-data: {ca}\n"
        f"users:\n- name: auditor\n  user:\n    token: {token}\n"
        f"contexts:\n- name: {context}\n  context:\n    cluster: test\n    user: auditor\n"
    )


@contextmanager
def serve_api(
    objects: Mapping[str, list[dict[str, Any]]] | None = None,
    how: Behaviour | None = None,
    host: str = "127.0.0.1",
) -> Iterator[Served]:
    """Serve ``objects`` (default: the recorded cluster) over HTTPS on loopback."""
    assert ipaddress.ip_address(host).is_loopback, "the test API server must listen on loopback"
    how = how if how is not None else Behaviour()
    objects = recorded() if objects is None else objects
    ca_pem, cert_pem, key_pem = certificates(host)
    server = ThreadingHTTPServer((host, 0), _handler(objects, how, threading.Lock()))
    with tempfile.TemporaryDirectory(prefix="kube-api-") as tmp:
        d = Path(tmp)
        (d / "tls.crt").write_bytes(cert_pem)
        (d / "tls.key").write_bytes(key_pem)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(d / "tls.crt", d / "tls.key")
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        url = f"https://{host}:{server.server_address[1]}"
        kubeconfig = d / "kubeconfig"
        text = kubeconfig_text(url, ca_pem, how.client_token or how.token)
        kubeconfig.write_text(text, encoding="utf-8")
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Served(url, kubeconfig, how)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
