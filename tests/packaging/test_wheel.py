"""The package as users install it: a wheel built from the sources, installed into a fresh venv
outside the checkout, lists controls, audits this machine and writes a remediation playbook,
all from the wheel's own files.

The venv reads its dependencies from the test run's own site directories (they are not
downloaded again); that the ``hardening`` it imports is the wheel's, not the checkout's
editable install, is asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
SKIP_PARTS = {"__pycache__"}


def source_files() -> set[str]:
    """Every file of the source package, as wheel member names."""
    return {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "hardening").rglob("*")
        if p.is_file() and not SKIP_PARTS & set(p.parts) and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip wheel`` of a copy of what the build reads (pyproject, README, the package)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(
        REPO / "hardening", src / "hardening", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(dist),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = dist.glob("hardening-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin directory."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120
    )
    # The dependencies (and pip) come from this test run's own site directories, appended
    # after the venv's: plain path entries, so no editable install's hook comes along.
    (site_dir,) = root.glob("lib/python*/site-packages")
    outer = [p for p in sys.path if Path(p).name in {"site-packages", "dist-packages"}]
    (site_dir / "outer-deps.pth").write_text("".join(f"{p}\n" for p in outer), "utf-8")
    proc = subprocess.run(
        [
            str(root / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--ignore-installed",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=clean_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root / "bin"


def clean_env() -> dict[str, str]:
    """The environment without anything pointing Python at the checkout."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}


def run(venv: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "hardening"), *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=clean_env(),
    )


def test_the_wheel_holds_every_file_of_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = source_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    for shipped in (
        "hardening/benchmarks/cis/cis-1.12/benchmark.yaml",
        "hardening/benchmarks/cis/cloud/baselines/eks-worker.json",
        "hardening/playbooks/tasks/file_mode.yml",
        "hardening/playbooks/roles/kubelet_flag/filter_plugins/unit_flags.py",
        "hardening/reports/schema/run-v1.json",
    ):
        assert shipped in names


def test_the_installed_package_is_the_wheel_not_the_checkout(venv: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            str(venv / "python"),
            "-c",
            "import hardening, hardening.content as c; print(hardening.__file__); "
            "print(c.shipped('benchmarks'))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=clean_env(),
    )
    module, content = proc.stdout.splitlines()
    assert Path(module).is_relative_to(venv.parent), module
    assert Path(content).is_relative_to(venv.parent) and Path(content).is_dir(), content
    assert not Path(module).is_relative_to(REPO)


def test_controls_list_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    proc = run(venv, tmp_path, "controls", "list")
    assert proc.returncode == 0, proc.stderr
    assert "4.2.1" in proc.stdout and "NODE-1.1" in proc.stdout
    # the cloud benchmark reads its shipped baselines while it loads
    proc = run(venv, tmp_path, "controls", "list", "-b", "cloud")
    assert proc.returncode == 0, proc.stderr
    assert "CLOUD-" in proc.stdout


def local_audit(venv: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "local.json"
    proc = run(venv, tmp_path, "audit", "--local", "--json", str(out), "-q", "--no-progress")
    assert proc.returncode in (0, 1), proc.stderr  # 3 would mean the host was not audited
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


def test_a_local_audit_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    doc = local_audit(venv, tmp_path)
    assert doc["benchmark"] == "cis-1.12+node-os"
    (host,) = doc["hosts"]
    statuses = {r["status"] for r in host["results"]}
    assert len(host["results"]) > 100 and {"PASS", "WARN"} <= statuses


def test_the_emitted_playbook_stands_beside_its_fixes(venv: Path, tmp_path: Path) -> None:
    doc = local_audit(venv, tmp_path)
    (host,) = doc["hosts"]
    # A fixable failure on every machine: this host's kernel parameter, said to be wrong.
    (result,) = [r for r in host["results"] if r["id"] == "NODE-3.1"]
    result["status"] = "FAIL"
    saved = tmp_path / "run.json"
    saved.write_text(json.dumps(doc), encoding="utf-8")
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump({"all": {"hosts": {host["name"]: {"ansible_connection": "local"}}}}),
        encoding="utf-8",
    )
    review = tmp_path / "review"
    review.mkdir()
    book = review / "remediate.yml"
    proc = run(
        venv,
        tmp_path,
        "remediate",
        "-i",
        str(inventory),
        "--from-json",
        str(saved),
        "--control",
        "NODE-3.1",
        "--emit-playbook",
        str(book),
    )
    assert proc.returncode == 0, proc.stderr
    text = book.read_text(encoding="utf-8")
    for elsewhere in (str(REPO), str(venv.parent), "site-packages"):
        assert elsewhere not in text
    (play,) = yaml.safe_load(text)
    (task,) = play["tasks"]
    include = task["ansible.builtin.include_tasks"]["file"]
    assert include == "{{ playbook_dir }}/hardening-fixes/tasks/sysctl.yml"
    assert (review / include.removeprefix("{{ playbook_dir }}/")).is_file()
    assert (review / "hardening-fixes/templates/sshd_config.j2").is_file()
    assert (review / "hardening-fixes/roles/kubelet_flag/filter_plugins/unit_flags.py").is_file()
    exe = shutil.which("ansible-playbook")
    assert exe, "ansible-playbook comes with ansible-core"
    check = subprocess.run(
        [exe, "-i", str(inventory), str(book), "--syntax-check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**clean_env(), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(tmp_path / "atmp")},
    )
    assert check.returncode == 0, check.stdout + check.stderr
