"""Opening hours as instants: which openings a schedule gives a day, whether a moment is inside
one, and which close deadlines fell in a period. Pure: no clock, no database.

A schedule is written in local wall-clock time (its `time_zone`); each day's ranges come from,
in order of precedence, an exception for that date, a holiday (closed all day), or its weekday.
Ranges that touch across midnight (`22:00-24:00` then `00:00-06:00`) are one opening, so a site
open overnight expects one close, in the morning.

The grace (`late_grace_s`) is the tolerance of every judgement: staff may disarm up to a grace
before opening and until a grace after closing, may arm from a grace before the close time, and
"late to close" is raised a grace after it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from typing import NamedTuple

from server.schedules.schemas import ExceptionDay, Schedule, ScheduleIn

_DAY = dt.timedelta(days=1)


class Opening(NamedTuple):
    open_at: dt.datetime
    close_at: dt.datetime


class BadSchedule(ValueError):
    """The schedule contradicts itself (a range that closes before it opens, overlaps)."""


def seconds_of(clock: str) -> int:
    parts = [int(part) for part in clock.split(":")]
    hours, minutes, seconds = (*parts, 0) if len(parts) == 2 else parts
    return hours * 3600 + minutes * 60 + seconds


def parse_range(text: str) -> tuple[int, int]:
    """'09:00-18:00' as (open, close) seconds after local midnight."""
    opens, closes = text.split("-")
    return seconds_of(opens), seconds_of(closes)


def _check_day(ranges: list[str], what: str) -> None:
    for text in ranges:
        opens, closes = parse_range(text)
        if closes <= opens:
            raise BadSchedule(f"{what}: {text} closes before it opens; split it at midnight.")
    parsed = sorted(parse_range(text) for text in ranges)
    for (_, closes), (opens, _) in itertools.pairwise(parsed):
        if opens < closes:
            raise BadSchedule(f"{what}: its ranges overlap.")


def check(body: ScheduleIn) -> None:
    """Raise BadSchedule naming the first contradiction in `body`."""
    weekly = body.weekly
    for name in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        _check_day(getattr(weekly, name), name)
    for exception in body.exceptions:
        _check_day(exception.hours, exception.date.isoformat())
    dates = [exception.date for exception in body.exceptions]
    if len(set(dates)) != len(dates):
        raise BadSchedule("an exception date is given twice; give each date once.")
    if body.time_zone is not None:
        zone_of(body.time_zone)


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise BadSchedule(f"{name!r} is not an IANA time zone (e.g. Asia/Samarkand).") from err


def _ranges_of(schedule: Schedule, day: dt.date) -> list[str]:
    exception: ExceptionDay | None = next((e for e in schedule.exceptions if e.date == day), None)
    if exception is not None:
        return exception.hours
    if day in schedule.holidays:
        return []
    return schedule.weekly.of(day.weekday())


def _openings_of_days(schedule: Schedule, first: dt.date, last: dt.date) -> list[Opening]:
    zone = zone_of(schedule.time_zone)
    found: list[Opening] = []
    day = first
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        for text in _ranges_of(schedule, day):
            opens, closes = parse_range(text)
            found.append(
                Opening(
                    midnight + dt.timedelta(seconds=opens), midnight + dt.timedelta(seconds=closes)
                )
            )
        day += _DAY
    return _merged(sorted(found))


def _merged(openings: list[Opening]) -> list[Opening]:
    merged: list[Opening] = []
    for opening in openings:
        if merged and opening.open_at <= merged[-1].close_at:
            merged[-1] = Opening(merged[-1].open_at, max(merged[-1].close_at, opening.close_at))
        else:
            merged.append(opening)
    return merged


def openings_around(schedule: Schedule, at: dt.datetime) -> list[Opening]:
    """The openings of the local day of `at` and of the days either side."""
    local = at.astimezone(zone_of(schedule.time_zone)).date()
    return _openings_of_days(schedule, local - _DAY, local + _DAY)


def is_open(schedule: Schedule, at: dt.datetime) -> bool:
    """Whether `at` is inside opening hours (no grace)."""
    return any(o.open_at <= at < o.close_at for o in openings_around(schedule, at))


def opening_expected(schedule: Schedule, at: dt.datetime) -> bool:
    """Whether a disarm at `at` fits the hours: from a grace before opening to a grace after
    closing."""
    grace = dt.timedelta(seconds=schedule.late_grace_s)
    return any(o.open_at - grace <= at < o.close_at + grace for o in openings_around(schedule, at))


def closes_early(schedule: Schedule, at: dt.datetime) -> Opening | None:
    """The opening an arm at `at` cuts short by more than the grace, if any."""
    grace = dt.timedelta(seconds=schedule.late_grace_s)
    return next(
        (o for o in openings_around(schedule, at) if o.open_at <= at < o.close_at - grace), None
    )


def deadlines(schedule: Schedule, since: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Close times (in UTC, as stored) whose deadline (close + grace) is in (since, until]."""
    grace = dt.timedelta(seconds=schedule.late_grace_s)
    zone = zone_of(schedule.time_zone)
    first = (since - grace).astimezone(zone).date() - _DAY
    last = until.astimezone(zone).date() + _DAY
    return [
        o.close_at.astimezone(dt.UTC)
        for o in _openings_of_days(schedule, first, last)
        if since < o.close_at + grace <= until
    ]
