"""One batch of hosts through ansible-runner (real ``ansible-playbook``), in check mode with
diff unless applying. The event stream goes to a JSON-lines log with secrets redacted;
the result is data: per-host status, the changes per control, the handlers that ran.
A failed playbook is data; only Ansible failing to start is a RemediationError.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import hardening
from hardening.errors import RemediationError

_SECRET_KEY = re.compile(r"pass(word|phrase)?|secret|token|private_key|key_data|credential", re.I)
REDACTED = "<redacted>"
HANDLER_NAMES = ("reload systemd units", "restart kubelet", "reload sshd")


@dataclass(frozen=True)
class RunnerOptions:
    """Where and how Ansible runs: the audit's inventory and its host-key settings."""

    inventory: Path
    workdir: Path
    check: bool = True
    known_hosts: str | None = None
    accept_new_host_keys: bool = False
    forks: int = 10


@dataclass(frozen=True)
class DiffPart:
    """One file's before and after in a task result: text, or a small dict of attributes
    (mode, owner) for file-module results. ``path`` is empty when the result names none."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    """What a task changed (or would change, in check mode) on a host for one control."""

    host: str
    tag: str
    task: str
    diff: str
    parts: tuple[DiffPart, ...] = ()


@dataclass
class BatchResult:
    """What one ansible-runner run reported, by host."""

    hosts: tuple[str, ...]
    status: str = ""
    rc: int = 0
    ok: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    handlers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def not_reached(self) -> tuple[str, ...]:
        """Hosts neither ok nor failed (the play stopped before them)."""
        return tuple(h for h in self.hosts if h not in self.ok and h not in self.failed)


def redact(value: Any) -> Any:
    """A copy of event data with every secret-looking key's value replaced."""
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) and v else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def diff_text(res: Mapping[str, Any]) -> str:
    """A task result's ``diff`` as unified diff text (file-mode diffs are small dicts)."""
    diffs = res.get("diff") or []
    if isinstance(diffs, Mapping):
        diffs = [diffs]
    out: list[str] = []
    for d in diffs:
        before, after = d.get("before", ""), d.get("after", "")
        if not isinstance(before, str):
            before = json.dumps(before, indent=1, sort_keys=True) + "\n"
        if not isinstance(after, str):
            after = json.dumps(after, indent=1, sort_keys=True) + "\n"
        out += difflib.unified_diff(
            before.splitlines(True),
            after.splitlines(True),
            d.get("before_header", "before"),
            d.get("after_header", "after"),
        )
    return "".join(out)


def diff_parts(res: Mapping[str, Any]) -> tuple[DiffPart, ...]:
    """A task result's ``diff`` as DiffParts, each naming the file it is about."""
    diffs = res.get("diff") or []
    if isinstance(diffs, Mapping):
        diffs = [diffs]
    out = []
    for d in diffs:
        before, after = d.get("before", ""), d.get("after", "")
        b: Any
        a: Any
        if isinstance(before, Mapping) or isinstance(after, Mapping):
            b = dict(before) if isinstance(before, Mapping) else {}
            a = dict(after) if isinstance(after, Mapping) else {}
            path = str(a.get("path") or b.get("path") or res.get("path") or "")
        else:
            b, a = str(before), str(after)
            header = str(d.get("before_header") or "")
            path = header if header.startswith("/") else str(res.get("dest") or "")
        out.append(DiffPart(path, b, a))
    return tuple(out)


