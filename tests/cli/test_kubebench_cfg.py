"""A kube-bench cfg given with --benchmark-dir, run as a user runs it (issue 18.4, issue 14).

Without ``-b`` the profile comes from config.yaml's ``version_mapping`` (kube-bench's
getBenchmarkVersion / mapToBenchmarkVersion), and a cfg is recognised by any kube-bench
controls file, not only master.yaml / node.yaml.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.run import hardening
from tests.support.kubebench_cfg import kubebench_cfg

CFG = str(kubebench_cfg())


def _listed(*args: str) -> tuple[dict, str]:
    proc = hardening("controls", "list", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def test_audit_with_a_cfg_and_no_b_runs_the_mapped_profile(tmp_path: Path) -> None:
    """The reported failure: ``audit --local --benchmark-dir CFG`` said
    ``benchmark 'node-os' not found``."""
    out = tmp_path / "run.json"
    proc = hardening(
        "audit", "--local", "--benchmark-dir", CFG, "--json", str(out), "--no-progress"
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "not found" not in proc.stderr
    assert "using profile 'cis-1.12'" in proc.stderr and "(1.34)" in proc.stderr
    assert "profiles here: ack-1.0, cis-1.10, cis-1.12" in proc.stderr
    doc = json.loads(out.read_text())
    assert doc["benchmark"] == "cis-1.12"
    notes = doc["options"]["benchmark_notes"]
    assert any("using profile 'cis-1.12'" in n for n in notes)
    assert any("overrides the shipped benchmarks" in n for n in notes)  # cis-1.12 ships too
    ids = {r["id"] for r in doc["hosts"][0]["results"]}
    assert {"1.1.1", "4.2.1", "5.1.1"} <= ids and not any(i.startswith("NODE-") for i in ids)


def test_kube_version_maps_as_kube_bench_does() -> None:
    listed, err = _listed("--benchmark-dir", CFG, "--kube-version", "1.28")
    assert listed["benchmark"] == "cis-1.10" and len(listed["controls"]) == 130
    assert "Kubernetes 1.28 -> profile 'cis-1.10'" in err
    # 1.35 has no entry: kube-bench lowers the minor version until one is found (1.34).
    listed, err = _listed("--benchmark-dir", CFG, "--kube-version", "v1.35.2")
    assert listed["benchmark"] == "cis-1.12"
    listed, _ = _listed("--benchmark-dir", CFG, "--kube-version", "ack-1.0")
    assert listed["benchmark"] == "ack-1.0"


def test_a_mapping_to_a_profile_not_there_names_the_profiles() -> None:
    proc = hardening("controls", "list", "--benchmark-dir", CFG, "--kube-version", "1.30")
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert "maps Kubernetes '1.30' to profile 'cis-1.11'" in line
    assert "profiles here: ack-1.0, cis-1.10, cis-1.12" in line
    proc = hardening("controls", "list", "--benchmark-dir", CFG, "-b", "cis-1.99")
    assert proc.returncode == 2 and "benchmark 'cis-1.99' not found" in proc.stderr
    assert "available: ack-1.0, cis-1.10, cis-1.12" in proc.stderr


def test_b_and_kube_version_together_are_refused() -> None:
    proc = hardening(
        "controls", "list", "--benchmark-dir", CFG, "-b", "cis-1.12", "--kube-version", "1.32"
    )
    assert proc.returncode == 2 and "-b and --kube-version" in proc.stderr
    proc = hardening("controls", "list", "--kube-version", "1.32")
    assert proc.returncode == 2 and "no --benchmark-dir is one" in proc.stderr


def test_profile_mixed_with_a_shipped_benchmark() -> None:
    listed, err = _listed("--benchmark-dir", CFG, "-b", "cis-1.12", "-b", "node-os")
    kinds = {c["benchmark"]: c["kind"] for c in listed["controls"] if c["kind"]}
    assert kinds["cis-1.12"] == "kubebench" and kinds["node-os"] != "kubebench"
    assert "benchmark 'cis-1.12'" in err and "node-os" not in err  # only the override is said


def _cfg_with(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "cfg"
    root.mkdir()
    shutil.copy(kubebench_cfg() / "config.yaml", root / "config.yaml")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_cfg_with_only_policies_or_etcd_files_is_recognised(tmp_path: Path) -> None:
    src = kubebench_cfg() / "cis-1.12"
    root = _cfg_with(
        tmp_path,
        {
            "cis-1.12/policies.yaml": (src / "policies.yaml").read_text(),
            "cis-1.10/etcd.yaml": (kubebench_cfg() / "cis-1.10" / "etcd.yaml").read_text(),
        },
    )
    listed, _ = _listed("--benchmark-dir", str(root))  # version_mapping: 1.34 -> cis-1.12
    assert listed["benchmark"] == "cis-1.12"
    assert {c["kind"] for c in listed["controls"] if c["kind"]} == {"kubebench"}
    assert {c["id"].split(".")[0] for c in listed["controls"]} == {"5"}
    listed, _ = _listed("--benchmark-dir", str(root), "-b", "cis-1.10")
    assert {c["roles"][0] for c in listed["controls"]} == {"etcd"}


def test_a_profile_directory_given_instead_of_its_cfg_says_so(tmp_path: Path) -> None:
    bench = tmp_path / "mine"
    bench.mkdir()
    (bench / "a.yaml").write_text("controls: []\n")
    proc = hardening("controls", "list", "--benchmark-dir", str(bench))
    assert proc.returncode == 2
    assert f"give its parent, --benchmark-dir {tmp_path}" in proc.stderr
