"""Request and response bodies of site schedules and on-test windows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final

import msgspec

from server.text import Text200

MAX_RANGES_PER_DAY: Final = 8
MAX_DATES: Final = 400
"""Holidays or exceptions one schedule holds: a year of them, and some."""
MAX_GRACE_S: Final = 86_400.0
MAX_TEST_MINUTES: Final = 7 * 24 * 60
"""The longest test window: a week of commissioning; longer is a site out of service."""
_CLOCK: Final = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
_END: Final = rf"(?:{_CLOCK}|24:00(?::00)?)"

HoursRange = Annotated[
    str,
    msgspec.Meta(
        pattern=rf"^{_CLOCK}-{_END}$",
        description="open-close, local time: '09:00-18:00' or '08:30:00-24:00'; close after open.",
    ),
]
DayHours = Annotated[list[HoursRange], msgspec.Meta(max_length=MAX_RANGES_PER_DAY)]


class WeeklyHours(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Opening ranges per weekday; a day left empty is closed all day."""

    mon: DayHours = msgspec.field(default_factory=list)
    tue: DayHours = msgspec.field(default_factory=list)
    wed: DayHours = msgspec.field(default_factory=list)
    thu: DayHours = msgspec.field(default_factory=list)
    fri: DayHours = msgspec.field(default_factory=list)
    sat: DayHours = msgspec.field(default_factory=list)
    sun: DayHours = msgspec.field(default_factory=list)

    def of(self, weekday: int) -> list[str]:
        """The ranges of `weekday` (0 is Monday, as `date.weekday()` counts)."""
        days = (self.mon, self.tue, self.wed, self.thu, self.fri, self.sat, self.sun)
        return days[weekday]


class ExceptionDay(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A date with other hours than its weekday's (an empty list: closed that day)."""

    date: dt.date
    hours: DayHours = msgspec.field(default_factory=list)


class ScheduleIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    weekly: WeeklyHours = msgspec.field(default_factory=WeeklyHours)
    holidays: Annotated[
        list[dt.date], msgspec.Meta(max_length=MAX_DATES, description="Closed all day.")
    ] = msgspec.field(default_factory=list)
    exceptions: Annotated[list[ExceptionDay], msgspec.Meta(max_length=MAX_DATES)] = msgspec.field(
        default_factory=list
    )
    time_zone: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=64,
                pattern=r"^[A-Za-z0-9_+\-/]+$",
                description="IANA zone of the hours; left out: the server's time_zone setting.",
            ),
        ]
        | None
    ) = None
    late_grace_s: (
        Annotated[
            float,
            msgspec.Meta(
                ge=0,
                le=MAX_GRACE_S,
                description="Late to close is raised this long after a close time (also the "
                "tolerance for early openings and closings); left out: schedule_late_grace_s.",
            ),
        ]
        | None
    ) = None


class Schedule(msgspec.Struct, frozen=True, kw_only=True):
    site_id: int
    weekly: WeeklyHours
    holidays: list[dt.date]
    exceptions: list[ExceptionDay]
    time_zone: str
    late_grace_s: float
    updated_by: str
    updated_at: dt.datetime


class OnTestIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    minutes: Annotated[
        float,
        msgspec.Meta(
            gt=0, le=MAX_TEST_MINUTES, description="How long; fractions allowed (0.5 is 30 s)."
        ),
    ]
    reason: Text200 = ""


class SiteTest(msgspec.Struct, frozen=True, kw_only=True):
    """An on-test window: of a whole site (`site_id`) or of one device (`device_id`)."""

    id: int
    site_id: int | None
    device_id: int | None
    reason: str
    started_by: str
    started_at: dt.datetime
    ends_at: dt.datetime
    ended_at: dt.datetime | None
    ended_by: str | None

    def end(self) -> dt.datetime:
        """When the window ends (ended): early by hand, or at `ends_at` by itself."""
        if self.ended_at is not None and self.ended_at < self.ends_at:
            return self.ended_at
        return self.ends_at


class OnTestSignal(msgspec.Struct, frozen=True, kw_only=True):
    """A signal received during a test window: stored and shown, nobody dispatched."""

    test_id: int
    site_id: int | None
    device_id: int
    account: str
    code: str
    kind: str
    qualifier: str
    zone: str | None
    description: str
    received_at: dt.datetime


class ReportSignal(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    account: str
    code_family: str
    code: str
    kind: str
    qualifier: str
    zone: str | None
    user: str | None
    description: str
    received_at: dt.datetime


class ZoneSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What one zone (or user, for open/close) reported during the window."""

    zone: str | None
    codes: list[str]
    count: int
    first_at: dt.datetime
    last_at: dt.datetime


class OnTestReport(msgspec.Struct, frozen=True, kw_only=True):
    """The installer's proof: every signal received in the window, and per zone."""

    test: SiteTest
    active: bool
    total: int
    zones: list[ZoneSummary]
    signals: list[ReportSignal]
