"""Fixtures of the fleet tests: one session fleet lab (see labfleet.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fleet.labfleet import start_fleet
from tests.labkit.lab import Lab


@pytest.fixture(scope="session")
def fleet() -> Iterator[Lab]:
    """cp1, worker1-3 (compliant but worker2) and hang/junk/jump/gone on 127.0.<k>.N."""
    yield from start_fleet()
