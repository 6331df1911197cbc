"""The Ansible raw-output path as a Source (``hardening evaluate``, AWX / AAP).

``write_prepared`` writes, per host, the very probe script ``hardening audit`` would send
(``DIR/scripts/<host>.sh``), plus ``DIR/run.json`` (the plan's digest per host) and
``DIR/secret`` (mode 0600); the shipped ``probe.yml`` runs the scripts with Ansible's own
connection plugins and fetches each raw stdout to ``DIR/raw/<host>.out``; ``RawOutputs``
then answers the same plans from those files, parsed exactly as the probe's output is.

The nonce. A direct audit makes a fresh random nonce per host and never writes it down; here
the parser runs later, so the nonce must be known then. Each host's nonce is
``HMAC-SHA256(secret, host name)``: the secret stays on the controller (``DIR/secret``,
0600), each node only ever sees its own nonce (inside its script, as in a direct audit), so a
node that learns its nonce cannot forge frames in another node's output, and a new
``--prepare`` makes a new secret so a nonce is never reused across runs. What it does not
protect: whoever can write ``DIR`` (the controller's job directory) can forge any host's
results, exactly as whoever controls Ansible's connection can; the raw output is as
trustworthy as the Ansible transport and the job directory that carried it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hardening.collect import HostOutcome, Progress, facts_from_output
from hardening.errors import HostError, UsageError
from hardening.model.host import Host
from hardening.plan import Plan
from hardening.probe import script
from hardening.stop import Stop
from hardening.transports.base import DEFAULT_MAX_OUTPUT

SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,252}")
RUN_FILE = "run.json"
SECRET_FILE = "secret"


def check_names(hosts: Sequence[Host]) -> None:
    """Host names become file names: refuse any that is unsafe as one."""
    for host in hosts:
        if not SAFE_NAME.fullmatch(host.name):
            raise UsageError(
                f"host {host.name!r}: name unsafe as a file name",
                "use inventory names of letters, digits, '.', '_', '-', '@'",
            )


def host_nonce(secret: bytes, host: str) -> str:
    """The nonce of one host in a prepared run: HMAC-SHA256(secret, name), 128 bits hex."""
    return hmac.new(secret, host.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def plan_digest(plan: Plan, benchmark: str) -> str:
    """What must not change between prepare and evaluate: controls and the probe's text."""
    text = "\n".join(
        [
            benchmark,
            *(c.id for c in plan.controls),
            script.build(plan.requests, nonce="0" * 32).text,
        ]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_prepared(dest: Path, plans: Sequence[Plan], benchmark: str) -> None:
    """Write each host's probe script, the run's plan digests and its secret."""
    if dest.exists() and any(dest.iterdir()):
        raise UsageError(
            f"{dest}: exists and is not empty",
            "prepare each run in a new directory (its secret must be new)",
        )
    (dest / "scripts").mkdir(parents=True, exist_ok=True)
    (dest / "raw").mkdir(exist_ok=True)
    dest.chmod(0o700)
    secret = secrets.token_bytes(32)
    fd = os.open(dest / SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    for plan in plans:
        probe = script.build(plan.requests, nonce=host_nonce(secret, plan.host.name))
        (dest / "scripts" / f"{plan.host.name}.sh").write_bytes(probe.data)
    run = {"benchmark": benchmark, "hosts": {p.host.name: plan_digest(p, benchmark) for p in plans}}
    (dest / RUN_FILE).write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class RawOutputs:
    """The outputs fetched into ``root/raw`` by the shipped probe.yml, for a prepared run."""

    root: Path
    benchmark: str

    def _load(self) -> tuple[bytes, dict[str, Any]]:
        src = self.root
        try:
            secret = (src / SECRET_FILE).read_bytes()
            run: dict[str, Any] = json.loads((src / RUN_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"{src}: not a prepared probe directory ({exc})",
                "run 'hardening evaluate --prepare DIR' first",
            ) from None
        if (src / SECRET_FILE).stat().st_mode & 0o077:
            raise UsageError(
                f"{src / SECRET_FILE}: readable by others", "chmod 600 it, or prepare the run again"
            )
        return secret, run

    def check(self, plans: Sequence[Plan]) -> bytes:
        """The run's secret, once every plan is the one prepared (else a UsageError)."""
        secret, run = self._load()
        if run.get("benchmark") != self.benchmark:
            raise UsageError(
                f"{self.root}: prepared for benchmark {run.get('benchmark')!r}, "
                f"not {self.benchmark!r}",
                "pass the same --benchmark options",
            )
        prepared: dict[str, str] = run.get("hosts", {})
        for plan in plans:
            if prepared.get(plan.host.name) != plan_digest(plan, self.benchmark):
                raise UsageError(
                    f"{plan.host.name}: its plan differs from the one prepared in {self.root}",
                    "use the same inventory, limit, shard, catalogue and cloud options for "
                    "--prepare and --raw, or prepare again",
                )
        return secret

    def prepare(self, plan: Plan) -> Plan:
        """The raw outputs answer the plan as prepared."""
        return plan

    def gather(self, plans: Sequence[Plan], progress: Progress, stop: Stop) -> list[HostOutcome]:
        """Parse each host's fetched output; a missing or forged output is that host's error."""
        secret = self.check(plans)
        return [outcome_from_raw(p, self.root / "raw", secret) for p in plans]

    def record(self) -> dict[str, Any]:
        """What the run document records of this source."""
        return {"source": "ansible", "raw": str(self.root), "max_output": DEFAULT_MAX_OUTPUT}


def outcome_from_raw(plan: Plan, raw_dir: Path, secret: bytes) -> HostOutcome:
    """Parse one host's fetched output; a missing or forged output is that host's error."""
    name = plan.host.name
    probe = script.build(plan.requests, nonce=host_nonce(secret, name))
    path = raw_dir / f"{name}.out"
    try:
        with path.open("rb") as fh:
            data = fh.read(DEFAULT_MAX_OUTPUT + 1)
    except OSError:
        return HostOutcome(
            plan,
            None,
            f"{name}: no raw probe output at {path} (Ansible did not "
            "reach the host or did not fetch it); see the playbook log",
        )
    truncated = len(data) > DEFAULT_MAX_OUTPUT
    try:
        facts = facts_from_output(
            plan,
            probe,
            data[:DEFAULT_MAX_OUTPUT],
            truncated_at=DEFAULT_MAX_OUTPUT if truncated else None,
        )
    except HostError as exc:
        return HostOutcome(plan, None, str(exc))
    return HostOutcome(plan, replace(facts, meta={**facts.meta, "source": "ansible"}), None)
