"""Suite-wide settings: the lab fixtures, and no silent skips under CI."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.labkit.fixtures"]


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
