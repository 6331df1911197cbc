"""Where one node's probe time goes: the probe with and without its filesystem walk.

    sudo python3 perf/findsplit.py [--reps 5]

Starts a one-worker lab and times, through the OpenSSH client (``ssh node sh -s``), each
workload in a fresh process (perf/measure.py), interleaved per repetition:

- ``ssh true``: the connection alone;
- ``probe full``: the audit's probe script for the full catalogue;
- ``probe no-fs-walk``: the same script without the Find request (no ``find`` section);
- ``probe find only``: a script answering only the Find requests (prelude + ``find``).

Medians; the ``find``'s share is ``full - no-fs-walk``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hardening.catalogue.load import default_root, load_many  # noqa: E402
from hardening.facts.find import Find  # noqa: E402
from hardening.inventory.ansible import load_inventory  # noqa: E402
from hardening.plan import plan_fleet  # noqa: E402
from hardening.probe import script  # noqa: E402
from perf.bench import BENCHMARKS, Reach, free_subnet, measure, ssh  # noqa: E402
from tests.labkit.lab import Lab, NodeSpec  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Start one node, time the four workloads ``--reps`` times, print medians and split."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=5, help="repetitions (5)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hardening-findsplit-") as tmp:
        work = Path(tmp)
        subnet = free_subnet(1)
        lab = Lab(work / "lab", tie_to_parent=True)
        lab.start([NodeSpec("w001", f"127.0.{subnet}.1", "worker")])
        try:
            host = load_inventory(str(lab.inventory_path))[0]
            direct = Reach(0, lab.port, lab.inventory_path, lab.ssh_config, lab.known_hosts)
            plan = plan_fleet([host], load_many(BENCHMARKS, default_root()).controls)[0]
            finds = [r for r in plan.requests if isinstance(r, Find)]
            scripts = {
                "probe full": plan.requests,
                "probe no-fs-walk": tuple(r for r in plan.requests if not isinstance(r, Find)),
                "probe find only": tuple(finds),
            }
            print(
                f"node: 1 worker; plan: {len(plan.requests)} requests, Find roots: "
                f"{sorted({root for f in finds for root in f.roots})}"
            )
            true = ssh(direct, host.address, "true")
            specs = {"ssh true": {"forks": 1, "jobs": [{"argv": true}]}}
            for name, reqs in scripts.items():
                path = work / f"{name.replace(' ', '-')}.sh"
                path.write_bytes(script.build(reqs).data)
                specs[name] = {
                    "forks": 1,
                    "jobs": [{"argv": ssh(direct, host.address, "sh", "-s"), "stdin": str(path)}],
                }
            measure(specs["probe find only"], work)  # warm-up: the dentry/inode caches
            walls: dict[str, list[float]] = {name: [] for name in specs}
            for _ in range(args.reps):
                for name, spec in specs.items():
                    walls[name].append(measure(spec, work)["wall"])
        finally:
            lab.stop()
    med = {name: statistics.median(v) for name, v in walls.items()}
    print(f"\none node, medians of {args.reps} (wall s; min-max):")
    for name, v in walls.items():
        print(f"  {name:18s} {med[name]:7.3f}   ({min(v):.3f}-{max(v):.3f})")
    full, rest = med["probe full"], med["probe no-fs-walk"]
    print(
        f"  find's share of the full probe: {full - rest:.3f} s = "
        f"{(full - rest) / full:.0%}; the other {len(plan.requests) - len(finds)} requests "
        f"cost {rest - med['ssh true']:.3f} s over ssh true"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
