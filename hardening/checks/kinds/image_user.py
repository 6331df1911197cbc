"""image_user: the container image runs as a non-root user (Dockle CIS-DI-0001).

The image config's ``User`` (``name``, ``uid``, ``name:group`` or ``uid:gid``) is resolved
through the image's own ``/etc/passwd``. An empty ``User`` runs as root and FAILs, as does
any user whose uid is in ``forbid_uids``. A name the image's passwd does not know is WARN:
the runtime would refuse to start the container, so nothing runs as root, but it is broken.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, pass_fail
from hardening.facts.image_config import ImageConfig
from hardening.facts.read import Read
from hardening.model.facts import Absent, FactRequest, Facts, FileContent
from hardening.model.result import Status

PASSWD = "/etc/passwd"


@dataclass(frozen=True)
class Params:
    """YAML: ``forbid_uids`` (default ``["0"]``)."""

    forbid_uids: tuple[str, ...] = ("0",)


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The image config and the image's passwd file."""
    return (ImageConfig(), Read(PASSWD))


def _uid_of(name: str, passwd: tuple[FileContent, ...] | Absent) -> str | None:
    if not isinstance(passwd, Absent):
        for fc in passwd:
            for line in fc.text.splitlines():
                parts = line.split(":")
                if len(parts) >= 3 and parts[0] == name:
                    return parts[2]
    return "0" if name == "root" else None


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL when the image runs as root (no User, or a uid in ``forbid_uids``)."""
    cfg = facts.get(ImageConfig())
    source = "image config: User"
    if isinstance(cfg, Absent):
        return Outcome.absent(cfg, source=source)
    user = cfg.user.strip()
    expected = f"a User whose uid is not {', '.join(p.forbid_uids)}"
    if not user:
        return Outcome(Status.FAIL, "User not set (the container runs as root)", expected, source)
    name = user.split(":", 1)[0]
    passwd = facts.get(Read(PASSWD))
    uid = name if name.isdigit() else _uid_of(name, passwd)
    if uid is None:
        return Outcome(
            Status.WARN,
            f"User={user}",
            expected,
            f"{source}; {PASSWD}",
            reason=f"user '{name}' is not in the image's {PASSWD}; the container would not start",
        )
    shown = f"User={user}" + ("" if name.isdigit() else f" (uid {uid})")
    return Outcome(pass_fail(uid not in p.forbid_uids), shown, expected, source)


KIND = CheckKind("image_user", Params, needs, evaluate, __doc__ or "")
