"""Hours written the way a sheet holds them: `mon-fri 08:00-18:00; sat 10:00-14:00`.

Ranges are separated by `;`; each is its days (a day, a span of days such as `mon-fri` or
`fri-mon`, several of either joined by `,`, or `daily`) and then `HH:MM-HH:MM`. Pure; an error
names the part it could not read.
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

from server.contacts.schemas import WEEKDAYS, Hours, Weekday

_RANGE: Final = re.compile(
    r"^(?P<days>[a-z,\- ]+?)\s+(?P<start>\d{2}:\d{2})\s*-\s*(?P<end>\d{2}:\d{2})$"
)
_ALL_DAYS: Final = "daily"


class HoursTextError(ValueError):
    """The hours text holds a part that is not `days HH:MM-HH:MM`."""


def _day(name: str, part: str) -> int:
    try:
        return WEEKDAYS.index(name.strip())
    except ValueError:
        raise HoursTextError(f"'{name.strip()}' in '{part}' is not a day (mon … sun)") from None


def _days(spec: str, part: str) -> list[Weekday]:
    if spec.strip() == _ALL_DAYS:
        return list(WEEKDAYS)
    chosen: list[Weekday] = []
    for item in spec.split(","):
        first, _, last = item.partition("-")
        start = _day(first, part)
        stop = _day(last, part) if last else start
        for offset in range((stop - start) % len(WEEKDAYS) + 1):
            day = WEEKDAYS[(start + offset) % len(WEEKDAYS)]
            if day not in chosen:
                chosen.append(day)
    return chosen


def parse_hours(text: str) -> list[Hours]:
    hours: list[Hours] = []
    for raw in text.lower().split(";"):
        part = raw.strip()
        if not part:
            continue
        found = _RANGE.match(part)
        if found is None:
            raise HoursTextError(f"'{part}' is not 'days HH:MM-HH:MM' (e.g. mon-fri 08:00-18:00)")
        values = {"days": _days(found["days"], part), "start": found["start"], "end": found["end"]}
        try:
            hours.append(msgspec.convert(values, Hours))
        except msgspec.ValidationError as err:
            raise HoursTextError(f"'{part}': {err}") from err
    return hours
