"""A failed control's fix, derived from its check: which task file runs and with what vars.

Content stays data: the catalogue says what to check, and the fix follows from the check
kind and its params (and, for files, from the failing paths the evidence lists). A check
whose fix cannot be derived safely yields a reason instead, and the control is listed for
manual remediation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hardening.checks.ops import OPS
from hardening.model.control import Control
from hardening.model.result import Result
from hardening.parsers.units import UNIT_DIRS

# Static pod components: a flag is fixed in /etc/kubernetes/manifests/<component>.yaml.
STATIC_PODS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")
MANIFEST_DIR = "/etc/kubernetes/manifests"
SSHD_CONFIG = "/etc/ssh/sshd_config"
_SSHD_EXTRACT = re.compile(r"^\^([a-z0-9]+)\s")
_PROC_SYS = re.compile(r"^cat /proc/sys/([A-Za-z0-9_/.-]+)$")


@dataclass(frozen=True)
class Fix:
    """One control's fix on one host: the task file (``fix``) and its variables."""

    control_id: str
    tag: str
    fix: str
    vars: dict[str, Any] = field(default_factory=dict, hash=False)

    def as_vars(self) -> dict[str, Any]:
        """The mapping the task file reads as ``fix``."""
        return {"fix": self.fix, "control": self.control_id, **self.vars}


class NoFix(Exception):  # noqa: N818 - a signal inside this module, never raised to callers
    """The control's fix cannot be derived; the message says why (shown to the user)."""


def symbolic_removal(max_mode: str) -> str:
    """``chmod`` symbolic mode removing every bit outside ``max_mode`` (``600`` -> ``u-xs,...``).

    Removing bits (rather than setting ``max_mode``) keeps a stricter mode as it is.
    """
    allowed = int(max_mode, 8)
    parts = []
    for who, shift, special, special_name in (
        ("u", 6, 0o4000, "s"),
        ("g", 3, 0o2000, "s"),
        ("o", 0, 0o1000, "t"),
    ):
        bits = "".join(
            name for name, bit in (("r", 4), ("w", 2), ("x", 1)) if not (allowed >> shift) & bit
        )
        if not allowed & special:
            bits += special_name
        if bits:
            parts.append(f"{who}-{bits}")
    return ",".join(parts)


def typed(value: str) -> Any:
    """Catalogue text as the YAML value a config file needs (``false`` -> False, ``0`` -> 0)."""
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def nested(dotted: str, value: Any) -> dict[str, Any]:
    """``a.b.c`` and a value -> ``{"a": {"b": {"c": value}}}``."""
    out: Any = value
    for part in reversed(dotted.split(".")):
        out = {part: out}
    result: dict[str, Any] = out
    return result


def target_value(op: str, value: Any, override: str | None) -> str:
    """The value to set: the fix-values table first, else what ``eq``/``in`` names."""
    if override is not None:
        return override
    if op == "eq" and isinstance(value, str):
        return value
    if op == "in" and isinstance(value, tuple | list) and value:
        return str(value[0])
    raise NoFix(
        f"op '{op}' does not name one value to set; add the tag to a --values file "
        "(the shipped one is hardening/playbooks/values.yml)"
    )


def failing_paths(result: Result, *, last_field: bool) -> list[str]:
    """The failing paths the evidence lists (``path: value`` or ``mode owner path`` lines)."""
    paths = []
    for line in result.evidence.details:
        path = line.split(" ", 2)[-1] if last_field else line.rsplit(": ", 1)[0]
        if path.startswith("/"):
            paths.append(path)
    if not paths:
        raise NoFix("the evidence lists no failing path")
    return paths


def _file_fix(control: Control, result: Result, params: Any) -> tuple[str, dict[str, Any]]:
    paths = failing_paths(result, last_field=False)
    if control.check is not None and control.check.kind == "file_mode":
        return "file_mode", {"paths": paths, "mode": symbolic_removal(params.max_mode)}
    user, group = params.owner[0].split(":")
    return "file_owner", {"paths": paths, "owner": user, "group": group}


def _config_path(result: Result, key: str, fallback: str) -> str:
    """The config file the evidence cites for ``key`` (it may be named by ``--config``)."""
    for text in (result.evidence.source, *result.evidence.details):
        m = re.match(r"^(?:overridden: )?(/\S+): " + re.escape(key) + ":", text)
        if m:
            return m.group(1)
    if not fallback:
        raise NoFix("the evidence names no config file to edit")
    return fallback


