"""Measure one workload in a fresh process: wall seconds, CPU seconds and peak RSS.

    python3 perf/measure.py SPEC.json  ->  prints {"wall": s, "cpu": s, "rss_mb": MB, "failed": n}

SPEC is {"forks": F, "jobs": [{"argv": [...], "stdin": "file or null"}, ...]}: the jobs run
at most F at a time. Being a process of its own, its RUSAGE_CHILDREN covers exactly this
workload: CPU is the sum over every child (user + system), RSS the largest child's peak
(for ``hardening audit`` that is the auditing process itself).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any


def _run(job: dict[str, Any]) -> int:
    data = Path(job["stdin"]).read_bytes() if job.get("stdin") else b""
    done = subprocess.run(
        job["argv"],
        input=data,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        timeout=job.get("timeout", 900),
    )
    return done.returncode


def main() -> int:
    """Run the spec and print the figures as one JSON line."""
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    ok_codes = set(spec.get("ok_codes", [0]))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, spec["forks"])) as pool:
        codes = list(pool.map(_run, spec["jobs"]))
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": usage.ru_utime + usage.ru_stime,
                "rss_mb": usage.ru_maxrss / 1024.0,
                "failed": sum(1 for c in codes if c not in ok_codes),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
