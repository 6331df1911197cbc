"""Cluster benchmark: read and evaluate a generated cluster of 10,000 pods in 1,000 namespaces.

    python3 perf/cluster_bench.py                       # 1,000 namespaces x 10 pods, 1 rep
    python3 perf/cluster_bench.py --namespaces 100 --pods 10 --reps 3

A child process serves the generated objects over HTTPS on loopback (tests/cluster/
apiserver.py: real limit/continue pagination, 500 objects a page as the audit asks). Each
workload then runs in a fresh process (perf/measure.py), so its wall time and peak RSS are
its own: ``hardening audit --kubeconfig`` of the section-5 controls (the live path through
the kubernetes client), the same audit from ``--cluster-facts`` exports of the same
objects, and, when kubectl is installed, ``kubectl get pods -A -o json`` through the same
server as the floor. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PSA = "pod-security.kubernetes.io/enforce"


def _pod_spec(ns: int, i: int) -> dict[str, Any]:
    sc: dict[str, Any] = {
        "allowPrivilegeEscalation": False,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    if i == 0 and ns % 10 == 0:
        sc = {"privileged": True}  # one namespace in ten runs one bad pod
    return {
        "serviceAccountName": "default",
        "restartPolicy": "Always",
        "containers": [
            {
                "name": "app",
                "image": f"registry.example.com/team{ns}/app:1.{i}",
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "env": [{"name": "MODE", "value": "production"}],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                "securityContext": sc,
            }
        ],
    }


def _meta(name: str, ns: str | None, n: int) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "uid": f"00000000-0000-4000-8000-{n:012d}",
        "resourceVersion": str(1000 + n),
        "creationTimestamp": "2026-11-30T09:00:00Z",
        "labels": {"app": "app", "team": name.split("-")[0]},
        "managedFields": [
            {
                "manager": "kube-controller-manager",
                "operation": "Update",
                "apiVersion": "v1",
                "time": "2026-11-30T09:00:00Z",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {}}},
            }
        ],
    }
    if ns is not None:
        meta["namespace"] = ns
    return meta


def generate(namespaces: int, pods: int) -> dict[str, list[dict[str, Any]]]:
    """A cluster: namespaces (half labelled restricted), pods, one Deployment and the default
    service account per namespace, a NetworkPolicy in half of them, RBAC built-ins."""
    out: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "namespaces",
            "pods",
            "deployments",
            "serviceaccounts",
            "networkpolicies",
            "services",
            "daemonsets",
            "statefulsets",
            "jobs",
            "cronjobs",
            "roles",
            "rolebindings",
            "clusterroles",
            "clusterrolebindings",
            "validatingwebhookconfigurations",
            "mutatingwebhookconfigurations",
        )
    }
    n = 0
    for k in range(namespaces):
        ns = f"team{k}"
        meta = _meta(ns, None, n := n + 1)
        if k % 2 == 0:
            meta["labels"][PSA] = "restricted"
        out["namespaces"].append({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
        out["serviceaccounts"].append(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": _meta("default", ns, n := n + 1),
            }
        )
        for i in range(pods):
            out["pods"].append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": _meta(f"{ns}-app-{i}", ns, n := n + 1),
                    "spec": {**_pod_spec(k, i), "nodeName": f"node{i % 50}"},
                    "status": {
                        "phase": "Running",
                        "podIP": f"10.{k % 250}.0.{i}",
                        "conditions": [{"type": "Ready", "status": "True"}],
                    },
                }
            )
        out["deployments"].append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": _meta(f"{ns}-app", ns, n := n + 1),
                "spec": {
                    "replicas": pods,
                    "selector": {"matchLabels": {"app": "app"}},
                    "template": {"metadata": {"labels": {"app": "app"}}, "spec": _pod_spec(k, 1)},
                },
            }
        )
        if k % 2 == 0:
            out["networkpolicies"].append(
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": _meta("default-deny", ns, n := n + 1),
                    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
                }
            )
    out["clusterroles"].append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {
                "name": "cluster-admin",
                "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
            },
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
        }
    )
    return out


def serve(root: Path, namespaces: int, pods: int, seconds: float) -> None:
    """The child: write the exports, serve the same objects, write the kubeconfig's path."""
    sys.path.insert(0, str(REPO))
    from tests.cluster.apiserver import serve_api

    objects = generate(namespaces, pods)
    exports = root / "exports"
    exports.mkdir()
    for plural, items in objects.items():
        (exports / f"{plural}.json").write_text(
            json.dumps({"apiVersion": "v1", "kind": "List", "items": items}), encoding="utf-8"
        )
    with serve_api(objects) as api:
        (root / "kubeconfig").write_bytes(api.kubeconfig.read_bytes())
        (root / "ready").write_text(api.url, encoding="utf-8")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (root / "stop").exists():
            time.sleep(0.2)


