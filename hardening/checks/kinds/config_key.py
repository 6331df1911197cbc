"""config_key: a key in a configuration file compared with an op.

Formats: ``yaml`` (also JSON) with dotted keys; ``keyword`` for sshd_config-style files
(``Keyword value``, case-insensitive, the FIRST occurrence wins and a ``Match`` block ends
the global section, as sshd reads it); ``sysctl`` for ``key = value`` files (last wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.ops import canonical, check_op, compare
from hardening.facts.read import Read
from hardening.model.facts import Absent, FactRequest, Facts, FileContent
from hardening.model.result import Status
from hardening.parsers.flags import MISSING, config_value, parse_config

FORMATS = ("yaml", "keyword", "sysctl")


@dataclass(frozen=True)
class Params:
    """YAML: ``path``, ``key``, ``op``, ``value``, optional ``default`` and ``format``."""

    path: str
    key: str
    op: str
    value: Any = None
    default: str | None = None
    format: str = "yaml"

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ParamError(
                "format", f"unknown format '{self.format}' (expected one of: {', '.join(FORMATS)})"
            )
        err = check_op(self.op, self.value)
        if err:
            raise ParamError("op", err)


def lookup_keyword(text: str, key: str) -> str | None:
    """sshd_config semantics: first occurrence in the global section wins."""
    want = key.lower()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.replace("=", " ", 1).partition(" ")
        if word.lower() == "match":
            return None
        if word.lower() == want:
            return rest.strip().strip('"')
    return None


def lookup_sysctl(text: str, key: str) -> str | None:
    """sysctl.conf semantics: ``key = value``, dots or slashes, the last one wins."""
    want = key.replace("/", ".")
    found = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        k, sep, v = line.partition("=")
        if sep and k.strip().lstrip("-").replace("/", ".") == want:
            found = v.strip()
    return found


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The file content."""
    return (Read(p.path),)


def _value(p: Params, doc: FileContent) -> str | None:
    if p.format == "keyword":
        return lookup_keyword(doc.text, p.key)
    if p.format == "sysctl":
        return lookup_sysctl(doc.text, p.key)
    v = config_value(parse_config(doc.text), p.key)
    return None if v is MISSING else canonical(v)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Look the key up; fall back to ``default``; compare."""
    fact = facts.get(Read(p.path))
    if isinstance(fact, Absent):
        return Outcome.absent(fact, source=p.path)
    if not fact:
        return Outcome.absent(Absent(f"no file matches {p.path}"), source=p.path)
    doc = fact[0]
    try:
        value = _value(p, doc)
    except ValueError as exc:
        return Outcome(Status.ERROR, source=doc.path, reason=f"{doc.path}: {exc}")
    source = f"{doc.path}: {p.key}"
    if value is None:
        value, source = (
            (p.default, f"{p.key} not in {doc.path}; default applies")
            if p.default is not None
            else ("", f"{p.key} not in {doc.path}")
        )
    ok, expected = compare(p.op, value, p.value, p.key)
    return Outcome(
        pass_fail(ok), f"{p.key}={value}" if value else f"{p.key} not set", expected, source
    )


KIND = CheckKind("config_key", Params, needs, evaluate, __doc__ or "")
