"""Certificates, key files and kubeconfigs through the real probe run by /bin/sh.

A PKI tree and kubeconfigs laid out under tmp (expired, expiring, weak-key and SHA-1
certificates made in the test) are audited end to end with the local transport; the same
tree opened as a root filesystem must give the same facts; and no byte of any private key
or token appears in the probe's output, the facts or the reports.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from hardening.audit import Audit
from hardening.catalogue.load import load_benchmark
from hardening.collect import ProbeSource
from hardening.facts.certs import CertFiles
from hardening.facts.kubeconfig import Kubeconfigs
from hardening.model.control import Role
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.probe import parse, script
from hardening.reports.json_doc import render
from hardening.sources.image import answer, open_image
from tests.support.certgen import Made, b64, make

TOKEN = "abcdef.0123456789abcdef"


def _w(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chmod(path, mode)


def layout(d: Path) -> list[Made]:
    """d/pki (kubeadm-like, with etcd/), d/kubelet/pki, d/admin.conf; returns every pair."""
    ca = make("kubernetes", ca=True, key="rsa2048", not_before="2024-01-01", not_after="2034-01-01")
    host = os.uname().nodename
    pairs = {
        "pki/ca": ca,
        "pki/apiserver": make(
            "kube-apiserver",
            server=True,
            dns=(host, "kubernetes"),
            issuer=ca,
            not_after="2099-01-01",
        ),
        "pki/expired": make(
            "expired-client", issuer=ca, not_after="2024-06-01", not_before="2024-01-01"
        ),
        "pki/weak": make("weak", key="rsa1024", issuer=ca, not_after="2099-01-01"),
        "pki/etcd/legacy": make(
            "legacy", key="rsa2048", issuer=ca, sha1=True, not_after="2099-01-01"
        ),
    }
    for stem, pair in pairs.items():
        _w(d / f"{stem}.crt", pair.pem, 0o644)
        _w(d / f"{stem}.key", pair.key_pem(), 0o600)
    os.chmod(d / "pki" / "weak.key", 0o644)
    client = make("system:node:me", issuer=ca, not_after="2099-01-01")
    pairs["kubelet"] = client
    _w(d / "kubelet" / "pki" / "kubelet-client-current.pem", client.pem + client.key_pem(), 0o600)
    admin = make("kubernetes-admin", issuer=ca, not_after="2099-01-01")
    pairs["admin"] = admin
    kc = {
        "clusters": [{"name": "k", "cluster": {"certificate-authority-data": b64(ca.pem)}}],
        "users": [
            {
                "name": "admin",
                "user": {
                    "client-certificate-data": b64(admin.pem),
                    "client-key-data": b64(admin.key_pem()),
                    "token": TOKEN,
                },
            }
        ],
    }
    _w(d / "admin.conf", yaml.safe_dump(kc).encode(), 0o644)
    return list(pairs.values())


CATALOGUE = """\
controls:
  - {{id: C.1, title: expiry, section: C, check: {{kind: certificates, rule: expiry,
      roots: ["{d}/pki", "{d}/kubelet/pki"], kubeconfigs: ["{d}/admin.conf"]}}}}
  - {{id: C.2, title: key, section: C, check: {{kind: certificates, rule: key,
      roots: ["{d}/pki"], kubeconfigs: []}}}}
  - {{id: C.3, title: sig, section: C, check: {{kind: certificates, rule: signature,
      roots: ["{d}/pki"], kubeconfigs: []}}}}
  - {{id: C.4, title: san, section: C, check: {{kind: certificates, rule: san,
      roots: ["{d}/pki"], kubeconfigs: []}}}}
  - {{id: C.5, title: keys, section: C, check: {{kind: private_keys, roots: ["{d}/pki"],
      owners: ["{owner}"]}}}}
  - {{id: C.6, title: kubeconfig, section: C, check: {{kind: kubeconfig_exposure,
      paths: ["{d}/admin.conf"], forbid_secrets: [token]}}}}
  - {{id: C.7, title: keys ok, section: C, check: {{kind: private_keys,
      roots: ["{d}/kubelet/pki"], owners: ["{owner}"]}}}}
