from datetime import UTC, datetime

import pytest

from hardening.errors import UsageError
from hardening.remediate.window import parse_window


def test_inside_and_outside_a_daytime_window() -> None:
    w = parse_window("02:00-04:00", "Europe/Berlin")
    assert w.is_open(datetime(2026, 1, 10, 1, 30, tzinfo=UTC))  # 02:30 in Berlin (CET)
    assert not w.is_open(datetime(2026, 1, 10, 3, 0, tzinfo=UTC))  # 04:00 Berlin: closed
    assert w.closes_at(datetime(2026, 1, 10, 1, 0, tzinfo=UTC)) == datetime(
        2026, 1, 10, 3, 0, tzinfo=UTC
    )


def test_a_window_across_midnight() -> None:
    w = parse_window("22:00-02:00 UTC")
    assert w.is_open(datetime(2026, 1, 10, 23, 0, tzinfo=UTC))
    assert w.is_open(datetime(2026, 1, 11, 1, 59, tzinfo=UTC))
    assert not w.is_open(datetime(2026, 1, 11, 2, 0, tzinfo=UTC))
    assert w.text == "22:00-02:00 UTC"


@pytest.mark.parametrize("text", ["2:00-4:00", "02:00-02:00", "25:00-04:00", "02:00 04:00"])
def test_bad_windows_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="--window"):
        parse_window(text)


def test_unknown_zone_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown time zone"):
        parse_window("02:00-04:00", "Mars/Olympus")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_window("02:00-04:00").is_open(datetime(2026, 1, 1, 3, 0))
