"""Schedules relative to now, for tests that run at any hour: each is written in a fixed-offset
zone whose local time is now near noon, so ranges a few hours either side never cross midnight.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def noon_zone(now: dt.datetime | None = None) -> zoneinfo.ZoneInfo:
    """An Etc/GMT zone in which `now` is between 11:00 and 13:00 (its offset: 12 - UTC hour)."""
    moment = now or dt.datetime.now(dt.UTC)
    offset_h = 12 - moment.astimezone(dt.UTC).hour  # -11 … +12
    # POSIX-style names: Etc/GMT-5 is UTC+5.
    name = "Etc/GMT" if offset_h == 0 else f"Etc/GMT{'-' if offset_h > 0 else '+'}{abs(offset_h)}"
    return zoneinfo.ZoneInfo(name)


def clock(at: dt.datetime) -> str:
    return at.strftime("%H:%M:%S")


def schedule_around(
    opens: dt.datetime, closes: dt.datetime, zone: zoneinfo.ZoneInfo, grace_s: float
) -> dict[str, Any]:
    """A schedule body open every day from `opens` to `closes` (local to `zone`)."""
    ranges = [f"{clock(opens.astimezone(zone))}-{clock(closes.astimezone(zone))}"]
    return {
        "weekly": dict.fromkeys(WEEKDAYS, ranges),
        "time_zone": zone.key,
        "late_grace_s": grace_s,
    }
