"""kubeconfig_exposure: kubeconfig files on the node: who may read them, what they hold.

For every kubeconfig ``paths`` finds (paths or globs such as ``/home/*/.kube/config``) the
evidence gives mode, owner and which credentials it holds (``token``, ``password``,
``client-key-data``, ``client-key``, ``tokenFile``: named, never shown). It FAILs a file
more open than ``max_mode``, one holding a credential listed in ``forbid_secrets``, and
with ``forbid_present`` any file found at all (a cluster-admin kubeconfig on a worker).
``unless_present`` names a file whose presence makes the control not apply (the
kube-apiserver manifest: a control-plane node, where admin.conf belongs).
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.ops import compare
from hardening.facts.kubeconfig import SECRET_FIELDS, Kubeconfig, Kubeconfigs
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status


@dataclass(frozen=True)
class Params:
    """YAML: ``paths``, optional ``max_mode`` ("600"), ``forbid_secrets``,
    ``forbid_present`` (false) and ``unless_present`` (a path)."""

    paths: tuple[str, ...]
    max_mode: str = "600"
    forbid_secrets: tuple[str, ...] = ()
    forbid_present: bool = False
    unless_present: str = ""

    def __post_init__(self) -> None:
        try:
            int(self.max_mode, 8)
        except ValueError:
            raise ParamError("max_mode", f"not an octal mode: '{self.max_mode}'") from None
        unknown = sorted(set(self.forbid_secrets) - set(SECRET_FIELDS))
        if unknown:
            raise ParamError(
                "forbid_secrets",
                f"unknown field '{unknown[0]}' (expected one of: {', '.join(SECRET_FIELDS)})",
            )


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The kubeconfigs, and the stat of ``unless_present`` when given."""
    return (Kubeconfigs(p.paths),) + ((Stat(p.unless_present),) if p.unless_present else ())


def _problems(p: Params, k: Kubeconfig) -> list[str]:
    bad = []
    if p.forbid_present:
        bad.append("present")
    if not compare("bitmask", k.stat.octal, p.max_mode, k.stat.path)[0]:
        bad.append(f"mode {k.stat.octal} (at most {p.max_mode})")
    held = [s for s in k.secrets if s in p.forbid_secrets]
    if held:
        bad.append(f"holds {', '.join(held)}")
    return bad


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL any kubeconfig that breaks a rule; the evidence lists every one found."""
    expected = ("no such file" if p.forbid_present else f"mode {p.max_mode} or tighter") + (
        f", without {', '.join(p.forbid_secrets)}" if p.forbid_secrets else ""
    )
    source = ", ".join(p.paths)
    if p.unless_present:
        marker = facts.get(Stat(p.unless_present))
        if not isinstance(marker, Absent) and marker:
            return Outcome(
                Status.SKIP,
                "control-plane node",
                expected,
                p.unless_present,
                reason=f"{p.unless_present} exists: the control does not apply",
            )
    found = facts.get(Kubeconfigs(p.paths))
    if isinstance(found, Absent):
        return Outcome.absent(found, expected=expected, source=source)
    details, failed = [], 0
    for k in found:
        bad = _problems(p, k)
        failed += bool(bad)
        held = ", ".join(k.secrets) if k.readable else "not readable"
        line = f"{k.stat.path}: {k.stat.octal} {k.stat.owner}, credentials: {held or 'none'}"
        details.append(line + (f" -- {'; '.join(bad)}" if bad else ""))
    unread = [k for k in found if not k.readable and p.forbid_secrets]
    observed = f"{len(found)} kubeconfigs, {failed} failing" if found else "none found"
    status = pass_fail(not failed)
    if not failed and unread:
        status = Status.ERROR
    reason = next((d for d in details if " -- " in d), "")
    if status is Status.ERROR:
        reason = f"{unread[0].stat.path}: not readable; run with become"
    return Outcome(status, observed, expected, source, reason=reason, details=tuple(details))


KIND = CheckKind("kubeconfig_exposure", Params, needs, evaluate, __doc__ or "")
