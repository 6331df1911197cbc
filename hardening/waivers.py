"""Waivers: approved, expiring exceptions that turn matching results into WAIVED.

A waiver file is YAML::

    waivers:
      - control: "4.2.4"          # a control id, or a glob such as "4.2.*"
        hosts: ["worker-*", "legacy"]  # host-name globs or inventory group names ("*": all)
        reason: metrics scraper still reads the read-only port
        expires: 2026-06-30       # ISO date; the waiver holds through that day
        approved_by: security-team
        objects: ["kube-system/*"]  # optional, cluster results only: namespace/Kind/name globs

With ``objects``, a cluster result's findings (its evidence lines, each naming
``namespace/Kind/name`` or ``Kind/name``; a ``Namespace/NS`` line counts as ``NS/Namespace/NS``)
that match are waived one by one: the result is WAIVED only when every finding is, else it
stays FAIL with the rest and says how many were waived. A result whose findings were cut
short in the evidence is never waived whole.

Only FAIL and WARN results are waived: a FAIL is an accepted deviation, a WARN (a manual
control) is signed off. PASS, SKIP and ERROR never are: waiving an ERROR would hide a host
the tool could not audit. Expiry is checked against the ``today`` argument, never the
clock. An expired waiver is ignored and reported as a notice; a waiver naming a control
id (or a glob matching none) the catalogue does not know is a WaiverError naming file:line.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from hardening.catalogue.yamlload import LDict, YamlError, load
from hardening.errors import WaiverError
from hardening.model.host import Host
from hardening.model.result import Result, Status
from hardening.safeload import LoadLimitError, read_text

KEYS = ("control", "hosts", "reason", "expires", "approved_by", "objects")
OPTIONAL = frozenset({"objects"})
WAIVABLE = frozenset({Status.FAIL, Status.WARN})


@dataclass(frozen=True)
class Waiver:
    """One waiver entry; ``source`` is ``file:line`` for messages and the audit trail."""

    control: str
    hosts: tuple[str, ...]
    reason: str
    expires: date
    approved_by: str
    source: str
    objects: tuple[str, ...] = ()

    def covers(self, host: Host, control_id: str) -> bool:
        """Whether this waiver applies to ``control_id`` on ``host``."""
        if not fnmatch.fnmatchcase(control_id, self.control):
            return False
        return any(
            p == "*" or fnmatch.fnmatchcase(host.name, p) or p in host.groups for p in self.hosts
        )

    def record(self) -> dict[str, str]:
        """The waiver as stored in ``Result.waiver`` (all strings, schema run-v1)."""
        return {
            "control": self.control,
            "hosts": ",".join(self.hosts),
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "approved_by": self.approved_by,
            "source": self.source,
            **({"objects": ",".join(self.objects)} if self.objects else {}),
        }


@dataclass(frozen=True)
class WaiverSet:
    """The waivers of one file, split by expiry as of the day they were loaded for."""

    active: tuple[Waiver, ...]
    expired: tuple[Waiver, ...]

    def notices(self) -> list[str]:
        """One line per expired waiver, for the terminal and the run document."""
        return [
            f"{w.source}: waiver for '{w.control}' on {', '.join(w.hosts)} expired on "
            f"{w.expires.isoformat()} (approved by {w.approved_by}); it is ignored: "
            "renew or remove it"
            for w in self.expired
        ]

    def match(self, host: Host, control_id: str) -> Waiver | None:
        """The first active waiver covering ``control_id`` on ``host``."""
        return next((w for w in self.active if w.covers(host, control_id)), None)


def _text(entry: LDict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise WaiverError(
            f"{where}: waiver.{key}: missing or empty",
            f"give every waiver {', '.join(k for k in KEYS if k not in OPTIONAL)}",
        )
    return value.strip()


def _hosts(entry: LDict, where: str) -> tuple[str, ...]:
    value = entry.get("hosts")
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(v, str) and v.strip() for v in items)
    ):
        raise WaiverError(
            f"{where}: waiver.hosts: expected a host pattern, a group or a list of them",
            'write hosts: "*" to cover every host',
        )
    return tuple(v.strip() for v in items)


def _objects(entry: LDict, where: str) -> tuple[str, ...]:
    value = entry.get("objects")
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(v, str) and v.strip() for v in items)
    ):
        raise WaiverError(
            f"{where}: waiver.objects: expected namespace/Kind/name patterns",
            'e.g. objects: ["kube-system/*", "ClusterRoleBinding/system:*"]',
        )
    return tuple(v.strip() for v in items)


def _expires(entry: LDict, where: str) -> date:
    text = _text(entry, "expires", where)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise WaiverError(
            f"{where}: waiver.expires: '{text}' is not a date", "write it as YYYY-MM-DD"
        ) from None


def _check_control(pattern: str, known: frozenset[str], where: str) -> None:
    if any(ch in pattern for ch in "*?["):
        if not any(fnmatch.fnmatchcase(k, pattern) for k in known):
            raise WaiverError(
                f"{where}: waiver.control: '{pattern}' matches no known control",
                "list ids with 'hardening controls list'",
            )
    elif pattern not in known:
        raise WaiverError(
            f"{where}: waiver.control: unknown control '{pattern}'",
            "list ids with 'hardening controls list'",
        )


def _entry(entry: Any, label: str, line: int, known: frozenset[str]) -> Waiver:
    where = f"{label}:{getattr(entry, 'line', line)}"
    if not isinstance(entry, LDict):
        raise WaiverError(f"{where}: a waiver must be a mapping", f"give it {', '.join(KEYS)}")
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        raise WaiverError(
            f"{where}: waiver: unknown key '{unknown[0]}'", f"expected only {', '.join(KEYS)}"
        )
    control = _text(entry, "control", where)
    _check_control(control, known, f"{label}:{entry.line_of('control')}")
    return Waiver(
        control,
        _hosts(entry, where),
        _text(entry, "reason", where),
        _expires(entry, where),
        _text(entry, "approved_by", where),
        where,
        _objects(entry, where),
    )


def parse_waivers(text: str, label: str, known_ids: Iterable[str], today: date) -> WaiverSet:
    """Parse waiver YAML; ``label`` names the file in errors, ``today`` decides expiry."""
    try:
        data = load(text)
    except YamlError as exc:
        raise WaiverError(f"{label}:{exc.line}: invalid YAML: {exc}", "fix the syntax") from None
    if not isinstance(data, LDict) or not isinstance(data.get("waivers"), list):
        raise WaiverError(
            f"{label}: expected a top-level 'waivers:' list", "see docs/reports.md for the format"
        )
    known = frozenset(known_ids)
    parsed = [_entry(e, label, data.line_of("waivers"), known) for e in data["waivers"]]
    return WaiverSet(
        tuple(w for w in parsed if w.expires >= today),
        tuple(w for w in parsed if w.expires < today),
    )


def load_waivers(path: Path, known_ids: Iterable[str], today: date) -> WaiverSet:
    """Read and parse a waiver file; an unreadable file is a WaiverError."""
    try:
        text = read_text(path)
    except LoadLimitError as exc:
        raise WaiverError(
            f"waiver file {exc}", "check the --waivers path (a regular YAML file)"
        ) from None
    return parse_waivers(text, str(path), known_ids, today)


def apply_waivers(waivers: WaiverSet) -> Callable[[Host, list[Result]], list[Result]]:
    """The audit's result filter: FAIL and WARN results a waiver covers become WAIVED."""

    def post(host: Host, results: list[Result]) -> list[Result]:
        out: list[Result] = []
        for r in results:
            w = waivers.match(host, r.control_id) if r.status in WAIVABLE else None
            if w is None:
                out.append(r)
                continue
            if w.objects:
                out.append(waive_objects(r, w))
                continue
            out.append(
                replace(
                    r,
                    status=Status.WAIVED,
                    waiver=w.record(),
                    reason=f"waived ({r.status.value}): {w.reason}",
                )
            )
        return out

    return post


