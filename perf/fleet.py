"""One auditing machine against 1,000 hosts: per-host cost by fleet size, the forks curve.

    sudo python3 perf/fleet.py                                   # 100 nodes x 10 names; ~15 min
    sudo python3 perf/fleet.py --sizes 100,300,1000 --forks 10,50,100,200 --catalogue full
    sudo python3 perf/fleet.py --sizes 1000 --forks 50 --catalogue no-fs-walk --profile /tmp/prof

A lab of ``--nodes`` worker nodes (tests/labkit) is started once; each node's sshd also
listens on ``--names - 1`` more loopback addresses (``127.S.j.i``, second octet the lab's
subnet, so no other lab's 127.0.x.N is touched), and the inventory names every address as a
host of its own: 100 nodes x 10 names = 1,000 inventory hosts, each one SSH connection and
one probe, as 1,000 real machines would be from the controller's side. known_hosts holds the
node's key under every address (strict checking, as in production). Hosts are ordered name
index first, so the first 100 hosts are 100 distinct nodes.

For each size in ``--sizes`` it measures ``hardening audit`` (a fresh process, perf/measure.py:
wall, the controller's CPU seconds, its peak RSS) at the default forks, and at the largest
size once per ``--forks`` value (the curve). Medians over ``--reps``. The nodes share this
machine's CPUs with the controller, so per-host WALL mostly measures the nodes; per-host
CONTROLLER CPU is the controller's own cost. ``--profile DIR`` also records the controller at
the largest size with py-spy (``pip install 'hardening[perf]'``) and prints the hottest
functions. Figures are printed, never asserted; the lab is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
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
from perf.bench import BENCHMARKS, CATALOGUES, PY, free_subnet, measure, select  # noqa: E402
from perf.profile_summary import summarize  # noqa: E402
from tests.labkit import inventory, procfs  # noqa: E402
from tests.labkit.lab import Lab, NodeSpec  # noqa: E402


def alias(subnet: int, j: int, i: int) -> str:
    """Address of name ``j`` (0 = the node's own) of node ``i``."""
    return f"127.0.{subnet}.{i}" if j == 0 else f"127.{subnet}.{j}.{i}"


def start_lab(nodes: int, names: int, work: Path) -> tuple[Lab, int]:
    """A lab of ``nodes`` workers, each listening on ``names`` addresses."""
    subnet = free_subnet(nodes)
    taken = [
        alias(subnet, j, 1) for j in range(1, names) if procfs.port_open(alias(subnet, j, 1), 22)
    ]
    if taken:
        raise SystemExit(f"fleet: {taken} already have sshd on port 22; stop old labs")
    specs = [
        NodeSpec(
            f"w{i:03d}",
            alias(subnet, 0, i),
            "worker",
            tuple(alias(subnet, j, i) for j in range(1, names)),
        )
        for i in range(1, nodes + 1)
    ]
    lab = Lab(work / "lab", tie_to_parent=True)
    start = time.perf_counter()
    lab.start(specs)
    print(
        f"lab: {nodes} worker nodes x {names} addresses (127.0.{subnet}.1-{nodes}, "
        f"127.{subnet}.1-{names - 1}.1-{nodes}) started in {time.perf_counter() - start:.1f}s "
        "(not counted)",
        flush=True,
    )
    return lab, subnet


def write_fleet(lab: Lab, subnet: int, names: int, hosts: int, dest: Path) -> Path:
    """inventory.yml (+ known_hosts) naming the first ``hosts`` of nodes x names."""
    dest.mkdir(parents=True, exist_ok=True)
    nodes = list(lab.nodes.values())
    entries = []
    for j in range(names):
        for i, node in enumerate(nodes, start=1):
            entries.append(
                inventory.HostEntry(
                    f"{node.name}-{j}", alias(subnet, j, i), 22, node.roles, node.host_public_key
                )
            )
    entries = entries[:hosts]
    if len(entries) < hosts:
        raise SystemExit(f"fleet: {hosts} hosts asked, the lab names {len(entries)}")
    known = dest / "known_hosts"
    inventory.write_known_hosts(known, entries)
    path = dest / "inventory.yml"
    inventory.write_inventory(path, entries, lab.key_path, known)
    return path


def audit_argv(inv: Path, forks: int, only: list[str], out: Path) -> list[str]:
    """``hardening audit`` as the benchmark runs it."""
    return [
        PY,
        "-m",
        "hardening",
        "audit",
        "-i",
        str(inv),
        "--forks",
        str(forks),
        "--no-progress",
        "-q",
        "--json",
        str(out),
        *only,
    ]


def control_args(catalogue: str) -> list[str]:
    """``--control`` ids for a reduced workload (none for ``full``)."""
    every = load_many(BENCHMARKS, default_root()).controls
    controls = select(catalogue, tuple(every))
    if len(controls) == len(every):
        return []
    return [arg for c in controls for arg in ("--control", c.id)]


def run_audit(argv: list[str], reps: int, work: Path) -> dict[str, float]:
    """Median figures of ``reps`` runs of one audit command."""
    spec = {"forks": 1, "ok_codes": [0, 1], "jobs": [{"argv": argv, "timeout": 3600}]}
    runs = [measure(spec, work) for _ in range(reps)]
    out = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "rss_mb")}
    out["failed"] = max(r["failed"] for r in runs)
    return out


def hosts_failed(report: Path) -> int:
    """Hosts the audit could not reach, from its JSON document."""
    try:
        doc = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return -1
    return sum(1 for h in doc.get("hosts", []) if h.get("error"))


