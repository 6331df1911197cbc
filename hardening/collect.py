"""Per host: build the probe, run it through the host's transport, parse it into Facts.

Hosts run in parallel on a bounded pool (``forks``). A host that fails becomes a
HostOutcome with its error; the others are untouched. Progress goes to a callback;
this module never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from hardening.errors import HostError
from hardening.model.facts import Facts
from hardening.plan import Plan
from hardening.probe import parse, script
from hardening.transports.base import DEFAULT_MAX_OUTPUT
from hardening.transports.registry import transport_for

Progress = Callable[[str, str, str], None]  # (host name, event, detail)


@dataclass(frozen=True)
class CollectOptions:
    """Knobs shared by every host's collection."""

    forks: int = 10
    command_timeout: float = 120.0
    max_output: int = DEFAULT_MAX_OUTPUT
    transport_options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HostOutcome:
    """Facts of one host, or the reason it could not be audited."""

    plan: Plan
    facts: Facts | None
    error: str | None = None
    elapsed: float = 0.0


def _noop(host: str, event: str, detail: str) -> None:
    return None


def collect_host(plan: Plan, options: CollectOptions, progress: Progress = _noop) -> HostOutcome:
    """Gather the facts of one host with one probe run."""
    host = plan.host
    probe = script.build(plan.requests)
    progress(host.name, "start", host.label)
    try:
        with transport_for(host, **options.transport_options) as transport:
            out = transport.run(probe.data, timeout=options.command_timeout,
                                max_output=options.max_output)
        # A probe that did not reach its final frame raises ProbeError: the host errors.
        values, meta = parse.parse(out.stdout, probe, host.name, rc=out.rc, stderr=out.stderr)
        if out.truncated:
            meta["truncated"] = f"output cut at {options.max_output} bytes"
        meta["elapsed"] = f"{out.elapsed:.3f}"
    except HostError as exc:
        progress(host.name, "error", str(exc))
        return HostOutcome(plan, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - one host's surprise must not end the fleet run
        message = f"{host.label}: internal error while auditing: {type(exc).__name__}: {exc}"
        progress(host.name, "error", message)
        return HostOutcome(plan, None, message)
    progress(host.name, "done", f"{out.elapsed:.1f}s")
    return HostOutcome(plan, Facts(host.name, values, meta), None, out.elapsed)


def collect(plans: Sequence[Plan], options: CollectOptions,
            progress: Progress = _noop) -> list[HostOutcome]:
    """Collect every host, at most ``options.forks`` at once; results in plan order."""
    if not plans:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(options.forks, len(plans)))) as pool:
        return list(pool.map(lambda p: collect_host(p, options, progress), plans))
