"""Merging the shards of a lab audit equals auditing the lab whole (real SSH, real sshd)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardening.cli.main import main
from tests.labkit.fixtures import LabFactory
from tests.scale.compare import differences, host_summary, load

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(300)]

NODES = ["cp1", "worker1", "worker2"]
SHARDS = 3


def audit(lab_inventory: Path, catalogue: Path, out: Path, *extra: str) -> int:
    """One CLI audit of the lab's inventory with the pinned catalogue."""
    return main(
        [
            "audit",
            "-i",
            str(lab_inventory),
            "--benchmark-dir",
            str(catalogue),
            "--no-progress",
            "-q",
            "--json",
            str(out),
            *extra,
        ]
    )


def test_merged_shards_equal_the_whole_audit(
    lab_factory: LabFactory, pinned_catalogue: Path, tmp_path: Path
) -> None:
    lab = lab_factory(NODES)
    whole_code = audit(lab.inventory_path, pinned_catalogue, tmp_path / "whole.json")
    parts = []
    for k in range(1, SHARDS + 1):
        part = tmp_path / f"shard{k}.json"
        code = audit(lab.inventory_path, pinned_catalogue, part, "--shard", f"{k}/{SHARDS}")
        assert code in (0, 1, 3)
        parts.append(part)
    merged_code = main(["merge", *map(str, parts), "--json", str(tmp_path / "merged.json"), "-q"])
    whole, merged = load(tmp_path / "whole.json"), load(tmp_path / "merged.json")
    shard_hosts = [[h["name"] for h in load(p)["hosts"]] for p in parts]
    assert sorted(n for names in shard_hosts for n in names) == sorted(NODES)
    assert sum(1 for names in shard_hosts if names) >= 2, "the lab really was split"
    assert all(not h["error"] for h in whole["hosts"])
    assert differences(whole, merged) == []
    assert host_summary(whole) == host_summary(merged)
    assert merged["score"] == whole["score"]
    assert merged["sections"] == whole["sections"]
    assert merged_code == whole_code
    assert len(merged["options"]["merged_from"]) == SHARDS


def test_merging_a_shard_twice_is_refused(
    lab_factory: LabFactory,
    pinned_catalogue: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = lab_factory(["worker1", "worker2"])
    audit(lab.inventory_path, pinned_catalogue, tmp_path / "all.json")
    capsys.readouterr()
    assert main(["merge", str(tmp_path / "all.json"), str(tmp_path / "all.json")]) == 2
    assert "is also in" in capsys.readouterr().err
