"""Command-line options for the cluster target on ``audit`` and the step they add to a run."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from hardening.cluster.source import ObjectSource
from hardening.cluster.target import ResultFilter, attach, audit_cluster, cluster_controls
from hardening.errors import UsageError
from hardening.model.control import Control
from hardening.model.result import RunDocument

Step = Callable[[RunDocument, ResultFilter | None], RunDocument]


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    """``--kubeconfig FILE`` (+ ``--context NAME``) or ``--cluster-facts DIR``."""
    g = p.add_argument_group("cluster objects (CIS section 5; see docs/cluster.md)")
    g.add_argument(
        "--kubeconfig",
        type=Path,
        metavar="FILE",
        help="read the cluster's objects live through this kubeconfig (read-only "
        "list calls; the ClusterRole it needs is in docs/cluster.md)",
    )
    g.add_argument("--context", metavar="NAME", help="kubeconfig context (default: current)")
    g.add_argument(
        "--cluster-facts",
        type=Path,
        metavar="DIR",
        help="read the cluster's objects from 'kubectl get RESOURCE -A -o json' "
        "exports, one RESOURCE.json each (see docs/cluster.md)",
    )


def has_cluster_source(args: argparse.Namespace) -> bool:
    """Whether the command line names a cluster source (an audit of the cluster alone)."""
    return bool(getattr(args, "kubeconfig", None) or getattr(args, "cluster_facts", None))


def cluster_step(args: argparse.Namespace, controls: Sequence[Control]) -> Step | None:
    """What adds the cluster target to a run document, or None when no source was given."""
    kubeconfig = getattr(args, "kubeconfig", None)
    exports = getattr(args, "cluster_facts", None)
    context = getattr(args, "context", None)
    if kubeconfig is not None and exports is not None:
        raise UsageError(
            "--kubeconfig and --cluster-facts: choose one cluster source",
            "audit the live cluster or its exports, not both at once",
        )
    if context and kubeconfig is None:
        raise UsageError("--context needs --kubeconfig", "pass the kubeconfig file as well")
    if kubeconfig is None and exports is None:
        return None
    if not cluster_controls(controls):
        raise UsageError(
            "a cluster source was given but no selected control reads the cluster",
            "select a benchmark with cluster controls (cis-1.12, ack-1.0)",
        )

    where = Path(str(exports if exports is not None else kubeconfig))

    def open_source() -> ObjectSource:
        if exports is not None:
            from hardening.cluster.exports import ExportSource

            return ExportSource(where)
        from hardening.cluster.live import LiveSource

        return LiveSource(where, context)

    name = context or "cluster"

    def step(doc: RunDocument, post: ResultFilter | None) -> RunDocument:
        return attach(doc, audit_cluster(controls, open_source, name), post)

    return step
