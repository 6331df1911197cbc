"""A restricted YAML loader: scalars stay the text the author wrote, lines are recorded.

PyYAML's YAML 1.1 typing turns ``1.10`` into 1.1 and ``0644`` into 420; here every scalar
is a ``str`` exactly as written (the schema converts where a field wants a number or a
bool), duplicate keys are an error rather than a silent overwrite, and every mapping
remembers its line so errors can name ``file:line``. Nesting and alias expansion are bounded
(``hardening/safeload.py``) before libyaml composes anything: its composer recurses in C and
crashes the process on a deeply nested file, and ``_build`` copies each alias.
"""

from __future__ import annotations

from typing import Any

import yaml

from hardening.safeload import LoadLimitError, check_yaml

# libyaml's parser when present (profiled: the pure-Python composer was ~0.3 s of every audit,
# a quarter of a 10-node audit without the filesystem walk); same BaseResolver, same nodes.
_LOADER: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class LDict(dict[str, Any]):
    """A mapping that knows the line it starts at and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key``, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


class LList(list[Any]):
    """A sequence that knows its line."""

    line: int = 0


class YamlError(ValueError):
    """Malformed YAML; ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        self.line = line
        super().__init__(message)


def _build(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        # a plain scalar's style is None from PyYAML's parser and "" from libyaml's
        if node.tag == "tag:yaml.org,2002:null" or (
            not node.style and node.value in ("", "~", "null")
        ):
            return None
        return str(node.value)
    if isinstance(node, yaml.SequenceNode):
        seq = LList(_build(n) for n in node.value)
        seq.line = node.start_mark.line + 1
        return seq
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for knode, vnode in node.value:
            key = _build(knode)
            if not isinstance(key, str):
                raise YamlError("mapping keys must be plain text", knode.start_mark.line + 1)
            if key in out:
                raise YamlError(f"duplicate key '{key}'", knode.start_mark.line + 1)
            out[key] = _build(vnode)
            out.key_lines[key] = knode.start_mark.line + 1
        return out
    raise YamlError(f"unsupported YAML node {node.tag}", node.start_mark.line + 1)


def load(text: str) -> Any:
    """Parse one YAML document with every scalar kept as text. Raises YamlError."""
    try:
        check_yaml(text, "")
        node = yaml.compose(text, Loader=_LOADER)
    except LoadLimitError as exc:
        raise YamlError(str(exc), exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise YamlError(str(exc.problem or exc).strip(), line) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0], 0) from None
    return None if node is None else _build(node)


def to_bool(text: str) -> bool | None:
    """``true``/``false`` (any case, also yes/no) as a bool; None when it is neither."""
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    return None
