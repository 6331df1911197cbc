"""Inventory templates resolved without running anything on the auditing machine.

Ansible's templar would run ``{{ lookup('pipe', ...) }}`` (and every lookup and plugin filter)
while we only read an inventory, so it is not used. A template here is parsed by Jinja2 and
evaluated by a closed walk over its syntax tree: text, variable names, ``.attr`` and
``['key']`` on those variables, ``~`` concatenation, literal constants and the pure filters in
``FILTERS``. Anything else (a call such as ``lookup()`` or ``query()``, any other filter, a
test, an operator, a loop, a block) is refused with ``TemplateRefused`` and never evaluated.
Variables resolve recursively through the host's raw variables, at most ``MAX_DEPTH``
levels deep, and no resolved string grows past ``MAX_TEXT`` characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

MAX_DEPTH = 16
MAX_TEXT = 65_536


class TemplateRefused(ValueError):
    """A template that names something other than variables and pure filters."""


def _default(value: Any, fallback: Any = "", boolean: bool = False) -> Any:
    if value is _UNDEFINED or (boolean and not value):
        return fallback
    return value


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "yes", "y", "true", "on")


_UNDEFINED = object()
FILTERS: dict[str, Callable[..., Any]] = {
    "default": _default,
    "d": _default,
    "lower": lambda v: str(v).lower(),
    "upper": lambda v: str(v).upper(),
    "trim": lambda v: str(v).strip(),
    "string": str,
    "int": lambda v: int(str(v).strip()),
    "bool": _as_bool,
}


def is_template(value: object) -> bool:
    """Whether a string holds Jinja2 syntax."""
    return isinstance(value, str) and ("{{" in value or "{%" in value or "{#" in value)


class Resolver:
    """Resolves templates against one host's raw (untemplated) variables."""

    def __init__(self, raw: Mapping[str, Any], hostname: str) -> None:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self._raw = {
            **raw,
            "inventory_hostname": hostname,
            "inventory_hostname_short": hostname.split(".")[0],
        }
        self._env = ImmutableSandboxedEnvironment()
        self._stack: list[str] = []

    def value(self, value: Any) -> Any:
        """``value`` with every template inside it resolved (containers walked)."""
        if isinstance(value, Mapping):
            return {str(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if not is_template(value):
            return value
        from jinja2 import TemplateSyntaxError, nodes

        try:
            tree = self._env.parse(str(value))
        except TemplateSyntaxError as exc:
            raise TemplateRefused(f"not a valid template: {exc.message}") from None
        body = tree.body
        if (
            len(body) == 1
            and isinstance(body[0], nodes.Output)
            and len(body[0].nodes) == 1
            and not isinstance(body[0].nodes[0], nodes.TemplateData)
        ):
            lone = body[0].nodes[0]  # a lone expression keeps its type (a port stays an int)
            return self._defined(self._node(lone), lone)
        return self._bounded("".join(str(self._node(n)) for n in body))

    def _bounded(self, text: str) -> str:
        if len(text) > MAX_TEXT:
            raise TemplateRefused(f"resolves to more than {MAX_TEXT} characters")
        return text

    def _name(self, name: str) -> Any:
        if name not in self._raw:
            return _UNDEFINED
        if name in self._stack or len(self._stack) >= MAX_DEPTH:
            raise TemplateRefused(
                f"variable '{name}' refers to itself or nests more than {MAX_DEPTH} levels"
            )
        self._stack.append(name)
        try:
            return self.value(self._raw[name])
        finally:
            self._stack.pop()

    def _node(self, node: Any) -> Any:
        from jinja2 import nodes

        if isinstance(node, nodes.Output):
            return self._bounded("".join(str(self._defined(self._node(n), n)) for n in node.nodes))
        if isinstance(node, nodes.TemplateData | nodes.Const):
            return node.data if isinstance(node, nodes.TemplateData) else node.value
        if isinstance(node, nodes.Name):
            return self._name(node.name)
        if isinstance(node, nodes.Concat):
            return self._bounded("".join(str(self._defined(self._node(n), n)) for n in node.nodes))
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            return self._lookup(node)
        if isinstance(node, nodes.Filter) and node.name in FILTERS and node.node is not None:
            return self._filter(node)
        raise TemplateRefused(
            f"'{_describe(node)}' is not allowed (only variables, "
            f"'.key', ['key'], '~' and the filters {', '.join(FILTERS)})"
        )

    def _lookup(self, node: Any) -> Any:
        from jinja2 import nodes

        base = self._node(node.node)
        if isinstance(node, nodes.Getattr):
            key: Any = node.attr
        elif isinstance(node.arg, nodes.Const):
            key = node.arg.value
        else:
            raise TemplateRefused('only a constant key may be looked up (["key"] or [0])')
        if isinstance(base, Mapping):
            return base.get(key, _UNDEFINED)
        if isinstance(base, list) and isinstance(key, int) and -len(base) <= key < len(base):
            return base[key]
        return _UNDEFINED

    def _filter(self, node: Any) -> Any:
        from jinja2 import nodes

        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            raise TemplateRefused(f"filter '{node.name}' takes positional constants only")
        if not all(isinstance(a, nodes.Const) for a in node.args):
            raise TemplateRefused(f"filter '{node.name}' takes positional constants only")
        subject = self._node(node.node)
        if node.name not in ("default", "d"):
            subject = self._defined(subject, node.node)
        try:
            return FILTERS[node.name](subject, *(a.value for a in node.args))
        except (TypeError, ValueError) as exc:
            raise TemplateRefused(f"filter '{node.name}' failed: {exc}") from None

    def _defined(self, value: Any, node: Any) -> Any:
        if value is _UNDEFINED:
            raise TemplateRefused(f"'{_describe(node)}' is undefined")
        return value


def _describe(node: Any) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Call):
        return f"{_describe(node.node)}(...)"
    if isinstance(node, nodes.Getattr):
        return f"{_describe(node.node)}.{node.attr}"
    if isinstance(node, nodes.Filter | nodes.Test):
        return f"| {node.name}" if isinstance(node, nodes.Filter) else f"is {node.name}"
    return type(node).__name__.lower()
