"""Options are checked before anything runs; ``-`` is standard output for every report;
``--debug`` works after the subcommand; a mistyped ``--image`` path is a usage error (2)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.integration.cli_run import hardening, saved_run
from tests.integration.test_cli_unreachable import Server

FAST = ["-b", "node-os", "--control", "NODE-3*"]  # a few kernel parameters: no walk


def test_an_unwritable_report_is_refused_before_connecting(tmp_path: Path) -> None:
    server = Server(b"")
    inv = tmp_path / "inv.yml"
    inv.write_text(
        f"all:\n  hosts:\n    n1: {{ansible_host: 127.0.0.1, ansible_port: {server.port}}}\n",
        encoding="utf-8",
    )
    try:
        for bad in ("/nonexistent/x.json", str(tmp_path)):
            proc = hardening("audit", "-i", str(inv), "--json", bad, "--html", "/dev/null/y")
            assert proc.returncode == 2, proc.stdout + proc.stderr
            assert proc.stderr.startswith(f"hardening: --json {bad}: "), proc.stderr
            assert proc.stdout == ""
        assert server.accepted == 0  # nothing was audited: no connection was made
    finally:
        server.sock.close()


@pytest.mark.parametrize("fmt", ["json", "junit", "sarif"])
def test_dash_writes_a_report_to_stdout_and_the_summary_to_stderr(fmt: str) -> None:
    proc = hardening("audit", "--local", *FAST, f"--{fmt}", "-")
    assert proc.returncode in (0, 1), proc.stderr
    if fmt == "junit":
        assert ET.fromstring(proc.stdout).tag == "testsuites"
    else:
        assert json.loads(proc.stdout)
    assert "fleet score" in proc.stderr and "fleet score" not in proc.stdout


def test_dash_everywhere_a_report_path_is_taken(tmp_path: Path) -> None:
    run = saved_run(tmp_path / "run.json")
    proc = hardening("report", str(run), "--json", "-", "-q")
    assert json.loads(proc.stdout)["hosts"][0]["name"] == "n1"
    proc = hardening("merge", str(run), "--json", "-", "-q")
    assert json.loads(proc.stdout)["hosts"][0]["name"] == "n1"
    proc = hardening("diff", str(run), str(run), "--json", "-")
    assert proc.returncode == 0 and json.loads(proc.stdout)["new_failures"] == []


def test_two_reports_to_stdout_are_refused(tmp_path: Path) -> None:
    proc = hardening("report", str(saved_run(tmp_path / "r.json")), "--json", "-", "--html", "-")
    assert proc.returncode == 2
    assert "--json and --html: only one report can go to standard output" in proc.stderr


def test_debug_after_the_subcommand(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.json")
    before = hardening("--debug", "report", missing)
    after = hardening("report", missing, "--debug")
    plain = hardening("report", missing)
    assert before.returncode == after.returncode == plain.returncode == 2
    assert "Traceback" in before.stderr and "Traceback" in after.stderr
    assert "Traceback" not in plain.stderr


def test_a_mistyped_image_path_is_a_usage_error(tmp_path: Path) -> None:
    proc = hardening("audit", "--image", str(tmp_path / "nod-image.tar"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"hardening: --image {tmp_path / 'nod-image.tar'}: no such file or directory; "
        "give a root filesystem directory, a tar archive or an OCI image"
    )
