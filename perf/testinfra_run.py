"""The same fact requests through pytest-testinfra's paramiko backend, one host per thread.

    python3 perf/testinfra_run.py HOSTS.json REQUESTS.json FORKS SSH_CONFIG KNOWN_HOSTS

HOSTS.json lists ``address`` or ``address:port`` strings. What testinfra can express natively is
used natively (``host.file(p).mode/.user/.group``, ``.content``, ``host.run``); globs, processes
and find fall back to ``host.run``, as a testinfra suite would write them. Exits 1 if any host
failed.

Host keys: testinfra's paramiko backend never loads known_hosts and accepts unknown keys with
a warning (``WarningPolicy``), whatever ssh_config says. Every tool in the benchmark checks
host keys strictly, so this script gives testinfra a client that loads KNOWN_HOSTS and refuses
unknown keys (``RejectPolicy``); testinfra's own connect and command code is unchanged.
"""

from __future__ import annotations

import json
import shlex
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import paramiko
import testinfra  # type: ignore[import-untyped]
import testinfra.backend.paramiko  # type: ignore[import-untyped]


class StrictClient(paramiko.SSHClient):
    """paramiko's client with ``KNOWN_HOSTS`` loaded and any other policy replaced by Reject."""

    known_hosts = ""

    def __init__(self) -> None:
        super().__init__()
        self.load_host_keys(self.known_hosts)

    def set_missing_host_key_policy(self, policy: Any) -> None:
        """Refuse unknown keys whatever testinfra asks for."""
        super().set_missing_host_key_policy(paramiko.RejectPolicy())


def _glob(path: str) -> bool:
    return any(c in path for c in "*?[")


def probe_host(address: str, requests: list[dict[str, Any]], ssh_config: str) -> int:
    """Ask one host every request; the number of facts gathered."""
    host = testinfra.get_host(f"paramiko://auditor@{address}", ssh_config=ssh_config)
    got = 0
    for req in requests:
        try:
            got += _one(host, req)
        except RuntimeError:  # testinfra raises on a denied file: the audit reports it, go on
            got += 1
    return got


def _one(host: Any, req: dict[str, Any]) -> int:
    """One request's worth of testinfra calls; the size of what came back."""
    got = 0
    kind = req["kind"]
    if kind == "stat" and not _glob(req["path"]):
        f = host.file(req["path"])
        got += 1 if not f.exists else len((f.mode, f.user, f.group))
    elif kind == "read" and not _glob(req["path"]):
        f = host.file(req["path"])
        got += len(f.content) if f.exists and f.is_file else 0
    elif kind in ("stat", "read"):
        got += len(host.run(f"stat -L -c '%f %U %G %n' -- {req['path']}").stdout)
    elif kind == "component":
        got += len(
            host.run(f"tr '\\0' ' ' < /proc/$(pgrep -xo {shlex.quote(req['name'])})/cmdline").stdout
        )
        for path in req["files"]:
            f = host.file(path)
            got += len(f.content) if f.exists and f.is_file else 0
    elif kind == "command":
        got += len(host.run("sh -c %s", req["script"]).stdout)
    elif kind == "find":  # perf/workloads.find_command: the probe's walk, prunes included
        got += len(host.run(req["command"]).stdout)
    return got


def main() -> int:
    """Run every host; exit 1 if any host failed."""
    hosts = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    requests = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    forks, ssh_config = int(sys.argv[3]), sys.argv[4]
    StrictClient.known_hosts = sys.argv[5]
    testinfra.backend.paramiko.paramiko.SSHClient = StrictClient  # the module testinfra uses

    def one(address: str) -> bool:
        try:
            probe_host(address, requests, ssh_config)
        except Exception as exc:  # noqa: BLE001 - report and count, the others go on
            print(f"{address}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return False
        return True

    with ThreadPoolExecutor(max_workers=forks) as pool:
        ok = list(pool.map(one, hosts))
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
