"""Shared by the two-sided test and scripts/two_sided_coverage.py: where fixtures live and
what each one proves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "controls"
LAB_EXPECTATIONS = REPO / "tests" / "lab_content" / "expectations.yaml"


@dataclass(frozen=True)
class Case:
    """One fixture case: a node description and the status the control must give on it."""

    benchmark: str
    control: str
    name: str
    expect: str
    node: dict[str, Any]
    source: str


def load_cases(root: Path = FIXTURES) -> list[Case]:
    """Every case of every ``<benchmark>/<control-id>.yaml`` fixture under ``root``."""
    cases: list[Case] = []
    for path in sorted(root.glob("*/*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        bench, cid = path.parent.name, path.stem
        if str(doc.get("control")) != cid or doc.get("benchmark") != bench:
            raise ValueError(f"{path}: control/benchmark do not match the file's place")
        for i, case in enumerate(doc["cases"]):
            cases.append(
                Case(
                    bench,
                    cid,
                    str(case.get("name", i)),
                    str(case["expect"]),
                    case.get("node") or {},
                    f"{path.relative_to(REPO)}#{i}",
                )
            )
    return cases


def lab_statuses(path: Path = LAB_EXPECTATIONS) -> dict[tuple[str, str], set[str]]:
    """(benchmark, control) -> statuses the lab test asserts (PASS/FAIL) on some node."""
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[tuple[str, str], set[str]] = {}
    for bench, nodes in doc.items():
        for _node, expected in nodes.items():
            for cid, status in expected.items():
                out.setdefault((bench, str(cid)), set()).add(str(status))
    return out