def _results(res: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = res.get("results")
    return list(items) if isinstance(items, list) else [res]


class EventSink:
    """ansible-runner's event handler: logs every event, collects the batch's outcome."""

    def __init__(self, log: TextIO, result: BatchResult) -> None:
        self.log = log
        self.result = result

    def __call__(self, event: dict[str, Any]) -> bool:
        """Record one event; returning True keeps runner's own artifact handling."""
        data = event.get("event_data") or {}
        self.log.write(
            json.dumps(
                redact(
                    {
                        "event": event.get("event"),
                        "counter": event.get("counter"),
                        "created": event.get("created"),
                        "data": data,
                    }
                ),
                default=str,
            )
            + "\n"
        )
        self.log.flush()
        kind, host = event.get("event", ""), data.get("host", "")
        res = data.get("res") or {}
        task = str(data.get("task", ""))
        if kind == "runner_on_ok" and host:
            self._ok(host, task, res)
        elif (
            kind in ("runner_on_failed", "runner_on_unreachable")
            and host
            and not data.get("ignore_errors")
        ):
            self.result.failed[host] = _first_line(res.get("msg") or kind)
        return True

    def _ok(self, host: str, task: str, res: Mapping[str, Any]) -> None:
        tag, _, _ = task.partition(": ")
        if task in HANDLER_NAMES:
            if res.get("changed"):
                self.result.handlers.setdefault(host, []).append(task)
            return
        for item in _results(res):
            if item.get("changed"):
                self.result.changes.append(
                    Change(host, tag, task, diff_text(item), diff_parts(item))
                )


def _first_line(text: Any) -> str:
    return (str(text).strip().splitlines() or [""])[0][:300]


def host_key_args(opts: RunnerOptions) -> str:
    """ssh options that check host keys exactly as the audit does (transports/hostkeys.py).

    They go in ``ssh_args``, the first options on Ansible's ssh command line, because ssh
    keeps the FIRST value it is given for an option: ``ANSIBLE_HOST_KEY_CHECKING=0`` (which
    puts ``StrictHostKeyChecking=no`` ahead of everything) is never used, and an inventory's
    later ``-o StrictHostKeyChecking=no`` cannot override them. ``accept-new`` records an
    unknown key and refuses a changed one; otherwise an unknown key is refused too.
    """
    words = [
        "-C",
        "-o",
        "ControlMaster=auto",
        "-o",
        "ControlPersist=60s",
        "-o",
        "StrictHostKeyChecking=" + ("accept-new" if opts.accept_new_host_keys else "yes"),
    ]
    if opts.known_hosts:
        words += ["-o", f"UserKnownHostsFile={opts.known_hosts}"]
    return " ".join(shlex.quote(w) for w in words)


def ansible_env(opts: RunnerOptions, control_dir: Path | None = None) -> dict[str, str]:
    """Environment for ansible-playbook: host keys checked as the audit does (host_key_args),
    SSH control masters only under this run's ``control_dir``, no colour, no retry files."""
    env = {
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "1",
        "ANSIBLE_SSH_ARGS": host_key_args(opts),
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        "ANSIBLE_LOCAL_TEMP": str(opts.workdir / "tmp"),
    }
    if control_dir is not None:
        env["ANSIBLE_SSH_CONTROL_PATH_DIR"] = str(control_dir)
        env["ANSIBLE_SSH_CONTROL_PATH"] = "%(directory)s/%%C"
    # The kubelet-flag role's filters import this very hardening package, whichever Python
    # ansible-playbook runs on; the ansible-playbook installed beside this Python (a venv or
    # pipx keeps it off PATH) comes first.
    env["HARDENING_IMPORT_PATH"] = str(Path(hardening.__file__).resolve().parents[1])
    bindir = Path(sys.executable).parent
    if (bindir / "ansible-playbook").is_file():
        env["PATH"] = os.pathsep.join((str(bindir), os.environ.get("PATH", os.defpath)))
    return env


# Host variables that would replace the host-key options (ssh_args) or point the control
# socket at a path another run can reach: remediation refuses to run with them.
OVERRIDES = (
    "ansible_ssh_args",
    "ansible_control_path",
    "ansible_control_path_dir",
    "ansible_ssh_control_path",
    "ansible_ssh_control_path_dir",
)


def refuse_overrides(inventory: Path, hosts: tuple[str, ...]) -> None:
    """RemediationError when a host of the batch sets one of OVERRIDES."""
    from hardening.inventory.ansible import load_inventory

    for host in load_inventory(inventory, ",".join(hosts)):
        found = [v for v in OVERRIDES if host.vars.get(v) not in (None, "")]
        if found:
            raise RemediationError(
                f"{inventory}: host '{host.name}' sets {found[0]}, which would replace the "
                "host-key checks and private control sockets remediation relies on",
                "remove it for remediation (the audit does not read it either); "
                "see docs/security.md",
            )


def close_masters(control_dir: Path) -> None:
    """Stop every SSH control master of this run (``ssh -O exit``) and remove their sockets,
    so no master outlives the run that opened it."""
    for sock in sorted(control_dir.iterdir()) if control_dir.is_dir() else []:
        # on failure the socket still goes below: no later run can reach the master
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(
                ["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "hardening-cp"],
                capture_output=True,
                timeout=10,
                check=False,
            )
    shutil.rmtree(control_dir, ignore_errors=True)


def run_batch(
    playbook: Path, hosts: tuple[str, ...], tags: tuple[str, ...], opts: RunnerOptions, log: TextIO
) -> BatchResult:
    """Run ``playbook`` limited to ``hosts`` and ``tags``; return what happened per host."""
    import ansible_runner

    refuse_overrides(opts.inventory, hosts)
    result = BatchResult(hosts)
    private = opts.workdir / "runner"
    (private / "project").mkdir(parents=True, exist_ok=True)
    (opts.workdir / "tmp").mkdir(parents=True, exist_ok=True)
    cmdline = "--check --diff" if opts.check else "--diff"
    # Short (a socket path is limited to 108 bytes) and new for every batch: a master left
    # by an earlier run would carry this one past the host-key check.
    control_dir = Path(tempfile.mkdtemp(prefix="hardening-cp-"))
    try:
        run = ansible_runner.run(
            private_data_dir=str(private),
            playbook=str(playbook.resolve()),
            inventory=str(opts.inventory.resolve()),
            limit=",".join(hosts),
            tags=",".join(tags),
            cmdline=cmdline,
            forks=opts.forks,
            envvars=ansible_env(opts, control_dir),
            event_handler=EventSink(log, result),
            quiet=True,
            suppress_env_files=True,
        )
        result.status, result.rc = str(run.status), int(run.rc or 0)
        stats = run.stats
    except Exception as exc:  # noqa: BLE001 - any runner failure means Ansible did not start
        raise RemediationError(
            f"ansible-runner: could not start ansible-playbook: {exc}",
            "check that ansible-core is installed",
        ) from None
    finally:
        # The artifacts repeat the event stream unredacted and record the environment.
        shutil.rmtree(private / "artifacts", ignore_errors=True)
        close_masters(control_dir)
    if not stats:
        raise RemediationError(
            f"ansible-playbook: exited {result.rc} before running a play",
            f"see the event log {log.name}",
        )
    for host in hosts:
        if host in (stats.get("failures") or {}) or host in (stats.get("dark") or {}):
            result.failed.setdefault(host, "failed")
        elif host in (stats.get("processed") or {}):
            result.ok.add(host)
    return result
