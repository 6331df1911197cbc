"""kube-bench cfg directory (config.yaml + profile dirs such as cis-1.12, ack-1.0) -> Controls.

Compatibility mode: each kube-bench check becomes a Control whose check is the ``kubebench``
kind; ``type: manual`` becomes a manual control (WARN). Files are read with the text-keeping
loader, so ``value: 0644``, ``id: 1.10`` and ``value: true`` keep the text kube-bench sees.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from hardening.catalogue.kubebench_probe import (
    DEFAULT_ENV_AUDIT,
    FILE_KINDS,
    ComponentConfig,
    SectionConfig,
    bin_components,
    wrap,
)
from hardening.catalogue.yamlload import LDict, YamlError, load, to_bool
from hardening.checks.kinds.kubebench import Params, Scripts
from hardening.checks.kubebench_semantics import KNOWN_OPS, CheckItem
from hardening.errors import CatalogueError, UsageError
from hardening.model.control import CheckSpec, Control, Role, Severity
from hardening.safeload import LoadLimitError, read_text

NODE_TYPES = {
    "master": Role.CONTROL_PLANE,
    "controlplane": Role.CONTROL_PLANE,
    "etcd": Role.ETCD,
    "node": Role.WORKER,
    "policies": Role.CONTROL_PLANE,
    "managedservices": Role.CONTROL_PLANE,
}


def is_kubebench_dir(root: Path) -> bool:
    """Whether ``root`` looks like kube-bench's cfg: config.yaml plus a profile directory
    holding any kube-bench controls file (master, node, controlplane, etcd, policies,
    managedservices ``.yaml``), as a profile with only ``policies.yaml`` is one too."""
    if not (root / "config.yaml").is_file():
        return False
    return any(
        any((d / f"{t}.yaml").is_file() for t in NODE_TYPES) for d in root.iterdir() if d.is_dir()
    )


def available(root: Path) -> list[str]:
    """The profile directories of a kube-bench cfg dir."""
    return sorted(
        d.name
        for d in root.iterdir()
        if d.is_dir() and any(d.glob("*.yaml")) and not d.name.startswith(".")
    )


def _read(path: Path) -> Any:
    try:
        return load(read_text(path))
    except (OSError, LoadLimitError) as exc:
        raise CatalogueError(str(path), f"cannot read: {exc}") from None
    except YamlError as exc:
        raise CatalogueError(str(path), f"invalid YAML: {exc}", line=exc.line or None) from None


def merge(base: Any, over: Any) -> Any:
    """viper MergeInConfig: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = LDict(base)
        out.key_lines = {}
        for key, value in over.items():
            out[key] = merge(base.get(key), value)
        return out
    return base if over is None else over


def _strings(value: Any) -> tuple[str, ...]:
    """viper GetStringSlice: a list as is, a scalar split on blanks."""
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    return tuple(str(value).split())


def section_config(cfg: Any, node_type: str, path: str) -> SectionConfig:
    """The components of one node type from the merged config.yaml."""
    sec = cfg.get(node_type) if isinstance(cfg, dict) else None
    if not isinstance(sec, dict):
        return SectionConfig(node_type)
    comps: list[ComponentConfig] = []
    for name in _strings(sec.get("components")):
        sub = sec.get(name)
        if not isinstance(sub, dict):
            continue  # kube-bench: v.Sub(component) == nil -> skipped
        files = tuple(
            (suffix, _strings(sub.get(many)), None if sub.get(one) is None else str(sub.get(one)))
            for suffix, many, one in FILE_KINDS
        )
        for _, cands, default in files:
            if any(c for c in (*cands, default or "") if "\t" in c or "\n" in c):
                raise CatalogueError(
                    path,
                    f"{node_type}.{name}: a path holds a tab or newline; fix config.yaml",
                    field=f"{node_type}.{name}",
                )
        comps.append(
            ComponentConfig(
                name,
                to_bool(str(sub.get("optional") or "")) is True,
                _strings(sub.get("bins")),
                files,
            )
        )
    return SectionConfig(node_type, tuple(comps))


def _bool(value: Any, default: bool, where: str, field: str) -> bool:
    if value is None:
        return default
    b = to_bool(str(value))
    if b is None:
        raise CatalogueError(where, f"expected true or false, got '{value}'", field=field)
    return b


def _item(node: Any, where: str) -> CheckItem:
    if not isinstance(node, dict):
        raise CatalogueError(where, "each test item must be a mapping", field="test_items")
    compare = node.get("compare") or {}
    if not isinstance(compare, dict):
        raise CatalogueError(where, "compare must be a mapping", field="compare")
    op = str(compare.get("op") or "")
    if compare and op not in KNOWN_OPS:
        # kube-bench runs an unknown op (cfg/k3s-cis-1.9 ships 'noteqx') and fails it
        # silently; a typo in a profile is a load error here instead.
        raise CatalogueError(
            where,
            f"unknown op '{op}' (kube-bench would fail it silently; "
            f"expected one of: {', '.join(sorted(KNOWN_OPS))})",
            field="compare.op",
        )
    return CheckItem(
        flag=str(node.get("flag") or ""),
        path=str(node.get("path") or ""),
        env=str(node.get("env") or ""),
        is_set=_bool(node.get("set"), True, where, "set"),
        op=str(compare.get("op") or ""),
        value=str(compare.get("value") or ""),
    )


