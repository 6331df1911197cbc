"""FactRequests -> ONE POSIX sh probe script, framed by a per-run nonce.

Output format: every record starts with a marker line ``\\n@@<nonce> <tag> <fields>\\n``:
``B <section>`` opens a section, ``F <kind> <status> <key> <arg>`` opens an entry inside
it, ``E <section> <rc>`` closes it. Bytes between markers are content, verbatim. The
nonce is 128 random bits made for this run only, and no command the script runs is given
it in its argv, so nothing a node prints can forge a boundary.

Needs only POSIX sh, coreutils (stat, head, timeout, tr), awk, find and /proc.
"""

from __future__ import annotations

import posixpath
import re
import secrets
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

from hardening.probe.requests import (
    GLOB_SAFE,
    Command,
    ComponentReq,
    FactRequest,
    Find,
    ImageConfig,
    Read,
    Stat,
    is_glob,
)

STAT_FORMAT = "%f %u %g %U %G %n"
IMAGE_SECTION = "image"  # ImageConfig requests: no script text, never in the output
COMM_LEN = 15  # the kernel truncates /proc/<pid>/comm to 15 characters

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
# capped CMD...: run CMD with stdout capped at $CAP bytes; print CMD's exit status.
capped() { { { "$@" </dev/null 2>/dev/null; echo "$?" >&3; } | head -c "$CAP" >&4; } 3>&1; }
flagval() {
  tr '\000' '\n' < "/proc/$1/cmdline" 2>/dev/null | awk -v f="$2" '
    BEGIN { g = f; if (index(g, "--") == 1) g = substr(g, 2) }
    w { v = $0; w = 0; next }
    { a = $0; if (index(a, "--") == 1) a = substr(a, 2) }
    index(a, g "=") == 1 { v = substr(a, length(g) + 2); next }
    a == g { w = 1 }
    END { print v }'
}
# cfile ORIGIN FLAG PATH PID: a file a component names, seen from the component's own
# mount namespace (/proc/PID/root) when we may look there, else from ours.
cfile() {
  r="/proc/$4/root$3"; [ -e "$r" ] || r=$3
  if [ ! -e "$r" ]; then m F file "$(gone "$r")" "$1:$2" "$3"; return; fi
  m F stat ok "$1:$2" "$3"
  stat -L -c '%f %u %g %U %G' -- "$r" 2>/dev/null
  if [ -r "$r" ] && [ ! -d "$r" ]; then
    m F file ok "$1:$2" "$3"
    head -c __READCAP__ -- "$r" 2>/dev/null
  else
    m F file denied "$1:$2" "$3"
  fi
}
m B meta
printf 'hostname=%s\n' "$(cat /proc/sys/kernel/hostname 2>/dev/null)"
printf 'uid=%s\n' "$(id -u 2>/dev/null)"
printf 'kernel=%s\n' "$(uname -r 2>/dev/null)"
printf 'os=%s\n' "$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null | tr -d '\"')"
m E meta 0
"""


@dataclass
class Script:
    """A built probe: its text, its nonce and which section answers which request."""

    text: str
    nonce: str
    sections: dict[str, list[FactRequest]] = field(default_factory=dict)

    @property
    def data(self) -> bytes:
        """The script as bytes, ready for a transport's stdin."""
        return self.text.encode()


def _word(path: str) -> str:
    """A path as one shell word: quoted, or left bare for the shell to glob when safe."""
    if is_glob(path) and GLOB_SAFE.match(path):
        return path
    return shlex.quote(path)


def _stat_section(paths: list[str]) -> str:
    words = " ".join(_word(p) for p in paths)
    return (
        "m B stat\nset --\n"
        f"for p in {words}; do\n"
        '  if [ -e "$p" ]; then set -- "$@" "$p"\n'
        '  elif [ "$(gone "$p")" = denied ]; then printf \'!%s\\n\' "$p"; fi\n'
        "done\n"
        f"[ $# -eq 0 ] || stat -L -c '{STAT_FORMAT}' -- \"$@\" 2>/dev/null\n"
        "m E stat 0\n"
    )


