"""Fleet-scale benchmark: the audit against its floors and against per-check tools.

    sudo python3 perf/bench.py                     # N = 10,50; 3 repetitions
    sudo python3 perf/bench.py --nodes 10,50,100 --reps 5

For each N it starts a lab of N worker nodes (tests/labkit; start time printed, not counted),
then measures at the same concurrency (``--forks``), each workload in a fresh process
(perf/measure.py): the floors (``ssh node true``; the audit's own probe script through the
OpenSSH client, ``ssh node sh -s < probe.sh``), ``hardening audit`` of the full catalogue,
and for N <= ``--baseline-max`` the same fact requests as Ansible tasks and through testinfra's
paramiko backend. Medians over ``--reps``; only ratios measured side by side count. Then it
times report generation for ``--report-hosts`` hosts. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hardening.catalogue.load import default_root, load_many  # noqa: E402
from hardening.inventory.ansible import load_inventory  # noqa: E402
from hardening.plan import plan_fleet  # noqa: E402
from perf import oscap, reportgen, workloads  # noqa: E402
from tests.labkit import procfs  # noqa: E402
from tests.labkit.lab import Lab, NodeSpec  # noqa: E402

BENCHMARKS = ["cis-1.12", "node-os"]
PY = sys.executable


def free_subnet(count: int) -> int:
    """A 127.0.<k>.0/24 with port 22 free on the addresses a lab of ``count`` would take."""
    for k in range(150, 200):
        if not any(procfs.port_open(f"127.0.{k}.{i}", 22) for i in (1, count // 2 + 1, count)):
            return k
    raise SystemExit("bench: no free loopback subnet in 127.0.150-199.0/24; stop old labs")


def measure(spec: dict[str, Any], work: Path) -> dict[str, float]:
    """Run one workload spec through perf/measure.py and return its figures."""
    path = work / f"spec-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    out = subprocess.run([PY, str(ROOT / "perf" / "measure.py"), str(path)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    figures: dict[str, float] = json.loads(out.stdout)
    return figures


def ssh(lab: Lab, address: str, *command: str) -> list[str]:
    """The OpenSSH client argv the floors use (the lab's key, known_hosts, user)."""
    return ["ssh", "-F", str(lab.ssh_config), f"auditor@{address}", *command]


def specs_for(lab: Lab, n: int, forks: int, work: Path, baselines: bool,
              audit_json: Path) -> dict[str, dict[str, Any]]:
    """Every workload to measure on this lab, as perf/measure.py specs."""
    catalogue = load_many(BENCHMARKS, default_root())
    hosts = load_inventory(str(lab.inventory_path))
    plans = plan_fleet(hosts, catalogue.controls)
    scripts = workloads.write_probe_scripts(plans, work / "probes")
    addresses = [h.address for h in hosts]
    specs: dict[str, dict[str, Any]] = {
        "floor ssh true": {"forks": forks, "jobs": [
            {"argv": ssh(lab, a, "true")} for a in addresses]},
        "floor raw probe": {"forks": forks, "jobs": [
            {"argv": ssh(lab, h.address, "sh", "-s"), "stdin": str(scripts[h.name])}
            for h in hosts]},
        "hardening audit": {"forks": 1, "ok_codes": [0, 1], "jobs": [{"argv": [
            PY, "-m", "hardening", "audit", "-i", str(lab.inventory_path), "--forks",
            str(forks), "--no-progress", "-q", "--json", str(audit_json)]}]},
    }
    if baselines:
        playbook, ntasks = workloads.write_ansible_playbook(plans[0], work / "tasks.yml")
        print(f"  ansible: {ntasks} tasks per host; testinfra: {len(plans[0].requests)} "
              "requests per host", flush=True)
        specs["ansible tasks"] = {"forks": 1, "jobs": [{"argv": [
            "ansible-playbook", "-i", str(lab.inventory_path), "-f", str(forks),
            str(playbook)]}]}
        reqs = work / "requests.json"
        reqs.write_text(json.dumps(workloads.requests_doc(plans[0])), encoding="utf-8")
        hosts_file = work / "hosts.json"
        hosts_file.write_text(json.dumps(addresses), encoding="utf-8")
        specs["testinfra paramiko"] = {"forks": 1, "jobs": [{"argv": [
            PY, str(ROOT / "perf" / "testinfra_run.py"), str(hosts_file), str(reqs),
            str(forks), str(lab.ssh_config)]}]}
    return specs


def run_n(n: int, args: argparse.Namespace, work: Path) -> dict[str, dict[str, float]]:
    """Start a lab of N workers, measure every workload ``--reps`` times, stop the lab."""
    subnet = free_subnet(n)
    specs = [NodeSpec(f"w{i:03d}", f"127.0.{subnet}.{i}", "worker") for i in range(1, n + 1)]
    lab = Lab(work / f"lab{n}", tie_to_parent=True)
    start = time.perf_counter()
    lab.start(specs)
    print(f"\nN={n}: lab of {n} worker nodes on 127.0.{subnet}.1-{n} started in "
          f"{time.perf_counter() - start:.1f}s (not counted)", flush=True)
    try:
        os.environ.setdefault("ANSIBLE_HOST_KEY_CHECKING", "True")
        os.environ.setdefault("ANSIBLE_PIPELINING", "True")  # the faster Ansible setting
        audit_json = work / f"audit{n}.json"
        todo = specs_for(lab, n, args.forks, work / f"w{n}", n <= args.baseline_max, audit_json)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in todo}
        for rep in range(args.reps):
            for name, spec in todo.items():  # interleaved: each rep measures all side by side
                runs[name].append(measure(spec, work))
            print(f"  rep {rep + 1}/{args.reps} done", flush=True)
        if args.oscap and n <= args.baseline_max:
            runs.update(oscap.measure_oscap(lab, args.forks, args.reps, work / f"oscap{n}"))
        if audit_json.exists() and args.report_source is None:
            args.report_source = audit_json.read_bytes()
    finally:
        lab.stop()
    return {name: median_of(samples) for name, samples in runs.items()}


