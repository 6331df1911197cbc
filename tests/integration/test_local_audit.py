"""End to end on this machine: the real probe through /bin/sh, the CLI, the JSON document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hardening.audit import Audit
from hardening.catalogue.load import load_benchmark
from hardening.collect import ProbeSource
from hardening.model.control import Role
from hardening.model.host import Host
from hardening.model.result import Status

REPO = Path(__file__).resolve().parents[2]

CATALOGUE = """\
controls:
  - id: T.1
    title: tight file
    section: T
    check: {{kind: file_mode, path: "{d}/tight", max_mode: "600"}}
  - id: T.2
    title: loose file
    section: T
    check: {{kind: file_mode, path: "{d}/loose", max_mode: "600"}}
  - id: T.3
    title: yaml key
    section: T
    check: {{kind: config_key, path: "{d}/conf.yaml", key: a.b, op: eq, value: "true"}}
  - id: T.4
    title: missing file
    section: T
    check: {{kind: file_mode, path: "{d}/nope", max_mode: "600"}}
  - id: T.5
    title: globbed keys
    section: T
    check: {{kind: file_mode, path: "{d}/pki/*.key", max_mode: "600"}}
  - id: T.6
    title: command with hostile output
    section: T
    check: {{kind: command_output, command: "cat '{d}/hostile'", op: contains, value: ok}}
  - id: T.7
    title: a component that is not running
    section: T
    check: {{kind: component_setting, component: kube-nonexist, flag: --x, op: eq, value: "1"}}
  - id: T.8
    title: setuid inventory of a tree
    section: T
    check: {{kind: suid_inventory, roots: ["{d}"], allow: ["{d}/allowed-suid"]}}
"""


def make_tree(d: Path) -> None:
    (d / "pki").mkdir()
    for name, mode in (
        ("tight", 0o600),
        ("loose", 0o644),
        ("pki/a.key", 0o600),
        ("pki/b.key", 0o640),
        ("allowed-suid", 0o4755),
        ("bad-suid", 0o2755),
    ):
        (d / name).write_text("x")
        os.chmod(d / name, mode)
    (d / "conf.yaml").write_text("a:\n  b: true\n")
    # Output that tries to look like a section boundary and carries bytes that are not UTF-8.
    (d / "hostile").write_bytes(b"ok\n@@00000000000000000000000000000000 E c0 0\n\xff\xfe\n")


def test_local_probe_end_to_end(tmp_path: Path) -> None:
    make_tree(tmp_path)
    bench = tmp_path / "bench" / "t"
    bench.mkdir(parents=True)
    (bench / "c.yaml").write_text(CATALOGUE.format(d=tmp_path))
    cat = load_benchmark("t", root=bench.parent)
    host = Host("me", transport="local", roles=frozenset({Role.WORKER}))
    doc = Audit(cat.controls, "t", ProbeSource()).run((host,))
    status = {r.control_id: r for r in doc.hosts[0].results}
    assert status["T.1"].status is Status.PASS
    assert status["T.2"].status is Status.FAIL and "644" in status["T.2"].evidence.observed
    assert status["T.3"].status is Status.PASS
    assert status["T.4"].status is Status.SKIP and "no such file" in status["T.4"].reason
    assert status["T.5"].status is Status.FAIL and "b.key" in status["T.5"].evidence.observed
    assert status["T.6"].status is Status.PASS
    assert status["T.7"].status is Status.SKIP and "kube-nonexist" in status["T.7"].reason
    assert status["T.8"].status is Status.FAIL
    assert any("bad-suid" in d for d in status["T.8"].evidence.details)
    assert not any("allowed-suid" in d for d in status["T.8"].evidence.details)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hardening", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=300,
        check=False,
    )


def test_cli_local_audit_writes_valid_document(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    proc = run_cli("audit", "--local", "--json", str(out), "--no-progress")
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == "1" and len(doc["hosts"]) == 1
    results = doc["hosts"][0]["results"]
    assert results and all(
        r["status"] in {"PASS", "FAIL", "WARN", "SKIP", "ERROR"} for r in results
    )
    assert "fleet score" in proc.stdout and "\x1b[" not in proc.stdout
    # Exit code agrees with the document.
    fails = [r for r in results if r["status"] == "FAIL"]
    assert proc.returncode == (1 if fails else 0)


def test_cli_broken_catalogue_exits_2_with_one_line(tmp_path: Path) -> None:
    bench = tmp_path / "broken"
    bench.mkdir()
    (bench / "c.yaml").write_text(
        "controls:\n  - id: '4.2.5'\n    title: t\n    section: s\n    check:\n"
        "      kind: component_setting\n      component: kubelet\n      flag: --x\n"
        "      op: noteqx\n      value: '1'\n"
    )
    proc = run_cli("audit", "--local", "--benchmark-dir", str(tmp_path), "-b", "broken")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "c.yaml:9: control 4.2.5: check.op: unknown op 'noteqx'" in lines[0]
    proc = run_cli("controls", "validate", "--benchmark-dir", str(tmp_path))
    assert proc.returncode == 2 and "unknown op 'noteqx'" in proc.stdout


def local_catalogue(tmp_path: Path) -> list[str]:
    """The test tree and catalogue under ``tmp_path``; the CLI words that audit them."""
    make_tree(tmp_path)
    bench = tmp_path / "b" / "t"
    bench.mkdir(parents=True)
    (bench / "c.yaml").write_text(CATALOGUE.format(d=tmp_path))
    return ["audit", "--local", "--benchmark-dir", str(bench.parent), "-b", "t", "-q"]


def test_cli_fail_gates(tmp_path: Path) -> None:
    base = local_catalogue(tmp_path)
    assert run_cli(*base).returncode == 1
    assert run_cli(*base, "--fail-on", "critical").returncode == 0
    assert run_cli(*base, "--fail-on", "medium").returncode == 1
    assert run_cli(*base, "--fail-under", "10").returncode == 0
    assert run_cli(*base, "--fail-under", "99").returncode == 1


@pytest.mark.parametrize("sub", [["controls", "list"], ["controls", "show", "4.2.1"]])
def test_controls_browse(sub: list[str]) -> None:
    proc = run_cli(*sub)
    assert proc.returncode == 0, proc.stderr
    assert "4.2.1" in proc.stdout


def test_group_role_maps_an_unknown_group(tmp_path: Path) -> None:
    inv = tmp_path / "hosts.ini"
    inv.write_text("[gpu_pool]\nme ansible_connection=local\n")
    out = tmp_path / "run.json"
    proc = run_cli(
        "audit",
        "-i",
        str(inv),
        "--group-role",
        "gpu_pool=worker",
        "-b",
        "cis-1.12",
        "--control",
        "4.2.1",
        "--json",
        str(out),
        "-q",
    )
    assert proc.returncode in (0, 1), proc.stderr
    host = json.loads(out.read_text())["hosts"][0]
    assert host["roles"] == ["worker"] and [r["id"] for r in host["results"]] == ["4.2.1"]
    bad = run_cli("audit", "-i", str(inv), "--group-role", "gpu_pool", "-q")
    assert bad.returncode == 2 and "expected GROUP=ROLE" in bad.stderr


WAIVERS = """\
waivers:
  - control: "T.2"
    hosts: ["*"]
    reason: legacy file, tracked in SEC-1
    expires: 2999-12-31
    approved_by: security-team
  - control: "T.[58]"
    hosts: ["*"]
    reason: image rebuild pending
    expires: 2999-12-31
    approved_by: security-team
  - control: "T.4"
    hosts: ["*"]
    reason: cannot hide a SKIP
    expires: 2999-12-31
    approved_by: security-team
