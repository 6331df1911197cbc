"""The changes of a rollout, one per file per host: what a reviewer reads in a dry run.

Ansible reports a change per task, that is per control, and in check mode nothing is
written, so two controls that edit one file each report a diff of their own. The text
fixes build on each other (``hardening_pending`` in the task files), so the last diff of
a file holds every edit; file attributes are combined here: each control's mode change is
a set of bits removed or added, applied in order to the mode the file had. The result is
one diff per file per host and the closing count.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hardening.remediate.runner import Change


@dataclass(frozen=True)
class FileChange:
    """One file's change on one host: the controls behind it, its content diff (empty when
    only attributes change) and its attribute changes (``mode 0666 -> 0600``).
    A change Ansible reported without a file has an empty ``path`` and its task name."""

    host: str
    path: str
    tags: tuple[str, ...]
    diff: str = ""
    attributes: tuple[str, ...] = ()
    task: str = ""


@dataclass
class _Acc:
    host: str
    path: str
    tags: list[str] = field(default_factory=list)
    text: list[tuple[str, str]] = field(default_factory=list)
    attrs: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def _mode(value: Any) -> int | None:
    try:
        return int(str(value), 8)
    except ValueError:
        return None


def _attributes(steps: list[tuple[dict[str, Any], dict[str, Any]]]) -> tuple[str, ...]:
    """Attribute changes combined in order: first value before, the value after all steps."""
    first: dict[str, Any] = {}
    last: dict[str, Any] = {}
    mode: int | None = None
    for before, after in steps:
        for key, value in before.items():
            first.setdefault(key, value)
        b, a = _mode(before.get("mode")), _mode(after.get("mode"))
        if b is not None and a is not None:
            mode = b if mode is None else mode
            mode = (mode & ~(b & ~a)) | (a & ~b)  # this step's removed and added bits
        last.update(after)
    if mode is not None:
        last["mode"] = f"{mode:04o}"
    return tuple(
        f"{key} {first[key]} -> {last[key]}"
        for key in sorted(last)
        if key != "path" and key in first and str(first[key]) != str(last[key])
    )


def _text_diff(path: str, steps: list[tuple[str, str]]) -> str:
    before, after = steps[0][0], steps[-1][1]
    return "".join(
        difflib.unified_diff(before.splitlines(True), after.splitlines(True), path, path)
    )


def combine(changes: Sequence[Change]) -> list[FileChange]:
    """One FileChange per (host, file), in the order the files were first changed."""
    files: dict[tuple[str, str], _Acc] = {}
    loose: list[FileChange] = []
    for c in changes:
        parts = [p for p in c.parts if p.path]
        if not parts:
            loose.append(FileChange(c.host, "", (c.tag,), c.diff, (), c.task))
            continue
        for p in parts:
            acc = files.setdefault((c.host, p.path), _Acc(c.host, p.path))
            if c.tag not in acc.tags:
                acc.tags.append(c.tag)
            if isinstance(p.before, dict) or isinstance(p.after, dict):
                before = p.before if isinstance(p.before, dict) else {}
                after = p.after if isinstance(p.after, dict) else {}
                acc.attrs.append((before, after))
            else:
                acc.text.append((str(p.before), str(p.after)))
    out = [
        FileChange(
            a.host,
            a.path,
            tuple(a.tags),
            _text_diff(a.path, a.text) if a.text else "",
            _attributes(a.attrs),
        )
        for a in files.values()
    ]
    order = {h: i for i, h in enumerate(dict.fromkeys(c.host for c in changes))}
    return sorted(out + loose, key=lambda f: order[f.host])


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def closing_line(files: Sequence[FileChange], applied: bool) -> str:
    """``N changes in M files on K hosts`` (a change is one control's edit of one file),
    and, for a dry run, how to make them."""
    if not files:
        return "no change" if applied else "no change would be made"
    changes = sum(len(f.tags) for f in files)
    paths = sum(1 for f in files if f.path)
    hosts = len({f.host for f in files})
    line = f"{_count(changes, 'change')} in {_count(paths, 'file')} on {_count(hosts, 'host')}"
    return line if applied else f"{line}; rerun with --apply"


def as_dicts(files: Sequence[FileChange]) -> list[dict[str, Any]]:
    """The combined changes as the remediation summary writes them."""
    return [
        {
            "host": f.host,
            "path": f.path,
            "tags": list(f.tags),
            "diff": f.diff,
            "attributes": list(f.attributes),
            **({"task": f.task} if f.task else {}),
        }
        for f in files
    ]
