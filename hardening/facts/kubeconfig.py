"""Kubeconfigs: kubeconfig files (paths or globs): stat, embedded certificates, credentials.

One section answers every Kubeconfigs of a probe. Each file is an entry
``F kubeconfig <ok|denied> -`` whose data is the path, a NUL, its ``stat`` record, then an
awk filter's output: ``certificate-authority-data`` and ``client-certificate-data`` lines
with their base64 value, and for ``token``, ``tokenFile``, ``password``, ``client-key-data``
and ``client-key`` **only the field's name**: a credential's value never leaves the node.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts import describe
from hardening.facts.base import (
    NAME_END,
    STAT_FIELDS,
    Answers,
    Frame,
    RequestSpec,
    Root,
    Section,
    frame_of,
    glob_match,
    is_glob,
    stat_records,
    word,
)
from hardening.facts.certinfo import Cert, parse_pem
from hardening.model.facts import Absent, FileStat, Request

SID = "kubeconfig"
CAP = 1 << 20
CERT_FIELDS = ("certificate-authority-data", "client-certificate-data")
SECRET_FIELDS = ("token", "tokenFile", "password", "client-key-data", "client-key")
COMPONENT_KUBECONFIGS = tuple(
    f"/etc/kubernetes/{n}.conf"
    for n in ("admin", "super-admin", "kubelet", "controller-manager", "scheduler")
)

# A YAML or JSON line ``[- ]["]FIELD["]: ["]VALUE["][,]``; FIELD is one of the names above.
AWK_FILTER = r"""{ line = $0; sub(/\r$/, "", line); sub(/^[ \t]*(- )?[ \t]*"?/, "", line)
  f = line; sub(/"?[ \t]*:.*$/, "", f)
  if (f == "certificate-authority-data" || f == "client-certificate-data") {
    v = line; sub(/^[^:]*:[ \t]*"?/, "", v); sub(/"?[ \t]*,?[ \t]*$/, "", v)
    if (v ~ /^[A-Za-z0-9+\/=]+$/) print f " " v; next }
  if (f == "token" || f == "tokenFile" || f == "password" || f == "client-key-data" ||
      f == "client-key") { v = line; sub(/^[^:]*:[ \t]*/, "", v)
    if (v != "" && v != "\"\"" && v != "''" && v != "null") print f } }"""
LINE = re.compile(rb"([a-zA-Z-]+)(?: ([A-Za-z0-9+/=]+))?")


@dataclass(frozen=True)
class Kubeconfigs(Request[tuple["Kubeconfig", ...]]):
    """Kubeconfig files at ``paths`` (each a path or a glob); one Kubeconfig per file found.

    A path that does not exist is simply not in the list.
    """

    paths: tuple[str, ...] = COMPONENT_KUBECONFIGS


@dataclass(frozen=True)
class Kubeconfig:
    """One kubeconfig: its stat, the certificates it embeds, which credentials it holds.

    ``secrets`` names the credential fields present (``token``, ``client-key-data``, ...),
    never their values; ``readable`` is False when the file could not be read.
    """

    stat: FileStat
    readable: bool
    certs: tuple[Cert, ...] = ()
    secrets: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def fragment(reqs: Sequence[Kubeconfigs]) -> list[Section]:
    """One section over the union of every request's paths."""
    paths = sorted({p for q in reqs for p in q.paths})
    text = (
        f"m B {SID}\nfor p in {' '.join(word(p) for p in paths)}; do\n"
        '  [ -f "$p" ] || continue\n'
        '  if [ -r "$p" ]; then m F kubeconfig ok -; else m F kubeconfig denied -; fi\n'
        "  printf '%s\\0' \"$p\"\n"
        f"  stat -L --printf '{STAT_FIELDS} %n\\0' -- \"$p\" 2>/dev/null || printf '!\\0'\n"
        f'  [ ! -r "$p" ] || head -c {CAP} -- "$p" 2>/dev/null | awk \'{AWK_FILTER}\'\n'
        f"done\nm E {SID} 0\n"
    )
    return [Section(SID, text, tuple(reqs))]


def _field_name(field: str, users: int) -> str:
    return field if users <= 1 else f"{field} #{users}"


def digest(path: str, stat: FileStat, text: bytes | None) -> Kubeconfig:
    """A Kubeconfig from the filter's lines (``None`` text: the file was not readable)."""
    if text is None:
        return Kubeconfig(stat, False)
    certs: list[Cert] = []
    secrets: list[str] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for raw in text.split(b"\n"):
        m = LINE.fullmatch(raw.strip())
        if m is None:
            continue
        field = m.group(1).decode()
        seen[field] = seen.get(field, 0) + 1
        if field in SECRET_FIELDS and m.group(2) is None:
            secrets.append(field)
        elif field in CERT_FIELDS and m.group(2) is not None:
            where = f"{path} ({_field_name(field, seen[field])})"
            try:
                pem = base64.b64decode(m.group(2), validate=True)
            except (binascii.Error, ValueError):
                errors.append(f"{where}: not base64")
                continue
            got = parse_pem(pem, where)
            certs += got.certs
            errors += got.errors
            if not got.certs and not got.errors:
                errors.append(f"{where}: holds no certificate")
    return Kubeconfig(stat, True, tuple(certs), tuple(dict.fromkeys(secrets)), tuple(errors))


def parse(
    reqs: Sequence[Kubeconfigs], frames: Mapping[str, Frame], host: str
) -> Answers[Kubeconfigs]:
    """Each request's kubeconfigs from the one section."""
    found: dict[str, Kubeconfig] = {}
    for e in frame_of(frames, SID, host).entries:
        path, rest = e.named(host)
        record, _, text = rest.partition(NAME_END)
        stats = list(stat_records(record + NAME_END, host))
        if stats:
            found[path] = digest(path, stats[0], text if e.status == "ok" else None)
    return {r: _select(r, found) for r in reqs}


def _select(req: Kubeconfigs, found: Mapping[str, Kubeconfig]) -> tuple[Kubeconfig, ...]:
    return tuple(
        k
        for p, k in sorted(found.items())
        if any(glob_match(q, p) if is_glob(q) else q == p for q in req.paths)
    )


def filter_text(data: bytes) -> bytes:
    """The lines the probe's awk filter passes (the same rules, for a root filesystem)."""
    out = []
    for raw in data.split(b"\n"):
        line = re.sub(rb'^[ \t]*(- )?[ \t]*"?', b"", raw.rstrip(b"\r"))
        field = re.sub(rb'"?[ \t]*:.*$', b"", line).decode("utf-8", "replace")
        value = re.sub(rb"^[^:]*:[ \t]*", b"", line) if b":" in line else b""
        if field in CERT_FIELDS:
            v = re.sub(rb'"?[ \t]*,?[ \t]*$', b"", value.lstrip(b'"'))
            if re.fullmatch(rb"[A-Za-z0-9+/=]+", v):
                out.append(field.encode() + b" " + v)
        elif field in SECRET_FIELDS and value not in (b"", b'""', b"''", b"null"):
            out.append(field.encode())
    return b"".join(x + b"\n" for x in out)


def from_root(reqs: Sequence[Kubeconfigs], root: Root) -> Answers[Kubeconfigs]:
    """Each request's kubeconfigs from a root filesystem."""
    found: dict[str, Kubeconfig] = {}
    for p in sorted(
        {x for r in reqs for q in r.paths for x in (root.glob(q) if is_glob(q) else [q])}
    ):
        entry = root.entry(p)
        if isinstance(entry, Absent) or not entry.is_file:
            continue
        data = root.read(entry, CAP)[:CAP]
        found[p] = digest(p, root.file_stat(p, entry), filter_text(data))
    return {r: _select(r, found) for r in reqs}


def from_description(req: Kubeconfigs, desc: Mapping[str, Any]) -> Any:
    """The kubeconfigs among ``desc["files"]`` (their ``content`` is the kubeconfig text)."""
    found: dict[str, Kubeconfig] = {}
    for path, spec in (desc.get("files") or {}).items():
        got = describe.content(desc, path)
        text = None if isinstance(got, Absent) else filter_text(got.data)
        found[path] = digest(path, describe.file_stat(path, spec), text)
    for path in desc.get("unreadable") or ():
        found[path] = digest(path, describe.file_stat(path, {"mode": "600"}), None)
    return _select(req, found)


SPEC = RequestSpec(Kubeconfigs, fragment, parse, from_root, from_description)