def finding_ref(line: str) -> str:
    """The object an evidence line names: its first word, ``Namespace/NS`` as
    ``NS/Namespace/NS`` so a namespace pattern covers the namespace itself."""
    head = line.split(": ", 1)[0].split(" ", 1)[0]
    kind, _, name = head.partition("/")
    return f"{name}/Namespace/{name}" if kind == "Namespace" and "/" not in name else head


def waive_objects(r: Result, w: Waiver) -> Result:
    """A FAIL with the findings ``w.objects`` covers waived (WAIVED when all are)."""
    lines = r.evidence.details
    hit = [d for d in lines if any(fnmatch.fnmatchcase(finding_ref(d), p) for p in w.objects)]
    head = r.evidence.observed.split(" ", 1)[0]
    complete = head.isdigit() and int(head) == len(lines)
    if r.status is not Status.FAIL or not hit:
        return r
    if complete and len(hit) == len(lines):
        return replace(
            r,
            status=Status.WAIVED,
            waiver=w.record(),
            reason=f"waived (FAIL, {len(hit)} findings): {w.reason}",
        )
    rest = tuple(d for d in lines if d not in hit)
    left = (int(head) if head.isdigit() else len(lines)) - len(hit)
    first = rest[0] if rest else "findings beyond those listed in the evidence"
    note = f"{len(hit)} finding(s) waived by {w.source} ({w.reason})"
    return replace(
        r,
        evidence=replace(r.evidence, details=rest, observed=f"{left} not waived: {first}"),
        reason=f"{r.reason}; {note}" if r.reason else note,
    )
