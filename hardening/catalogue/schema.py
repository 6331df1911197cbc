"""YAML mapping -> Control. Unknown keys, kinds, ops and bad values are errors naming
``file:line``, the control id and the field."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any

from hardening.catalogue.yamlload import LDict, LList, to_bool
from hardening.checks.base import CheckKind, ParamError
from hardening.checks.registry import KINDS
from hardening.errors import CatalogueError
from hardening.model.control import CheckSpec, Control, Role, Severity

CONTROL_KEYS = {
    "id",
    "title",
    "section",
    "level",
    "severity",
    "roles",
    "automated",
    "check",
    "description",
    "rationale",
    "audit",
    "remediation",
    "playbook_tag",
    "requires",
}
DEFAULT_KEYS = {"section", "level", "severity", "roles", "requires"}
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class _Ctx:
    """Where we are, for error messages."""

    def __init__(self, path: str, control_id: str | None = None) -> None:
        self.path = path
        self.control_id = control_id

    def error(self, node: Any, field: str, what: str, key: str | None = None) -> CatalogueError:
        line = node.line_of(key) if isinstance(node, LDict) and key else getattr(node, "line", None)
        return CatalogueError(self.path, what, line=line, control_id=self.control_id, field=field)


def _convert(ctx: _Ctx, node: LDict, key: str, value: Any, hint: Any, field: str) -> Any:
    """Convert a text scalar (or list) to the type a Params field declares."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        hint = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return tuple(value) if isinstance(value, list) else value
    if origin is tuple:
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(i, str) for i in items):
            raise ctx.error(node, field, "expected text or a list of text", key)
        return tuple(items)
    if isinstance(value, (list, dict)):
        raise ctx.error(node, field, f"expected a single value, got a {type(value).__name__}", key)
    if hint is bool:
        b = to_bool(value or "")
        if b is None:
            raise ctx.error(node, field, f"expected true or false, got '{value}'", key)
        return b
    if hint is int:
        if value is None or not value.lstrip("-").isdigit():
            raise ctx.error(node, field, f"expected a whole number, got '{value}'", key)
        return int(value)
    if value is None:
        raise ctx.error(node, field, "must not be empty", key)
    return value


def build_params(ctx: _Ctx, node: LDict, kind: CheckKind) -> Any:
    """Build a kind's Params from the ``check`` mapping (less ``kind``/``when_missing``)."""
    fields = {f.name: f for f in dataclasses.fields(kind.params)}
    hints = typing.get_type_hints(kind.params)
    given = {k: v for k, v in node.items() if k not in ("kind", "when_missing")}
    for key in given:
        if key not in fields:
            raise ctx.error(
                node,
                f"check.{key}",
                f"unknown key for kind '{kind.name}' (expected one of: {', '.join(fields)})",
                key,
            )
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in given:
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required:
                raise ctx.error(node, f"check.{name}", "required key is missing")
            continue
        kwargs[name] = _convert(ctx, node, name, given[name], hints[name], f"check.{name}")
    try:
        return kind.params(**kwargs)
    except ParamError as exc:
        raise ctx.error(node, f"check.{exc.field}", str(exc), exc.field) from None


def build_check(ctx: _Ctx, node: Any) -> CheckSpec:
    """Validate a ``check`` mapping into a CheckSpec."""
    if not isinstance(node, LDict):
        raise ctx.error(node, "check", "expected a mapping with a 'kind'")
    kind_name = node.get("kind")
    if kind_name not in KINDS:
        raise ctx.error(
            node,
            "check.kind",
            f"unknown kind '{kind_name}' (expected one of: {', '.join(KINDS)})",
            "kind",
        )
    when = node.get("when_missing", "skip")
    if when not in ("skip", "fail"):
        raise ctx.error(
            node, "check.when_missing", f"expected skip or fail, got '{when}'", "when_missing"
        )
    return CheckSpec(kind_name, build_params(ctx, node, KINDS[kind_name]), when)


def _text(ctx: _Ctx, node: LDict, key: str, default: str | None = None) -> str:
    value = node.get(key, default)
    if value is None or not isinstance(value, str) or not value.strip():
        raise ctx.error(node, key, "required text is missing", key)
    return value.strip()


def _roles(ctx: _Ctx, node: LDict, value: Any) -> frozenset[Role]:
    items = value if isinstance(value, LList | list) else [value]
    try:
        return frozenset(Role(str(v)) for v in items)
    except ValueError:
        raise ctx.error(
            node,
            "roles",
            f"unknown role in {list(items)} (expected: {', '.join(r.value for r in Role)})",
            "roles",
        ) from None


def build_control(path: str, node: Any, defaults: LDict, benchmark: str) -> Control:
    """Validate one control mapping (with the file's defaults) into a Control."""
    ctx = _Ctx(path)
    if not isinstance(node, LDict):
        raise ctx.error(node, "controls", "each control must be a mapping")
    cid = node.get("id")
    if not isinstance(cid, str) or not ID_RE.match(cid):
        raise ctx.error(node, "id", f"missing or invalid control id '{cid}'", "id")
    ctx.control_id = cid
    for key in node:
        if key not in CONTROL_KEYS:
            raise ctx.error(
                node, key, f"unknown key (expected one of: {', '.join(sorted(CONTROL_KEYS))})", key
            )
    merged = LDict({**defaults, **node})
    merged.line, merged.key_lines = node.line, {**defaults.key_lines, **node.key_lines}
    level = _convert(ctx, merged, "level", merged.get("level", "1"), int, "level")
    if level not in (1, 2):
        raise ctx.error(merged, "level", f"expected 1 or 2, got {level}", "level")
    try:
        severity = Severity(merged.get("severity", "medium"))
    except ValueError:
        raise ctx.error(
            merged,
            "severity",
            f"unknown severity '{merged.get('severity')}' "
            f"(expected one of: {', '.join(s.value for s in Severity)})",
            "severity",
        ) from None
    automated = _convert(
        ctx, merged, "automated", merged.get("automated", "true"), bool, "automated"
    )
    check = build_check(ctx, merged["check"]) if "check" in merged else None
    if automated and check is None:
        raise ctx.error(node, "check", "an automated control needs a check (or automated: false)")
    if not automated and check is not None:
        raise ctx.error(node, "check", "a manual control has no check (set automated: true)")
    requires = merged.get("requires") or []
    return Control(
        id=cid,
        title=_text(ctx, merged, "title"),
        section=_text(ctx, merged, "section"),
        benchmark=benchmark,
        level=level,
        severity=severity,
        roles=_roles(ctx, merged, merged.get("roles", ["any"])),
        automated=automated,
        check=check,
        description=(merged.get("description") or merged.get("rationale") or "").strip(),
        audit=(merged.get("audit") or "").strip(),
        remediation=(merged.get("remediation") or "").strip(),
        playbook_tag=merged.get("playbook_tag"),
        requires=frozenset(requires if isinstance(requires, list) else [requires]),
        source=f"{path}:{node.line}",
    )
