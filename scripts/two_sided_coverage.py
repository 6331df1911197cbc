#!/usr/bin/env python3
"""List automated controls that lack a PASS and a FAIL test; exit 1 if there are any.

A control counts as proven both ways when its fixture file
``tests/fixtures/controls/<benchmark>/<id>.yaml`` has a PASS case and a FAIL case, or when
those are completed by the statuses the lab test asserts
(``tests/lab_content/expectations.yaml``). It checks presence only; ``pytest
tests/catalogue/test_two_sided.py`` and the lab test check that each case really gives its
status.

Usage: python3 scripts/two_sided_coverage.py [BENCHMARK ...]   (default: every benchmark
directory under hardening/benchmarks/cis, plus any benchmark that has fixtures)
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hardening.catalogue.load import available, default_root, load_benchmark  # noqa: E402
from tests.catalogue.two_sided import FIXTURES, lab_statuses, load_cases  # noqa: E402

DEFAULT = tuple(available(default_root()))  # a new benchmark is covered as soon as it ships


def missing(benchmarks: list[str]) -> list[str]:
    """``benchmark control: lacks ...`` lines for every control not proven both ways."""
    proven: dict[tuple[str, str], set[str]] = {}
    for case in load_cases(FIXTURES):
        proven.setdefault((case.benchmark, case.control), set()).add(case.expect)
    for key, statuses in lab_statuses().items():
        proven.setdefault(key, set()).update(statuses)
    out = []
    for bench in benchmarks:
        for control in load_benchmark(bench).controls:
            if not control.automated:
                continue
            lacks = {"PASS", "FAIL"} - proven.get((bench, control.id), set())
            if lacks:
                out.append(
                    f"{bench} {control.id}: no {' and no '.join(sorted(lacks))} test "
                    f"({control.source})"
                )
    return out


def main(argv: list[str]) -> int:
    """Print the gaps and a summary; 0 when there are none."""
    benchmarks = argv or sorted(set(DEFAULT) | {p.name for p in FIXTURES.iterdir() if p.is_dir()})
    gaps = missing(benchmarks)
    for line in gaps:
        print(line)
    total = sum(1 for b in benchmarks for c in load_benchmark(b).controls if c.automated)
    print(
        f"{len(gaps)} of {total} automated controls lack a PASS and a FAIL test "
        f"({', '.join(benchmarks)})"
    )
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