def measure(argv: list[str], root: Path, name: str) -> dict[str, float]:
    """One workload in a fresh perf/measure.py process (an audit exits 1 on failures)."""
    spec = root / f"{name}.json"
    ok = [0, 1] if "hardening" in argv else [0]
    spec.write_text(
        json.dumps({"forks": 1, "ok_codes": ok, "jobs": [{"argv": argv, "stdin": None}]}),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "KUBECONFIG": str(root / "kubeconfig")}
    done = subprocess.run(
        [sys.executable, str(REPO / "perf" / "measure.py"), str(spec)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=900,
    )
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main() -> int:
    """Start the server, measure each workload ``--reps`` times, print medians."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--namespaces", type=int, default=1000)
    ap.add_argument("--pods", type=int, default=10, help="pods per namespace")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve is not None:
        serve(args.serve, args.namespaces, args.pods, 900.0)
        return 0
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
        root = Path(tmp)
        child = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                tmp,
                "--namespaces",
                str(args.namespaces),
                "--pods",
                str(args.pods),
            ]
        )
        try:
            return _run(root, args)
        finally:
            (root / "stop").write_text("", encoding="utf-8")
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGTERM)
                child.wait(timeout=30)


def _run(root: Path, args: argparse.Namespace) -> int:
    started = time.monotonic()
    while not (root / "ready").exists():
        if time.monotonic() - started > 600:
            print("cluster_bench: the server did not start", file=sys.stderr)
            return 2
        time.sleep(0.2)
    print(
        f"cluster: {args.namespaces} namespaces x {args.pods} pods = "
        f"{args.namespaces * args.pods} pods, served at {(root / 'ready').read_text()} "
        f"(generated in {time.monotonic() - started:.1f} s, not counted)"
    )
    audit = [
        sys.executable,
        "-m",
        "hardening",
        "audit",
        "-b",
        "cis-1.12",
        "--control",
        "5.*",
        "--no-progress",
        "-q",
        "--json",
        str(root / "run.json"),
    ]
    workloads = {
        "audit --kubeconfig (live, paginated)": [*audit, "--kubeconfig", str(root / "kubeconfig")],
        "audit --cluster-facts (exports)": [*audit, "--cluster-facts", str(root / "exports")],
    }
    kubectl = shutil_which("kubectl")
    if kubectl:
        workloads["floor: kubectl get pods -A -o json"] = [
            kubectl,
            "--kubeconfig",
            str(root / "kubeconfig"),
            "get",
            "pods",
            "-A",
            "-o",
            "json",
        ]
    else:
        print("kubectl is not installed: the floor is not measured")
    print(f"{'workload':44} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12}")
    for name, argv in workloads.items():
        runs = [measure(argv, root, f"w{i}") for i in range(args.reps)]
        bad = sum(int(r["failed"]) for r in runs)
        print(
            f"{name:44} {statistics.median(r['wall'] for r in runs):8.2f} "
            f"{statistics.median(r['cpu'] for r in runs):8.2f} "
            f"{statistics.median(r['rss_mb'] for r in runs):12.1f}"
            + (f"  ({bad} run(s) failed)" if bad else "")
        )
    doc = json.loads((root / "run.json").read_text(encoding="utf-8"))
    fails = [r["id"] for r in doc["cluster"]["results"] if r["status"] == "FAIL"]
    print(
        f"last run: {doc['cluster']['meta'].get('objects')} objects read, "
        f"{len(fails)} controls FAIL, cluster error: {doc['cluster']['error']}"
    )
    return 0


def shutil_which(name: str) -> str | None:
    """``shutil.which`` (imported here so the server child stays light)."""
    import shutil

    return shutil.which(name)


if __name__ == "__main__":
    raise SystemExit(main())
