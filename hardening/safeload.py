"""Bounded reading and parsing of the local YAML and JSON files the tool is given.

Every inventory, waiver file, catalogue file and cloud export goes through here, so no file
can hang the tool or exhaust its memory:

- only a regular file is read: a FIFO, a device such as ``/dev/zero``, a socket or a
  directory is refused before a byte is read (opened ``O_NONBLOCK``, checked with fstat);
- a file larger than its limit (``MAX_BYTES``, 16 MiB, or the caller's) is refused from its
  size, and never more than the limit is read even if the file grows meanwhile;
- YAML is checked event by event (libyaml's parser, no recursion) before anything builds
  it: nesting deeper than ``MAX_DEPTH`` (100) or more than ``MAX_NODES`` (1,000,000) nodes
  once every alias is expanded is refused, so an alias bomb costs a few kilobytes;
- JSON nested deeper than ``MAX_DEPTH`` is refused (Python's parser would raise
  RecursionError past ~1,000 levels, libyaml's composer crashes the process).

Errors are ``LoadLimitError`` (a ValueError) with a message that names the file; callers
re-raise it as their configuration error (exit 2).
"""

from __future__ import annotations

import json
import os
import stat as statmod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 16 << 20
MAX_DEPTH = 100
MAX_NODES = 1_000_000
_EVENTS: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_SAFE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KINDS = {
    statmod.S_IFIFO: "a FIFO",
    statmod.S_IFCHR: "a character device",
    statmod.S_IFBLK: "a block device",
    statmod.S_IFSOCK: "a socket",
    statmod.S_IFDIR: "a directory",
}


class LoadLimitError(ValueError):
    """A file that is not regular, too large, too deep or expands too far.

    ``line`` is the 1-based line of a YAML limit (0 when none applies).
    """

    def __init__(self, message: str, line: int = 0) -> None:
        self.line = line
        super().__init__(message)


def _at(where: str, mark: Any, message: str) -> LoadLimitError:
    line = mark.line + 1 if mark is not None else 0
    return LoadLimitError(f"{where}:{line}: {message}" if where else message, line)


def read_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``; LoadLimitError for anything else or larger."""
    where = os.fspath(path)
    try:
        fd = os.open(where, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not statmod.S_ISREG(st.st_mode):
                kind = _KINDS.get(statmod.S_IFMT(st.st_mode), "not a regular file")
                raise LoadLimitError(f"{where}: is {kind}, not a regular file; it is not read")
            if st.st_size > max_bytes:
                raise LoadLimitError(
                    f"{where}: {st.st_size} bytes, over the {max_bytes}-byte limit for this file"
                )
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise LoadLimitError(f"{where}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise LoadLimitError(f"{where}: grew past the {max_bytes}-byte limit while read")
    return data


def read_text(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> str:
    """``read_bytes`` decoded as UTF-8 (LoadLimitError when it is not UTF-8)."""
    data = read_bytes(path, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadLimitError(f"{os.fspath(path)}: not UTF-8 text (byte {exc.start})") from None


def yaml_events(text: str, where: str) -> Iterator[Any]:
    """libyaml's parse events for ``text``, stopped with LoadLimitError past the limits.

    Depth counts open collections; the node count charges each alias the full size of the
    node it names, so what a builder would produce by expanding aliases is bounded.
    """
    sizes: dict[str, int] = {}
    stack: list[tuple[int, str | None]] = []  # (nodes so far, anchor) per open collection
    total = 0
    for event in yaml.parse(text, Loader=_EVENTS):
        grown = 0
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _at(where, event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
            stack.append((1, event.anchor))
            grown = 1
        elif isinstance(event, yaml.CollectionEndEvent) and stack:
            size, anchor = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
            if stack:
                stack[-1] = (stack[-1][0] + size, stack[-1][1])
        elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            grown = 1 if isinstance(event, yaml.ScalarEvent) else sizes.get(event.anchor or "", 1)
            if isinstance(event, yaml.ScalarEvent) and event.anchor is not None:
                sizes[event.anchor] = 1
            if stack:
                stack[-1] = (stack[-1][0] + grown, stack[-1][1])
        total += grown
        if total > MAX_NODES:
            raise _at(
                where,
                event.start_mark,
                f"more than {MAX_NODES} nodes once aliases are expanded (an alias bomb?)",
            )
        yield event


def check_yaml(text: str, where: str) -> None:
    """LoadLimitError (or yaml.YAMLError for bad syntax) unless ``text`` is within limits."""
    for _event in yaml_events(text, where):
        pass


def load_yaml_all(text: str, where: str) -> list[Any]:
    """Every document of ``text`` with YAML's usual (safe) typing, within the limits."""
    check_yaml(text, where)
    return list(yaml.load_all(text, Loader=_SAFE))  # noqa: S506 - a safe loader


def load_json(text: str | bytes, where: str) -> Any:
    """One JSON document within the depth limit; LoadLimitError or json's ValueError."""
    try:
        doc = json.loads(text)
    except RecursionError:
        raise LoadLimitError(f"{where}: nested more than {MAX_DEPTH} levels deep") from None
    todo: list[tuple[Any, int]] = [(doc, 1)]
    while todo:
        item, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise LoadLimitError(f"{where}: nested more than {MAX_DEPTH} levels deep")
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        todo.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return doc


def load_file(path: Path, max_bytes: int = MAX_BYTES) -> list[Any]:
    """The documents of a ``.json`` (one) or ``.yaml``/``.yml`` file, read and parsed within
    the limits; LoadLimitError, or ValueError / yaml.YAMLError for bad syntax."""
    text = read_text(path, max_bytes)
    if path.suffix in (".yaml", ".yml"):
        return [d for d in load_yaml_all(text, str(path)) if d is not None]
    return [load_json(text, str(path))]