def _tests(check: LDict, where: str) -> tuple[tuple[CheckItem, ...] | None, str]:
    tests = check.get("tests")
    if tests is None:
        return None, ""
    if not isinstance(tests, dict):
        raise CatalogueError(where, "tests must be a mapping", field="tests")
    items = tests.get("test_items") or []
    return tuple(_item(i, where) for i in items), str(tests.get("bin_op") or "")


def _params(check: LDict, section: SectionConfig, env_bin: str, where: str) -> Params:
    items, bin_op = _tests(check, where)
    audit = str(check.get("audit") or "")
    config = str(check.get("audit_config") or "")
    env = str(check.get("audit_env") or "")
    generated = False
    if (
        not env
        and items
        and any(i.env for i in items)
        and not _bool(check.get("disableenvtesting"), False, where, "disableenvtesting")
    ):
        env, generated = DEFAULT_ENV_AUDIT, True
    return Params(
        check_id=str(check.get("id")),
        scripts=Scripts(
            audit,
            config,
            env,
            wrap(audit, section),
            wrap(config, section),
            wrap(env, section, env_bin if generated else None),
        ),
        tests=items,
        bin_op=bin_op,
        use_multiple_values=_bool(
            check.get("use_multiple_values"), False, where, "use_multiple_values"
        ),
        scored=_bool(check.get("scored"), False, where, "scored"),
        type=str(check.get("type") or ""),
    )


def _control(check: Any, group: LDict, ctx: tuple[str, str, SectionConfig, str, Role]) -> Control:
    path, benchmark, section, env_bin, role = ctx
    if not isinstance(check, LDict) or not check.get("id"):
        raise CatalogueError(path, "each check needs an id", line=getattr(check, "line", None))
    cid = str(check["id"])
    where = f"{path}:{getattr(check, 'line', 0)}: control {cid}"
    ctype = "skip" if group.get("type") == "skip" else str(check.get("type") or "")
    manual = ctype == "manual"
    params = None if manual else _params(check, section, env_bin, where)
    if params is not None and ctype != params.type:
        params = replace(params, type=ctype)
    return Control(
        id=cid,
        title=str(check.get("text") or cid).strip(),
        section=f"{group.get('id')} {str(group.get('text') or '').strip()}".strip(),
        benchmark=benchmark,
        level=1,
        severity=Severity.MEDIUM,
        roles=frozenset({role}),
        automated=not manual,
        check=None if params is None else CheckSpec("kubebench", params, "skip"),
        audit=str(check.get("audit") or "").strip(),
        remediation=str(check.get("remediation") or "").strip(),
        source=where,
    )


def load_file(path: Path, cfg: Any, benchmark: str) -> tuple[int, str, list[Control]]:
    """One controls file -> (section id for ordering, text, controls)."""
    doc = _read(path)
    expected = path.stem
    if not isinstance(doc, LDict) or expected not in NODE_TYPES:
        raise CatalogueError(
            str(path),
            f"not a kube-bench controls file (expected one of: "
            f"{', '.join(f'{t}.yaml' for t in NODE_TYPES)})",
        )
    if doc.get("type") != expected:
        raise CatalogueError(
            str(path),
            f"non-{expected} controls file specified",
            line=doc.line_of("type"),
            field="type",
        )
    section = section_config(cfg, expected, str(path))
    raw = read_text(path)
    subs = bin_components(section, raw)
    ctx = (str(path), benchmark, section, subs[0] if len(subs) == 1 else "", NODE_TYPES[expected])
    controls: list[Control] = []
    for group in doc.get("groups") or []:
        if not isinstance(group, LDict):
            raise CatalogueError(str(path), "each group must be a mapping", field="groups")
        controls += [_control(c, group, ctx) for c in group.get("checks") or []]
    sid = str(doc.get("id") or "")
    return (int(sid) if sid.isdigit() else 1 << 30), str(doc.get("text") or ""), controls


def load_profile(root: Path, name: str) -> tuple[str, list[Control]]:
    """Every controls file of one profile, in kube-bench's section order."""
    directory = root / name
    if not directory.is_dir():
        raise UsageError(
            f"benchmark '{name}' not found under {root}",
            f"available: {', '.join(available(root)) or 'none'}",
        )
    cfg = _read(root / "config.yaml")
    if (directory / "config.yaml").is_file():
        cfg = merge(cfg, _read(directory / "config.yaml"))
    files = [
        load_file(p, cfg, name) for p in sorted(directory.glob("*.yaml")) if p.name != "config.yaml"
    ]
    files.sort(key=lambda f: f[0])
    return name, [c for _, _, cs in files for c in cs]


def load_many(names: list[str], root: Path) -> tuple[str, str, tuple[Control, ...]]:
    """Several profiles as (benchmark, title, controls); ids must stay unique."""
    seen: dict[str, str] = {}
    controls: list[Control] = []
    for name in names:
        for c in load_profile(root, name)[1]:
            if c.id in seen:
                raise CatalogueError(
                    c.source,
                    f"duplicate check id (first defined at {seen[c.id]})",
                    control_id=c.id,
                    field="id",
                )
            seen[c.id] = c.source
            controls.append(c)
    label = "+".join(names)
    return label, f"kube-bench {label}", tuple(controls)
