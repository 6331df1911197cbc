"""image_env_secrets: no credentials in the image's environment (Dockle CIS-DI-0010).

A variable is suspicious when a word of its name (split at ``_``, ``-`` and ``.``) is in
``words`` (PASSWORD, SECRET, TOKEN, KEY...) and its value is not empty. A name ending in
``_FILE``, ``_PATH`` or ``_DIR`` whose value is an absolute path points at a mounted secret
(``POSTGRES_PASSWORD_FILE=/run/secrets/pg``), which is the remedy, not the fault. Names in ``allow``
(exact or shell globs, e.g. ``GPG_KEY``) are accepted. Values are never shown, not even
in evidence: only the names are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from hardening.checks.base import CheckKind, Outcome, pass_fail
from hardening.facts.image_config import ImageConfig
from hardening.model.facts import Absent, FactRequest, Facts

WORDS = (
    "PASSWORD",
    "PASSWD",
    "PASS",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "KEY",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE",
    "AUTH",
)


@dataclass(frozen=True)
class Params:
    """YAML: ``words`` (name words that look like credentials), ``allow`` (names/globs)."""

    words: tuple[str, ...] = WORDS
    allow: tuple[str, ...] = ()


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The image config."""
    return (ImageConfig(),)


def suspicious(name: str, p: Params) -> bool:
    """Whether a variable name looks like it holds a credential (and is not allowed)."""
    if any(name == a or fnmatchcase(name, a) for a in p.allow):
        return False
    words = {w.upper() for w in p.words}
    return any(part in words for part in re.split(r"[_.\-]+", name.upper()) if part)


def is_reference(name: str, value: str) -> bool:
    """``*_FILE=/run/secrets/x``: the variable names where a secret is mounted, not the secret."""
    return name.upper().endswith(("_FILE", "_PATH", "_DIR")) and value.startswith("/")


def evaluate(p: Params, facts: Facts) -> Outcome:
    """FAIL naming each suspicious variable that has a value; values stay hidden."""
    cfg = facts.get(ImageConfig())
    source = "image config: Env"
    if isinstance(cfg, Absent):
        return Outcome.absent(cfg, source=source)
    bad: list[str] = []
    for item in cfg.env:
        name, _, value = str(item).partition("=")
        if value and suspicious(name, p) and not is_reference(name, value):
            bad.append(name)
    observed = (
        f"{len(bad)} suspicious: {', '.join(bad)} (values hidden)"
        if bad
        else f"{len(cfg.env)} variables, none suspicious"
    )
    return Outcome(
        pass_fail(not bad),
        observed,
        "no credential-like variable with a value",
        source,
        details=tuple(f"{n}=<hidden>" for n in bad),
    )


KIND = CheckKind("image_env_secrets", Params, needs, evaluate, __doc__ or "")
