"""The contract suite's lab: the fleet lab (one worker is enough, but the session shares it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fleet.labfleet import start_fleet
from tests.labkit.lab import Lab


@pytest.fixture(scope="session")
def fleet() -> Iterator[Lab]:
    """The fleet lab of tests/fleet (cp1, worker1-3, hang, junk, jump) on 127.0.<k>.N."""
    yield from start_fleet()
