"""Fleet-scale benchmark: the audit against its floors and against per-check tools.

    sudo python3 perf/bench.py                     # N = 10,50; 3 repetitions
    sudo python3 perf/bench.py --nodes 10,50,100 --reps 5 --catalogue full,no-fs-walk

For each N it starts a lab of N worker nodes (tests/labkit; start time printed, not counted),
then measures at the same concurrency (``--forks``), each workload in a fresh process
(perf/measure.py): the floors (``ssh node true``; the audit's own probe script through the
OpenSSH client, ``ssh node sh -s < probe.sh``), ``hardening audit`` of the full catalogue,
and for N <= ``--baseline-max`` the same fact requests as Ansible tasks and through testinfra's
paramiko backend. Medians over ``--reps``; only ratios measured side by side count. Then it
times report generation for ``--report-hosts`` hosts and prints every target next to the
figure it constrains. Figures are printed, never asserted.

``--catalogue`` names the workloads, all measured in the same run, interleaved per repetition:
``full`` is the whole default catalogue; ``no-fs-walk`` is the same catalogue without the
controls whose check needs the filesystem-walk Find request (setuid/setgid and world-writable
files: one ``find -xdev`` over each node's filesystems, paid identically by every tool), so
its ratios show the per-check overhead alone. Every row and ratio is printed for each.

``--rtt-ms 0,5,20`` adds network round-trip time (perf/latency.py): for each RTT > 0, every
tool reaches every node through a user-space delay proxy on ``[node address]:22000+i``, given
the proxy's port instead of sshd's (``ssh -p``, ``ansible_port`` in a proxied inventory for
Ansible and the audit, ``address:port`` for testinfra, oscap-ssh's port argument), with a
known_hosts holding each node's own key for ``[address]:port``, so host keys stay strictly
checked. RTT 0 is the direct path. Every RTT is measured in the same repetitions, interleaved.
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
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hardening.catalogue.load import default_root, load_many  # noqa: E402
from hardening.checks.registry import KINDS  # noqa: E402
from hardening.facts.find import Find  # noqa: E402
from hardening.inventory.ansible import load_inventory  # noqa: E402
from hardening.model.control import Control  # noqa: E402
from hardening.model.host import Host  # noqa: E402
from hardening.plan import Plan, plan_fleet  # noqa: E402
from hardening.probe import script  # noqa: E402
from perf import latency, oscap, reportgen, workloads  # noqa: E402
from perf.tables import print_side_by_side, print_table, print_targets, wall_of  # noqa: E402
from tests.labkit import procfs  # noqa: E402
from tests.labkit.lab import Lab, NodeSpec  # noqa: E402


@dataclass(frozen=True)
class Reach:
    """How the tools reach the lab at one RTT: the nodes' port and the matching client files."""

    rtt_ms: float
    port: int
    inventory: Path
    ssh_config: Path
    known_hosts: Path

    def label(self, catalogue: str) -> str:
        """The variant's name in tables and JSON: the catalogue, plus the RTT when not direct."""
        return catalogue if not self.rtt_ms else f"{catalogue} rtt={self.rtt_ms:g}ms"


BENCHMARKS = ["cis-1.12", "node-os"]
PY = sys.executable
CATALOGUES = ("full", "no-fs-walk")


def walks_fs(control: Control) -> bool:
    """Whether the control's check needs the filesystem-walk Find request."""
    check = control.check
    return check is not None and any(
        isinstance(r, Find) for r in KINDS[check.kind].needs(check.params)
    )