def _read_section(sid: str, req: Read) -> str:
    return (
        f"m B {sid}\n"
        f"for p in {_word(req.path)}; do\n"
        '  if [ ! -e "$p" ]; then m F file "$(gone "$p")" - "$p"\n'
        '  elif [ ! -r "$p" ] || [ -d "$p" ]; then m F file denied - "$p"\n'
        f'  else m F file ok - "$p"; head -c {req.limit + 1} -- "$p" 2>/dev/null; fi\n'
        "done\n"
        f"m E {sid} 0\n"
    )


def _procs_section(names: list[str]) -> str:
    cases = "".join(
        f"    {shlex.quote(n[:COMM_LEN])}) P{i}=${{d#/proc/}} ;;\n" for i, n in enumerate(names)
    )
    return (
        "m B procs\n"
        "for d in /proc/[0-9]*; do\n"
        '  c=; read -r c 2>/dev/null < "$d/comm" || continue\n'
        '  case "$c" in\n'
        f"{cases}"
        "    *) continue ;;\n"
        "  esac\n"
        '  m F proc ok - "${d#/proc/}"; cat "$d/cmdline" 2>/dev/null\n'
        "done\n"
        "m E procs 0\n"
    )


def _component_section(sid: str, index: int, req: ComponentReq) -> str:
    lines = [f"m B {sid}", f'if [ -n "$P{index}" ]; then', f'  m F pid ok - "$P{index}"']
    for flag, default in req.files:
        q = shlex.quote(flag)
        lines += [
            f'  f=$(flagval "$P{index}" {q}); o=flag',
            f"  [ -n \"$f\" ] || {{ f={shlex.quote(default)}; o=default; }}",
            f'  case "$f" in /*) ;; "") ;; *) f="$(readlink "/proc/$P{index}/cwd")/$f" ;; esac',
            f'  [ -z "$f" ] || cfile "$o" {q} "$f" "$P{index}"',
        ]
    lines += ["fi", f"m E {sid} 0", ""]
    return "\n".join(lines)


def _command_section(sid: str, req: Command) -> str:
    return (
        f"m B {sid}\nCAP={req.limit + 1}\n"
        f"rc=$(capped timeout {req.timeout} sh -c {shlex.quote(req.script)})\n"
        f'm E {sid} "$rc"\n'
    )


def _nested(roots: list[str]) -> dict[str, tuple[str, list[str]]]:
    """root -> (the nearest other root above it, the directories from it up to that one).

    Only plain absolute roots take part; any other root is always walked on its own.
    """
    plain = {posixpath.normpath(r) for r in roots
             if r.startswith("/") and not any(c in r for c in " \t\n:*?[")}
    out: dict[str, tuple[str, list[str]]] = {}
    for root in sorted(plain):
        chain, up = [], root
        while up != "/":
            chain.append(up)
            up = posixpath.dirname(up)
            if up in plain:
                out[root] = (up, chain)
                break
    return out


def _guard(prune: list[str]) -> str:
    """``-path 'DIR/*' `` for the deepest directory above every prune pattern ("" if only /).

    ``-path`` costs about a microsecond per test, and ``find`` tests each directory it meets:
    one cheap guard keeps the patterns themselves to the directories that can match.
    """
    literal = [re.split(r"[*?\[]", x, maxsplit=1)[0] for x in prune]
    common = posixpath.commonprefix(literal)
    common = common[: common.rfind("/") + 1]
    return f"-path {shlex.quote(common + '*')} " if len(common) > 1 else ""


def prune_clause(prune: Iterable[str]) -> str:
    """The ``find`` words that skip the directories ``prune`` names ("" when none)."""
    pats = list(prune)
    if not pats:
        return ""
    return (f"-type d {_guard(pats)}\\( " + " -o ".join(f"-path {shlex.quote(x)}" for x in pats)
            + " \\) -prune -o ")


