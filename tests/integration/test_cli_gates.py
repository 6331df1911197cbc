"""CI gates say which gate tripped, refuse a score out of 0-100, and ``report`` gates too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.cli_run import hardening, saved_run


@pytest.fixture
def run_json(tmp_path: Path) -> Path:
    return saved_run(tmp_path / "run.json")


def verdict(stdout: str) -> str:
    return stdout.strip().splitlines()[-1]


def test_report_names_the_gate_that_tripped(run_json: Path) -> None:
    proc = hardening("report", str(run_json), "-q", "--fail-on", "critical")
    assert proc.returncode == 1, proc.stderr
    assert verdict(proc.stdout).endswith("; gate tripped: --fail-on critical: 2 failures")
    proc = hardening("report", str(run_json), "-q", "--fail-under", "81", "--fail-on", "high")
    assert proc.returncode == 1
    assert verdict(proc.stdout).endswith(
        "; gate tripped: score 65.6 < 81 (--fail-under); --fail-on high: 2 failures"
    )


def test_report_says_the_gates_passed_and_exits_0(run_json: Path) -> None:
    proc = hardening("report", str(run_json), "-q", "--fail-under", "60")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert verdict(proc.stdout).endswith("; gates passed: score 65.6 >= 60 (--fail-under)")


def test_report_without_gates_exits_as_audit_does(run_json: Path) -> None:
    proc = hardening("report", str(run_json), "-q")
    assert proc.returncode == 1  # failures found, as audit exits on the same run
    assert "gate" not in verdict(proc.stdout)


def test_report_min_coverage_exits_3(tmp_path: Path) -> None:
    degraded = saved_run(tmp_path / "degraded.json", errors=10)  # coverage 50%
    proc = hardening("report", str(degraded), "-q", "--min-coverage", "80", "--fail-under", "1")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert verdict(proc.stdout).endswith("; gate tripped: coverage 50 < 80 (--min-coverage)")
    proc = hardening("report", str(degraded), "-q", "--min-coverage", "50", "--fail-under", "1")
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("option", ["--fail-under", "--min-coverage"])
@pytest.mark.parametrize("value", ["150", "-1", "lots"])
def test_a_percentage_out_of_range_is_refused(run_json: Path, option: str, value: str) -> None:
    for command in (["report", str(run_json)], ["audit", "--local"]):
        proc = hardening(*command, option, value)
        assert proc.returncode == 2
        assert f"argument {option}: " in proc.stderr
        assert ("between 0 and 100" if value != "lots" else "is not a number") in proc.stderr
        assert "fleet score" not in proc.stdout  # refused before anything ran
