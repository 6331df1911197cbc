"""Probe output bytes -> Facts. Survives invalid UTF-8; a forged or broken frame is a ProbeError.

So is output that does not reach the probe's closing ``done`` frame (the connection was cut,
the output cap was hit, the node's shell stopped): the host is then not audited at all,
never audited on the sections that happened to arrive. Each request type's own module
(hardening/facts/) turns its frames into facts.
"""

from __future__ import annotations

import re
from typing import Any

from hardening.errors import ProbeError
from hardening.facts.base import NAME_END, Entry, Frame
from hardening.model.facts import Request
from hardening.probe.script import DONE, META, Script

UNTRUSTED = "the node's output cannot be trusted"


def _marker(nonce: str) -> re.Pattern[bytes]:
    return re.compile(rb"\n@@" + re.escape(nonce.encode()) + rb" ([BFE]) ([^\n]*)\n")


def _forged(host: str, what: str) -> ProbeError:
    return ProbeError(f"{host}: probe output has {what}", UNTRUSTED)


def split_sections(data: bytes, script: Script, host: str) -> dict[str, Frame]:
    """Cut the output at the nonce markers; validate that frames nest and names are known."""
    known = set(script.sections) | {META, DONE}
    sections: dict[str, Frame] = {}
    current: Frame | None = None
    marks = list(_marker(script.nonce).finditer(data))
    for i, mk in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(data)
        content = data[mk.end() : end]
        tag = mk.group(1).decode()
        fields = mk.group(2).decode("utf-8", errors="replace")
        if tag == "B":
            if current is not None or fields not in known or fields in sections:
                raise _forged(host, f"a forged or repeated frame 'B {fields[:40]}'")
            current = Frame(fields, body=content)
            sections[fields] = current
        elif tag == "F":
            parts = fields.split(" ")
            if current is None or len(parts) != 3:
                raise _forged(host, "an entry outside any section or with unknown fields")
            current.entries.append(Entry(parts[0], parts[1], parts[2], content))
        else:
            sid, _, rc = fields.partition(" ")
            if current is None or sid != current.sid:
                raise _forged(host, f"a close of section '{sid[:40]}' that is not open")
            current.rc = int(rc) if rc.lstrip("-").isdigit() else -1
            current = None
    return sections


def _tail(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return f": {lines[-1][:200]}" if lines else ""


def _incomplete(
    sections: dict[str, Frame], script: Script, host: str, rc: int | None, stderr: bytes
) -> ProbeError:
    status = f"exit {rc}" if rc is not None else "no exit status"
    if not sections:
        return ProbeError(
            f"{host}: no probe output came back ({status}{_tail(stderr)})",
            "check that the account can run /bin/sh on the node",
        )
    done = [s for s, f in sections.items() if f.rc is not None]
    total = len(script.sections) + 2
    return ProbeError(
        f"{host}: probe output ended before its final frame, after {len(done)} of {total} "
        f"sections ({', '.join(done)[:300]}; {status}{_tail(stderr)})",
        "the connection was cut, the output limit was reached or the node's shell stopped, "
        "so the host is not audited; rerun it",
    )


def parse(
    data: bytes, script: Script, host: str, *, rc: int | None = None, stderr: bytes = b""
) -> tuple[dict[Request[Any], object], dict[str, str]]:
    """Parse probe output into (facts by request, meta).

    Raises ProbeError when a frame is forged or the output stops before the ``done`` frame;
    ``rc`` and ``stderr`` (the node shell's) only make that message say why.
    """
    sections = split_sections(data, script, host)
    final = sections.get(DONE)
    if final is None or final.rc is None:
        raise _incomplete(sections, script, host, rc, stderr)
    meta: dict[str, str] = {}
    if META in sections:
        for raw in sections[META].body.split(NAME_END):
            k, sep, v = raw.decode("utf-8", "replace").partition("=")
            if sep:
                meta[k] = v
    facts: dict[Request[Any], object] = {}
    for spec, reqs in script.groups:
        facts.update(spec.parse(reqs, sections, host))
    meta["sections_seen"] = str(len(sections))
    return facts, meta
