"""image_tools: no tools an attacker would use (shells, network clients) in the image.

Each name in ``tools`` is looked for in each directory of ``dirs`` (``stat -L``, so a link
to busybox counts); names in ``allow`` are accepted. FAIL lists every path found. A tool
the workload needs is better accepted with ``allow`` or a waiver than by editing the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, pass_fail
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, FactRequest, Facts

TOOLS = (
    "nc",
    "ncat",
    "netcat",
    "socat",
    "curl",
    "wget",
    "telnet",
    "ssh",
    "scp",
    "sftp",
    "ftp",
    "tftp",
    "nmap",
)
DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")


@dataclass(frozen=True)
class Params:
    """YAML: ``tools`` (names), ``dirs`` (where to look), ``allow`` (names accepted)."""

    tools: tuple[str, ...] = TOOLS
    dirs: tuple[str, ...] = DIRS
    allow: tuple[str, ...] = ()


def _paths(p: Params) -> list[str]:
    return [f"{d.rstrip('/')}/{t}" for t in p.tools if t not in p.allow for d in p.dirs]


def needs(p: Params) -> tuple[FactRequest, ...]:
    """One stat per tool and directory."""
    return tuple(Stat(path) for path in _paths(p))


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL listing each tool present as a regular file (after links)."""
    found: list[str] = []
    for path in _paths(p):
        fact = facts.get(Stat(path))
        if not isinstance(fact, Absent) and any(s.is_file for s in fact):
            found.append(path)
    names = sorted({f.rsplit("/", 1)[-1] for f in found})
    observed = f"{len(names)} found: {', '.join(names)}" if names else "none found"
    wanted = [t for t in p.tools if t not in p.allow]
    return Outcome(
        pass_fail(not found),
        observed,
        f"none of: {', '.join(wanted)}",
        f"stat -L in {' '.join(p.dirs)}",
        details=tuple(found),
    )


KIND = CheckKind("image_tools", Params, needs, evaluate, __doc__ or "")
