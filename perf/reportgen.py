"""Time report generation (JSON, JUnit, HTML) for a fleet of ``hosts`` x the full catalogue.

The fleet is made from a real audit's document: its hosts' results repeated under new names,
so every report renders real evidence at the size asked for.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from hardening.model.result import HostRun, RunDocument
from hardening.reports.registry import REPORTERS, reporter


def fleet_of(source: bytes, hosts: int) -> RunDocument:
    """A document of ``hosts`` hosts cloned from the audited ones."""
    data: dict[str, Any] = json.loads(source)
    seeds = data["hosts"]
    data["hosts"] = [{**seeds[i % len(seeds)], "name": f"node{i:05d}"} for i in range(hosts)]
    doc = RunDocument.from_dict(data)
    assert all(isinstance(h, HostRun) for h in doc.hosts)
    return doc


def time_reports(source: bytes, hosts: int, work: Path) -> dict[str, dict[str, float]]:
    """Render every registered report once (after one warm-up) and print the figures."""
    doc = fleet_of(source, hosts)
    results = sum(len(h.results) for h in doc.hosts)
    print(f"\nreports for {hosts} hosts x {results // hosts} controls ({results} results):")
    out: dict[str, dict[str, float]] = {}
    for name in REPORTERS:
        module = reporter(name)
        dest = work / f"report{module.SUFFIX}"
        module.render(doc, dest)  # warm-up: imports, template compilation
        start = time.perf_counter()
        module.render(doc, dest)
        elapsed = time.perf_counter() - start
        size = dest.stat().st_size
        out[name] = {"seconds": elapsed, "bytes": size}
        print(f"  {name:6s} {elapsed:7.3f} s  {size / 1e6:8.2f} MB")
    return out
