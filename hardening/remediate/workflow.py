"""The remediation workflow: audit (or a saved run), select, playbook, rollout, re-audit.

The CLI parses options into :class:`Settings`, hands in the one Audit it built (the same
waivers, cloud facts and sources as ``hardening audit``), and prints what comes back; the
re-audit is that Audit run again on the hosts the rollout touched, with kind ``reaudit``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from hardening import safeload
from hardening.audit import Audit
from hardening.errors import UsageError
from hardening.model.host import Host
from hardening.model.result import RunDocument
from hardening.remediate import changes, playbook, verify
from hardening.remediate.rollout import RolloutResult, batch_size, rollout
from hardening.remediate.runner import BatchResult, RunnerOptions, run_batch
from hardening.remediate.select import Selection, select
from hardening.remediate.window import Window
from hardening.stop import Stop

VALUES_FILE = playbook.PLAYBOOKS_DIR / "values.yml"
Say = Callable[[str], None]
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    """What the remediation was asked to do (the CLI's options, typed)."""

    inventory: Path
    apply: bool = False
    serial: str = "1"
    max_fail_percent: int = 0
    window: Window | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    workdir: Path | None = None
    known_hosts: str | None = None
    accept_new_host_keys: bool = False
    forks: int = 10

    def check(self, now: datetime) -> None:
        """Refuse bad settings before any audit runs (UsageError)."""
        batch_size(self.serial, 1)
        if not 0 <= self.max_fail_percent <= 100:
            raise UsageError(
                f"--max-fail-percent {self.max_fail_percent}: expected 0-100",
                "e.g. --max-fail-percent 20 stops the rollout when a batch loses a fifth",
            )
        if self.apply and self.window is not None and not self.window.is_open(now):
            raise UsageError(
                f"maintenance window {self.window.text} is closed "
                f"(now {now:%H:%M} UTC); nothing was changed",
                "run again inside the window",
            )


def load_values(path: Path) -> dict[str, str]:
    """The tag -> value file (``--values``); UsageError naming it when it is not a mapping."""
    try:
        docs = safeload.load_yaml_all(safeload.read_text(path), str(path))
        data = (docs[0] if docs else None) or {}
    except safeload.LoadLimitError as exc:
        raise UsageError(str(exc), "pass a regular YAML file of playbook tag -> value") from None
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(
            f"{path}: cannot read the fix values: {exc}",
            "pass a YAML mapping of playbook tag -> value",
        ) from None
    if not isinstance(data, dict):
        raise UsageError(
            f"{path}: expected a mapping of playbook tag -> value", f"see {VALUES_FILE}"
        )
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in data.items()}


@dataclass(frozen=True)
class Planned:
    """The audit the remediation starts from and what it selected from it."""

    before: RunDocument
    selection: Selection
    playbook: str


def plan(
    settings: Settings,
    audit: Audit,
    hosts: tuple[Host, ...],
    saved: RunDocument | None = None,
    stop: Stop | None = None,
    narrowed: bool = False,
) -> Planned:
    """Audit (unless a saved run is given), select the fixes and render the playbook.

    ``narrowed``: the audit's controls are a selection (``--control``), see ``select``.
    """
    before = saved if saved is not None else audit.run(hosts, stop=stop)
    selection = select(before, audit.controls, settings.values, hosts, narrowed)
    text = playbook.render(selection, playbook.Rollout(settings.serial, settings.max_fail_percent))
    return Planned(before, selection, text)


@dataclass(frozen=True)
class Remediated:
    """What the rollout did and what the re-audit says of it."""

    workdir: Path
    playbook: Path
    event_log: Path
    rollout: RolloutResult
    applied: bool = False
    after: RunDocument | None = None
    verdicts: tuple[verify.Verdict, ...] = ()

    @property
    def exit_code(self) -> int:
        """A dry run: 3 when a batch failed or never started; applied: the verification's."""
        if not self.applied:
            return 3 if self.rollout.failed or self.rollout.not_started else 0
        return verify.exit_code(list(self.verdicts))


def execute(
    settings: Settings,
    audit: Audit,
    hosts: tuple[Host, ...],
    planned: Planned,
    say: Say,
    now: Clock = _utcnow,
    stop: Stop | None = None,
) -> Remediated:
    """Run the playbook in batches (check mode unless applying); after --apply, re-audit."""
    workdir = settings.workdir or Path(tempfile.mkdtemp(prefix="hardening-remediate-"))
    workdir.mkdir(parents=True, exist_ok=True)
    book = workdir / "remediate.yml"
    book.write_text(planned.playbook, encoding="utf-8")
    playbook.bundle(workdir)
    log_path = workdir / "ansible-events.jsonl"
    opts = RunnerOptions(
        inventory=settings.inventory,
        workdir=workdir,
        check=not settings.apply,
        known_hosts=settings.known_hosts,
        accept_new_host_keys=settings.accept_new_host_keys,
        forks=settings.forks,
    )
    say(f"{'applying' if settings.apply else 'dry run (check mode)'}: playbook {book}")
    say(f"ansible event log: {log_path}")
    tags = planned.selection.tags
    with log_path.open("w", encoding="utf-8") as log:

        def one(batch: tuple[str, ...]) -> BatchResult:
            say(f"batch: {', '.join(batch)}")
            return run_batch(book, batch, tags, opts, log)

        result = rollout(
            planned.selection.hosts,
            settings.serial,
            settings.max_fail_percent,
            one,
            settings.window if settings.apply else None,
            now,
        )
    done = Remediated(workdir, book, log_path, result)
    if not settings.apply:
        return done
    touched = tuple(h for h in hosts if h.name in set(result.touched))
    reaudit = dataclasses.replace(audit, kind="reaudit", shard=None)
    after = reaudit.run(touched, stop=stop) if touched else None
    sel = planned.selection
    verdicts = verify.verify(
        planned.before, after, {h: sel.controls(h) for h in sel.hosts}, set(result.touched)
    )
    return dataclasses.replace(done, applied=True, after=after, verdicts=tuple(verdicts))


def selection_dict(sel: Selection) -> dict[str, Any]:
    """The selection as the remediation summary writes it."""
    return {
        "fixes": {
            h: [{"id": f.control_id, "tag": f.tag, **f.as_vars()} for f in fs]
            for h, fs in sel.fixes.items()
            if fs
        },
        "manual": [
            {
                "host": m.host,
                "id": m.control_id,
                "title": m.title,
                "reason": m.reason,
                "remediation": m.remediation,
            }
            for m in sel.manual
        ],
        "not_selected": [{"host": m.host, "id": m.control_id} for m in sel.not_selected],
    }


def summary(settings: Settings, planned: Planned, done: Remediated) -> dict[str, Any]:
    """The ``*.remediation.json`` document."""
    r = done.rollout
    out: dict[str, Any] = {
        "mode": "apply" if settings.apply else "check",
        "workdir": str(done.workdir),
        "event_log": str(done.event_log),
        "selection": selection_dict(planned.selection),
        "rollout": {
            "done": r.done,
            "failed": r.failed,
            "not_started": r.not_started,
            "stopped": r.stopped,
            "handlers": r.handlers,
            "changes": [
                {"host": c.host, "tag": c.tag, "task": c.task, "diff": c.diff} for c in r.changes
            ],
            "files": changes.as_dicts(changes.combine(r.changes)),
        },
    }
    if settings.apply:
        out["verification"] = [v.to_dict() for v in done.verdicts]
    return out
