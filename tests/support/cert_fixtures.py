"""Writes the certificate kinds' fixtures (tests/fixtures/checks/{certificates,private_keys,
kubeconfig_exposure}/); run ``python -m tests.support.cert_fixtures`` to remake them.

Validity dates and the node clock (``pki.now``) are fixed, so the fixtures never expire.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support.certgen import b64, epoch, make

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
NOW = epoch("2026-06-01")
PKI = "/etc/kubernetes/pki"
KPKI = "/var/lib/kubelet/pki"


def _file(pem: bytes, mode: str = "644", owner: str = "root:root") -> dict[str, Any]:
    return {"mode": mode, "owner": owner, "pem": pem.decode()}


def _write(
    kind: str, name: str, params: dict[str, Any], facts: dict[str, Any], expect: dict[str, Any]
) -> None:
    doc = {"params": params, "facts": facts, "expect": expect}
    (OUT / kind / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, width=200))


def _pki(files: dict[str, dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"pki": {"now": NOW, "files": files, **more}}


def certificates() -> None:
    ca = make("kubernetes", ca=True, not_after="2035-01-01")
    good = make("kube-apiserver", server=True, dns=("cp1", "kubernetes"), issuer=ca)
    soon = make("kube-apiserver", server=True, dns=("cp1",), not_after="2026-06-20", issuer=ca)
    old = make("front-proxy-client", not_after="2026-05-01", issuer=ca)
    base = {
        f"{PKI}/ca.crt": _file(ca.pem),
        f"{PKI}/ca.key": _file(b"-----KEY PRIVATE KEY-----\n", "600"),
    }
    kind = "certificates"
    _write(
        kind,
        "expiry_pass",
        {"rule": "expiry"},
        _pki({**base, f"{PKI}/apiserver.crt": _file(good.pem)}),
        {"status": "PASS", "observed": "2 certificates"},
    )
    _write(
        kind,
        "expiry_warn_within_threshold",
        {"rule": "expiry"},
        _pki({**base, f"{PKI}/apiserver.crt": _file(soon.pem)}),
        {"status": "WARN", "details": "apiserver.crt (CN=kube-apiserver): expires 2026-06-20"},
    )
    _write(
        kind,
        "expiry_threshold_is_a_parameter",
        {"rule": "expiry", "warn_days": 10},
        _pki({**base, f"{PKI}/apiserver.crt": _file(soon.pem)}),
        {"status": "PASS"},
    )
    _write(
        kind,
        "expiry_fail_expired",
        {"rule": "expiry"},
        _pki({**base, f"{PKI}/front-proxy-client.crt": _file(old.pem)}),
        {
            "status": "FAIL",
            "details": "front-proxy-client.crt (CN=front-proxy-client): "
            "expired 2026-05-01 (31 days ago)",
        },
    )
    client = make("kubernetes-admin", not_after="2026-03-01", issuer=ca)
    kubeconfig = yaml.safe_dump(
        {
            "users": [
                {
                    "name": "admin",
                    "user": {
                        "client-certificate-data": b64(client.pem),
                        "client-key-data": b64(client.key_pem()),
                    },
                }
            ],
            "clusters": [{"name": "k", "cluster": {"certificate-authority-data": b64(ca.pem)}}],
        }
    )
    _write(
        kind,
        "expiry_fail_kubeconfig_embedded",
        {"rule": "expiry"},
        {
            **_pki(base),
            "files": {"/etc/kubernetes/admin.conf": {"mode": "600", "content": kubeconfig}},
        },
        {
            "status": "FAIL",
            "details": "admin.conf (client-certificate-data) "
            "(CN=kubernetes-admin): expired 2026-03-01",
        },
    )
    rotated = make("system:node:w1", not_after="2025-06-01", issuer=ca)
    current = make("system:node:w1", not_after="2027-01-01", issuer=ca)
    _write(
        kind,
        "expiry_superseded_rotation_files_skipped",
        {"rule": "expiry"},
        _pki(
            {
                f"{KPKI}/kubelet-client-2025-01-01-00-00-00.pem": _file(rotated.pem, "600"),
                f"{KPKI}/kubelet-client-current.pem": _file(current.pem, "600"),
            }
        ),
        {"status": "PASS", "observed": "1 superseded rotation files skipped"},
    )
    _write(
        kind,
        "expiry_rotation_file_without_current_is_judged",
        {"rule": "expiry"},
        _pki({f"{KPKI}/kubelet-client-2025-01-01-00-00-00.pem": _file(rotated.pem, "600")}),
        {"status": "FAIL", "details": "expired 2025-06-01"},
    )
    _write(
        kind,
        "unreadable_certificate_error",
        {"rule": "expiry"},
        _pki({**base, f"{KPKI}/kubelet-client-current.pem": {"mode": "600"}}),
        {"status": "ERROR", "details": "kubelet-client-current.pem: not readable"},
    )
    _write(
        kind,
        "denied_directory_error",
        {"rule": "key"},
        _pki(base, denied=[f"{PKI}/etcd"]),
        {"status": "ERROR", "details": "etcd: directory cannot be searched"},
    )
    _write(kind, "no_certificates_skip", {"rule": "expiry"}, _pki({}), {"status": "SKIP"})
    weak = make("old", key="rsa1024", issuer=ca)
    _write(
        kind,
        "key_pass",
        {"rule": "key"},
        _pki({**base, f"{PKI}/apiserver.crt": _file(make("a", key="rsa2048").pem)}),
        {"status": "PASS"},
    )
    _write(
        kind,
        "key_fail_rsa1024",
        {"rule": "key"},
        _pki({**base, f"{PKI}/old.crt": _file(weak.pem)}),
        {"status": "FAIL", "details": "old.crt (CN=old): RSA 1024 bits < 2048"},
    )
    _write(
        kind,
        "key_fail_p224",
        {"rule": "key"},
        _pki({f"{PKI}/p224.crt": _file(make("p", key="ec224").pem)}),
        {"status": "FAIL", "details": "EC secp224r1 (224 bits) < 256"},
    )
    rsa_ca = make("rsa-ca", ca=True, key="rsa2048")
    _write(
        kind,
        "signature_pass_sha256",
        {"rule": "signature"},
        _pki({f"{PKI}/ca.crt": _file(rsa_ca.pem)}),
        {"status": "PASS"},
    )
    _write(
        kind,
        "signature_fail_sha1",
        {"rule": "signature"},
        _pki(
            {
                f"{PKI}/ca.crt": _file(rsa_ca.pem),
                f"{PKI}/legacy.crt": _file(
                    make("legacy", key="rsa2048", issuer=rsa_ca, sha1=True).pem
                ),
            }
        ),
        {"status": "FAIL", "details": "legacy.crt (CN=legacy): signed with SHA1"},
    )
    _write(
        kind,
        "san_pass",
        {"rule": "san"},
        {**_pki({**base, f"{PKI}/apiserver.crt": _file(good.pem)}), "meta": {"hostname": "cp1"}},
        {"status": "PASS"},
    )
    _write(
        kind,
        "san_pass_wildcard",
        {"rule": "san"},
        {
            **_pki(
                {f"{KPKI}/kubelet.crt": _file(make("w", server=True, dns=("*.lab.example",)).pem)}
            ),
            "meta": {"hostname": "w1.lab.example"},
        },
        {"status": "PASS"},
    )
    _write(
        kind,
        "san_fail_other_host",
        {"rule": "san"},
        {**_pki({**base, f"{PKI}/apiserver.crt": _file(good.pem)}), "meta": {"hostname": "cp2"}},
        {"status": "FAIL", "details": "serving certificate without 'cp2' in its SANs"},
    )


def private_keys() -> None:
    leaf = make("apiserver", server=True)
    weak = make("weak", key="rsa1024")
    label = b"-----KEY PRIVATE KEY-----\n"
    kind = "private_keys"
    _write(
        kind,
        "pass",
        {},
        _pki(
            {f"{PKI}/apiserver.crt": _file(leaf.pem), f"{PKI}/apiserver.key": _file(label, "600")}
        ),
        {"status": "PASS", "details": "apiserver.key: 600 root:root, EC secp256r1"},
    )
    _write(
        kind,
        "fail_mode",
        {},
        _pki(
            {f"{PKI}/apiserver.crt": _file(leaf.pem), f"{PKI}/apiserver.key": _file(label, "644")}
        ),
        {"status": "FAIL", "details": "mode 644 (at most 600)"},
    )
    _write(
        kind,
        "fail_weak_from_certificate",
        {},
        _pki({f"{PKI}/weak.crt": _file(weak.pem), f"{PKI}/weak.key": _file(label, "600")}),
        {"status": "FAIL", "details": "RSA 1024 bits < 2048"},
    )
    _write(
        kind,
        "fail_owner_unreadable_key",
        {},
        _pki({f"{PKI}/sa.key": {"mode": "600", "owner": "nobody:nogroup"}}),
        {"status": "FAIL", "details": "owner nobody:nogroup"},
    )
    _write(kind, "none_skip", {}, _pki({f"{PKI}/ca.crt": _file(leaf.pem)}), {"status": "SKIP"})


def kubeconfig_exposure() -> None:
    kc = yaml.safe_dump({"users": [{"name": "u", "user": {"token": "abcdef.0123456789abcdef"}}]})
    kind = "kubeconfig_exposure"
    paths = ["/root/.kube/config", "/home/*/.kube/config"]
    _write(
        kind,
        "pass",
        {"paths": paths, "forbid_secrets": ["token", "password"]},
        {
            "files": {
                "/home/ann/.kube/config": {
                    "mode": "600",
                    "owner": "ann:ann",
                    "content": "users: []\n",
                }
            }
        },
        {"status": "PASS", "details": "/home/ann/.kube/config: 600 ann:ann, credentials: none"},
    )
    _write(
        kind,
        "fail_mode",
        {"paths": paths},
        {"files": {"/root/.kube/config": {"mode": "644", "content": "users: []\n"}}},
        {"status": "FAIL", "details": "mode 644 (at most 600)"},
    )
    _write(
        kind,
        "fail_static_token",
        {"paths": paths, "forbid_secrets": ["token"]},
        {"files": {"/home/bob/.kube/config": {"mode": "600", "content": kc}}},
        {"status": "FAIL", "details": "credentials: token -- holds token"},
    )
    admin = ["/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf"]
    marker = "/etc/kubernetes/manifests/kube-apiserver.yaml"
    _write(
        kind,
        "fail_admin_conf_on_worker",
        {"paths": admin, "forbid_present": True, "unless_present": marker},
        {"files": {admin[0]: {"mode": "600", "content": kc}}},
        {"status": "FAIL", "details": "admin.conf: 600 root:root, credentials: token -- present"},
    )
    _write(
        kind,
        "pass_no_admin_conf_on_worker",
        {"paths": admin, "forbid_present": True, "unless_present": marker},
        {"files": {}},
        {"status": "PASS", "observed": "none found"},
    )
    _write(
        kind,
        "skip_on_control_plane",
        {"paths": admin, "forbid_present": True, "unless_present": marker},
        {"files": {admin[0]: {"mode": "600", "content": kc}, marker: {"mode": "600"}}},
        {"status": "SKIP", "reason": "does not apply"},
    )


CONTROLS = {  # control -> (kind, PASS fixture, FAIL fixture(s)); the fixture's params must
    # be the control's own, so the node descriptions carry over unchanged
    "NODE-4.1": (
        "certificates",
        "expiry_pass",
        "expiry_fail_expired",
        "expiry_fail_kubeconfig_embedded",
        "expiry_superseded_rotation_files_skipped",
        "expiry_warn_within_threshold",
    ),
    "NODE-4.2": ("certificates", "key_pass", "key_fail_rsa1024"),
    "NODE-4.3": ("certificates", "signature_pass_sha256", "signature_fail_sha1"),
    "NODE-4.4": ("certificates", "san_pass", "san_fail_other_host"),
    "NODE-4.5": ("private_keys", "pass", "fail_mode", "fail_weak_from_certificate"),
    "NODE-4.6": ("kubeconfig_exposure", "pass", "fail_mode", "fail_static_token"),
    "NODE-4.7": (
        "kubeconfig_exposure",
        "pass_no_admin_conf_on_worker",
        "fail_admin_conf_on_worker",
        "skip_on_control_plane",
    ),
}


def controls() -> None:
    """The node-os NODE-4 control fixtures, from the kind fixtures' node descriptions."""
    for cid, (kind, *names) in CONTROLS.items():
        cases = []
        for name in names:
            doc = yaml.safe_load((OUT / kind / f"{name}.yaml").read_text())
            cases.append(
                {
                    "name": name.replace("_", " "),
                    "expect": doc["expect"]["status"],
                    "node": doc["facts"],
                }
            )
        head = (
            f"# Two-sided fixture for node-os {cid} (written by tests/support/cert_fixtures.py)\n"
        )
        body = yaml.safe_dump(
            {"control": cid, "benchmark": "node-os", "cases": cases}, sort_keys=False, width=200
        )
        (OUT.parent / "controls" / "node-os" / f"{cid}.yaml").write_text(head + body)


if __name__ == "__main__":
    certificates()
    private_keys()
    kubeconfig_exposure()
    controls()
