"""The command line. The only module that prints errors and picks exit codes.

Exit codes: 0 all evaluated controls passed; 1 failures found (or a gate tripped:
``--fail-under``, ``--fail-on``); 2 usage or configuration error; 3 some host could not be
audited (takes precedence over 1, so missing hosts are never hidden by a failure count).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import tempfile
import traceback
from collections.abc import Sequence

from hardening import __version__
from hardening.cli.outputs import check_outputs, drop_stdout
from hardening.errors import HardeningError

DEBUG_HELP = "show tracebacks and library logging"

# subcommand -> module exposing add_parser(subparsers) and run(args) -> int
COMMANDS: dict[str, str] = {
    "audit": "hardening.cli.cmd_audit",
    "controls": "hardening.cli.cmd_controls",
    "diff": "hardening.cli.cmd_diff",
    "evaluate": "hardening.cli.cmd_evaluate",
    "merge": "hardening.cli.cmd_merge",
    "remediate": "hardening.cli.cmd_remediate",
    "report": "hardening.cli.cmd_report",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="hardening",
        description="Agentless CIS-benchmark and hardening auditor for Kubernetes fleets.",
    )
    parser.add_argument("--version", action="version", version=f"hardening {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        importlib.import_module(module).add_parser(sub, name)
    for command in sub.choices.values():  # --debug after the subcommand too
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP
        )
    return parser


def quiet_libraries(debug: bool) -> None:
    """Library logging stays quiet unless ``--debug``.

    paramiko's transport thread logs every failed handshake (a port that speaks no SSH, a
    reset) with its traceback, and Python's last-resort handler would print those to
    stderr; the host's one-line note already says what failed. A handler on the root
    logger keeps the last resort from ever firing; ``--debug`` shows everything.
    """
    root = logging.getLogger()
    if debug:
        logging.basicConfig(
            level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s"
        )
    elif not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hardening`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    quiet_libraries(args.debug)
    module = importlib.import_module(COMMANDS[args.command])
    try:
        check_outputs(args)  # an unwritable report path is found before anything runs
        code: int = module.run(args)
        return code
    except BrokenPipeError:
        drop_stdout()  # the reader went away (| head): not an error of ours
        return 0
    except HardeningError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"hardening: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("hardening: interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - an internal error: keep the traceback in a debug log
        if args.debug:
            traceback.print_exc()
        with tempfile.NamedTemporaryFile(
            "w", prefix="hardening-debug-", suffix=".log", delete=False
        ) as log:
            traceback.print_exc(file=log)
        print(f"hardening: internal error; traceback written to {log.name}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
