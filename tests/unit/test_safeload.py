"""Every YAML/JSON file the tool reads is bounded: special files, size, nesting, aliases.

The CLI cases run in a child with a 2 GiB address-space limit and a timeout, so the
behaviour before the fix (a hang, MemoryError, RecursionError, a libyaml crash) fails the
test instead of the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from hardening import safeload
from hardening.catalogue.yamlload import YamlError, load
from hardening.errors import InventoryError, WaiverError
from hardening.inventory.ansible import load_inventory
from hardening.waivers import load_waivers

REPO = Path(__file__).resolve().parents[2]
BOMB = (
    "\n".join(
        ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    )
    + "\n"
)


def deep_json(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def deep_yaml(levels: int) -> str:
    return "[" * levels + "]" * levels


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def cli(*args: str, progress: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    flags = [] if progress else ["--no-progress"]
    return subprocess.run(
        [sys.executable, "-m", "hardening", *args, *flags],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_limit,
    )  # noqa: PLW1509 - rlimit only


def test_special_files_are_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "w.yaml"
    os.mkfifo(fifo)
    for path, kind in (
        (fifo, "is a FIFO"),
        (Path("/dev/zero"), "is a character device"),
        (tmp_path, "cannot read: Is a directory"),
    ):
        with pytest.raises(safeload.LoadLimitError, match=f"{path}: {kind}"):
            safeload.read_text(path)


def test_a_sparse_3_gib_file_is_refused_from_its_size(tmp_path: Path) -> None:
    big = tmp_path / "export.json"
    with big.open("wb") as f:
        f.truncate(3 << 30)  # sparse: no data blocks are written
    with pytest.raises(safeload.LoadLimitError, match=r"3221225472 bytes, over the"):
        safeload.load_file(big, 256 << 20)


def test_limits_hold_at_the_edge_and_a_normal_file_loads(tmp_path: Path) -> None:
    assert safeload.load_json(deep_json(safeload.MAX_DEPTH - 1), "x")
    with pytest.raises(safeload.LoadLimitError, match="nested more than 100"):
        safeload.load_json(deep_json(safeload.MAX_DEPTH + 1), "x")
    with pytest.raises(safeload.LoadLimitError, match="nested more than 100"):
        safeload.load_json(deep_json(100_000), "x")
    assert safeload.load_yaml_all(deep_yaml(safeload.MAX_DEPTH), "x")
    with pytest.raises(safeload.LoadLimitError, match=r"x:1: nested more than 100"):
        safeload.check_yaml(deep_yaml(safeload.MAX_DEPTH + 1), "x")
    shared = "base: &b {user: ops, port: 22}\nh1: *b\nh2: *b\n"
    assert safeload.load_yaml_all(shared, "x") == [
        {
            "base": {"user": "ops", "port": 22},
            "h1": {"user": "ops", "port": 22},
            "h2": {"user": "ops", "port": 22},
        }
    ]
    with pytest.raises(safeload.LoadLimitError, match="alias bomb"):
        safeload.check_yaml(BOMB, "x")


def test_the_text_yaml_loader_refuses_depth_with_a_line() -> None:
    with pytest.raises(YamlError, match="nested more than 100") as deep:
        load("k:\n  " + deep_yaml(200_000))  # libyaml's composer segfaulted here
    assert deep.value.line == 2


def test_waiver_fifo_and_device_are_waiver_errors(tmp_path: Path) -> None:
    """(The bombs are run by the CLI cases below, in a memory-limited child.)"""
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    for path, why in ((fifo, "is a FIFO"), (Path("/dev/zero"), "character device")):
        with pytest.raises(WaiverError, match=why) as err:
            load_waivers(path, ["1.1.1"], date(2026, 1, 1))
        assert str(path) in str(err.value)


def test_inventory_fifo_and_depth_are_inventory_errors(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    vars_dir = tmp_path / "site"
    (vars_dir / "group_vars").mkdir(parents=True)
    (vars_dir / "hosts.yml").write_text("all:\n  hosts:\n    a: {}\n", encoding="utf-8")
    (vars_dir / "group_vars" / "all").write_text("x: " + deep_yaml(5000), encoding="utf-8")
    for path, why in (
        (fifo, "is a FIFO"),
        (vars_dir / "hosts.yml", "group_vars/all:1: nested more than 100"),
    ):
        with pytest.raises(InventoryError, match=why):
            load_inventory(path)


@pytest.mark.parametrize(
    "kind",
    [
        "waiver-bomb",
        "waiver-fifo",
        "cloud-deep",
        "cloud-sparse",
        "inventory-bomb",
        "inventory-fifo",
    ],
)
def test_the_cli_exits_2_naming_the_file(tmp_path: Path, kind: str) -> None:
    target = tmp_path / ("export.json" if kind.startswith("cloud") else "in.yml")
    if kind.endswith("fifo"):
        os.mkfifo(target)
    elif kind == "waiver-bomb":
        target.write_text("waivers:\n  - " + BOMB.replace("\n", "\n    "), encoding="utf-8")
    elif kind == "inventory-bomb":
        target.write_text(
            "all:\n  hosts:\n    a:\n      " + BOMB.replace("\n", "\n      "), encoding="utf-8"
        )
    elif kind == "cloud-deep":
        target.write_text(deep_json(100_000), encoding="utf-8")
    else:
        with target.open("wb") as f:
            f.truncate(3 << 30)
    if kind.startswith("waiver"):
        args = ["audit", "--local", "--waivers", str(target)]
    elif kind.startswith("cloud"):
        args = ["audit", "--local", "--cloud-facts", str(tmp_path)]
    else:
        args = ["audit", "-i", str(target)]
    proc = cli(*args)
    assert proc.returncode == 2, proc.stderr[-800:]
    assert str(target) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_run_document_or_fix_values_that_is_a_fifo_is_exit_2(tmp_path: Path) -> None:
    fifo = tmp_path / "run.json"
    os.mkfifo(fifo)
    proc = cli("report", str(fifo), "--html", str(tmp_path / "r.html"), progress=True)
    assert proc.returncode == 2 and f"{fifo}: is a FIFO" in proc.stderr, proc.stderr
    inv = tmp_path / "inv.yml"
    inv.write_text("all:\n  hosts:\n    a: {ansible_connection: local}\n", encoding="utf-8")
    values = tmp_path / "values.yml"
    os.mkfifo(values)
    proc = cli("remediate", "-i", str(inv), "--values", str(values), progress=True)
    assert proc.returncode == 2 and f"{values}: is a FIFO" in proc.stderr, proc.stderr
