"""certificates: every certificate a node's components use, judged by one ``rule``.

The certificates are those under ``roots`` (kubeadm's /etc/kubernetes/pki with etcd/, the
kubelet's pki, /etc/etcd/pki; three directories deep) and those embedded in ``kubeconfigs``
(admin, super-admin, kubelet, controller-manager, scheduler). Rules:

- ``expiry``: FAIL when expired or not yet valid, WARN within ``warn_days`` (default 30) of
  its notAfter, judged against the node's clock when it was probed;
- ``key``: the public key is RSA >= ``min_rsa_bits`` (2048), EC >= ``min_ec_bits`` (256,
  P-256) or Ed25519/Ed448;
- ``signature``: not signed with SHA-1, MD5 (or MD2/MD4);
- ``san``: each serving certificate (serverAuth, not a CA) names the node's hostname in its
  DNS SANs (exactly, or by a ``*.`` wildcard of its domain).

A certificate that could not be read, a block that does not parse or a directory that could
not be searched is ERROR unless another certificate already FAILs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError
from hardening.checks.kinds._certs import DAY, WEAK_HASHES, Inventory, date, inventory, weak_key
from hardening.facts.certinfo import Cert
from hardening.facts.certs import DEFAULT_ROOTS, CertFiles
from hardening.facts.kubeconfig import COMPONENT_KUBECONFIGS, Kubeconfigs
from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status

RULES = ("expiry", "key", "signature", "san")
Verdict = tuple[Status, str] | None  # FAIL/WARN with why, or None when the cert is fine


@dataclass(frozen=True)
class Params:
    """YAML: ``rule`` (expiry|key|signature|san), optional ``warn_days``, ``min_rsa_bits``,
    ``min_ec_bits``, ``roots`` and ``kubeconfigs``."""

    rule: str
    warn_days: int = 30
    min_rsa_bits: int = 2048
    min_ec_bits: int = 256
    roots: tuple[str, ...] = DEFAULT_ROOTS
    kubeconfigs: tuple[str, ...] = COMPONENT_KUBECONFIGS

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ParamError(
                "rule", f"unknown rule '{self.rule}' (expected one of: {', '.join(RULES)})"
            )
        if self.warn_days < 0:
            raise ParamError("warn_days", "must be 0 or more")


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The PEM files under the roots and the kubeconfigs (one probe section each)."""
    return (CertFiles(p.roots), Kubeconfigs(p.kubeconfigs))


def _expiry(p: Params, now: int) -> Callable[[Cert], Verdict]:
    def judge(c: Cert) -> Verdict:
        if c.not_after < now:
            ago = (now - c.not_after) // DAY
            return Status.FAIL, f"expired {date(c.not_after)} ({ago} days ago)"
        if c.not_before > now:
            return Status.FAIL, f"not valid before {date(c.not_before)}"
        left = (c.not_after - now) // DAY
        if c.not_after - now < p.warn_days * DAY:
            return Status.WARN, f"expires {date(c.not_after)} (in {left} days)"
        return None

    return judge


def _key(p: Params) -> Callable[[Cert], Verdict]:
    def judge(c: Cert) -> Verdict:
        why = weak_key(c.key, p.min_rsa_bits, p.min_ec_bits)
        return (Status.FAIL, why) if why else None

    return judge


def _signature(c: Cert) -> Verdict:
    if c.signature_hash in WEAK_HASHES:
        return Status.FAIL, f"signed with {c.signature_hash.upper()} ({c.signature_algorithm})"
    if not c.signature_hash and c.key.type not in ("Ed25519", "Ed448"):
        return Status.FAIL, f"signature hash unknown ({c.signature_algorithm})"
    return None


def _names_host(c: Cert, host: str) -> bool:
    host = host.lower().rstrip(".")
    for name in (n.lower().rstrip(".") for n in c.dns_names):
        if name == host or (
            name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]
        ):
            return True
    return False


def _san(host: str) -> Callable[[Cert], Verdict]:
    def judge(c: Cert) -> Verdict:
        if not c.server_auth or c.is_ca or _names_host(c, host):
            return None
        return (
            Status.FAIL,
            f"serving certificate without '{host}' in its SANs "
            f"(DNS: {', '.join(c.dns_names) or 'none'})",
        )

    return judge


def _judge(p: Params, inv: Inventory, facts: Facts) -> Callable[[Cert], Verdict] | Absent:
    if p.rule == "expiry":
        if inv.now is None:
            return Absent("no node clock came with the certificates (not a live node)")
        return _expiry(p, inv.now)
    if p.rule == "key":
        return _key(p)
    if p.rule == "signature":
        return _signature
    host = facts.meta.get("hostname", "")
    return (
        _san(host)
        if host
        else Absent("the probe did not report the node's hostname", is_error=True)
    )


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL/WARN per certificate; ERROR when something could not be examined."""
    expected = {
        "expiry": f"no certificate expired or within {p.warn_days} days of expiry",
        "key": f"RSA >= {p.min_rsa_bits} bits, EC >= {p.min_ec_bits} bits or EdDSA",
        "signature": "no certificate signed with SHA-1 or MD5",
        "san": "serving certificates name the node's hostname",
    }[p.rule]
    source = ", ".join(p.roots + p.kubeconfigs)
    inv = inventory(facts, p.roots, p.kubeconfigs)
    if isinstance(inv, Absent):
        return Outcome.absent(inv, expected=expected, source=source)
    if not inv.certs and not inv.unexamined:
        return Outcome.absent(
            Absent(f"no certificate under {', '.join(p.roots)} or in the kubeconfigs"),
            expected=expected,
            source=source,
        )
    judge = _judge(p, inv, facts)
    if isinstance(judge, Absent):
        return Outcome.absent(judge, expected=expected, source=source)
    found = [(c, v) for c in inv.certs if (v := judge(c)) is not None]
    details = tuple(f"{c.name}: {why}{' [CA]' if c.is_ca else ''}" for c, (_, why) in found)
    details += tuple(f"not examined: {u}" for u in inv.unexamined)
    status = Status.PASS
    if any(s is Status.FAIL for _, (s, _) in found):
        status = Status.FAIL
    elif inv.unexamined:
        status = Status.ERROR
    elif found:
        status = Status.WARN
    observed = (
        f"{len(inv.certs)} certificates in {inv.files} files; "
        f"{len(found)} flagged"
        + (f"; {len(inv.unexamined)} not examined" if inv.unexamined else "")
        + (f"; {inv.superseded} superseded rotation files skipped" if inv.superseded else "")
    )
    if p.rule == "expiry" and inv.now is not None:
        observed += f"; node clock {date(inv.now)}"
    reason = details[0] if status is not Status.PASS and details else ""
    return Outcome(status, observed, expected, source, reason=reason, details=details)


KIND = CheckKind("certificates", Params, needs, evaluate, __doc__ or "")
