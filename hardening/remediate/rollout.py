"""Rolling remediation: hosts in batches (``--serial``), stopped when a batch fails more
than ``--max-fail-percent`` of its hosts, and no new batch once the window has closed.

The batch runner and the clock are passed in, so the rollout rules are testable alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hardening.errors import UsageError
from hardening.remediate.runner import BatchResult, Change
from hardening.remediate.window import Window

RunBatch = Callable[[tuple[str, ...]], BatchResult]
Clock = Callable[[], datetime]


@dataclass
class RolloutResult:
    """Which hosts were done, failed or never started, and why the rollout stopped."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    not_started: list[str] = field(default_factory=list)
    stopped: str = ""
    changes: list[Change] = field(default_factory=list)
    handlers: dict[str, list[str]] = field(default_factory=dict)
    batches: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def touched(self) -> list[str]:
        """Hosts Ansible ran on (done or failed), in rollout order."""
        return [h for b in self.batches for h in b if h in self.done or h in self.failed]


def batch_size(serial: str, total: int) -> int:
    """Hosts per batch: a count, or a percent of ``total`` (at least 1), as Ansible does."""
    try:
        if serial.endswith("%"):
            pct = float(serial[:-1])
            if not 0 < pct <= 100:
                raise ValueError
            return max(1, int(total * pct / 100))
        size = int(serial)
        if size < 1:
            raise ValueError
        return size
    except ValueError:
        raise UsageError(
            f"--serial '{serial}': expected a positive count or a percent (1-100%)",
            "write e.g. --serial 2 or --serial 25%",
        ) from None


def batches(hosts: Sequence[str], serial: str) -> list[tuple[str, ...]]:
    """``hosts`` split into consecutive batches."""
    size = batch_size(serial, len(hosts))
    return [tuple(hosts[i : i + size]) for i in range(0, len(hosts), size)]


def over_limit(failed: int, size: int, max_fail_percent: int) -> bool:
    """Ansible's rule: stop when the failed share of a batch exceeds the percentage."""
    return size > 0 and failed * 100 / size > max_fail_percent


def rollout(
    hosts: Sequence[str],
    serial: str,
    max_fail_percent: int,
    run: RunBatch,
    window: Window | None = None,
    clock: Clock | None = None,
) -> RolloutResult:
    """Run batch after batch until done, over the failure limit, or out of the window."""
    out = RolloutResult()
    plan = batches(hosts, serial)
    for index, batch in enumerate(plan):
        if window is not None and clock is not None and not window.is_open(clock()):
            out.stopped = (
                f"maintenance window {window.text} is closed"
                if index == 0
                else f"maintenance window {window.text} closed after batch {index}"
            )
            out.not_started = [h for b in plan[index:] for h in b]
            return out
        result = run(batch)
        out.batches.append(batch)
        out.done += sorted(result.ok - set(result.failed), key=batch.index)
        out.failed.update(result.failed)
        for host in result.not_reached:
            out.failed.setdefault(host, "not reached: the play stopped")
        out.changes += result.changes
        for host, names in result.handlers.items():
            out.handlers.setdefault(host, []).extend(names)
        bad = sum(1 for h in batch if h in out.failed)
        if over_limit(bad, len(batch), max_fail_percent):
            out.stopped = (
                f"batch {index + 1} failed on {bad} of {len(batch)} host(s), over "
                f"--max-fail-percent {max_fail_percent}"
            )
            out.not_started = [h for b in plan[index + 1 :] for h in b]
            return out
    return out
