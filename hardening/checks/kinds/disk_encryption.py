"""disk_encryption: every cloud disk attached to the node is encrypted.

Alibaba ``DescribeDisks`` (``Encrypted``, ``KMSKeyId``, ``Type`` system/data) or AWS
``describe-volumes`` (``Encrypted``, ``KmsKeyId``), from the cloud source. Each
unencrypted disk fails and is named; the evidence of a PASS names each disk's key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, pass_fail
from hardening.checks.kinds._cloud import cloud_fact
from hardening.facts.node_disks import NodeDisks
from hardening.model.facts import FactRequest, Facts
from hardening.model.result import Status


@dataclass(frozen=True)
class Params:
    """No YAML keys: every disk attached to the node is judged."""


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The node's disks (answered by the cloud source, not the probe)."""
    return (NodeDisks(),)


def _label(disk: Mapping[str, Any]) -> str:
    ident = disk.get("DiskId") or disk.get("VolumeId") or "?"
    kind = disk.get("Type")
    if kind not in ("system", "data"):  # AWS VolumeType is gp3/io2; the device says more
        kind = next((a.get("Device") for a in disk.get("Attachments") or []), "") or ""
    return f"{ident} ({kind})" if kind else str(ident)


def _encrypted(disk: Mapping[str, Any]) -> bool:
    value = disk.get("Encrypted")
    return value is True or str(value).lower() == "true"


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Each disk's Encrypted flag; none attached is SKIP."""
    got = cloud_fact(facts, NodeDisks())
    if isinstance(got, Outcome):
        return got
    expected = "every disk of the node encrypted"
    disks = got.disks
    source = "disks " + (", ".join(_label(d) for d in disks) or "none")
    if not disks:
        return Outcome(Status.SKIP, expected=expected, source=source, reason="no disk attached")
    plain = [f"{_label(d)} not encrypted" for d in disks if not _encrypted(d)]
    keys = [
        f"{_label(d)} encrypted with {d.get('KMSKeyId') or d.get('KmsKeyId') or 'the default key'}"
        for d in disks
        if _encrypted(d)
    ]
    observed = "; ".join(plain) if plain else f"{len(disks)} disk(s) encrypted"
    return Outcome(pass_fail(not plain), observed, expected, source, details=tuple(plain + keys))


KIND = CheckKind("disk_encryption", Params, needs, evaluate, __doc__ or "")
