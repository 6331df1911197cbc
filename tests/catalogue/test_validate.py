"""Strict validation of every benchmark directory, beyond what the loader enforces."""

from __future__ import annotations

import re

import pytest

from hardening.catalogue.load import available, default_root, load_benchmark, load_many
from hardening.model.control import Control, Role

NATIVE = ("cis-1.12", "cis-1.12-extras", "ack-1.0", "node-os")
# Automated controls with no playbook tag, and why: the fix is not a change to node files.
NO_PLAYBOOK = {
    ("ack-1.0", "6.2.1"): "KMS encryption needs a KMS key and provider set up on the cloud side",
    ("ack-1.0", "6.6.3"): "a sandbox runtime is a node pool or install, not a file fix",
    ("ack-1.0", "6.1.3"): "the worker's RAM role is changed in RAM, not on the node",
    ("ack-1.0", "6.3.3"): "a public IP, an EIP or a route is changed in the VPC, not on the node",
    ("ack-1.0", "6.4.1"): "a disk is encrypted when it is created, not by a node playbook",
    ("cis-1.12", "3.2.2"): "an audit policy is the cluster's own content, not a file fix",
    ("ack-1.0", "3.2.2"): "an audit policy is the cluster's own content, not a file fix",
    ("node-os", "NODE-4.1"): "renewing a certificate needs its CA and a component restart",
    ("node-os", "NODE-4.2"): "a stronger key means reissuing the certificate",
    ("node-os", "NODE-4.3"): "a new signature means reissuing the certificate",
    ("node-os", "NODE-4.4"): "new SANs mean reissuing the serving certificate",
    ("node-os", "NODE-4.5"): "which key files to chmod is known only after the audit",
    ("node-os", "NODE-4.6"): "replacing a static credential is an identity change, not a file fix",
    ("node-os", "NODE-4.7"): "deleting admin.conf needs the credential it held rotated first",
}
REMOVED_FLAGS = (
    "--insecure-port",
    "--insecure-bind-address",
    "--basic-auth-file",
    "--kubelet-https",
    "PodSecurityPolicy",
    "SecurityContextDeny",
)


def _all() -> list[str]:
    return available(default_root())


@pytest.mark.parametrize("bench", _all())
def test_every_benchmark_loads_strictly(bench: str) -> None:
    cat = load_benchmark(bench)
    assert cat.controls, f"{bench} has no controls"
    ids = [c.id for c in cat.controls]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("bench", NATIVE)
def test_titles_sections_and_manual_audit_text(bench: str) -> None:
    for c in load_benchmark(bench).controls:
        assert c.title.strip() and c.section.strip(), c.source
        assert c.remediation, f"{c.source}: {c.id} has no remediation"
        if not c.automated:
            assert len(c.audit) > 20, f"{c.source}: manual {c.id} needs audit instructions"


def _tag_ok(bench: str, c: Control) -> bool:
    if (bench, c.id) in NO_PLAYBOOK:
        return c.playbook_tag is None
    if Role.CLUSTER in c.roles:  # cluster objects change through the API, not a node playbook
        return c.playbook_tag is None
    return c.playbook_tag == f"{bench}-{c.id}"


@pytest.mark.parametrize("bench", NATIVE)
def test_automated_controls_have_a_playbook_tag_or_a_reason(bench: str) -> None:
    bad = [c.id for c in load_benchmark(bench).controls if c.automated and not _tag_ok(bench, c)]
    assert bad == []


@pytest.mark.parametrize("bench", NATIVE)
def test_manual_controls_have_no_playbook_tag(bench: str) -> None:
    assert [
        c.id for c in load_benchmark(bench).controls if not c.automated and c.playbook_tag
    ] == []


@pytest.mark.parametrize("bench", NATIVE)
def test_removed_flags_are_never_checked(bench: str) -> None:
    for c in load_benchmark(bench).controls:
        if c.check is None:
            continue
        text = repr(c.check.params)
        assert not [f for f in REMOVED_FLAGS if f in text], f"{c.source}: {c.id} checks {text}"


def test_native_benchmarks_load_together_only_where_ids_differ() -> None:
    cat = load_many(["cis-1.12", "node-os"])
    assert len(cat.controls) == (
        len(load_benchmark("cis-1.12").controls) + len(load_benchmark("node-os").controls)
    )


def test_cis_ids_look_like_the_benchmark_prints_them() -> None:
    pattern = re.compile(r"^\d+(\.\d+)*(\.PKD)?$")
    assert [c.id for c in load_benchmark("cis-1.12").controls if not pattern.match(c.id)] == []


def test_kms_control_is_automated_in_ack() -> None:
    control = load_benchmark("ack-1.0").get("6.2.1")
    assert control is not None and control.check is not None
    assert control.check.kind == "encryption_provider"
    assert control.check.when_missing == "fail"
