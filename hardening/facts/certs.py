"""CertFiles: the certificates, public keys and private key files under PKI directories.

One section answers every CertFiles of a probe. Each ``*.crt *.pem *.cert *.key *.pub`` file
up to three directories below a root is an entry ``F pem <ok|denied> -`` whose data is the
path, a NUL, its ``stat`` record, then what an awk filter lets through: the lines of
CERTIFICATE and PUBLIC KEY blocks, and for a private key only its label as
``-----KEY <LABEL>-----``. **No line of a private key block leaves the node**: any line
that starts with ``-----`` or is not base64 ends a block, and only a CERTIFICATE or PUBLIC
KEY header starts one. The section's body is the node's clock (``date -u +%s``), the "now"
expiry is judged against. A root or directory that cannot be searched is ``F dir denied``.
"""

from __future__ import annotations

import posixpath
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
    stat_records,
    word,
)
from hardening.facts.certinfo import PemContent, parse_pem
from hardening.model.facts import Absent, FileStat, Request

SID = "pki"
SUFFIXES = (".crt", ".pem", ".cert", ".key", ".pub")
CAP = 262144  # bytes read of one file; a PEM bundle of 100 certificates is about 150 KB
DEPTH = 3
DEFAULT_ROOTS = ("/etc/kubernetes/pki", "/var/lib/kubelet/pki", "/etc/etcd/pki")
BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 ]*)-----")
BASE64 = re.compile(rb"[A-Za-z0-9+/=]*")
KEEP = (b"CERTIFICATE", b"TRUSTED CERTIFICATE", b"PUBLIC KEY", b"RSA PUBLIC KEY")

AWK_FILTER = r"""/^-----BEGIN [A-Z0-9 ]*-----\r?$/ { l = $0; sub(/^-----BEGIN /, "", l)
  sub(/-----\r?$/, "", l)
  if (l == "CERTIFICATE" || l == "TRUSTED CERTIFICATE" || l == "PUBLIC KEY" ||
      l == "RSA PUBLIC KEY") { on = l; print "-----BEGIN " l "-----"; next }
  on = ""; if (l ~ /PRIVATE KEY$/) print "-----KEY " l "-----"; next }
/^-----/ { if (on != "" && $0 ~ /^-----END /) print "-----END " on "-----"; on = ""; next }
on != "" && /^[A-Za-z0-9+\/=]*\r?$/ { sub(/\r$/, ""); print; next }
{ on = "" }"""


@dataclass(frozen=True)
class CertFiles(Request["PkiTree"]):
    """The PEM files up to three directories below each of ``roots``.

    Answers a PkiTree: each file's stat and its certificates, public keys and private key
    labels (never a private key's bytes), the directories that could not be searched, and
    the node's clock.
    """

    roots: tuple[str, ...] = DEFAULT_ROOTS


@dataclass(frozen=True)
class PemFile:
    """One file: its stat, and its content (None when it could not be read)."""

    stat: FileStat
    content: PemContent | None


@dataclass(frozen=True)
class PkiTree:
    """What CertFiles found: the files, the unsearchable directories, the node's clock.

    ``now`` is the node's clock in epoch seconds when it was probed (None from an image or
    a root filesystem: nothing to read a clock from); evaluation never reads a clock.
    """

    files: tuple[PemFile, ...]
    denied: tuple[str, ...] = ()
    now: int | None = None


def _shell(roots: Sequence[str]) -> str:
    levels = " ".join('"$r"' + "/*" * n for n in range(1, DEPTH + 1))
    cases = "|".join(f"*{s}" for s in SUFFIXES)
    return (
        f"m B {SID}\nprintf '%s\\0' \"$(date -u +%s)\"\n"
        f"for r in {' '.join(word(r) for r in roots)}; do\n"
        '  [ -e "$r" ] || continue\n'
        f'  for p in "$r" {levels}; do\n'
        '    if [ -d "$p" ]; then\n'
        '      { [ -r "$p" ] && [ -x "$p" ]; } || { m F dir denied -; printf \'%s\\0\' "$p"; }\n'
        "      continue\n    fi\n"
        f'    [ -f "$p" ] || continue\n    case "$p" in {cases}) ;; *) continue ;; esac\n'
        '    if [ -r "$p" ]; then m F pem ok -; else m F pem denied -; fi\n'
        "    printf '%s\\0' \"$p\"\n"
        f"    stat -L --printf '{STAT_FIELDS} %n\\0' -- \"$p\" 2>/dev/null || printf '!\\0'\n"
        f'    [ ! -r "$p" ] || head -c {CAP} -- "$p" 2>/dev/null | awk \'{AWK_FILTER}\'\n'
        "  done\ndone\n"
        f"m E {SID} 0\n"
    )


