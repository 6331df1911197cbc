"""The exact playbook a remediation runs, as YAML text a reviewer can run with plain
``ansible-playbook`` (``--emit-playbook``), and that ``--apply`` itself runs.

One play over the selected hosts. Each control is one ``include_tasks`` of its fix's task
file under ``tasks/`` (or ``include_role`` of ``roles/<fix>/``, or of the role holding
``tasks/<fix>.yml``, when the fix brings its own Jinja filters, which Ansible loads only
from roles), tagged with the control's playbook tag
and fed that host's variables from ``hardening_plan``. Handlers (restart kubelet, reload
sshd) are play-level, so each runs at most once per host, after all of that host's edits.

The fixes ship inside the package (``hardening/playbooks``). ``bundle`` copies them beside
the written playbook (``<dir>/hardening-fixes/``) and the playbook names them relative to
``{{ playbook_dir }}``, so the file and its folder can be reviewed, moved and run anywhere:
nothing points into a source checkout or an installed package.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hardening import __version__
from hardening.content import shipped
from hardening.remediate.select import Selection

PLAYBOOKS_DIR = shipped("playbooks")
FIXES_DIR = "hardening-fixes"  # beside the written playbook
_BUNDLED = ("tasks", "roles", "templates")
_FIXES = f"{{{{ playbook_dir }}}}/{FIXES_DIR}"

# Handlers: argv lists with inventory-overridable defaults (a node without systemd, like the
# test lab, sets hardening_daemon_reload / hardening_restart_kubelet / hardening_reload_sshd
# to its own command).
# Handlers run in this order: systemd rereads a changed unit or drop-in before the restart.
HANDLERS: tuple[dict[str, Any], ...] = (
    {
        "name": "reload systemd units",
        "ansible.builtin.command": {
            "argv": "{{ hardening_daemon_reload | default(['systemctl', 'daemon-reload']) }}"
        },
    },
    {
        "name": "restart kubelet",
        "ansible.builtin.command": {
            "argv": "{{ hardening_restart_kubelet | default(['systemctl', 'restart', 'kubelet']) }}"
        },
    },
    {
        "name": "reload sshd",
        "ansible.builtin.command": {
            "argv": "{{ hardening_reload_sshd | default(['systemctl', 'reload', 'ssh']) }}"
        },
    },
)


@dataclass(frozen=True)
class Rollout:
    """How the play rolls out: batch size (count or percent) and the failure limit."""

    serial: str = "1"
    max_fail_percent: int = 0


def serial_value(serial: str) -> int | str:
    """``"2"`` -> 2, ``"25%"`` -> ``"25%"`` (what Ansible's ``serial`` takes)."""
    return serial if serial.endswith("%") else int(serial)


def plan_vars(selection: Selection) -> dict[str, dict[str, Any]]:
    """``hardening_plan``: host -> playbook tag -> the fix's variables."""
    return {
        host: {f.tag: f.as_vars() for f in fixes}
        for host, fixes in selection.fixes.items()
        if fixes
    }


def bundle(dest: Path, playbooks_dir: Path = PLAYBOOKS_DIR) -> Path:
    """Copy the fixes the playbook includes to ``dest/hardening-fixes``; return that folder."""
    target = dest / FIXES_DIR
    for part in _BUNDLED:
        shutil.copytree(
            playbooks_dir / part,
            target / part,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    return target


def _include(fix: str, playbooks_dir: Path) -> dict[str, Any]:
    """``include_role`` of ``roles/<fix>`` when that role exists, of a role that has
    ``tasks/<fix>.yml`` (``tasks_from``), else ``include_tasks`` of ``tasks/<fix>.yml``."""
    roles = playbooks_dir / "roles"
    if (roles / fix).is_dir():
        return {"ansible.builtin.include_role": {"name": f"{_FIXES}/roles/{fix}"}}
    for role in sorted(roles.glob(f"*/tasks/{fix}.yml")):
        name = role.parent.parent.name
        return {
            "ansible.builtin.include_role": {
                "name": f"{_FIXES}/roles/{name}",
                "tasks_from": f"{fix}.yml",
            }
        }
    return {"ansible.builtin.include_tasks": {"file": f"{_FIXES}/tasks/{fix}.yml"}}


def _control_task(tag: str, fix: str, playbooks_dir: Path) -> dict[str, Any]:
    ((module, args),) = _include(fix, playbooks_dir).items()
    return {
        "name": f"{tag} ({fix})",
        module: {**args, "apply": {"tags": [tag]}},
        "vars": {
            "fix": f"{{{{ hardening_plan[inventory_hostname]['{tag}'] }}}}",
            "hardening_tag": tag,
        },
        "when": f"'{tag}' in hardening_plan.get(inventory_hostname, {{}})",
        "tags": [tag],
    }


def play(
    selection: Selection, rollout: Rollout, playbooks_dir: Path = PLAYBOOKS_DIR
) -> list[dict[str, Any]]:
    """The playbook as data: one play, one tagged include per control, the handlers."""
    fix_of: dict[str, str] = {}
    for fixes in selection.fixes.values():
        for f in fixes:
            fix_of.setdefault(f.tag, f.fix)
    return [
        {
            "name": "hardening remediation",
            "hosts": list(selection.hosts),
            "become": True,
            "gather_facts": False,
            "force_handlers": True,
            "serial": serial_value(rollout.serial),
            "max_fail_percentage": rollout.max_fail_percent,
            "vars": {
                "hardening_templates_dir": f"{_FIXES}/templates",
                "hardening_plan": plan_vars(selection),
            },
            "tasks": [_control_task(tag, fix_of[tag], playbooks_dir) for tag in selection.tags],
            "handlers": [dict(h) for h in HANDLERS],
        }
    ]


def render(selection: Selection, rollout: Rollout, playbooks_dir: Path = PLAYBOOKS_DIR) -> str:
    """The playbook as YAML text, with a header saying how to run it."""
    header = (
        f"# Generated by hardening {__version__} remediate: {len(selection.hosts)} host(s), "
        f"tags {', '.join(selection.tags) or '(none)'}.\n"
        f"# It includes the fixes in {FIXES_DIR}/ beside it; keep the two together.\n"
        "# Review, then run with the inventory the audit used:\n"
        "#   ansible-playbook -i INVENTORY THIS_FILE --check --diff   # dry run\n"
        "#   ansible-playbook -i INVENTORY THIS_FILE                  # apply\n"
    )
    body = yaml.safe_dump(
        play(selection, rollout, playbooks_dir),
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
    return header + body
