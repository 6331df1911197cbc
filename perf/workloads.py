"""The workloads the benchmark compares, built from the audit's own plan.

- the raw probe scripts (exactly what ``hardening audit`` sends to each host);
- an Ansible playbook with one ``stat``/``slurp``/``command`` task per FactRequest;
- the testinfra (paramiko backend) run of the same requests, in ``perf/testinfra_run.py``;
- both again "by control": each control's own requests in turn, nothing shared, as a suite
  written one task or test per control asks them.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from hardening.checks.registry import KINDS
from hardening.facts.base import is_glob
from hardening.facts.command import Command
from hardening.facts.component import ComponentReq
from hardening.facts.find import Find, prune_clause
from hardening.facts.read import Read
from hardening.facts.stat import Stat
from hardening.model.facts import FactRequest
from hardening.plan import Plan
from hardening.probe import script

FIND_PERMS = "\\( -perm -4000 -o -perm -2000 -o -perm -0002 \\)"


def find_command(roots: tuple[str, ...], prune: tuple[str, ...], fmt: str) -> str:
    """The one-request ``find`` a per-check tool runs: the probe's walk, its prunes included."""
    skip = prune_clause(prune)
    return (
        f"find {' '.join(shlex.quote(r) for r in roots)} -xdev {skip}-type f {FIND_PERMS} "
        f"-exec stat -c '{fmt}' {{}} +"
    )


def write_probe_scripts(plans: list[Plan], dest: Path) -> dict[str, Path]:
    """host name -> the probe script the audit would send it (fresh nonce, same text)."""
    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    for plan in plans:
        path = dest / f"{plan.host.name}.sh"
        path.write_bytes(script.build(plan.requests).data)
        out[plan.host.name] = path
    return out


def _stat_tasks(req: Stat) -> list[dict[str, Any]]:
    if not is_glob(req.path):
        return [{"ansible.builtin.stat": {"path": req.path}}]
    return [
        {
            "ansible.builtin.shell": f"stat -L -c '%f %u %g %U %G %n' -- {req.path}",
            "failed_when": False,
        }
    ]


def _read_tasks(req: Read) -> list[dict[str, Any]]:
    if not is_glob(req.path):
        return [{"ansible.builtin.slurp": {"src": req.path}, "failed_when": False}]
    return [{"ansible.builtin.shell": f"head -c {req.limit} -- {req.path}", "failed_when": False}]


def _component_tasks(req: ComponentReq) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = [
        {
            "ansible.builtin.shell": f"tr '\\0' ' ' < /proc/$(pgrep -xo "
            f"{shlex.quote(req.name[:15])})/cmdline",
            "failed_when": False,
        }
    ]
    for _flag, default in req.files:
        if default:
            tasks += [
                {"ansible.builtin.stat": {"path": default}},
                {"ansible.builtin.slurp": {"src": default}, "failed_when": False},
            ]
    return tasks


def _command_tasks(req: Command) -> list[dict[str, Any]]:
    return [{"ansible.builtin.command": {"argv": ["sh", "-c", req.script]}, "failed_when": False}]


def _find_tasks(req: Find) -> list[dict[str, Any]]:
    return [
        {
            "ansible.builtin.shell": find_command(req.roots, req.prune, "%f %u %g %U %G %n"),
            "failed_when": False,
        }
    ]


# How a per-check tool asks each request type (by table, so a new type is one line here);
# a type not listed (an image's config, cluster objects) is nothing to ask a live node.
ANSIBLE: dict[type, Callable[[Any], list[dict[str, Any]]]] = {
    Stat: _stat_tasks,
    Read: _read_tasks,
    ComponentReq: _component_tasks,
    Command: _command_tasks,
    Find: _find_tasks,
}
TESTINFRA: dict[type, Callable[[Any], dict[str, Any]]] = {
    Stat: lambda r: {"kind": "stat", "path": r.path},
    Read: lambda r: {"kind": "read", "path": r.path},
    ComponentReq: lambda r: {
        "kind": "component",
        "name": r.name[:15],
        "files": [d for _f, d in r.files if d],
    },
    Command: lambda r: {"kind": "command", "script": r.script},
    Find: lambda r: {"kind": "find", "command": find_command(r.roots, r.prune, "%f %U %G %n")},
}


def ansible_task(req: FactRequest) -> list[dict[str, Any]]:
    """The Ansible tasks a per-check tool would run for one FactRequest."""
    tasks = ANSIBLE.get(type(req))
    return tasks(req) if tasks else []


def per_control(plan: Plan) -> list[tuple[str, FactRequest]]:
    """(control id, request) for each control of ``plan`` in catalogue order, nothing shared:
    what a suite with one task or test per control asks (ansible-lockdown, a testinfra
    suite), where the audit asks each distinct request once."""
    out = []
    for control in plan.controls:
        if control.check is not None:
            kind = KINDS[control.check.kind]
            out += [(control.id, req) for req in kind.needs(control.check.params)]
    return out


def _requests(plan: Plan, by_control: bool) -> list[FactRequest]:
    if by_control:
        return [req for _cid, req in per_control(plan)]
    return sorted(plan.requests, key=repr)


def write_ansible_playbook(plan: Plan, dest: Path, by_control: bool = False) -> tuple[Path, int]:
    """A playbook of one task per request of ``plan`` (the fleet's hosts share one plan), or
    with ``by_control`` the tasks of each control in turn."""
    tasks: list[dict[str, Any]] = []
    for req in _requests(plan, by_control):
        for task in ansible_task(req):
            task.pop("failed_when", None)  # a denied or missing file is data, not a stop
            tasks.append(
                {
                    "name": f"probe {len(tasks)}",
                    **task,
                    "changed_when": False,
                    "ignore_errors": True,
                }
            )
    play = [{"name": "per-check probes", "hosts": "all", "gather_facts": False, "tasks": tasks}]
    dest.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    return dest, len(tasks)


def requests_doc(plan: Plan, by_control: bool = False) -> list[dict[str, Any]]:
    """The plan's requests (or each control's, with ``by_control``) as JSON-ready items for
    perf/testinfra_run.py."""
    out: list[dict[str, Any]] = []
    for req in _requests(plan, by_control):
        item = TESTINFRA.get(type(req))
        if item is not None:
            out.append(item(req))
    return out
