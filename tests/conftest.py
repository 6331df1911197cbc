"""Suite-wide settings: the lab fixtures, and no silent skips under CI."""

from __future__ import annotations

import os
import sys

import pytest

pytest_plugins = ["tests.labkit.fixtures"]

# The tools installed beside this Python (ansible-playbook, lint-imports, ...) come first on
# PATH, so `.venv/bin/python -m pytest` finds the venv's own without activating it.
_BIN = os.path.dirname(sys.executable)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _BIN:
    os.environ["PATH"] = os.pathsep.join((_BIN, os.environ.get("PATH", os.defpath)))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI a skipped test is a failure: CI must run everything."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not os.environ.get("CI") or reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; skips are failures under CI", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
