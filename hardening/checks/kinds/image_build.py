"""image_build: what the image's build left in its config (Dockle CIS-DI-0006 and 0009).

``rule: healthcheck``: the config carries a HEALTHCHECK whose test is not ``NONE``.
``rule: no_add``: no ADD step in the build history, read from each history entry's
``created_by`` (classic ``#(nop) ADD src in dst`` and BuildKit ``ADD src dst # buildkit``).
ADD fetches URLs and unpacks archives, so a remote source always FAILs; the first step that
adds a local archive to ``/`` is the base image's root filesystem and is not counted. An image
whose config has no history is WARN: nothing can be said about how it was built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.facts.image_config import ImageConfig
from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status

RULES = ("healthcheck", "no_add")
_ADD = re.compile(r"^\s*(?:\S*/bin/sh -c #\(nop\)\s*)?ADD\s+(?:--\S+\s+)*(\S+)\s+(?:in\s+)?(\S+)")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True)
class Params:
    """YAML: ``rule``, one of healthcheck, no_add."""

    rule: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ParamError("rule", f"unknown rule '{self.rule}' (expected {', '.join(RULES)})")


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The image config (its Healthcheck and history)."""
    return (ImageConfig(),)


def adds(history: list[str]) -> list[str]:
    """The ADD steps that count, as ``step N: created_by`` (the base rootfs step excepted)."""
    out = []
    first = True
    for i, step in enumerate(history):
        m = _ADD.search(step)
        if m and (_URL.match(m.group(1)) or not (first and m.group(2) == "/")):
            out.append(f"step {i + 1}: {' '.join(step.split())[:200]}")
        first = first and not step.strip()
    return out


def evaluate(p: Params, facts: Facts) -> Outcome:
    """PASS, FAIL with the offending steps, or WARN when the config cannot tell."""
    cfg = facts.get(ImageConfig())
    if isinstance(cfg, Absent):
        return Outcome.absent(cfg, source="image config")
    if p.rule == "healthcheck":
        test = list(cfg.healthcheck_test)
        ok = bool(test) and test[0].upper() != "NONE"
        observed = f"HEALTHCHECK {' '.join(test)[:200]}" if test else "no HEALTHCHECK"
        return Outcome(
            pass_fail(ok), observed, "a HEALTHCHECK that is not NONE", "image config: Healthcheck"
        )
    history = list(cfg.history)
    source = "image config: history[].created_by"
    if not history:
        return Outcome(
            Status.WARN,
            "no build history in the image config",
            "no ADD step",
            source,
            reason="the image config has no history: how it was built is unknown",
        )
    bad = adds(history)
    return Outcome(
        pass_fail(not bad),
        f"{len(bad)} ADD steps in {len(history)} build steps",
        "COPY instead of ADD (the base image's root filesystem excepted)",
        source,
        details=tuple(bad),
    )


KIND = CheckKind("image_build", Params, needs, evaluate, __doc__ or "")
