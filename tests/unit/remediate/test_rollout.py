from datetime import UTC, datetime, timedelta

import pytest

from hardening.errors import UsageError
from hardening.remediate.rollout import batch_size, batches, rollout
from hardening.remediate.runner import BatchResult
from hardening.remediate.window import parse_window

HOSTS = ["a", "b", "c", "d", "e"]


def fake(failing: set[str], seen: list[tuple[str, ...]]):  # type: ignore[no-untyped-def]
    def run(batch: tuple[str, ...]) -> BatchResult:
        seen.append(batch)
        result = BatchResult(batch)
        result.ok = {h for h in batch if h not in failing}
        result.failed = {h: "boom" for h in batch if h in failing}
        return result

    return run


def test_batch_sizes_follow_ansible() -> None:
    assert batch_size("2", 5) == 2
    assert batch_size("40%", 5) == 2
    assert batch_size("10%", 5) == 1
    assert batches(HOSTS, "2") == [("a", "b"), ("c", "d"), ("e",)]
    for bad in ("0", "-1", "x", "0%", "101%"):
        with pytest.raises(UsageError):
            batch_size(bad, 5)


def test_a_batch_over_the_limit_stops_the_rollout() -> None:
    seen: list[tuple[str, ...]] = []
    out = rollout(HOSTS, "2", 0, fake({"c"}, seen))
    assert seen == [("a", "b"), ("c", "d")]
    assert out.done == ["a", "b", "d"]
    assert out.failed == {"c": "boom"}
    assert out.not_started == ["e"]
    assert "batch 2 failed on 1 of 2" in out.stopped


def test_failures_within_the_limit_go_on() -> None:
    seen: list[tuple[str, ...]] = []
    out = rollout(HOSTS, "2", 50, fake({"c"}, seen))
    assert len(seen) == 3 and out.not_started == [] and out.stopped == ""


def test_no_new_batch_after_the_window_closes() -> None:
    window = parse_window("02:00-04:00 UTC")
    times = iter(
        [datetime(2026, 1, 1, 3, 58, tzinfo=UTC) + timedelta(minutes=i) for i in range(0, 10, 3)]
    )
    seen: list[tuple[str, ...]] = []
    out = rollout(HOSTS, "2", 0, fake(set(), seen), window, lambda: next(times))
    assert seen == [("a", "b")]
    assert out.not_started == ["c", "d", "e"]
    assert out.stopped == "maintenance window 02:00-04:00 UTC closed after batch 1"


def test_a_closed_window_starts_nothing() -> None:
    seen: list[tuple[str, ...]] = []
    out = rollout(
        HOSTS,
        "1",
        0,
        fake(set(), seen),
        parse_window("02:00-04:00 UTC"),
        lambda: datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
    )
    assert seen == [] and out.not_started == HOSTS and "is closed" in out.stopped
