"""A control id defined by two selected benchmarks is an error naming the id and both files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardening.catalogue.load import load_many
from hardening.errors import CatalogueError

CONTROL = """controls:
  - id: "X.1"
    title: "t"
    section: "X"
    severity: "low"
    check: {kind: file_mode, path: /etc/x, max_mode: "600"}
    description: d
    audit: a
    remediation: r
"""


def test_a_control_id_in_two_benchmarks_is_refused(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.yaml").write_text(CONTROL)
    assert len(load_many(["one"], tmp_path).controls) == 1
    with pytest.raises(CatalogueError) as err:
        load_many(["one", "two"], tmp_path)
    text = str(err.value)
    assert "X.1" in text and "two" in text and "one" in text and "also defined" in text
