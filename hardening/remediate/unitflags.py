"""A flag on a systemd-run component's command line, rewritten where systemd reads it.

systemd builds the kubelet's argv from its unit, the unit's drop-ins and the
EnvironmentFiles they name. Given those files' text (read from the host by Ansible), this
module finds every place a flag reaches the effective ``ExecStart`` (the command line
itself, an ``Environment=`` assignment or an EnvironmentFile value, whichever systemd
lets win), and rewrites it to ``--flag=value`` or drops it. The file order and the final
argv come from ``hardening.parsers.units``, the image source's reader, and every edit is
proved by re-deriving the argv with it.
"""

from __future__ import annotations

import re
import shlex
import stat
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from hardening.errors import HardeningError
from hardening.parsers import units
from hardening.parsers.flags import flag_value
from hardening.sources.rootfs import Entry, Tree

_PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./-]*")
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class UnitFlagError(HardeningError):
    """The flag cannot be rewritten safely in the unit files; a person must edit them."""


@dataclass(frozen=True)
class Edit:
    """The flag change to make: ``value`` None drops the flag, else sets ``--flag=value``."""

    flag: str
    value: str | None
    is_bool: bool = False


@dataclass(frozen=True)
class _Line:
    """One logical line of a file: raw lines ``[start, end)`` joined, as text."""

    path: str
    start: int
    end: int
    text: str


def memory_tree(files: Mapping[str, str]) -> Tree:
    """An image Tree over in-memory files, so ``units`` reads what Ansible slurped."""
    data = {path: text.encode() for path, text in files.items()}
    entries = {p: Entry(p, stat.S_IFREG | 0o644, size=len(b), loc=p) for p, b in data.items()}

    def fetch(locs: list[Hashable], cap: int) -> dict[Hashable, bytes]:
        return {loc: data[str(loc)][:cap] for loc in locs}

    return Tree(entries, fetch)


def _logical(path: str, text: str) -> list[_Line]:
    """Lines with ``\\`` continuations joined; comments and blanks skipped (as systemd)."""
    out: list[_Line] = []
    raw = text.splitlines()
    i = 0
    while i < len(raw):
        start, buf = i, ""
        line = raw[i].strip()
        while line.endswith("\\") and i + 1 < len(raw):
            buf += line[:-1] + " "
            i += 1
            line = raw[i].strip()
        i += 1
        joined = (buf + line).strip()
        if joined and joined[0] not in "#;":
            out.append(_Line(path, start, i, joined))
    return out


def _split(value: str) -> list[str]:
    """Words of a unit-file value, as ``units`` reads them (unbalanced quotes: on spaces)."""
    try:
        return shlex.split(value, comments=False, posix=True)
    except ValueError:
        return value.split()


def rewrite_words(words: list[str], edit: Edit) -> list[str]:
    """``words`` with every ``--flag``/``--flag=x`` (``--flag x`` unless boolean) rewritten."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == edit.flag or word.startswith(edit.flag + "="):
            if word == edit.flag and not edit.is_bool and i + 1 < len(words):
                i += 1  # the next word is this flag's value
            if edit.value is not None:
                out.append(f"{edit.flag}={edit.value}")
        else:
            out.append(word)
        i += 1
    return out


def _plain(words: list[str], where: str) -> None:
    for w in words:
        if not _PLAIN.fullmatch(w):
            raise UnitFlagError(
                f"{where}: {w!r} needs quoting inside a quoted value; "
                "rewriting it could change its meaning",
                "edit the file by hand",
            )


def rewrite_env_value(raw: str, edit: Edit, where: str) -> str:
    """An EnvironmentFile value (shell-quoted word list) with the flag rewritten, re-quoted.

    The value is parsed with shlex; the new words are joined and wrapped in the quote the
    value had (double quotes when it had none and now holds several words).
    """
    try:  # shlex removes the quoting; systemd then splits ``$VAR`` on whitespace
        words = [w for part in shlex.split(raw, comments=False, posix=True) for w in part.split()]
    except ValueError as exc:
        raise UnitFlagError(
            f"{where}: cannot parse {raw!r}: {exc}", "edit the file by hand"
        ) from None
    new = rewrite_words(words, edit)
    if new == words:
        return raw
    _plain(new, where)
    text = " ".join(new)
    quote = raw.strip()[:1] if raw.strip()[:1] in ("'", '"') else ""
    if not quote and len(new) > 1:
        quote = '"'
    return f"{quote}{text}{quote}"


def _rewrite_environment(value: str, var: str, edit: Edit, where: str) -> str:
    """An ``Environment=`` value with ``var``'s assignment rewritten (other ones kept)."""
    assigns = _split(value)
    out = []
    changed = False
    for assign in assigns:
        key, sep, val = assign.partition("=")
        if sep and key == var and rewrite_words(val.split(), edit) != val.split():
            new = rewrite_words(val.split(), edit)
            _plain(new, where)
            assign, changed = f"{key}={' '.join(new)}", True
        out.append(f'"{assign}"' if " " in assign or not assign else assign)
    return " ".join(out) if changed else value


