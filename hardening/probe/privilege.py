"""What a probe run without root could not see, told apart from what is not there.

The probe's meta section reports the effective uid it ran as (``id -u``). Request modules
mark a permission-denied answer ``Absent(denied=True)`` (a file, directory, environment or
walk the account may not read). On a host probed as non-root two things follow:

- an audit command that exits non-zero with no output is ``Absent(denied=True)``, not an
  empty answer: ``sshd -T`` run by an ordinary user prints nothing and exits 1, which a
  control would otherwise read as a FAIL. Without root such a failure cannot be told apart
  from a denied read, so it is an error, never evidence;
- a control that comes out ERROR from a denied fact says ``needs root: set ansible_become``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from hardening.facts.certs import PemFile, PkiTree
from hardening.facts.command import Command
from hardening.facts.kubeconfig import Kubeconfig
from hardening.model.facts import Absent, CommandOutput, Request

NEEDS_ROOT = "needs root: set ansible_become"
# exit codes a command_output check reads on its own: timeout, not executable, not found
_OWN_MEANING = (0, 124, 126, 127)


def probe_uid(meta: Mapping[str, str]) -> str | None:
    """The effective uid the probe ran as, or None when the meta does not say."""
    uid = meta.get("uid", "").strip()
    return uid if uid.isdigit() else None


def unprivileged(meta: Mapping[str, str]) -> bool:
    """Whether the probe ran as a uid other than 0 (a host audited without root)."""
    uid = probe_uid(meta)
    return uid is not None and uid != "0"


def restrict(
    values: Mapping[Request[Any], object], meta: Mapping[str, str]
) -> dict[Request[Any], object]:
    """The facts of a probe run, with silent command failures of a non-root run denied."""
    out = dict(values)
    if not unprivileged(meta):
        return out
    for req, value in values.items():
        if (
            isinstance(req, Command)
            and isinstance(value, CommandOutput)
            and value.rc not in _OWN_MEANING
            and not value.stdout.strip()
        ):
            out[req] = Absent(
                f"the command exited {value.rc} with no output, as it does when it may "
                "not read what it needs",
                is_error=True,
                denied=True,
            )
    return out


def denied(value: object) -> bool:
    """Whether a fact (or anything inside it) is a read the account was not allowed."""
    if isinstance(value, Absent):
        return value.denied
    if isinstance(value, PkiTree) and value.denied:
        return True
    if isinstance(value, PemFile) and value.content is None:
        return True
    if isinstance(value, Kubeconfig) and not value.readable:
        return True
    if isinstance(value, Mapping):
        return any(denied(v) for v in value.values())
    if isinstance(value, tuple | list):
        return any(denied(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(denied(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def needs_root(reason: str, facts: Iterable[object], meta: Mapping[str, str]) -> str:
    """An ERROR's reason, saying ``needs root`` when a non-root probe was denied a fact."""
    if reason.startswith(NEEDS_ROOT) or not unprivileged(meta):
        return reason
    if not any(denied(f) for f in facts):
        return reason
    return f"{NEEDS_ROOT} (the probe ran as uid {probe_uid(meta)}): {reason}"