def median_of(samples: list[dict[str, float]]) -> dict[str, float]:
    """Per-figure medians; ``failed`` is the worst repetition's."""
    if not samples:
        return {}
    keys = [k for k in samples[0] if k != "failed"]
    out = {k: statistics.median(s[k] for s in samples) for k in keys}
    out["failed"] = max(s.get("failed", 0) for s in samples)
    return out


def print_table(n: int, res: dict[str, dict[str, float]]) -> None:
    """The per-N table and its ratios."""
    print(f"\nN={n} (medians)         wall s    CPU s  peak RSS MB  per host s  failed")
    for name, f in res.items():
        if not f:
            continue
        print(f"  {name:20s} {f['wall']:8.2f} {f['cpu']:8.2f} {f['rss_mb']:12.1f} "
              f"{f['wall'] / n:11.3f} {int(f['failed']):7d}")
    audit = res.get("hardening audit", {}).get("wall")
    if not audit:
        return
    for label, other, inverse in (("audit / floor ssh true", "floor ssh true", False),
                                  ("audit / floor raw probe", "floor raw probe", False),
                                  ("ansible / audit", "ansible tasks", True),
                                  ("testinfra / audit", "testinfra paramiko", True),
                                  ("oscap / audit", "oscap-ssh", True)):
        value = res.get(other, {}).get("wall")
        if value:
            print(f"  {label:24s} {value / audit if inverse else audit / value:6.2f}x")


def main(argv: list[str] | None = None) -> int:
    """Parse options, run every N, print the tables, time the reports."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nodes", default="10,50", help="lab sizes, comma separated (10,50)")
    p.add_argument("--reps", type=int, default=3, help="repetitions per workload (3)")
    p.add_argument("--forks", type=int, default=10, help="concurrency of every workload (10)")
    p.add_argument("--baseline-max", type=int, default=10,
                   help="run the Ansible/testinfra/oscap baselines for N up to this (10)")
    p.add_argument("--no-oscap", dest="oscap", action="store_false", help="skip OpenSCAP")
    p.add_argument("--report-hosts", type=int, default=100, help="hosts in the report test")
    p.add_argument("--json", type=Path, help="also write every figure to this file")
    args = p.parse_args(argv)
    args.report_source = None
    sizes = [int(x) for x in args.nodes.split(",")]
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
          f"{platform.platform()}, Python {platform.python_version()}; forks={args.forks}, "
          f"reps={args.reps}")
    all_results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hardening-bench-") as tmp:
        work = Path(tmp)
        for n in sizes:
            res = run_n(n, args, work)
            print_table(n, res)
            all_results[str(n)] = res
        if len(sizes) > 1:
            base = all_results[str(sizes[0])]["hardening audit"]["wall"] / sizes[0]
            for n in sizes[1:]:
                per = all_results[str(n)]["hardening audit"]["wall"] / n
                print(f"per-host audit cost N={n} / N={sizes[0]}: {per / base:.2f}x")
        if args.report_source:
            all_results["reports"] = reportgen.time_reports(args.report_source,
                                                            args.report_hosts, work)
    if args.json:
        args.json.write_text(json.dumps(all_results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
