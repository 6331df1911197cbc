"""A reader that stops early (``| head``) loses no report and is not an error.

Real pipes: the read end is closed before the command writes its summary, so every write to
stdout fails with EPIPE, as it does behind ``head -1`` once head has exited. The reports are
written before the summary, stderr stays clean and the exit code is the verdict's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.integration.cli_run import ENV, REPO, hardening, saved_run

NOISE = ("BrokenPipe", "Traceback", "internal error", "Exception ignored")


def closed_early(*args: str) -> tuple[int, str]:
    """Run the CLI with stdout a pipe whose reader is gone; (exit code, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hardening", *args],
        cwd=REPO,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before anything is written
    with proc.stderr:
        err = proc.stderr.read().decode("utf-8", "replace")
    return proc.wait(timeout=300), err


def test_audit_into_a_closed_pipe_still_writes_every_report(tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "run.json", tmp_path / "run.html"
    args = ["audit", "--local", "-b", "node-os", "--control", "NODE-3*"]
    code, err = closed_early(*args, "--json", str(out_json), "--html", str(out_html))
    assert not any(n in err for n in NOISE), err
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["hosts"] and "<html" in out_html.read_text(encoding="utf-8").lower()
    # the exit code is the verdict's: the same as re-gating the report it wrote
    assert code == hardening("report", str(out_json), "-q").returncode


def test_diff_into_a_closed_pipe_keeps_its_exit_code(tmp_path: Path) -> None:
    old, new = saved_run(tmp_path / "old.json"), saved_run(tmp_path / "new.json", broken=2)
    for before, after, verdict in ((old, new, 1), (new, old, 0)):  # 2 new failures, or fixed
        assert hardening("diff", str(before), str(after)).returncode == verdict
        for extra in ([], ["--json", "-"]):
            code, err = closed_early("diff", str(before), str(after), *extra)
            assert code == verdict and err == "", err


def test_report_to_stdout_into_a_closed_pipe_keeps_the_gate(tmp_path: Path) -> None:
    run = saved_run(tmp_path / "run.json")
    code, err = closed_early("report", str(run), "--json", "-", "--fail-under", "90")
    assert code == 1
    assert "gate tripped: score 65.6 < 90" in err  # the summary went to stderr
    assert not any(n in err for n in NOISE), err


def test_head_reads_the_first_line_and_the_file_is_there(tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    pipeline = subprocess.run(
        f"{sys.executable} -m hardening report {saved_run(tmp_path / 'r.json')} --json {out} "
        "| head -1",
        shell=True,
        cwd=REPO,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert pipeline.returncode == 0 and pipeline.stderr == ""
    assert len(pipeline.stdout.splitlines()) == 1
    assert json.loads(out.read_text(encoding="utf-8"))["hosts"][0]["name"] == "n1"
