"""Hosts from an Ansible inventory, read by Ansible's own loader (never a home-made parser).

Why in-process: ``InventoryManager`` + ``DataLoader`` + ``VariableManager`` from ansible-core
are exactly what ``ansible-inventory`` and ``ansible`` run, so YAML and INI files, inventory
directories, groups of groups, ``group_vars/`` and ``host_vars/`` (via the vars plugins)
and ``--limit`` patterns (``InventoryManager.subset``: ``a:&b``, ``!c``,
``~regex``, ``@retry-file``) behave as they do for Ansible. ``ansible-inventory --list`` has no
``--limit``, so a subprocess route would need a second ``ansible --list-hosts`` run per
audit and a JSON round trip; the in-process API does both in one parse, in milliseconds.

Templates in variables are NOT resolved by Ansible's templar, which would run lookups such
as ``lookup('pipe', ...)`` on the auditing machine: ``inventory/template.py`` resolves them
with variables and pure filters only (docs/security.md).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hardening import safeload
from hardening.errors import InventoryError
from hardening.inventory import roles, sshargs, template
from hardening.model.host import Host, JumpHost

SECRET_WORDS = ("pass", "secret", "token", "vault", "credential")
MAGIC_VARS = frozenset(
    {
        "ansible_config_file",
        "ansible_facts",
        "ansible_playbook_python",
        "ansible_version",
        "group_names",
        "groups",
        "hostvars",
        "inventory_dir",
        "inventory_file",
        "inventory_hostname",
        "inventory_hostname_short",
        "omit",
        "playbook_dir",
        "ansible_check_mode",
        "ansible_diff_mode",
        "ansible_forks",
        "ansible_inventory_sources",
        "ansible_run_tags",
        "ansible_skip_tags",
        "ansible_verbosity",
        "ansible_play_hosts",
    }
)
JUMP_VAR = "hardening_jump_host"
# the variables _host reads: a template in one of them that cannot be resolved safely stops
CONNECTION_VARS = frozenset(
    {
        "ansible_host",
        "ansible_ssh_host",
        "ansible_port",
        "ansible_ssh_port",
        "ansible_user",
        "ansible_ssh_user",
        "ansible_ssh_private_key_file",
        "ansible_private_key_file",
        "ansible_connection",
        "ansible_become",
        "ansible_become_method",
        "ansible_become_user",
        "ansible_ssh_common_args",
        JUMP_VAR,
        roles.ROLES_VAR,
        roles.GROUP_ROLES_VAR,
    }
)
CONNECTIONS = {
    "ssh": "ssh",
    "paramiko": "ssh",
    "paramiko_ssh": "ssh",
    "smart": "ssh",
    "local": "local",
}


def is_secret(name: str) -> bool:
    """True for variables that may hold a credential; they never reach Host.vars."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def load_inventory(
    path: str | os.PathLike[str],
    limit: str | None = None,
    group_roles: Mapping[str, Any] | None = None,
) -> list[Host]:
    """Every host of the inventory at ``path`` matching ``limit``, in inventory order.

    ``group_roles`` (group -> role names) extends the default group -> role mapping; an
    inventory variable ``hardening_group_roles`` extends it further for its hosts.
    Raises InventoryError naming the file when it cannot be read.
    """
    where = str(path)
    if not Path(where).exists():
        raise InventoryError(
            f"{where}: no such inventory file or directory",
            "pass an Ansible inventory (YAML, INI or a directory) with -i",
        )
    _precheck(Path(where))
    from ansible.errors import AnsibleError

    try:
        return _load(where, limit, group_roles)
    except InventoryError as exc:
        broken = _broken_ini_header(Path(where))
        if broken is None:
            raise
        raise InventoryError(
            f"{broken[0]}:{broken[1]}: section header {broken[2]!r} is not closed by ']'",
            "write [group], [group:vars] or [group:children]",
        ) from exc
    except AnsibleError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InventoryError(
            f"{where}: Ansible cannot load it: {first[:300]}",
            f"check it with 'ansible-inventory -i {where} --list'",
        ) from None


