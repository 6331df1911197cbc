"""CLI: `python -m tests.labkit up|down|status [--dir D] [--nodes ...]`.

`up` starts nodes that outlive this command; `down` stops them by PID and removes the dir.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.labkit import procfs
from tests.labkit.errors import LabError
from tests.labkit.lab import DEFAULT_DIR, DEFAULT_NODES, KNOWN_NODES, Lab


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.labkit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start lab nodes")
    up.add_argument(
        "--nodes",
        nargs="+",
        default=[s.name for s in DEFAULT_NODES],
        choices=sorted(KNOWN_NODES),
        help="nodes to start (default: %(default)s)",
    )
    up.add_argument("--port", type=int, default=22, help="sshd port on each node address")
    for name in ("up", "down", "status"):
        target = up if name == "up" else sub.add_parser(name, help=f"{name} the lab")
        target.add_argument(
            "--dir", type=Path, default=DEFAULT_DIR, help="lab dir (default: %(default)s)"
        )
    return parser


def _up(args: argparse.Namespace) -> int:
    lab = Lab(args.dir, port=args.port).start(args.nodes)
    for node in lab.nodes.values():
        print(f"{node.name:8} {node.address}:{node.port} {node.profile.name:20} pid1={node.pid1}")
    print(f"key:       {lab.key_path}")
    print(f"inventory: {lab.inventory_path}")
    print(
        f"try:       ssh -i {lab.key_path} -o UserKnownHostsFile={lab.known_hosts} "
        f"-o StrictHostKeyChecking=yes auditor@{next(iter(lab.nodes.values())).address} hostname"
    )
    return 0


def _down(args: argparse.Namespace) -> int:
    lab = Lab.load(args.dir)
    lab.stop()
    print(f"stopped {len(lab.nodes)} node(s); removed {args.dir}")
    return 0


def _status(args: argparse.Namespace) -> int:
    lab = Lab.load(args.dir)
    if not lab.nodes:
        print(f"no lab in {args.dir}")
        return 1
    healthy = True
    for node in lab.nodes.values():
        running = node.is_running()
        reachable = procfs.port_open(node.address, node.port)
        healthy = healthy and running and reachable
        state = "up" if running and reachable else ("running, sshd closed" if running else "down")
        print(f"{node.name:8} {node.address}:{node.port} {node.profile.name:20} {state}")
    return 0 if healthy else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the lab CLI; returns the exit code (2 for a lab error)."""
    args = _parser().parse_args(argv)
    handlers = {"up": _up, "down": _down, "status": _status}
    try:
        return handlers[args.command](args)
    except LabError as exc:
        print(f"labkit: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