def _flag_won(source: str, flag: str | None) -> bool:
    """Whether the evidence's winning source is the command line (``ORIGIN: --flag[=v]``)."""
    return bool(flag) and re.search(": " + re.escape(flag or "") + r"(=|$)", source) is not None


def fallback_passes(result: Result, p: Any) -> bool:
    """Whether the value that wins once the flag is gone (config key, else default) passes.

    The evidence lists the sources the flag overrode, best first (``overridden: ...``).
    """
    for line in result.evidence.details:
        if not line.startswith("overridden: "):
            continue
        value = line.rsplit(": ", 1)[-1]
        return OPS[p.op].test(value, p.value)
    return False


def _unit_flag_fix(result: Result, p: Any, value: str) -> tuple[str, dict[str, Any]]:
    """A kubelet flag on its command line: rewrite it where systemd reads it."""
    drop = fallback_passes(result, p)
    return "kubelet_flag", {
        "unit": f"{p.component}.service",
        "unit_dirs": list(UNIT_DIRS),
        "flag": p.flag,
        "value": None if drop else value,
        "is_bool": p.type == "bool",
    }


def _component_fix(result: Result, p: Any, value: str) -> tuple[str, dict[str, Any]]:
    if p.flag_key:  # one KEY=VALUE pair of a map flag: rewriting the flag would drop the rest
        if f": {p.flag}: {p.flag_key}=" in result.evidence.source or not p.config_key:
            raise NoFix(
                f"{p.flag_key} is set in {p.flag} on the {p.component} command line; "
                f"edit that pair by hand (the flag carries other keys too)"
            )
        flag_won = False
    else:
        flag_won = _flag_won(result.evidence.source, p.flag)
    if p.config_key and not flag_won:
        default = p.config_path or (
            "/var/lib/kubelet/config.yaml" if p.component == "kubelet" else ""
        )
        path = _config_path(result, p.config_key, default)
        fix = "kubelet_config" if p.component == "kubelet" else "yaml_config"
        return fix, {"path": path, "set": nested(p.config_key, typed(value))}
    if p.flag and p.component in STATIC_PODS:
        manifest = f"{MANIFEST_DIR}/{p.component}.yaml"
        return "manifest_flag", {"path": manifest, "flag": p.flag, "value": value}
    if p.flag and p.component == "kubelet":
        return _unit_flag_fix(result, p, value)
    raise NoFix(
        f"{p.flag} is set on the {p.component} command line; no restart handler "
        f"exists for {p.component}: edit the unit or environment file that sets it"
    )


def _keyword_fix(p: Any, value: str) -> tuple[str, dict[str, Any]]:
    if p.format == "keyword":
        return "sshd", {"path": p.path, "settings": {p.key: value}}
    if p.format == "sysctl":
        return "sysctl", {"key": p.key.replace("/", "."), "value": value}
    return "yaml_config", {"path": p.path, "set": nested(p.key, typed(value))}


def _command_fix(p: Any, value: str) -> tuple[str, dict[str, Any]]:
    m = _SSHD_EXTRACT.match(p.extract or "")
    if p.command.startswith("sshd -T") and m:
        return "sshd", {"path": SSHD_CONFIG, "settings": {m.group(1): value}}
    sysctl = _PROC_SYS.match(p.command.strip())
    if sysctl:
        return "sysctl", {"key": sysctl.group(1).replace("/", "."), "value": value}
    raise NoFix("an audit command's outcome has no file to fix")


def derive(control: Control, result: Result, override: str | None = None) -> Fix:
    """The fix of a failed automated control; raises NoFix with the reason when none is safe."""
    if control.check is None or not control.playbook_tag:
        raise NoFix("manual control" if control.check is None else "no playbook tag")
    kind, p = control.check.kind, control.check.params
    if kind in ("file_mode", "file_owner"):
        name, values = _file_fix(control, result, p)
    elif kind == "suid_inventory":
        name, values = (
            "file_mode",
            {"paths": failing_paths(result, last_field=True), "mode": "u-s,g-s"},
        )
    elif kind == "world_writable":
        name, values = "file_mode", {"paths": failing_paths(result, last_field=True), "mode": "o-w"}
    elif kind == "component_setting":
        name, values = _component_fix(result, p, target_value(p.op, p.value, override))
    elif kind == "config_key":
        name, values = _keyword_fix(p, target_value(p.op, p.value, override))
    elif kind == "command_output":
        name, values = _command_fix(p, target_value(p.op, p.value, override))
    else:
        raise NoFix(f"no playbook fixes check kind '{kind}'")
    return Fix(control.id, control.playbook_tag, name, values)