def select(catalogue: str, controls: tuple[Control, ...]) -> tuple[Control, ...]:
    """The controls of workload ``catalogue`` (see the module docstring)."""
    if catalogue == "full":
        return controls
    return tuple(c for c in controls if not walks_fs(c))


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
    out = subprocess.run(
        [PY, str(ROOT / "perf" / "measure.py"), str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    figures: dict[str, float] = json.loads(out.stdout)
    return figures


def ssh(net: Reach, address: str, *command: str) -> list[str]:
    """The OpenSSH client argv the floors use (the lab's key, strict known_hosts, user)."""
    return ["ssh", "-F", str(net.ssh_config), "-p", str(net.port), f"auditor@{address}", *command]


def remote_sh(host: Host) -> list[str]:
    """The remote command the audit itself runs (``SshTransport.command``): ``/bin/sh -s``,
    under ``sudo -n -u USER --`` when the inventory says become. A floor run without it walks
    the node as the login user, which is not the audit's work."""
    if host.become:
        return ["sudo", "-n", "-u", host.become_user, "--", "/bin/sh", "-s"]
    return ["/bin/sh", "-s"]


def specs_for(
    lab: Lab,
    net: Reach,
    forks: int,
    work: Path,
    baselines: bool,
    audit_json: Path,
    catalogue: str,
    by_control: tuple[str, ...] = (),
) -> dict[str, dict[str, Any]]:
    """Every workload to measure on this lab for one catalogue and RTT, as measure.py specs."""
    every = load_many(BENCHMARKS, default_root()).controls
    controls = select(catalogue, tuple(every))
    hosts = load_inventory(str(lab.inventory_path))
    plans = plan_fleet(hosts, controls)
    scripts = workloads.write_probe_scripts(plans, work / "probes")
    addresses = [h.address for h in hosts]
    only: list[str] = []
    if len(controls) != len(every):  # the audit evaluates exactly this catalogue
        only = [arg for c in controls for arg in ("--control", c.id)]
    if net.rtt_ms:
        addresses = [f"{a}:{net.port}" for a in addresses]
    print(
        f"  {net.label(catalogue)}: {len(controls)} controls, {len(plans[0].controls)} on a "
        f"worker, {len(plans[0].requests)} requests per worker",
        flush=True,
    )
    specs: dict[str, dict[str, Any]] = {
        "floor ssh true": {
            "forks": forks,
            "jobs": [{"argv": ssh(net, h.address, "true")} for h in hosts],
        },
        "floor raw probe": {
            "forks": forks,
            "jobs": [
                {"argv": ssh(net, h.address, *remote_sh(h)), "stdin": str(scripts[h.name])}
                for h in hosts
            ],
        },
        "hardening audit": {
            "forks": 1,
            "ok_codes": [0, 1],
            "jobs": [
                {
                    "argv": [
                        PY,
                        "-m",
                        "hardening",
                        "audit",
                        "-i",
                        str(net.inventory),
                        "--forks",
                        str(forks),
                        "--no-progress",
                        "-q",
                        "--json",
                        str(audit_json),
                        *only,
                    ]
                }
            ],
        },
    }
    finds = tuple(r for r in plans[0].requests if isinstance(r, Find))
    if finds:  # the walk alone: what any tool answering these controls pays on the node
        walk = work / "walk.sh"
        walk.write_bytes(script.build(finds).data)
        specs["floor walk"] = {
            "forks": forks,
            "jobs": [
                {"argv": ssh(net, h.address, *remote_sh(h)), "stdin": str(walk)} for h in hosts
            ],
        }
    if baselines:
        specs.update(baseline_specs(plans[0], net, forks, work, addresses, catalogue, by_control))
    return specs


def baseline_specs(
    plan: Plan,
    net: Reach,
    forks: int,
    work: Path,
    addresses: list[str],
    catalogue: str,
    by_control: tuple[str, ...],
) -> dict[str, dict[str, Any]]:
    """Ansible and testinfra asking the audit's requests; and, for the tools in
    ``by_control``, asking each control's requests in turn (``... (by control)`` rows)."""
    specs: dict[str, dict[str, Any]] = {}
    hosts_file = work / "hosts.json"
    hosts_file.write_text(json.dumps(addresses), encoding="utf-8")
    for shared in (True, False):
        suffix = "" if shared else " (by control)"
        if not shared and not by_control:
            break
        tag = "" if shared else "-by-control"
        playbook, ntasks = workloads.write_ansible_playbook(
            plan, work / f"tasks{tag}.yml", by_control=not shared
        )
        doc = workloads.requests_doc(plan, by_control=not shared)
        print(
            f"  {net.label(catalogue)}: ansible{suffix}: {ntasks} tasks per host; "
            f"testinfra{suffix}: {len(doc)} requests per host",
            flush=True,
        )
        if shared or "ansible" in by_control:
            specs[f"ansible tasks{suffix}"] = {
                "forks": 1,
                "jobs": [
                    {
                        "argv": [
                            "ansible-playbook",
                            "-i",
                            str(net.inventory),
                            "-f",
                            str(forks),
                            str(playbook),
                        ]
                    }
                ],
            }
        if shared or "testinfra" in by_control:
            reqs = work / f"requests{tag}.json"
            reqs.write_text(json.dumps(doc), encoding="utf-8")
            specs[f"testinfra paramiko{suffix}"] = {
                "forks": 1,
                "jobs": [
                    {
                        "argv": [
                            PY,
                            str(ROOT / "perf" / "testinfra_run.py"),
                            str(hosts_file),
                            str(reqs),
                            str(forks),
                            str(net.ssh_config),
                            str(net.known_hosts),
                        ]
                    }
                ],
            }
    return specs


Results = dict[str, dict[str, dict[str, float]]]  # catalogue -> workload -> figure -> value


def reaches(lab: Lab, rtts: list[float], work: Path, stack: ExitStack) -> list[Reach]:
    """One Reach per RTT: direct for 0, else through delay proxies started on ``stack``."""
    out, routes = [], []
    for i, ms in enumerate(rtts):
        if not ms:
            out.append(Reach(0, lab.port, lab.inventory_path, lab.ssh_config, lab.known_hosts))
            continue
        port = latency.PORT_BASE + i
        routes += [
            latency.Route((n.address, port), (n.address, n.port), ms / 1000)
            for n in lab.nodes.values()
        ]
        config, known_hosts = latency.write_proxy_files(lab, port, work / f"rtt{i}")
        out.append(Reach(ms, port, work / f"rtt{i}" / "inventory.yml", config, known_hosts))
    if routes:
        stack.enter_context(latency.Proxies(routes))
        proxied = [r for r in out if r.rtt_ms]
        print(
            f"  delay proxies: {len(routes)} listeners (RTT "
            f"{', '.join(f'{r.rtt_ms:g}' for r in proxied)} ms on ports "
            f"{', '.join(str(r.port) for r in proxied)} of each node's address)",
            flush=True,
        )
    return out


def run_n(n: int, reps: int, args: argparse.Namespace, work: Path) -> Results:
    """Start a lab of N workers, measure every workload of every catalogue ``reps`` times."""
    subnet = free_subnet(n)
    specs = [NodeSpec(f"w{i:03d}", f"127.0.{subnet}.{i}", "worker") for i in range(1, n + 1)]
    lab = Lab(work / f"lab{n}", tie_to_parent=True)
    start = time.perf_counter()
    lab.start(specs)
    print(
        f"\nN={n}: lab of {n} worker nodes on 127.0.{subnet}.1-{n} started in "
        f"{time.perf_counter() - start:.1f}s (not counted); reps={reps}",
        flush=True,
    )
    try:
        with ExitStack() as stack:
            return _measure_lab(lab, n, reps, args, work, stack)
    finally:
        lab.stop()


def _measure_lab(
    lab: Lab, n: int, reps: int, args: argparse.Namespace, work: Path, stack: ExitStack
) -> Results:
    os.environ.setdefault("ANSIBLE_HOST_KEY_CHECKING", "True")
    os.environ.setdefault("ANSIBLE_PIPELINING", "True")  # the faster Ansible setting
    nets = reaches(lab, args.rtts, work / f"net{n}", stack)
    baselines = n <= args.baseline_max
    todo = {
        net.label(cat): specs_for(
            lab,
            net,
            args.forks,
            work / f"w{n}-{net.label(cat)}",
            baselines,
            work / f"audit{n}-{net.label(cat)}.json",
            cat,
            args.by_control,
        )
        for net in nets
        for cat in args.catalogues
    }
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        var: {name: [] for name in todo[var]} for var in todo
    }
    for rep in range(reps):
        for var, workloads_ in todo.items():  # interleaved: all side by side in each rep
            for name, spec in workloads_.items():
                runs[var][name].append(measure(spec, work))
        print(f"  rep {rep + 1}/{reps} done", flush=True)
    if args.oscap and baselines and "full" in args.catalogues:  # its own rule set: in `full`
        for net in nets:
            got = oscap.measure_oscap(lab, net, args.forks, reps, work / f"oscap{n}-{net.port}")
            runs.setdefault(net.label("full"), {}).update(got)
    audit_json = work / f"audit{n}-{nets[0].label(args.catalogues[0])}.json"
    if audit_json.exists() and args.report_source is None:
        args.report_source = audit_json.read_bytes()
    return {
        var: {name: median_of(samples) for name, samples in by_name.items()}
        for var, by_name in runs.items()
    }


def median_of(samples: list[dict[str, float]]) -> dict[str, float]:
    """Per-figure medians; ``failed`` is the worst repetition's."""
    if not samples:
        return {}
    keys = [k for k in samples[0] if k != "failed"]
    out = {k: statistics.median(s[k] for s in samples) for k in keys}
    out["failed"] = max(s.get("failed", 0) for s in samples)
    return out


def main(argv: list[str] | None = None) -> int:
    """Parse options, run every N, print the tables and targets, time the reports."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nodes", default="10,50", help="lab sizes, comma separated (10,50)")
    p.add_argument(
        "--reps",
        default="3",
        help="repetitions per workload: one number, or one per --nodes size (3)",
    )
    p.add_argument(
        "--catalogue",
        default="full",
        help=f"workloads, comma separated, from {', '.join(CATALOGUES)} (full)",
    )
    p.add_argument("--forks", type=int, default=10, help="concurrency of every workload (10)")
    p.add_argument(
        "--baseline-max",
        type=int,
        default=10,
        help="run the Ansible/testinfra/oscap baselines for N up to this (10)",
    )
    p.add_argument("--no-oscap", dest="oscap", action="store_false", help="skip OpenSCAP")
    p.add_argument("--report-hosts", type=int, default=100, help="hosts in the report test")
    p.add_argument(
        "--rtt-ms",
        default="0",
        help="network round-trip times to emulate, comma separated ms (0 = direct)",
    )
    p.add_argument(
        "--by-control",
        default="",
        help="also run these baselines asking each control's requests in turn, "
        "as a suite of one task/test per control does: ansible,testinfra",
    )
    p.add_argument("--json", type=Path, help="also write every figure to this file")
    args = p.parse_args(argv)
    args.by_control = tuple(t for t in args.by_control.split(",") if t)
    if set(args.by_control) - {"ansible", "testinfra"}:
        p.error(f"--by-control: {args.by_control}: choose from ansible, testinfra")
    args.report_source = None
    sizes = [int(x) for x in args.nodes.split(",")]
    reps = [int(x) for x in args.reps.split(",")]
    if len(reps) == 1:
        reps *= len(sizes)
    if len(reps) != len(sizes):
        p.error(f"--reps: {len(reps)} values for {len(sizes)} --nodes sizes")
    try:
        args.rtts = latency.parse_rtts(args.rtt_ms)
    except ValueError as exc:
        p.error(str(exc))
    if len(set(args.rtts)) != len(args.rtts):
        p.error(f"--rtt-ms: {args.rtt_ms!r}: a value is repeated")
    args.catalogues = [c for c in args.catalogue.split(",") if c]
    unknown = sorted(set(args.catalogues) - set(CATALOGUES))
    if unknown or not args.catalogues:
        p.error(f"--catalogue: unknown {unknown}; choose from {', '.join(CATALOGUES)}")
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}; forks={args.forks}, "
        f"reps={args.reps}, catalogues={','.join(args.catalogues)}, "
        f"by_control={','.join(args.by_control) or '-'}, "
        f"rtt_ms={','.join(f'{r:g}' for r in args.rtts)}"
    )
    variants = [
        cat if not ms else f"{cat} rtt={ms:g}ms" for ms in args.rtts for cat in args.catalogues
    ]
    pad = max(len(v) for v in variants) - len("no-fs-walk") if any(args.rtts) else 0
    all_results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hardening-bench-") as tmp:
        work = Path(tmp)
        for n, r in zip(sizes, reps, strict=True):
            res = run_n(n, r, args, work)
            for var in variants:
                print_table(n, var, res.get(var, {}), max(0, pad))
            if any(args.rtts):
                print_side_by_side(n, res, args.catalogues, args.rtts)
            all_results[str(n)] = res
        for cat in variants:
            base = wall_of(all_results, sizes[0], cat, "hardening audit")
            for n in sizes[1:]:
                per = wall_of(all_results, n, cat, "hardening audit")
                if base and per:
                    print(
                        f"per-host audit cost {cat} N={n} / N={sizes[0]}: "
                        f"{(per / n) / (base / sizes[0]):.2f}x"
                    )
        if args.report_source:
            all_results["reports"] = reportgen.time_reports(
                args.report_source, args.report_hosts, work
            )
        print_targets(all_results, sizes, variants)
    if args.json:
        args.json.write_text(json.dumps(all_results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
