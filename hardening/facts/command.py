"""Command: an audit command (catalogue content) run by ``sh -c`` under a timeout.

One section per Command; its body is the command's stdout, verbatim and capped, and the
section's closing marker carries the exit status. No name travels here: the output ends
only at the next marker, which carries the nonce the command was never given.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section, frame_of
from hardening.model.facts import Absent, CommandOutput, Request

NOT_APPLICABLE = "not applicable to an image"


@dataclass(frozen=True)
class Command(Request[CommandOutput]):
    """An audit command (catalogue content), run by ``sh -c`` with a timeout."""

    script: str
    timeout: int = 20
    limit: int = 1 << 20


def _sid(i: int) -> str:
    return f"c{i}"


def fragment(reqs: Sequence[Command]) -> list[Section]:
    """One section per command; ``capped`` prints the exit status for the closing marker."""
    return [
        Section(
            _sid(i),
            (
                f"m B {_sid(i)}\nCAP={r.limit + 1}\n"
                f"rc=$(capped timeout {r.timeout} sh -c {shlex.quote(r.script)})\n"
                f'm E {_sid(i)} "$rc"\n'
            ),
            (r,),
        )
        for i, r in enumerate(reqs)
    ]


def parse(reqs: Sequence[Command], frames: Mapping[str, Frame], host: str) -> Answers[Command]:
    """Each command's exit status and capped stdout."""
    out: Answers[Command] = {}
    for i, r in enumerate(reqs):
        frame = frame_of(frames, _sid(i), host)
        out[r] = CommandOutput(frame.rc or 0, frame.body[: r.limit], len(frame.body) > r.limit)
    return out


def _from_root(req: Command, root: Root) -> Any:
    got = root.emulate(req.script)
    if got is None:
        return Absent(NOT_APPLICABLE)
    if isinstance(got, Absent):
        return got
    return CommandOutput(got.rc, got.stdout[: req.limit], len(got.stdout) > req.limit)


def from_root(reqs: Sequence[Command], root: Root) -> Answers[Command]:
    """Nothing runs on a root filesystem: a command it cannot emulate is not applicable."""
    return {r: _from_root(r, root) for r in reqs}


def from_description(req: Command, desc: Mapping[str, Any]) -> Any:
    """The output ``desc["commands"]`` lists for the script; an unlisted one exits 127."""
    out = desc.get("commands", {}).get(req.script)
    if out is None:
        return CommandOutput(127, b"")  # not on this node
    data = str(out.get("stdout", ""))
    return CommandOutput(int(out.get("rc", 0)), data.encode(out.get("encoding", "utf-8")))


SPEC = RequestSpec(Command, fragment, parse, from_root, from_description)
