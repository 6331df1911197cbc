"""Signals and hostile servers: a stopped audit still writes every report, promptly.

A real ``python -m hardening audit`` runs against the fleet lab; the test waits (polling,
never sleeping blind) until the slow host is inside its step, then signals the process.
The hosts done by then are in the reports as gathered, the one running and the ones never
started are "not audited", and the exit code is 128 + the signal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hardening.cli.main import main
from tests.fleet.labfleet import write_inventory
from tests.fleet.test_fleet_audit import COMPLIANT_WORKER, assert_expected, statuses
from tests.labkit.lab import Lab
from tests.labkit.mute_exec import MuteExecServer

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]
PROMPT = 20.0  # a bound that catches a hang (the old 49 s, or 600 s), not a speed figure


def accepted(lab: Lab, node: str) -> Callable[[], int]:
    """How many logins the node's sshd has accepted so far."""
    path = lab.node(node).log_path
    return lambda: path.read_text(encoding="utf-8", errors="replace").count("Accepted publickey")


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert proc.poll() is None, f"the audit ended before {what}: {proc.stderr!r}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def start_audit(inv: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hardening",
            "audit",
            "-i",
            str(inv),
            "--forks",
            "1",
            "--no-progress",
            "-q",
            "--json",
            str(out / "run.json"),
            "--junit",
            str(out / "run.xml"),
            "--html",
            str(out / "run.html"),
            *extra,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop(proc: subprocess.Popen[bytes], signum: int) -> tuple[int, float, str]:
    sent = time.monotonic()
    proc.send_signal(signum)
    try:
        _, err = proc.communicate(timeout=PROMPT)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"audit still running {PROMPT:g}s after the signal") from None
    return proc.returncode, time.monotonic() - sent, err.decode("utf-8", "replace")


def hosts_of(out: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    doc = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for name in ("run.xml", "run.html"):
        assert (out / name).stat().st_size > 0
    return doc, {h["name"]: h for h in doc["hosts"]}


def assert_not_audited(host: dict[str, Any], words: str) -> None:
    assert words in (host["error"] or "")
    assert set(statuses(host).values()) == {"ERROR"}


def test_sigint_writes_reports_with_gathered_hosts(fleet: Lab, tmp_path: Path) -> None:
    # the inventory lists hosts by name: a-, b-, c- fix the order the single fork takes them
    inv = write_inventory(
        fleet,
        tmp_path / "inv",
        {"a-done": {"node": "worker1"}, "b-hang": {"node": "hang"}, "c-never": {"node": "worker2"}},
    )
    logins = accepted(fleet, "hang")
    before = logins()
    proc = start_audit(inv, tmp_path, "--command-timeout", "120")
    wait_for(lambda: logins() > before, proc, "the hang node's login")
    code, took, err = stop(proc, signal.SIGINT)
    assert code == 130, err
    doc, hosts = hosts_of(tmp_path)
    assert doc["options"]["interrupted"] == "SIGINT"
    assert list(hosts) == ["a-done", "b-hang", "c-never"]
    assert_expected(hosts["a-done"], COMPLIANT_WORKER)
    assert_not_audited(hosts["b-hang"], "interrupted (SIGINT) while it ran")
    assert_not_audited(hosts["c-never"], "interrupted (SIGINT) before this host started")
    print(f"SIGINT to exit: {took:.2f}s")


def test_sigterm_reaches_a_server_that_never_answers_exec(fleet: Lab, tmp_path: Path) -> None:
    with MuteExecServer() as mute:
        mute.trust(fleet.known_hosts)
        inv = write_inventory(
            fleet,
            tmp_path / "inv",
            {
                "a-done": {"node": "worker1"},
                "b-mute": {
                    "node": "worker2",
                    "ansible_host": "127.0.0.1",
                    "ansible_port": mute.port,
                },
                "c-never": {"node": "worker3"},
            },
        )
        proc = start_audit(inv, tmp_path, "--connect-timeout", "60")
        wait_for(mute.exec_seen.is_set, proc, "the mute server's exec request")
        code, took, err = stop(proc, signal.SIGTERM)
    assert code == 143, err
    doc, hosts = hosts_of(tmp_path)
    assert doc["options"]["interrupted"] == "SIGTERM"
    assert_expected(hosts["a-done"], COMPLIANT_WORKER)
    assert_not_audited(hosts["b-mute"], "interrupted (SIGTERM) while it ran")
    assert_not_audited(hosts["c-never"], "before this host started")
    print(f"SIGTERM to exit: {took:.2f}s")


def test_exec_request_never_answered_is_a_timeout(fleet: Lab, tmp_path: Path) -> None:
    with MuteExecServer() as mute:
        mute.trust(fleet.known_hosts)
        inv = write_inventory(
            fleet,
            tmp_path / "inv",
            {
                "mute": {"node": "worker2", "ansible_host": "127.0.0.1", "ansible_port": mute.port},
                "worker1": {},
            },
        )
        out = tmp_path / "run.json"
        result: dict[str, int] = {}
        runner = threading.Thread(
            target=lambda: result.update(
                code=main(
                    [
                        "audit",
                        "-i",
                        str(inv),
                        "--no-progress",
                        "-q",
                        "--json",
                        str(out),
                        "--connect-timeout",
                        "3",
                        "--command-timeout",
                        "30",
                    ]
                )
            ),
            daemon=True,
        )
        runner.start()
        runner.join(PROMPT)
        assert not runner.is_alive(), "the audit waited on the exec reply past its deadline"
        assert mute.exec_seen.is_set()
    assert result["code"] == 3
    hosts = {h["name"]: h for h in json.loads(out.read_text(encoding="utf-8"))["hosts"]}
    assert_not_audited(hosts["mute"], "the exec request got no answer within 3s")
    assert_expected(hosts["worker1"], COMPLIANT_WORKER)