def fragment(reqs: Sequence[CertFiles]) -> list[Section]:
    """One section for the union of every CertFiles' roots."""
    roots = sorted({r for q in reqs for r in q.roots})
    return [Section(SID, _shell(roots), tuple(reqs))]


def under(roots: Sequence[str], path: str) -> bool:
    """Whether ``path`` is one of ``roots`` or below one."""
    return any(path == r.rstrip("/") or path.startswith(r.rstrip("/") + "/") for r in roots)


def select(req: CertFiles, tree: PkiTree) -> PkiTree:
    """The part of a probe-wide tree under this request's roots."""
    return PkiTree(
        tuple(f for f in tree.files if under(req.roots, f.stat.path)),
        tuple(d for d in tree.denied if under(req.roots, d)),
        tree.now,
    )


def parse(reqs: Sequence[CertFiles], frames: Mapping[str, Frame], host: str) -> Answers[CertFiles]:
    """Each CertFiles' files, parsed from PEM into typed certificates and keys."""
    frame = frame_of(frames, SID, host)
    clock = frame.body.split(NAME_END, 1)[0].strip()
    files: list[PemFile] = []
    denied: list[str] = []
    for e in frame.entries:
        path, rest = e.named(host)
        if e.kind == "dir":
            denied.append(path)
            continue
        record, _, text = rest.partition(NAME_END)
        stats = list(stat_records(record + NAME_END, host))
        if not stats:
            continue  # gone between the test and the stat
        content = parse_pem(text, path) if e.status == "ok" else None
        files.append(PemFile(stats[0], content))
    tree = PkiTree(tuple(files), tuple(denied), int(clock) if clock.isdigit() else None)
    return {r: select(r, tree) for r in reqs}


def _root_files(req: CertFiles, root: Root) -> list[PemFile]:
    out: list[PemFile] = []
    for r in req.roots:
        for n in range(1, DEPTH + 1):
            for p in root.glob(r.rstrip("/") + "/*" * n):
                entry = root.entry(p)
                if isinstance(entry, Absent) or not entry.is_file or not p.endswith(SUFFIXES):
                    continue
                data = root.read(entry, CAP)[:CAP]
                out.append(PemFile(root.file_stat(p, entry), parse_pem(_filtered(data), p)))
    return out


def _filtered(data: bytes) -> bytes:
    """What the probe's awk filter passes of ``data`` (the same rules, for a root filesystem)."""
    out: list[bytes] = []
    on = b""
    for raw in data.split(b"\n"):
        line = raw[:-1] if raw.endswith(b"\r") else raw
        head = BEGIN.fullmatch(line)
        if head is not None:
            label = head.group(1)
            on = label if label in KEEP else b""
            if on:
                out.append(line)
            elif label.endswith(b"PRIVATE KEY"):
                out.append(b"-----KEY " + label + b"-----")
        elif line.startswith(b"-----"):
            if on and line.startswith(b"-----END "):
                out.append(b"-----END " + on + b"-----")
            on = b""
        elif on and BASE64.fullmatch(line):
            out.append(line)
        else:
            on = b""
    return b"".join(x + b"\n" for x in out)


def from_root(reqs: Sequence[CertFiles], root: Root) -> Answers[CertFiles]:
    """Each CertFiles from a root filesystem (no clock: ``now`` is None)."""
    return {r: PkiTree(tuple(_root_files(r, root))) for r in reqs}


def from_description(req: CertFiles, desc: Mapping[str, Any]) -> Any:
    """``desc["pki"]``: ``{now: EPOCH, files: {PATH: {mode, owner, pem}}, denied: [...]}``."""
    pki = desc.get("pki") or {}
    files = []
    for path, spec in sorted((pki.get("files") or {}).items()):
        if not under(req.roots, path):
            continue
        pem = spec.get("pem")
        content = None if pem is None else parse_pem(str(pem).encode(), path)
        files.append(PemFile(describe.file_stat(path, spec), content))
    now = pki.get("now")
    return PkiTree(
        tuple(files), tuple(pki.get("denied") or ()), int(now) if now is not None else None
    )


SPEC = RequestSpec(CertFiles, fragment, parse, from_root, from_description)


def stem(path: str) -> str:
    """A file's path without its suffix (``/p/apiserver.key`` -> ``/p/apiserver``)."""
    base, ext = posixpath.splitext(path)
    return base if ext in SUFFIXES else path
