"""`hardening remediate` as the lab tests run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardening.cli.main import main


def remediate(capsys: pytest.CaptureFixture[str], inv: Path, *args: str) -> tuple[int, str]:
    """Exit code and output of ``hardening remediate -i INV ARGS``; unless ARGS name one, the
    ansible workdir is INV's directory/work (the default would leave it in /tmp)."""
    work = [] if "--workdir" in args else ["--workdir", str(inv.parent / "work")]
    code = main(["remediate", "-i", str(inv), *work, *args])
    out = capsys.readouterr()
    return code, out.out + out.err