"""


def _owner() -> str:
    import grp
    import pwd

    return f"{pwd.getpwuid(os.getuid()).pw_name}:{grp.getgrgid(os.getgid()).gr_name}"


@pytest.fixture
def audited(tmp_path: Path) -> tuple[Path, list[Made], dict[str, object]]:
    d = tmp_path / "node"
    pairs = layout(d)
    bench = tmp_path / "bench" / "t"
    bench.mkdir(parents=True)
    (bench / "c.yaml").write_text(CATALOGUE.format(d=d, owner=_owner()))
    cat = load_benchmark("t", root=bench.parent)
    host = Host("me", transport="local", roles=frozenset({Role.WORKER}))
    doc = Audit(cat.controls, "t", ProbeSource()).run((host,))
    return d, pairs, {"doc": doc}


def test_each_rule_fails_its_own_certificate_through_the_probe(audited) -> None:
    _d, _pairs, got = audited
    results = {r.control_id: r for r in got["doc"].hosts[0].results}  # type: ignore[attr-defined]
    assert results["C.1"].status is Status.FAIL
    assert any(
        "expired.crt (CN=expired-client): expired 2024-06-01" in x
        for x in results["C.1"].evidence.details
    )
    assert not any("apiserver" in x for x in results["C.1"].evidence.details)
    assert results["C.2"].status is Status.FAIL
    assert [x for x in results["C.2"].evidence.details if "RSA 1024" in x][0].count("weak.crt")
    assert results["C.3"].status is Status.FAIL
    assert any(
        "legacy.crt (CN=legacy): signed with SHA1" in x for x in results["C.3"].evidence.details
    )
    assert results["C.4"].status is Status.PASS, results["C.4"].evidence
    assert results["C.5"].status is Status.FAIL
    weak = [x for x in results["C.5"].evidence.details if "weak.key" in x][0]
    assert "mode 644" in weak and "RSA 1024 bits < 2048" in weak
    assert any(
        "apiserver.key: 600" in x and "EC secp256r1" in x and " -- " not in x
        for x in results["C.5"].evidence.details
    )
    assert results["C.6"].status is Status.FAIL
    assert "credentials: client-key-data, token" in results["C.6"].evidence.details[0]
    assert results["C.7"].status is Status.PASS, results["C.7"].evidence
    assert "EC secp256r1 (from" in results["C.7"].evidence.details[0]


def test_no_private_key_or_token_byte_leaves_the_node(audited, tmp_path: Path) -> None:
    d, pairs, got = audited
    req_c, req_k = (
        CertFiles((str(d / "pki"), str(d / "kubelet" / "pki"))),
        Kubeconfigs((str(d / "admin.conf"),)),
    )
    probe = script.build([req_c, req_k])
    out = subprocess.run(
        ["/bin/sh", "-s"], input=probe.data, capture_output=True, check=True, timeout=60
    ).stdout
    values, _ = parse.parse(out, probe, "me")
    render(got["doc"], tmp_path / "run.json")  # type: ignore[arg-type]
    texts = {
        "probe output": out,
        "facts": repr(values).encode(),
        "report": (tmp_path / "run.json").read_bytes(),
    }
    secrets = [TOKEN.encode()]
    for pair in pairs:
        body = pair.key_pem().splitlines()[1:-1]
        secrets += body  # each base64 line of the PEM key
        secrets.append(b64(pair.key_pem()).encode()[:48])  # as a kubeconfig embeds it
    for where, text in texts.items():
        leaked = [s[:12] for s in secrets if s in text]
        assert leaked == [], f"private material in the {where}: {leaked}"
    assert b"BEGIN CERTIFICATE" in out  # the certificates themselves did come back


def _project(tree: object, prefix: str) -> list[tuple[object, ...]]:
    """What must agree between a live probe and a root filesystem: per file, its place,
    mode, uid, certificates, public keys and private key labels."""
    out = []
    for f in tree.files:  # type: ignore[attr-defined]
        c = f.content
        out.append(
            (
                f.stat.path.removeprefix(prefix),
                f.stat.mode,
                f.stat.uid,
                tuple((x.subject, x.not_after, x.key) for x in c.certs) if c else None,
                c.public_keys if c else None,
                c.private_labels if c else None,
            )
        )
    return out


def test_a_root_filesystem_gives_the_probes_facts(audited) -> None:
    d, _pairs, _got = audited
    live_req = CertFiles((str(d / "pki"), str(d / "kubelet" / "pki")))
    probe = script.build([live_req])
    out = subprocess.run(
        ["/bin/sh", "-s"], input=probe.data, capture_output=True, check=True, timeout=60
    ).stdout
    live = parse.parse(out, probe, "me")[0][live_req]
    root_req, kc_req = CertFiles(("/pki", "/kubelet/pki")), Kubeconfigs(("/admin.conf",))
    offline = answer(open_image(d), [root_req, kc_req])
    assert sorted(_project(offline[root_req], "")) == sorted(_project(live, str(d)))
    assert offline[root_req].now is None and live.now is not None  # type: ignore[attr-defined]
    kc = offline[kc_req][0]  # type: ignore[index]
    assert kc.secrets == ("client-key-data", "token")
    assert [c.subject for c in kc.certs] == ["CN=kubernetes", "CN=kubernetes-admin"]


def test_report_json_names_the_flagged_certificates(audited, tmp_path: Path) -> None:
    _d, _pairs, got = audited
    render(got["doc"], tmp_path / "r.json")  # type: ignore[arg-type]
    doc = json.loads((tmp_path / "r.json").read_text())
    c1 = next(r for r in doc["hosts"][0]["results"] if r["id"] == "C.1")
    assert c1["status"] == "FAIL" and "expired-client" in json.dumps(c1)