def row(label: str, hosts: int, f: dict[str, float]) -> None:
    """One printed row."""
    print(
        f"  {label:28s} {f['wall']:8.2f} {f['cpu']:8.2f} {1000 * f['cpu'] / hosts:10.1f} "
        f"{f['rss_mb']:9.1f} {1000 * f['wall'] / hosts:10.1f} {int(f['unreached']):6d}",
        flush=True,
    )


HEADER = "  {:28s} {:>8s} {:>8s} {:>10s} {:>9s} {:>10s} {:>6s}".format(
    "", "wall s", "CPU s", "CPU ms/h", "RSS MB", "wall ms/h", "unrch"
)


def measure_one(
    inv: Path, forks: int, only: list[str], reps: int, work: Path, tag: str
) -> dict[str, float]:
    """One audit's medians plus the hosts it did not reach."""
    report = work / f"audit-{tag}.json"
    f = run_audit(audit_argv(inv, forks, only, report), reps, work)
    f["unreached"] = hosts_failed(report)
    return f


def profile(inv: Path, forks: int, only: list[str], dest: Path) -> None:
    """py-spy over one audit at the largest size; print the hottest functions."""
    spy = shutil.which("py-spy") or str(Path(PY).with_name("py-spy"))
    if not Path(spy).exists():
        print("profile: py-spy not installed (pip install 'hardening[perf]'); skipped")
        return
    dest.mkdir(parents=True, exist_ok=True)
    raw = dest / "audit.collapsed"
    argv = [spy, "record", "--gil", "-r", "200", "-f", "raw", "-o", str(raw), "--"]
    argv += audit_argv(inv, forks, only, dest / "audit.json")
    start = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True, cwd=ROOT)
    took = time.perf_counter() - start
    print(f"\nprofile (py-spy --gil: samples holding the GIL, {took:.1f}s): {raw}")
    if raw.exists():
        summarize(raw.read_text(encoding="utf-8"), top=25)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, start the lab, measure, stop the lab."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nodes", type=int, default=100, help="lab nodes (100)")
    p.add_argument("--names", type=int, default=10, help="inventory names per node (10)")
    p.add_argument("--sizes", default="100,300,1000", help="fleet sizes (100,300,1000)")
    p.add_argument("--forks", default="10,50,100,200", help="forks curve at the largest size")
    p.add_argument("--default-forks", type=int, default=0, help="forks of the size rows (CLI's)")
    p.add_argument("--catalogue", default="no-fs-walk,full", help="workloads (no-fs-walk,full)")
    p.add_argument("--curve-catalogue", default="no-fs-walk", help="workload of the forks curve")
    p.add_argument("--reps", type=int, default=1, help="repetitions per figure (1)")
    p.add_argument("--profile", type=Path, help="record the controller with py-spy into DIR")
    p.add_argument("--json", type=Path, help="also write every figure to this file")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    forks = [int(x) for x in args.forks.split(",") if x]
    cats = [c for c in args.catalogue.split(",") if c]
    if set(cats) - set(CATALOGUES) or args.curve_catalogue not in CATALOGUES:
        p.error(f"--catalogue: choose from {', '.join(CATALOGUES)}")
    if max(sizes) > args.nodes * args.names:
        p.error(f"--sizes: {max(sizes)} > --nodes x --names ({args.nodes * args.names})")
    default_forks = args.default_forks or cli_default_forks()
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}, Python "
        f"{platform.python_version()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"at start; reps={args.reps}, default forks={default_forks}"
    )
    results: dict[str, Any] = {"sizes": {}, "curve": {}}
    with tempfile.TemporaryDirectory(prefix="hardening-fleet-") as tmp:
        work = Path(tmp)
        lab, subnet = start_lab(args.nodes, args.names, work)
        try:
            invs = {n: write_fleet(lab, subnet, args.names, n, work / f"fleet{n}") for n in sizes}
            for cat in cats:
                only = control_args(cat)
                print(f"\n{cat}: hardening audit by fleet size, forks={default_forks}\n{HEADER}")
                got = results["sizes"][cat] = {}
                for n in sizes:
                    got[n] = measure_one(invs[n], default_forks, only, args.reps, work, f"{cat}{n}")
                    row(f"{n} hosts", n, got[n])
                base = sizes[0]
                for n in sizes[1:]:
                    print(
                        f"  per host, {n} / {base} hosts: wall "
                        f"{(got[n]['wall'] / n) / (got[base]['wall'] / base):.2f}x, controller "
                        f"CPU {(got[n]['cpu'] / n) / (got[base]['cpu'] / base):.2f}x"
                    )
            big = max(sizes)
            only = control_args(args.curve_catalogue)
            if forks:
                print(f"\n{args.curve_catalogue}: forks curve at {big} hosts\n{HEADER}")
            for f in forks:
                tag = f"curve{f}"
                results["curve"][f] = measure_one(invs[big], f, only, args.reps, work, tag)
                row(f"--forks {f}", big, results["curve"][f])
            if args.profile:
                profile(invs[big], default_forks, only, args.profile)
        finally:
            lab.stop()
    left = leftovers(lab)
    print(f"\nlab stopped; leftover lab processes: {left or 'none'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def cli_default_forks() -> int:
    """The CLI's default ``--forks`` (what a user gets)."""
    from hardening.cli.common import DEFAULT_FORKS

    return DEFAULT_FORKS


def leftovers(lab: Lab) -> list[str]:
    """This lab's addresses where an sshd still answers (none after a clean stop)."""
    return [
        a for n in lab.nodes.values() for a in (n.address, *n.aliases) if procfs.port_open(a, 22)
    ]


if __name__ == "__main__":
    raise SystemExit(main())
