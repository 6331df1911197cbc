"""Run ``python -m hardening`` as a user does, and a small saved run for report-level tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hardening.model.result import Evidence, HostRun, Result, RunDocument, Status
from hardening.reports import json_doc
from hardening.score import by_section, score

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}


def hardening(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The CLI with stdout and stderr captured through pipes."""
    return subprocess.run(
        [sys.executable, "-m", "hardening", *args],
        cwd=REPO,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _result(cid: str, status: Status, severity: str) -> Result:
    return Result(
        control_id=cid,
        title=f"control {cid}",
        section="9 Test",
        level=1,
        severity=severity,
        status=status,
        evidence=Evidence(observed="x", expected="y"),
    )


def saved_run(
    path: Path, gates: dict[str, object] | None = None, errors: int = 0, broken: int = 0
) -> Path:
    """A run of one host: 2 critical FAILs, 1 low FAIL, 7 high PASSes (score 65.6), and
    ``errors`` ERRORs (10 evaluated of 10 + errors: the coverage); ``broken`` of the PASSes
    FAIL instead."""
    results = [_result(f"E.{i}", Status.ERROR, "high") for i in range(errors)]
    results += [_result(f"C.{i}", Status.FAIL, "critical") for i in (1, 2)]
    results += [_result("L.1", Status.FAIL, "low")]
    results += [
        _result(f"P.{i}", Status.FAIL if i < broken else Status.PASS, "high") for i in range(7)
    ]
    host = HostRun(
        "n1", "10.0.0.1", ("worker",), tuple(results), score(results), None, {}, by_section(results)
    )
    doc = RunDocument(
        tool_version="test",
        benchmark="test",
        started="2026-12-02T00:00:00+00:00",
        finished="2026-12-02T00:00:01+00:00",
        hosts=(host,),
        score=score(results),
        sections=by_section(results),
        options={"gates": gates or {}},
    )
    json_doc.render(doc, path)
    return path
