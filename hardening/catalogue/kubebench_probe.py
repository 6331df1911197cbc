"""kube-bench audit text -> a probe script that substitutes kube-bench's variables ON THE NODE.

kube-bench replaces ``$kubeletbin``, ``$kubeletconf`` ... textually before it runs a script,
choosing each value from cfg/config.yaml by which binary runs and which file exists on the
node. The generated script does the same on the node: ``[ -e ]`` over the candidate paths,
a ``/proc/*/comm`` + cmdline scan for the binaries (kube-bench's ``ps -C`` and
``^(\\S*/)*<bin>`` test), then one awk pass does the literal replacement (values with blanks
wrapped in '...') and the result is fed to ``/bin/sh`` on stdin with stderr merged, as
kube-bench runs it. Textual replacement, not shell variables, keeps kube-bench's semantics
inside single quotes, ``\\$`` and ``$kubeletconfx``. Python pastes only catalogue text, every
piece through ``shlex.quote``; node-discovered values never pass through Python.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

# (suffix, candidate list key, default key), in kube-bench's substitution order.
FILE_KINDS = (
    ("conf", "confs", "defaultconf"),
    ("svc", "svc", "defaultsvc"),
    ("kubeconfig", "kubeconfig", "defaultkubeconfig"),
    ("cafile", "cafile", "defaultcafile"),
    ("datadir", "datadirs", "defaultdatadir"),
)
ENV_BIN = "@@KBENVBIN@@"
DEFAULT_ENV_AUDIT = (
    f"cat \"/proc/$(/bin/ps -C {ENV_BIN} -o pid= | tr -d ' ')/environ\" | tr '\\0' '\\n'"
)
COMM_LEN = 15

_AWK = r"""
function rep(s, a, b,    out, i) {
  out = ""
  while ((i = index(s, a)) > 0) { out = out substr(s, 1, i - 1) b; s = substr(s, i + length(a)) }
  return out s
}
function quote(v,    t) {
  t = v; gsub(/^[ \t\n\r\f]+|[ \t\n\r\f]+$/, "", t)
  return (t ~ /[ \t\n\r\f]/) ? "'" v "'" : v
}
function runs(bin,    parts, first, k, line, w, j) {
  gsub(/^['"]+|['"]+$/, "", bin)
  split(bin, parts, " "); first = substr(parts[1], 1, 15)
  for (k = 1; k <= np; k++) {
    if (comm[k] != first) continue
    line = args[k]
    if (index(line, bin) == 1) return 1
    w = line; sub(/[ \t].*/, "", w)
    for (j = 1; j <= length(w); j++)
      if (substr(w, j, 1) == "/" && index(substr(line, j + 1), bin) == 1) return 1
  }
  return 0
}
{ t = index($0, "\t"); if (t == 0) next
  np++; comm[np] = substr($0, 1, t - 1); a = substr($0, t + 1); sub(/ +$/, "", a); args[np] = a }
END {
  text = ENVIRON["KB_TEXT"]; ok = 1; nc = 0; eb = ""
  n = split(ENVIRON["KB_BINS"], L, "\n")
  for (i = 1; i <= n; i++) {
    if (L[i] == "") continue
    split(L[i], f, "\t"); c = f[1]
    if (!(c in opt)) { order[++nc] = c; opt[c] = f[2] }
    if (!(c in val) && runs(f[3])) val[c] = f[3]
  }
  for (i = 1; i <= nc; i++) {
    c = order[i]
    if (!(c in val)) { if (opt[c] == "1") val[c] = c; else ok = 0 }
  }
  if (ok) {
    for (i = 1; i <= nc; i++) { c = order[i]; text = rep(text, "$" c "bin", quote(val[c])) }
    if (ENVIRON["KB_ENVBIN"] in val) eb = val[ENVIRON["KB_ENVBIN"]]
  }
  if (ENVIRON["KB_GEN"] == "1") text = rep(text, "@@KBENVBIN@@", eb)
  n = split(ENVIRON["KB_FILES"], L, "\n")
  for (i = 1; i <= n; i++) {
    if (L[i] == "") continue
    split(L[i], f, "\t"); text = rep(text, f[1], quote(f[2]))
  }
  printf "%s", text
}
"""


@dataclass(frozen=True)
class ComponentConfig:
    """One component of a config.yaml node-type section.

    ``files`` maps a suffix (conf, svc, ...) to (candidates, default); default None means the
    component name is used, as kube-bench's getFiles does.
    """

    name: str
    optional: bool = False
    bins: tuple[str, ...] = ()
    files: tuple[tuple[str, tuple[str, ...], str | None], ...] = ()


@dataclass(frozen=True)
class SectionConfig:
    """The components of one node type (master, node, etcd, ...), in config order."""

    node_type: str
    components: tuple[ComponentConfig, ...] = ()


def bin_components(section: SectionConfig, text: str) -> tuple[str, ...]:
    """Components with bins whose ``$<name>bin`` occurs in ``text``."""
    return tuple(c.name for c in section.components if c.bins and f"${c.name}bin" in text)


def _file_lines(section: SectionConfig, text: str) -> list[str]:
    """Shell lines resolving each referenced file variable; returns lines, sets KB_FILES."""
    lines: list[str] = []
    pairs: list[str] = []
    for suffix, _, _ in FILE_KINDS:
        for comp in section.components:
            for kind, candidates, default in comp.files:
                var = f"${comp.name}{suffix}"
                if kind != suffix or var not in text:
                    continue
                fallback = comp.name if default is None else default
                if fallback == "" and not candidates:
                    continue
                sh = f"v{len(pairs)}"
                words = " ".join(shlex.quote(c) for c in candidates)
                lines.append(
                    f"{sh}=$(kbf {words}) || {sh}={shlex.quote(fallback)}"
                    if candidates
                    else f"{sh}={shlex.quote(fallback)}"
                )
                lines.append(f'[ -n "${sh}" ] || {sh}={shlex.quote(fallback)}')
                pairs.append(f'{shlex.quote(var)} "${sh}"')
    if pairs:
        lines.append(f"KB_FILES=$(printf '%s\\t%s\\n' {' '.join(pairs)})")
    return lines


def _ps_lines(section: SectionConfig) -> tuple[list[str], str]:
    """The /proc scan for every bin candidate of the section, and the KB_BINS spec."""
    firsts: dict[str, None] = {}
    spec: list[str] = []
    for comp in section.components:
        for b in comp.bins:
            word = (b.strip("'\"").split(" ")[0] or b)[:COMM_LEN]
            firsts[word] = None
            spec.append(f"{comp.name}\t{'1' if comp.optional else '0'}\t{b}")
    pattern = "|".join(shlex.quote(w) for w in firsts)
    scan = (
        'KB_PS=$(for d in /proc/[0-9]*; do c=; read -r c 2>/dev/null < "$d/comm" || continue; '
        f'case "$c" in {pattern}) printf \'%s\\t\' "$c"; '
        "tr '\\000' ' ' 2>/dev/null < \"$d/cmdline\"; echo ;; esac; done)"
    )
    return [scan], "\n".join(spec)


def wrap(text: str, section: SectionConfig, env_bin: str | None = None) -> str:
    """The probe script that runs kube-bench audit ``text`` with its variables substituted.

    ``env_bin`` marks a generated default env audit: the component whose detected binary
    fills its ``ps -C`` slot ("" when kube-bench leaves the slot empty).
    """
    text = text.strip()
    if not text:
        return ""
    lines = [
        'kbf() { for p do [ -e "$p" ] && { printf \'%s\' "$p"; return 0; }; done; return 1; }',
        "KB_PS=; KB_FILES=",
    ]
    lines += _file_lines(section, text)
    bins = ""
    if bin_components(section, text) or env_bin:
        scan, bins = _ps_lines(section)
        lines += scan
    env = (
        f'KB_TEXT={shlex.quote(text)} KB_BINS={shlex.quote(bins)} KB_FILES="$KB_FILES" '
        f"KB_ENVBIN={shlex.quote(env_bin or '')} KB_GEN={'1' if env_bin is not None else '0'}"
    )
    lines.append(f"printf '%s\\n' \"$KB_PS\" | {env} awk {shlex.quote(_AWK)} | /bin/sh 2>&1")
    return "\n".join(lines) + "\n"
