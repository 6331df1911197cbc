"""A stop request ends a local audit promptly: the running probe is killed after the grace,
hosts not started are "not audited", and the run document says which signal it was."""

from __future__ import annotations

import signal
import threading

from hardening.audit import Audit, Gates
from hardening.checks.kinds.command_output import Params
from hardening.collect import CollectOptions, ProbeSource
from hardening.model.control import CheckSpec, Control, Role, Severity
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.stop import Stop


def control(cid: str, command: str, timeout: int = 20) -> Control:
    params = Params(command=command, op="eq", value="x", timeout=timeout)
    return Control(
        id=cid,
        title=command,
        section="T",
        benchmark="t",
        level=1,
        severity=Severity.LOW,
        roles=frozenset({Role.WORKER}),
        automated=True,
        check=CheckSpec("command_output", params),
    )


SLOW = control("T.1", "sleep 30", 60)


def hosts(n: int) -> tuple[Host, ...]:
    return tuple(Host(f"h{i}", transport="local", roles=frozenset({Role.WORKER})) for i in range(n))


def test_stop_cancels_the_running_probe_and_skips_the_rest() -> None:
    stop = Stop(grace=0.2)
    started = threading.Event()

    def progress(host: str, event: str, detail: str) -> None:
        if event == "start":
            started.set()
            stop.request(signal.SIGTERM)

    audit = Audit((SLOW,), "t", ProbeSource(CollectOptions(forks=1)))
    doc = audit.run(hosts(3), progress, stop)
    assert started.is_set()
    assert doc.options["interrupted"] == "SIGTERM"
    first, *rest = doc.hosts
    assert "interrupted (SIGTERM) while it ran" in (first.error or "")
    assert all("before this host started" in (h.error or "") for h in rest)
    assert {r.status for h in doc.hosts for r in h.results} == {Status.ERROR}
    assert Gates().exit_code(doc) == 143


def test_without_a_stop_the_run_is_whole() -> None:
    quick = control("T.2", "echo x")
    doc = Audit((quick,), "t", ProbeSource()).run(hosts(2))
    assert "interrupted" not in doc.options
    assert [r.status for h in doc.hosts for r in h.results] == [Status.PASS, Status.PASS]
    assert doc.options["command_timeout"] == 120.0 and doc.options["source"] == "probe"
