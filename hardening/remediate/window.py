"""The maintenance window: ``02:00-04:00`` in a time zone, possibly across midnight.

Pure: the caller passes ``now``; nothing here reads the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hardening.errors import UsageError

_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Window:
    """Daily window ``[start, end)`` in ``tz``; ``end <= start`` means it spans midnight."""

    start: time
    end: time
    tz: str

    @property
    def text(self) -> str:
        """The window as the user wrote it, with its zone."""
        return f"{self.start:%H:%M}-{self.end:%H:%M} {self.tz}"

    def is_open(self, now: datetime) -> bool:
        """Whether ``now`` (timezone-aware) falls inside the window."""
        return self.closes_at(now) is not None

    def closes_at(self, now: datetime) -> datetime | None:
        """When the window that contains ``now`` closes, or None when it is closed."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        local = now.astimezone(ZoneInfo(self.tz))
        for day in (local.date() - timedelta(days=1), local.date()):
            opens = datetime.combine(day, self.start, ZoneInfo(self.tz))
            closes = datetime.combine(day, self.end, ZoneInfo(self.tz))
            if closes <= opens:
                closes += timedelta(days=1)
            if opens <= local < closes:
                return closes
        return None


def parse_window(text: str, tz: str = "UTC") -> Window:
    """``"02:00-04:00"`` (optionally followed by a zone name) -> Window; else UsageError."""
    span, _, zone = text.strip().partition(" ")
    zone = zone.strip() or tz
    m = _SPAN.match(span)
    if not m:
        raise UsageError(
            f"--window '{text}': expected HH:MM-HH:MM",
            "write it like 02:00-04:00, optionally followed by a time zone",
        )
    start, end = time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))
    if start == end:
        raise UsageError(
            f"--window '{text}': starts and ends at the same time",
            "give a window of at least one minute",
        )
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--window-tz '{zone}': unknown time zone",
            "use an IANA name such as Europe/Berlin or UTC",
        ) from None
    return Window(start, end, zone)