def _find_section(roots: list[str], prune: list[str] | None = None) -> str:
    """One ``find`` pass; a root is dropped when the walk of a root above it reaches it.

    ``find / /usr -xdev`` would walk /usr twice when /usr is on the root filesystem. A
    root nested under another is dropped only when the upper root, the nested one and every
    directory between them are directories on the upper root's filesystem; a mount point or
    a symlink (``find`` follows neither) keeps it. One ``stat`` of those paths decides, on
    the node.
    """
    nested = _nested(roots)
    walk = dict.fromkeys(posixpath.normpath(r) if r.startswith("/") else r for r in roots)
    words = " ".join(shlex.quote(r) for r in walk if r not in nested)
    lines = ["m B find", "CAP=16777217", f"set -- {words}"]
    if nested:
        paths = sorted({p for up, chain in nested.values() for p in (up, *chain)})
        lines.append("D=\" $(stat -c '%d/%f:%n' -- "
                     f"{' '.join(shlex.quote(p) for p in paths)} 2>/dev/null | tr '\\n' ' ')\"")
        last = ""
        for root, (up, chain) in sorted(nested.items(), key=lambda kv: (kv[1][0], kv[0])):
            if up != last:  # the upper root's "dev/mode", once per upper root
                q, last = shlex.quote(up), up
                lines.append(f'case "$D" in *" "*":"{q}" "*) x=${{D%%":"{q}" "*}}; '
                             "a=${x##* } ;; *) a=- ;; esac")
                lines.append('case "${a#*/}" in 4???) ;; *) a=- ;; esac')  # find -P: no link
            lines.append("w=")
            lines += [f'case "$D" in *" ${{a%/*}}/4"???":"{shlex.quote(c)}" "*) ;; *) w=1 ;; esac'
                      for c in chain]
            lines.append(f'[ -z "$w" ] || set -- "$@" {shlex.quote(root)}')
    skip = prune_clause(prune or [])  # directories every asker prunes: not walked at all
    lines += [f'rc=$(capped find "$@" -xdev {skip}-type f '
              "\\( -perm -4000 -o -perm -2000 -o -perm -0002 \\) "
              f"-exec stat -c '{STAT_FORMAT}' {{}} +)",
              'm E find "$rc"', ""]
    return "\n".join(lines)


def build(requests: Iterable[FactRequest], nonce: str | None = None) -> Script:
    """Build the one probe script answering every request (deduplicated, stable order)."""
    reqs = sorted(set(requests), key=lambda r: (type(r).__name__, repr(r)))
    nonce = nonce or secrets.token_hex(16)
    parts = [PRELUDE.replace("__NONCE__", nonce).replace("__STATFMT__", STAT_FORMAT)
             .replace("__READCAP__", str((1 << 20) + 1))]
    script = Script(text="", nonce=nonce)
    stats = [r for r in reqs if isinstance(r, Stat)]
    if stats:
        parts.append(_stat_section([r.path for r in stats]))
        script.sections["stat"] = list(stats)
    comps = [r for r in reqs if isinstance(r, ComponentReq)]
    names = sorted({r.name for r in comps})
    if names:
        parts.append(_procs_section(names))
        script.sections["procs"] = list(comps)
    for i, req in enumerate(comps):
        sid = f"k{i}"
        parts.append(_component_section(sid, names.index(req.name), req))
        script.sections[sid] = [req]
    for i, r in enumerate(r for r in reqs if isinstance(r, Read)):
        parts.append(_read_section(f"r{i}", r))
        script.sections[f"r{i}"] = [r]
    for i, c in enumerate(r for r in reqs if isinstance(r, Command)):
        parts.append(_command_section(f"c{i}", c))
        script.sections[f"c{i}"] = [c]
    finds = [r for r in reqs if isinstance(r, Find)]
    if finds:
        prune = set.intersection(*(set(f.prune) for f in finds))
        parts.append(_find_section(sorted({root for f in finds for root in f.roots}),
                                   sorted(x for x in prune if "\n" not in x)))
        script.sections["find"] = list(finds)
    images = [r for r in reqs if isinstance(r, ImageConfig)]
    if images:  # no shell: only an image source answers these; parse marks them absent
        script.sections[IMAGE_SECTION] = list(images)
    parts.append("m B done\nm E done 0\n")
    script.text = "".join(parts)
    return script
