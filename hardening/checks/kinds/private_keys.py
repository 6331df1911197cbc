"""private_keys: the private key files under PKI directories are locked down and strong.

A private key file is one holding a PEM private key block, or any ``*.key`` file the
probe could not read. Its mode must be ``max_mode`` or tighter and its owner one of
``owners``; its key type and size come from the public half beside it (the certificate in
the same file, or a same-stem ``.crt``/``.pub``), since the key itself never leaves the
node. A key whose public half is RSA < ``min_rsa_bits`` or EC < ``min_ec_bits`` FAILs;
one without a public half is reported as of unknown size.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError
from hardening.checks.kinds._certs import key_of, weak_key
from hardening.checks.ops import compare
from hardening.facts.certs import DEFAULT_ROOTS, CertFiles, PemFile
from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status


@dataclass(frozen=True)
class Params:
    """YAML: optional ``roots``, ``max_mode`` (octal, "600"), ``owners`` (["root:root"]),
    ``min_rsa_bits`` and ``min_ec_bits``."""

    roots: tuple[str, ...] = DEFAULT_ROOTS
    max_mode: str = "600"
    owners: tuple[str, ...] = ("root:root",)
    min_rsa_bits: int = 2048
    min_ec_bits: int = 256

    def __post_init__(self) -> None:
        try:
            int(self.max_mode, 8)
        except ValueError:
            raise ParamError("max_mode", f"not an octal mode: '{self.max_mode}'") from None


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The PEM files under the roots (stat and public halves; no key bytes)."""
    return (CertFiles(p.roots),)


def _is_key(f: PemFile) -> bool:
    if f.content is None:
        return f.stat.path.endswith(".key")
    return bool(f.content.private_labels)


def _problems(p: Params, f: PemFile, files: tuple[PemFile, ...]) -> tuple[list[str], str]:
    bad = []
    if not compare("bitmask", f.stat.octal, p.max_mode, f.stat.path)[0]:
        bad.append(f"mode {f.stat.octal} (at most {p.max_mode})")
    if f.stat.owner not in p.owners:
        bad.append(f"owner {f.stat.owner} (expected {' or '.join(p.owners)})")
    key, matched = key_of(f.stat.path, files)
    if key is None:
        label = ", ".join(f.content.private_labels) if f.content else "unreadable"
        return bad, f"{label}, size unknown (no certificate or public key beside it)"
    why = weak_key(key, p.min_rsa_bits, p.min_ec_bits)
    if why:
        bad.append(why)
    return bad, f"{key.label} (from {matched})"


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Every private key file must pass mode, owner and key strength."""
    expected = (
        f"private keys mode {p.max_mode} or tighter, owned by {' or '.join(p.owners)}, "
        f"RSA >= {p.min_rsa_bits} / EC >= {p.min_ec_bits} bits"
    )
    source = ", ".join(p.roots)
    tree = facts.get(CertFiles(p.roots))
    if isinstance(tree, Absent):
        return Outcome.absent(tree, expected=expected, source=source)
    keys = [f for f in tree.files if _is_key(f)]
    if not keys and not tree.denied:
        return Outcome.absent(
            Absent(f"no private key file under {source}"), expected=expected, source=source
        )
    details, failed = [], 0
    for f in keys:
        bad, what = _problems(p, f, tree.files)
        failed += bool(bad)
        head = f"{f.stat.path}: {f.stat.octal} {f.stat.owner}, {what}"
        details.append(head + (f" -- {'; '.join(bad)}" if bad else ""))
    details += [f"not examined: {d}: directory cannot be searched" for d in tree.denied]
    status = Status.FAIL if failed else Status.ERROR if tree.denied else Status.PASS
    observed = f"{len(keys)} private key files, {failed} failing"
    reason = next((d for d in details if " -- " in d), "") if failed else ""
    return Outcome(status, observed, expected, source, reason=reason, details=tuple(details))


KIND = CheckKind("private_keys", Params, needs, evaluate, __doc__ or "")
