"""FactRequests -> ONE POSIX sh probe script, framed by a per-run nonce.

Each request type's module (hardening/facts/) writes its own sections through the
registry; this module adds the prelude (the marker function, shared helpers, the meta
section) and the closing ``done`` frame. A probe whose output does not reach that frame is
a ProbeError (probe/parse.py). The framing rules are in hardening/facts/base.py.

Needs only POSIX sh, GNU coreutils (stat, head, timeout, tr), awk, find and /proc.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hardening.facts.base import RequestSpec
from hardening.facts.registry import by_spec
from hardening.model.facts import Request

DONE = "done"
META = "meta"

PRELUDE = r"""#!/bin/sh
# hardening probe: gathers facts read-only and prints them framed by a per-run nonce.
N=__NONCE__
LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
umask 077
exec 4>&1
m() { printf '\n@@%s %s\n' "$N" "$*"; }
# gone PATH: "denied" when a parent directory exists but may not be searched, else "missing"
gone() { d=${1%/*}; while [ -n "$d" ] && [ ! -e "$d" ]; do d=${d%/*}; done
  if [ -n "$d" ] && [ ! -x "$d" ]; then echo denied; else echo missing; fi; }
command -v timeout >/dev/null 2>&1 || timeout() { shift; "$@"; }
# Names are framed by stat --printf's NUL; without it every stat would print nothing.
stat --printf '' / >/dev/null 2>&1 ||
  { echo "probe: stat has no --printf (needs GNU coreutils)" >&2; exit 3; }
# capped CMD...: run CMD with stdout capped at $CAP bytes; print CMD's exit status.
capped() { { { "$@" </dev/null 2>/dev/null; echo "$?" >&3; } | head -c "$CAP" >&4; } 3>&1; }
"""

META_SECTION = r"""m B meta
printf 'hostname=%s\0' "$(cat /proc/sys/kernel/hostname 2>/dev/null)"
printf 'uid=%s\0' "$(id -u 2>/dev/null)"
printf 'kernel=%s\0' "$(uname -r 2>/dev/null)"
printf 'os=%s\0' "$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null | tr -d '\"')"
m E meta 0
"""


@dataclass
class Script:
    """A built probe: its text, its nonce, and which spec answers which requests.

    ``sections`` maps each section id to the requests it answers (for the parser's frame
    checks); ``groups`` holds each spec with its requests in the order its fragment saw.
    """

    text: str
    nonce: str
    sections: dict[str, list[Request[Any]]] = field(default_factory=dict)
    groups: list[tuple[RequestSpec[Any], list[Any]]] = field(default_factory=list)

    @property
    def data(self) -> bytes:
        """The script as bytes, ready for a transport's stdin."""
        return self.text.encode()


def build(requests: Iterable[Request[Any]], nonce: str | None = None) -> Script:
    """Build the one probe script answering every request (deduplicated, stable order)."""
    nonce = nonce or secrets.token_hex(16)
    groups = by_spec(requests)
    parts = [PRELUDE.replace("__NONCE__", nonce)]
    parts += [spec.prelude for spec, _ in groups if spec.prelude]
    parts.append(META_SECTION)
    script = Script(text="", nonce=nonce, groups=groups)
    for spec, reqs in groups:
        for section in spec.fragment(reqs):
            parts.append(section.text)
            script.sections[section.sid] = list(section.requests)
    parts.append(f"m B {DONE}\nm E {DONE} 0\n")
    script.text = "".join(parts)
    return script