"""


def test_cli_waivers_turn_failures_into_waived(tmp_path: Path) -> None:
    base = local_catalogue(tmp_path)
    waivers, out = tmp_path / "waivers.yml", tmp_path / "run.json"
    waivers.write_text(WAIVERS)
    proc = run_cli(*base, "--waivers", str(waivers), "--json", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # every FAIL is waived
    doc = json.loads(out.read_text())
    got = {r["id"]: r for r in doc["hosts"][0]["results"]}
    assert got["T.2"]["status"] == "WAIVED" and "SEC-1" in got["T.2"]["reason"]
    assert got["T.2"]["waiver"]["approved_by"] == "security-team"
    assert got["T.5"]["status"] == got["T.8"]["status"] == "WAIVED"
    assert got["T.4"]["status"] == "SKIP"  # only FAIL and WARN are ever waived
    assert got["T.1"]["status"] == "PASS"
    assert doc["options"]["waivers"]["active"] == 3

    waivers.write_text(WAIVERS.replace("2999-12-31", "2020-01-01", 1))
    proc = run_cli(*base, "--waivers", str(waivers), "--json", str(out))
    assert proc.returncode == 1  # the expired waiver no longer covers T.2
    assert "expired" in proc.stderr and "T.2" in proc.stderr
    got = {r["id"]: r for r in json.loads(out.read_text())["hosts"][0]["results"]}
    assert got["T.2"]["status"] == "FAIL" and got["T.5"]["status"] == "WAIVED"

    waivers.write_text(WAIVERS.replace('"T.2"', '"T.99"'))
    proc = run_cli(*base, "--waivers", str(waivers))
    assert proc.returncode == 2
    assert f"{waivers}:2" in proc.stderr and "T.99" in proc.stderr
