"""Shared by the certificate kinds: which certificates a node uses, and the key rules.

Kubelet rotation keeps every certificate it was ever issued as
``kubelet-client-<timestamp>.pem`` beside the ``kubelet-client-current.pem`` link it uses
(k8s.io/client-go/util/certificate/certificate_store.go, fileStore.Update and
updateSymlink): where a ``-current.pem`` exists, the timestamped siblings are history and
are not judged.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from hardening.facts.certinfo import Cert, PublicKey
from hardening.facts.certs import SUFFIXES, CertFiles, PemFile, PkiTree
from hardening.facts.kubeconfig import Kubeconfig, Kubeconfigs
from hardening.model.facts import Absent, Facts

ROTATED = re.compile(r"kubelet-(client|server)-\d{4}-.*\.pem")
CERT_SUFFIXES = (".crt", ".pem", ".cert")
WEAK_HASHES = frozenset({"md2", "md4", "md5", "sha1"})
DAY = 86400


@dataclass(frozen=True)
class Inventory:
    """The certificates to judge and what kept any from being examined."""

    certs: tuple[Cert, ...]
    files: int
    unexamined: tuple[str, ...]
    superseded: int
    now: int | None


def _superseded(files: tuple[PemFile, ...]) -> set[str]:
    names = {f.stat.path for f in files}
    out = set()
    for path in names:
        base = posixpath.basename(path)
        kind = ROTATED.fullmatch(base)
        current = (
            posixpath.join(posixpath.dirname(path), f"kubelet-{kind.group(1)}-current.pem")
            if kind
            else ""
        )
        if kind and current in names:
            out.add(path)
    return out


def inventory(
    facts: Facts, roots: tuple[str, ...], kubeconfigs: tuple[str, ...]
) -> Inventory | Absent:
    """Every certificate under ``roots`` and embedded in ``kubeconfigs``, or why none."""
    tree = facts.get(CertFiles(roots))
    if isinstance(tree, Absent):
        return tree
    configs: tuple[Kubeconfig, ...] = ()
    if kubeconfigs:
        got = facts.get(Kubeconfigs(kubeconfigs))
        if isinstance(got, Absent):
            return got
        configs = got
    return _inventory(tree, configs)


def _inventory(tree: PkiTree, configs: tuple[Kubeconfig, ...]) -> Inventory:
    old = _superseded(tree.files)
    certs: list[Cert] = []
    unexamined = [f"{d}: directory cannot be searched" for d in tree.denied]
    for f in tree.files:
        if f.stat.path in old:
            continue
        if f.content is None:
            if f.stat.path.endswith(CERT_SUFFIXES):
                unexamined.append(f"{f.stat.path}: not readable")
            continue
        certs += f.content.certs
        unexamined += f.content.errors
    for k in configs:
        if not k.readable:
            unexamined.append(f"{k.stat.path}: not readable")
        certs += k.certs
        unexamined += k.errors
    return Inventory(
        tuple(certs), len(tree.files) + len(configs), tuple(unexamined), len(old), tree.now
    )


def date(epoch: int) -> str:
    """An epoch second as ``2026-01-31`` (UTC)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


def weak_key(key: PublicKey, min_rsa: int, min_ec: int) -> str:
    """Why a public key is too weak ("" when it is not)."""
    if key.type == "RSA" and key.bits < min_rsa:
        return f"RSA {key.bits} bits < {min_rsa}"
    if key.type == "EC" and key.bits < min_ec:
        return f"EC {key.curve} ({key.bits} bits) < {min_ec}"
    if key.type not in ("RSA", "EC", "Ed25519", "Ed448"):
        return f"{key.type} keys are not allowed"
    return ""


def key_of(path: str, files: tuple[PemFile, ...]) -> tuple[PublicKey | None, str]:
    """A private key file's public half: from its own file, or a same-stem .crt/.pub."""
    by_path = {f.stat.path: f for f in files}
    base, ext = posixpath.splitext(path)
    stem = base if ext in SUFFIXES else path
    for cand in (path, *(stem + s for s in SUFFIXES)):
        f = by_path.get(cand)
        if f is None or f.content is None:
            continue
        if f.content.certs:
            return f.content.certs[0].key, cand
        if f.content.public_keys:
            return f.content.public_keys[0], cand
    return None, ""
