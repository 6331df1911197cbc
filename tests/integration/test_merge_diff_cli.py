"""`hardening merge` and `hardening diff` run as a user runs them (a subprocess): a partial
set of shards, hosts the old run never audited, runs that do not pair."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from hardening.model.result import RunDocument, Status
from hardening.reports import json_doc
from tests.unit.reports.sample import document, host, result

REPO = Path(__file__).resolve().parents[2]
P, F = Status.PASS, Status.FAIL


def hardening(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hardening", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )


def shard(tmp: Path, k: int, name: str) -> Path:
    doc = document([host(name, [result("4.2.1", F, "true"), result("4.2.2", P)])])
    doc = dataclasses.replace(doc, options={**doc.options, "shard": f"{k}/3"})
    path = tmp / f"run-{k}.json"
    json_doc.render(doc, path)
    return path


def test_merging_two_of_three_shards_is_refused_unless_allowed_and_then_marked(
    tmp_path: Path,
) -> None:
    one, three = shard(tmp_path, 1, "w1"), shard(tmp_path, 3, "w3")
    refused = hardening("merge", str(one), str(three), "--json", str(tmp_path / "m.json"))
    assert refused.returncode == 2, refused.stderr
    assert "shard 2/3 missing (2 of 3 given)" in refused.stderr
    assert "--allow-partial" in refused.stderr and not (tmp_path / "m.json").exists()
    out = tmp_path / "m.json"
    ok = hardening(
        "merge", str(one), str(three), "--allow-partial", "--json", str(out),
        "--html", str(tmp_path / "m.html"), "--junit", str(tmp_path / "m.xml"), "-q",
    )  # fmt: skip
    assert ok.returncode == 1, ok.stderr  # failures found, as for audit
    note = "partial fleet: merged shard 1/3, 3/3; shard 2/3 missing, its hosts not audited"
    assert note in ok.stdout  # even under -q
    merged = json.loads(out.read_text(encoding="utf-8"))
    assert merged["options"]["partial"] == {"merged": ["1/3", "3/3"], "missing": ["2/3"]}
    assert [h["name"] for h in merged["hosts"]] == ["w1", "w3"]
    assert f'id="partial" class="degraded">{note}<' in (tmp_path / "m.html").read_text("utf-8")
    assert f'name="partial" value="{note}"' in (tmp_path / "m.xml").read_text("utf-8")
    report = hardening("report", str(out), "-q")
    assert note in report.stdout, report.stderr
    whole = hardening("merge", str(one), str(shard(tmp_path, 2, "w2")), str(three), "-q")
    assert whole.returncode == 1 and "partial" not in whole.stdout, whole.stderr


def write(tmp: Path, name: str, doc: RunDocument) -> str:
    path = tmp / name
    json_doc.render(doc, path)
    return str(path)


def test_diff_counts_no_failure_on_a_host_the_old_run_did_not_audit(tmp_path: Path) -> None:
    old = document(
        [
            host("w1", [result("4.2.1", P, "false")]),
            host("w2", [], error="connect: timed out"),
        ]
    )
    new = document(
        [
            host("w1", [result("4.2.1", P, "false")]),
            host("w2", [result("4.2.1", F, "true"), result("4.2.4", F, "10255")]),
            host("w3", [result("4.2.1", F, "true")]),
        ]
    )
    proc = hardening("diff", write(tmp_path, "old.json", old), write(tmp_path, "new.json", new))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # nothing regressed on w1
    assert "0 new failure(s)" in proc.stdout and "2 host(s) added" in proc.stdout
    assert "HOST ADDED: w2 (2 failure(s); not audited in the old run: connect: timed out)" in (
        proc.stdout
    )
    assert "HOST ADDED: w3 (1 failure(s))" in proc.stdout
    assert "NEW FAILURE" not in proc.stdout and proc.stderr == ""


def test_diff_of_runs_that_do_not_pair_warns(tmp_path: Path) -> None:
    base = document([host("w1", [result("4.2.1", F, "true")])])
    other = dataclasses.replace(base, benchmark="ack-1.0", kind="reaudit")
    proc = hardening(
        "diff", write(tmp_path, "a.json", base), write(tmp_path, "b.json", other), "--json", "-"
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning: " in proc.stderr
    assert "different benchmarks ('cis-1.12+node-os', then 'ack-1.0')" in proc.stderr
    assert "different kinds ('audit', then 'reaudit')" in proc.stderr
    assert len(json.loads(proc.stdout)["warnings"]) == 2