_HEADER = re.compile(r"^\[[^\]\s]+\]\s*([#;].*)?$")


def _broken_ini_header(path: Path) -> tuple[Path, int, str] | None:
    """The first ``[group`` line Ansible's INI parser chokes on, for a file it could not
    parse (its own message names no line): (file, line number, the line)."""
    for item in _inventory_files(path):
        if item.suffix in (".yml", ".yaml", ".json"):
            continue
        try:
            text = safeload.read_bytes(item).decode("utf-8", errors="replace")
        except (OSError, safeload.LoadLimitError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            bare = line.strip()
            if bare.startswith("[") and not _HEADER.match(bare):
                return item, number, bare[:80]
    return None


def limit_hint(path: str | os.PathLike[str], limit: str) -> str:
    """For a ``--limit`` that matched nothing: the inventory's groups and the host or group
    names nearest to each word of the pattern."""
    hosts = _load(str(path), None, None)
    groups = sorted({g for h in hosts for g in h.groups})
    names = [h.name for h in hosts]
    words = [w.lstrip("&!") for w in re.split(r"[:,]", limit) if w.lstrip("&!")]
    near: list[str] = []
    for word in words:
        for match in difflib.get_close_matches(word, [*names, *groups], n=3, cutoff=0.5):
            if match not in near:
                near.append(match)
    listed = ", ".join(groups) or "(none)"
    return f"groups: {listed}; nearest names: {', '.join(near) or '(none)'}"


def _inventory_files(path: Path) -> list[Path]:
    """The files Ansible will read: the source (or every file under a source directory) and
    the ``group_vars``/``host_vars`` beside a source file."""
    roots = [path] if path.is_dir() else [path.parent / "group_vars", path.parent / "host_vars"]
    found = [] if path.is_dir() else [path]
    for root in roots:
        if root.is_dir():
            found += sorted(
                p
                for p in root.rglob("*")
                if not p.is_dir()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
    return found


def _precheck(path: Path) -> None:
    """Refuse, before Ansible reads them, inventory files that are not regular files, larger
    than MAX_BYTES, or YAML nested or alias-expanded past safeload's limits (libyaml's
    composer crashes on deep nesting; an alias bomb grows past 4 GB once walked)."""
    from yaml import YAMLError

    for item in _inventory_files(path):
        try:
            text = safeload.read_bytes(item).decode("utf-8", errors="replace")
            if item.suffix in (".yml", ".yaml", ".json", "") or item.parent != path.parent:
                safeload.check_yaml(text, str(item))
        except safeload.LoadLimitError as exc:
            raise InventoryError(
                str(exc),
                "an inventory is regular YAML, JSON or INI files "
                f"of at most {safeload.MAX_BYTES >> 20} MiB",
            ) from None
        except YAMLError:
            continue  # not YAML (an INI file): Ansible's own parser reports what is wrong


def _load(where: str, limit: str | None, group_roles: Mapping[str, Any] | None) -> list[Host]:
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.manager import VariableManager

    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[where])
    if not manager.groups.get("all") or not _parsed(manager):
        raise InventoryError(
            f"{where}: not parsable as an Ansible inventory",
            f"check it with 'ansible-inventory -i {where} --list'",
        )
    variables = VariableManager(loader=loader, inventory=manager)
    if limit:
        manager.subset(limit)
    hosts = []
    for item in manager.get_hosts("all"):
        raw = variables.get_vars(host=item, include_hostvars=False)
        values = _templated(raw, item.name, where)
        groups = tuple(g.name for g in item.get_groups() if g.name not in ("all", "ungrouped"))
        hosts.append(_host(item.name, groups, values, group_roles, where))
    return hosts


def _parsed(manager: Any) -> bool:
    """False when no plugin could parse the source (Ansible only warns about that)."""
    return bool(manager.hosts) or len(manager.groups) > 2


def _templated(raw: Mapping[str, Any], hostname: str, where: str) -> dict[str, Any]:
    """Resolve each variable's templates without running anything (inventory/template.py).

    A connection variable (``CONNECTION_VARS``) whose template is refused is an
    InventoryError; any other variable with a refused template is kept as written.
    """
    resolver = template.Resolver(
        {
            k: _plain(v)
            for k, v in raw.items()
            if k not in MAGIC_VARS and not is_secret(k) and not _is_vaulted(v)
        },
        hostname,
    )
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name in MAGIC_VARS or is_secret(name) or _is_vaulted(value):
            continue
        try:
            out[name] = _plain(resolver.value(_plain(value)))
        except template.TemplateRefused as exc:
            if name in CONNECTION_VARS:
                raise InventoryError(
                    f"{where}: host '{hostname}': {name}: {exc}",
                    "inventory templates may only name variables (no "
                    "lookups); see docs/security.md",
                ) from None
            out[name] = _plain(value)
    return out


def _is_vaulted(value: object) -> bool:
    name = type(value).__name__.lower()
    return "vault" in name or "encrypted" in name


def _plain(value: Any) -> Any:
    """Ansible's tagged values -> plain str/int/float/bool/None/list/dict."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def _first(values: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if values.get(name) not in (None, ""):
            return values[name]
    return None


def _port(values: Mapping[str, Any]) -> Any:
    """The port as written: 0 stays 0 (and is refused), only an absent port means 22."""
    for name in ("ansible_port", "ansible_ssh_port"):
        if values.get(name) is not None and values.get(name) != "":
            return values[name]
    return 22


def _bool(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "yes", "y", "true", "on"):
        return True
    if text in ("0", "no", "n", "false", "off", "", "none"):
        return False
    raise InventoryError(f"{where}: '{value}' is not a boolean", "use true or false")


def _host(
    name: str,
    groups: tuple[str, ...],
    values: dict[str, Any],
    group_roles: Mapping[str, Any] | None,
    source: str,
) -> Host:
    where = f"{source}: host '{name}'"
    connection = str(_first(values, "ansible_connection") or "ssh")
    if connection not in CONNECTIONS:
        raise InventoryError(
            f"{where}: ansible_connection '{connection}' is not supported",
            f"use one of: {', '.join(sorted(CONNECTIONS))}",
        )
    overrides = values.get(roles.GROUP_ROLES_VAR)
    if overrides is not None and not isinstance(overrides, Mapping):
        raise InventoryError(
            f"{where}: {roles.GROUP_ROLES_VAR} must be a mapping", "write it as group: [role, ...]"
        )
    mapping = roles.group_mapping({**(group_roles or {}), **(overrides or {})}, where)
    held = roles.roles_for(where, groups, values, mapping)
    user = _first(values, "ansible_user", "ansible_ssh_user")
    key = _first(values, "ansible_ssh_private_key_file", "ansible_private_key_file")
    key_file = os.path.expanduser(str(key)) if key else None
    become_method = str(_first(values, "ansible_become_method") or "sudo")
    become = _bool(values.get("ansible_become", False), f"{where}: ansible_become")
    if become and become_method != "sudo":
        raise InventoryError(
            f"{where}: become method '{become_method}' is not supported",
            "use sudo (the probe runs with 'sudo -n')",
        )
    args = sshargs.parse_ssh_args(str(values.get("ansible_ssh_common_args") or ""), where)
    jump: JumpHost | None = None
    jump_spec = values.get(JUMP_VAR) or args.jump
    if jump_spec:
        jump = sshargs.parse_jump(
            jump_spec, f"{where}: jump host", key_file, str(user) if user else None
        )
    return Host(
        name=name,
        address=str(_first(values, "ansible_host", "ansible_ssh_host") or name),
        port=sshargs.port_number(_port(values), where),
        user=str(user) if user else None,
        key_file=key_file,
        become=become,
        become_user=str(_first(values, "ansible_become_user") or "root"),
        jump=jump,
        roles=held,
        role_sources=roles.role_sources(groups, values, mapping, held),
        groups=groups,
        transport=CONNECTIONS[connection],
        known_hosts=os.path.expanduser(args.known_hosts) if args.known_hosts else None,
        vars=values,
    )
