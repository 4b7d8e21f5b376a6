"""Whether a contact may be called now, from its weekly hours: pure, the clock passed in.

Hours are wall-clock ranges in the deployment's time zone, so the caller hands in the local time
(`datetime` in that zone). Everything is counted in minutes of the week, Monday 00:00 being 0: a
range starting on day d at minute s covers `length` minutes from d*1440+s, wrapping past Sunday
night into Monday. A range whose end is not after its start runs past midnight (22:00-06:00 on
Friday covers Friday night into Saturday morning); equal ends mean a full day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from server.contacts.schemas import WEEKDAYS, Availability, Hours, Weekday

MINUTES_PER_DAY: Final = 24 * 60
MINUTES_PER_WEEK: Final = 7 * MINUTES_PER_DAY


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class _Range:
    """One day's range, placed in the week."""

    def __init__(self, day: Weekday, start: str, end: str) -> None:
        self.hours = Hours(days=[day], start=start, end=end)
        self.start_m = WEEKDAYS.index(day) * MINUTES_PER_DAY + _minutes(start)
        span = (_minutes(end) - _minutes(start)) % MINUTES_PER_DAY
        self.length_m = span or MINUTES_PER_DAY

    def covers(self, week_m: int) -> bool:
        return (week_m - self.start_m) % MINUTES_PER_WEEK < self.length_m

    def opens_in_m(self, week_m: int) -> int:
        return (self.start_m - week_m) % MINUTES_PER_WEEK


def _ranges(hours: Sequence[Hours]) -> list[_Range]:
    return [_Range(day, item.start, item.end) for item in hours for day in item.days]


def week_minute(local: dt.datetime) -> int:
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def availability(hours: Sequence[Hours], local: dt.datetime) -> Availability:
    """Whether `local` (a time in the deployment's zone) falls in `hours`, and which range."""
    ranges = _ranges(hours)
    if not ranges:
        return Availability(available_now=True, reason="any_time")
    now_m = week_minute(local)
    current = next((found for found in ranges if found.covers(now_m)), None)
    if current is not None:
        return Availability(available_now=True, reason="in_hours", hours=current.hours)
    upcoming = min(ranges, key=lambda found: found.opens_in_m(now_m))
    return Availability(available_now=False, reason="outside_hours", hours=upcoming.hours)
