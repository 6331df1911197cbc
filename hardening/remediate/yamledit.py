"""YAML config files edited in place: only the lines a fix sets change.

The kubelet config and static-pod manifest fixes set a few scalar keys or one command-line
flag. Re-serialising the whole document (``to_nice_yaml``) would re-indent lists and drop
comments, burying the one real change of a dry run in layout noise. These edits use the
positions PyYAML's composer records for every node and rewrite only those spans, then prove
the result: the edited text must load to exactly the merged document. When a file's layout
is beyond this (flow style, one scalar over several lines, aliases, several documents), the
edit raises ``YamlEditError`` and the caller falls back to writing the merged document.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class YamlEditError(ValueError):
    """The text cannot be edited in place safely; the message says why."""


def merged(data: Any, changes: Mapping[str, Any]) -> Any:
    """``data`` with ``changes`` merged recursively (what Ansible's ``combine`` gives)."""
    out = copy.deepcopy(data) if isinstance(data, dict) else {}
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(dict(value)) if isinstance(value, Mapping) else value
    return out


def scalar(value: Any) -> str:
    """``value`` as a one-line YAML scalar that loads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9_./=:@+-][A-Za-z0-9_./=:@+ -]*", text) is not None
    if plain and ": " not in text and not text.endswith((" ", ":")):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _root(text: str) -> MappingNode:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlEditError(f"not one YAML document: {exc}") from None
    if not isinstance(node, MappingNode) or node.flow_style or not node.value:
        raise YamlEditError("the document is not a block mapping")
    return node


def _child(node: MappingNode, key: str) -> Node | None:
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key and isinstance(v, Node):
            return v
    return None


def _last_line(node: Node) -> int:
    """The last line holding part of ``node`` (block collections end on the next line)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark
        wrapped = end.column == 0 and end.line > node.start_mark.line  # a block scalar
        return int(end.line) - 1 if wrapped else int(end.line)
    children: list[Node] = []
    if isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    if not children:
        return int(node.start_mark.line)
    return max(_last_line(c) for c in children)


def _step(node: MappingNode) -> int:
    """The file's indent step, from a nested block mapping (2 when there is none)."""
    column = node.value[0][0].start_mark.column
    for _k, v in node.value:
        if isinstance(v, MappingNode) and v.value and not v.flow_style:
            return max(1, int(v.value[0][0].start_mark.column) - int(column))
    return 2


def _lines(keys: list[str], value: Any, column: int, step: int) -> list[str]:
    out = []
    for depth, key in enumerate(keys):
        pad = " " * (column + depth * step)
        last = depth == len(keys) - 1
        out.append(f"{pad}{scalar(key)}: {scalar(value)}" if last else f"{pad}{scalar(key)}:")
    return out


def _set_one(text: str, keys: list[str], value: Any) -> str:
    """Set the scalar at ``keys`` in ``text``, in place or by inserting the missing lines."""
    root = _root(text)
    node: Node = root
    lines = text.splitlines(keepends=True)
    for depth, key in enumerate(keys):
        assert isinstance(node, MappingNode)
        found = _child(node, key)
        last = depth == len(keys) - 1
        if found is None:
            column = int(node.value[0][0].start_mark.column)
            after = _last_line(node)
            new = _lines(keys[depth:], value, column, _step(root))
            if after < len(lines) and not lines[after].endswith("\n"):
                lines[after] += "\n"
            lines[after + 1 : after + 1] = [ln + "\n" for ln in new]
            return "".join(lines)
        if last:
            if not isinstance(found, ScalarNode) or found.style in ("|", ">"):
                raise YamlEditError(f"'{'.'.join(keys)}' is not a scalar")
            if found.start_mark.line != found.end_mark.line:
                raise YamlEditError(f"'{'.'.join(keys)}' spans lines")
            start, end = found.start_mark.index, found.end_mark.index
            if start == end:  # `key:` with nothing after it
                return text[:start] + " " + scalar(value) + text[end:]
            return text[:start] + scalar(value) + text[end:]
        if not isinstance(found, MappingNode) or found.flow_style or not found.value:
            raise YamlEditError(f"'{'.'.join(keys[: depth + 1])}' is not a block mapping")
        node = found
    raise YamlEditError("no key to set")  # pragma: no cover - keys is never empty


def _flat(changes: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[list[str], Any]]:
    out: list[tuple[list[str], Any]] = []
    for key, value in changes.items():
        if isinstance(value, Mapping) and value:
            out += _flat(value, (*prefix, str(key)))
        else:
            out.append(([*prefix, str(key)], value))
    return out


def set_keys(text: str, changes: Mapping[str, Any]) -> str:
    """``text`` with the nested scalar keys of ``changes`` set; every other byte kept.

    Raises YamlEditError when the file cannot be edited in place, or when the edited text
    would not load to the merged document.
    """
    old = _load(text)
    new = text
    for keys, value in _flat(changes):
        if isinstance(value, Mapping | list):
            raise YamlEditError(f"'{'.'.join(keys)}': only scalars are set in place")
        new = _set_one(new, keys, value)
    _prove(new, merged(old, changes))
    return new


def _load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise YamlEditError(f"not one YAML document: {exc}") from None


def _prove(text: str, expected: Any) -> None:
    if _load(text) != expected:
        raise YamlEditError("the edited text does not load to the merged document")


def _command(root: MappingNode) -> SequenceNode:
    spec = _child(root, "spec")
    containers = _child(spec, "containers") if isinstance(spec, MappingNode) else None
    if not isinstance(containers, SequenceNode) or not containers.value:
        raise YamlEditError("the manifest has no spec.containers")
    first = containers.value[0]
    command = _child(first, "command") if isinstance(first, MappingNode) else None
    if not isinstance(command, SequenceNode) or command.flow_style or not command.value:
        raise YamlEditError("the first container has no block-style command list")
    for item in command.value:
        if not isinstance(item, ScalarNode) or item.start_mark.line != item.end_mark.line:
            raise YamlEditError("a command item is not a one-line scalar")
    lines = [item.start_mark.line for item in command.value]
    if len(set(lines)) != len(lines):
        raise YamlEditError("two command items share a line")
    return command


def manifest_flag(text: str, flag: str, value: str) -> str:
    """A static-pod manifest with every ``flag``/``flag=...`` of the first container's
    command dropped and ``flag=value`` appended, editing only those lines."""
    command = _command(_root(text))
    data = _load(text)
    cmd = data["spec"]["containers"][0]["command"]
    kept = [c for c in cmd if not (c == flag or str(c).startswith(flag + "="))]
    data["spec"]["containers"][0]["command"] = [*kept, f"{flag}={value}"]
    lines = text.splitlines(keepends=True)
    items = command.value
    drop = {
        int(item.start_mark.line)
        for item in items
        if item.value == flag or item.value.startswith(flag + "=")
    }
    last = items[-1]
    prefix = lines[last.start_mark.line][: last.start_mark.column]
    if prefix.strip() != "-":
        raise YamlEditError("command items are not '- ' lines")
    row = int(last.start_mark.line)
    if not lines[row].endswith("\n"):
        lines[row] += "\n"
    lines.insert(row + 1, f"{prefix}{scalar(f'{flag}={value}')}\n")
    new = "".join(ln for i, ln in enumerate(lines) if i not in drop)
    _prove(new, data)
    return new


def dump(data: Any) -> str:
    """The fallback: the merged document written out whole (re-indented, comments lost)."""
    return str(yaml.safe_dump(data, sort_keys=False, default_flow_style=False, indent=2))