def _rewrite_exec(command: str, edit: Edit) -> str:
    """An ExecStart command with the flag's words rewritten in place (``$VAR`` kept)."""
    value = "" if edit.is_bool else r"(?:[ \t]+[^\s$-]\S*)?"
    token = re.escape(edit.flag) + r"(?:=\S*|" + value + r")(?!\S)"
    if edit.value is None:
        return re.sub(r"[ \t]+" + token, "", command)
    return re.sub(r"(?<!\S)" + token, f"{edit.flag}={edit.value}", command)


@dataclass
class _Walk:
    """What systemd would use: the winning ExecStart and each variable's winning line."""

    exec_start: _Line | None = None
    env_files: tuple[str, ...] = ()
    defs: dict[str, tuple[_Line, str]] = field(default_factory=dict)  # var -> (line, kind)


def _walk(files: Mapping[str, str], ordered: list[str]) -> _Walk:
    walk = _Walk()
    env_files: list[str] = []
    for path in ordered:
        section = ""
        for line in _logical(path, files[path]):
            if line.text.startswith("["):
                section = line.text.strip("[]")
                continue
            key, _, value = (part.strip() for part in line.text.partition("="))
            if section != "Service":
                continue
            if key == "Environment":
                for assign in _split(value):
                    var, sep, _ = assign.partition("=")
                    if sep:
                        walk.defs[var] = (line, "env")
            elif key == "EnvironmentFile":
                env_files.append(value.lstrip("-"))
            elif key == "ExecStart":
                walk.exec_start = line if value else None
    for spec in env_files:  # EnvironmentFile values override Environment=, in file order
        for line in _logical(spec, files.get(spec, "")):
            var, sep, _ = line.text.partition("=")
            if sep and var.strip():
                walk.defs[var.strip()] = (line, "file")
    walk.env_files = tuple(env_files)
    return walk


def env_files(files: Mapping[str, str], unit: str) -> list[str]:
    """The EnvironmentFiles the unit (with its drop-ins among ``files``) names, in order."""
    return list(_walk(files, units.unit_files(memory_tree(files), unit)).env_files)


def _replace(text: str, line: _Line, new: str) -> str:
    raw = text.splitlines()
    raw[line.start : line.end] = [new]
    return "\n".join(raw) + ("\n" if text.endswith("\n") or not text else "")


def _edit_line(line: _Line, kind: str, names: list[str], edit: Edit) -> str:
    key, _, value = line.text.partition("=")
    if kind == "exec":
        return f"{key}={_rewrite_exec(value, edit)}"
    if kind == "file":
        return f"{key}={rewrite_env_value(value, edit, f'{line.path}: {key}')}"
    for var in names:
        value = _rewrite_environment(value, var, edit, f"{line.path}: {var}")
    return f"{key}={value}"


def rewrite(files: Mapping[str, str], unit: str, edit: Edit) -> dict[str, str]:
    """The new text of every file that must change so ``unit`` runs with ``edit`` applied.

    ``files`` maps the unit file, its drop-ins and its EnvironmentFiles to their text. An
    empty result means the files already give the wanted command line. Raises
    UnitFlagError when the unit has no ExecStart, when the flag must be set but no file
    sets it, or when the rewritten files would not give the wanted argv.
    """
    ordered = units.unit_files(memory_tree(files), unit)
    walk = _walk(files, ordered)
    if walk.exec_start is None:
        raise UnitFlagError(
            f"{unit}: no ExecStart in {', '.join(ordered) or 'any unit file'}",
            "check that the unit and its drop-ins were read",
        )
    # Each line systemd uses for the command: the ExecStart, then every referenced
    # variable's winning definition (one Environment= line may hold several of them).
    targets: dict[tuple[str, int], tuple[_Line, str, list[str]]] = {
        (walk.exec_start.path, walk.exec_start.start): (walk.exec_start, "exec", [])
    }
    for m in _REF.finditer(walk.exec_start.text):
        var = m.group(1) or m.group(2)
        if var in walk.defs:
            line, kind = walk.defs[var]
            targets.setdefault((line.path, line.start), (line, kind, []))[2].append(var)
    new: dict[str, str] = dict(files)
    # Later lines first, so earlier line numbers in the same file stay valid.
    for (path, _), (line, kind, names) in sorted(
        targets.items(), key=lambda t: (t[0][0], -t[0][1])
    ):
        text = _edit_line(line, kind, names, edit)
        if text != line.text:
            new[path] = _replace(new[path], line, text)
    _prove(new, unit, edit)
    return {p: t for p, t in new.items() if t != files.get(p)}


def _prove(files: Mapping[str, str], unit: str, edit: Edit) -> None:
    """Re-derive the argv with the image source's reader; it must carry the edit."""
    found = units.unit_argv(memory_tree(files), unit)
    argv = found[0] if found else ()
    got = flag_value(argv, edit.flag, is_bool=edit.is_bool)
    if got != edit.value:
        shown = "unset" if got is None else repr(got)
        want = "unset" if edit.value is None else repr(edit.value)
        raise UnitFlagError(
            f"{unit}: {edit.flag} would be {shown}, not {want}, after rewriting "
            f"{found[1] if found else 'the unit files'}",
            "the unit files do not set it where this fix can rewrite it; edit them by hand",
        )
