"""The probe as a fact source: per host, build the probe, run it through the host's
transport, parse it into Facts.

Hosts run in parallel on a bounded pool (``forks``) of daemon threads. A host that fails
becomes a HostOutcome with its error; the others are untouched. Progress goes to a
callback; this module never prints. A :class:`Stop` ends the run early: no host starts
after it, running hosts get its grace, then are cancelled; each host it cut short is
"not audited" with the signal's name.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hardening.errors import HostError
from hardening.model.facts import Facts
from hardening.plan import Plan
from hardening.probe import parse, privilege, script
from hardening.stop import Stop
from hardening.transports.base import DEFAULT_MAX_OUTPUT, RunScope
from hardening.transports.registry import transport_for
from hardening.transports.settings import TransportSettings

Progress = Callable[[str, str, str], None]  # (host name, event, detail)
AFTER_CANCEL = 1.0  # seconds a cancelled host gets to end before it is given up on


@dataclass(frozen=True)
class CollectOptions:
    """Knobs shared by every host's collection."""

    forks: int = 10
    command_timeout: float = 120.0
    max_output: int = DEFAULT_MAX_OUTPUT
    transports: TransportSettings = field(default_factory=TransportSettings)

    def record(self) -> dict[str, Any]:
        """What the run document records of them."""
        return {
            "forks": self.forks,
            "command_timeout": self.command_timeout,
            "max_output": self.max_output,
            "ssh": self.transports.ssh.record(),
        }


@dataclass(frozen=True)
class HostOutcome:
    """Facts of one host, or the reason it could not be audited."""

    plan: Plan
    facts: Facts | None
    error: str | None = None
    elapsed: float = 0.0


def _noop(host: str, event: str, detail: str) -> None:
    return None


def facts_from_output(
    plan: Plan,
    probe: script.Script,
    stdout: bytes,
    rc: int | None = None,
    stderr: bytes = b"",
    *,
    truncated_at: int | None = None,
) -> Facts:
    """Parse one host's probe output into Facts (the probe's and the Ansible raw path's).

    Raises ProbeError when a frame is forged or the output stops before the final frame.
    """
    name = plan.host.name
    values, meta = parse.parse(stdout, probe, name, rc=rc, stderr=stderr)
    values = privilege.restrict(values, meta)  # a non-root probe: denied, not empty
    if truncated_at is not None:
        meta["truncated"] = f"output cut at {truncated_at} bytes"
    return Facts(name, values, meta)


def collect_host(
    plan: Plan,
    options: CollectOptions,
    progress: Progress = _noop,
    stop: Stop | None = None,
    scope: RunScope | None = None,
) -> HostOutcome:
    """Gather the facts of one host with one probe run."""
    host = plan.host
    probe = script.build(plan.requests)
    progress(host.name, "start", host.label)
    started = time.monotonic()  # the host's whole audit: connect, probe, parse
    unregister: Callable[[], None] | None = None
    try:
        with transport_for(host, options.transports, scope) as transport:
            if stop is not None:
                unregister = stop.register(transport.cancel)
            out = transport.run(
                probe.data, timeout=options.command_timeout, max_output=options.max_output
            )
        facts = facts_from_output(
            plan,
            probe,
            out.stdout,
            out.rc,
            out.stderr,
            truncated_at=options.max_output if out.truncated else None,
        )
    except HostError as exc:
        message = _stopped(host.label, stop) or str(exc)
        progress(host.name, "error", message)
        return HostOutcome(plan, None, message)
    except Exception as exc:  # noqa: BLE001 - one host's surprise must not end the fleet run
        message = f"{host.label}: internal error while auditing: {type(exc).__name__}: {exc}"
        progress(host.name, "error", message)
        return HostOutcome(plan, None, message)
    finally:
        if unregister is not None:
            unregister()
    progress(host.name, "done", f"{out.elapsed:.1f}s")
    meta = {
        **facts.meta,
        "elapsed": f"{out.elapsed:.3f}",
        "duration": f"{time.monotonic() - started:.3f}",
    }
    return HostOutcome(plan, dataclasses.replace(facts, meta=meta), None, out.elapsed)


def _stopped(label: str, stop: Stop | None) -> str:
    if stop is None or not stop.cancelled:
        return ""
    return f"{label}: not audited: the run was interrupted ({stop.signal_name}) while it ran"


def not_started(plan: Plan, stop: Stop) -> HostOutcome:
    """The outcome of a host the run never reached because it was interrupted."""
    return HostOutcome(
        plan,
        None,
        f"{plan.host.label}: not audited: the run was interrupted "
        f"({stop.signal_name}) before this host started",
    )


class _Pool:
    """``forks`` daemon threads over the plans; daemon so a stuck host never blocks exit."""

    def __init__(
        self, plans: Sequence[Plan], options: CollectOptions, progress: Progress, stop: Stop
    ) -> None:
        self.plans, self.options, self.progress, self.stop = plans, options, progress, stop
        self.results: list[HostOutcome | None] = [None] * len(plans)
        self.started = [False] * len(plans)
        self.scope = RunScope()
        self._next = 0
        self._lock = threading.Lock()
        self._done = threading.Semaphore(0)

    def _take(self) -> int | None:
        with self._lock:
            if self.stop.requested or self._next >= len(self.plans):
                return None
            index = self._next
            self._next += 1
            self.started[index] = True
            return index

    def _work(self) -> None:
        while (index := self._take()) is not None:
            self.results[index] = collect_host(
                self.plans[index], self.options, self.progress, self.stop, self.scope
            )
            self._done.release()

    def run(self) -> list[HostOutcome]:
        workers = max(1, min(self.options.forks, len(self.plans)))
        for n in range(workers):
            threading.Thread(target=self._work, name=f"collect-{n}", daemon=True).start()
        finished = 0
        cancel_at: float | None = None
        while finished < len(self.plans):
            if self._done.acquire(timeout=0.1):
                finished += 1
                continue
            if not self.stop.requested:
                continue
            running = [i for i, s in enumerate(self.started) if s and self.results[i] is None]
            if not running:
                break
            if cancel_at is None and self.stop.grace_over():
                self.stop.cancel_all()
                cancel_at = time.monotonic()
            if cancel_at is not None and time.monotonic() > cancel_at + AFTER_CANCEL:
                break
        return [r if r is not None else self._cut(i) for i, r in enumerate(self.results)]

    def _cut(self, index: int) -> HostOutcome:
        plan = self.plans[index]
        if not self.started[index]:
            return not_started(plan, self.stop)
        return HostOutcome(
            plan,
            None,
            _stopped(plan.host.label, self.stop) or f"{plan.host.label}: not audited: interrupted",
        )


def collect(
    plans: Sequence[Plan],
    options: CollectOptions,
    progress: Progress = _noop,
    stop: Stop | None = None,
) -> list[HostOutcome]:
    """Collect every host, at most ``options.forks`` at once; results in plan order."""
    if not plans:
        return []
    return _Pool(plans, options, progress, stop or Stop()).run()


@dataclass(frozen=True)
class ProbeSource:
    """The probe over each host's transport: the source of ``audit -i`` and ``--local``."""

    options: CollectOptions = field(default_factory=CollectOptions)

    def prepare(self, plan: Plan) -> Plan:
        """The probe answers the plan as it is."""
        return plan

    def gather(self, plans: Sequence[Plan], progress: Progress, stop: Stop) -> list[HostOutcome]:
        """One probe run per host."""
        return collect(plans, self.options, progress, stop)

    def record(self) -> dict[str, Any]:
        """What the run document records of this source."""
        return {"source": "probe", **self.options.record()}
