"""Opening hours as instants: what a bank's schedule says about a disarm, an arm, an intrusion
and which close deadlines fell in a period, in the schedule's own time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Final

import msgspec
import pytest

from server.schedules import hours
from server.schedules.on_test import by_zone
from server.schedules.schemas import (
    ExceptionDay,
    ReportSignal,
    Schedule,
    ScheduleIn,
    WeeklyHours,
)

ZONE: Final = zoneinfo.ZoneInfo("Asia/Samarkand")
WEEKDAY: Final = ["09:00-19:15"]
BANK: Final = Schedule(
    site_id=1,
    weekly=WeeklyHours(mon=WEEKDAY, tue=WEEKDAY, wed=WEEKDAY, thu=WEEKDAY, fri=WEEKDAY),
    holidays=[dt.date(2026, 12, 8)],
    exceptions=[ExceptionDay(date=dt.date(2026, 12, 31), hours=["10:00-14:00"])],
    time_zone="Asia/Samarkand",
    late_grace_s=900,
    updated_by="admin:test",
    updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
)


def at(day: int, clock: str, month: int = 12) -> dt.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return dt.datetime(2026, month, day, hour, minute, tzinfo=ZONE)


def test_ranges_are_read_with_or_without_seconds_and_24_00_ends_the_day() -> None:
    assert hours.parse_range("09:00-19:15") == (9 * 3600, 19 * 3600 + 15 * 60)
    assert hours.parse_range("08:30:15-24:00") == (8 * 3600 + 30 * 60 + 15, 86_400)


def test_an_intrusion_at_10_is_inside_opening_hours_and_at_20_outside() -> None:
    assert hours.is_open(BANK, at(7, "10:00"))  # Monday
    assert not hours.is_open(BANK, at(7, "20:00"))
    assert not hours.is_open(BANK, at(6, "10:00"))  # Sunday: closed all day


def test_a_holiday_is_closed_all_day_and_an_exception_has_its_own_hours() -> None:
    assert not hours.is_open(BANK, at(8, "10:00"))  # Tuesday, a holiday
    assert hours.is_open(BANK, at(31, "13:00"))
    assert not hours.is_open(BANK, at(31, "15:00"))  # the weekday would be open


def test_staff_may_disarm_from_a_grace_before_opening() -> None:
    assert hours.opening_expected(BANK, at(7, "08:50"))
    assert not hours.opening_expected(BANK, at(7, "08:40"))
    assert not hours.opening_expected(BANK, at(7, "23:00"))


def test_an_arm_more_than_the_grace_before_closing_cuts_the_day_short() -> None:
    early = hours.closes_early(BANK, at(7, "17:00"))
    assert early is not None
    assert early.close_at == at(7, "19:15")
    assert hours.closes_early(BANK, at(7, "19:05")) is None  # within the grace
    assert hours.closes_early(BANK, at(7, "20:00")) is None


def test_the_deadline_is_close_plus_grace_and_falls_in_one_period_only() -> None:
    close = at(7, "19:15").astimezone(dt.UTC)
    assert hours.deadlines(BANK, at(7, "19:00"), at(7, "19:29")) == []
    assert hours.deadlines(BANK, at(7, "19:00"), at(7, "19:30")) == [close]
    assert hours.deadlines(BANK, at(7, "19:30"), at(7, "23:00")) == []


def test_a_week_has_the_deadlines_of_its_open_days() -> None:
    found = hours.deadlines(BANK, at(6, "00:00"), at(13, "00:00"))
    assert [close.astimezone(ZONE).day for close in found] == [7, 9, 10, 11]  # 8th: holiday


def test_ranges_touching_at_midnight_are_one_overnight_opening() -> None:
    night = msgspec.structs.replace(
        BANK, weekly=WeeklyHours(mon=["22:00-24:00"], tue=["00:00-06:00"]), holidays=[]
    )
    found = hours.deadlines(night, at(7, "00:00"), at(9, "00:00"))
    assert found == [at(8, "06:00").astimezone(dt.UTC)]
    assert hours.is_open(night, at(8, "03:00"))


@pytest.mark.parametrize(
    ("weekly", "problem"),
    [
        (WeeklyHours(mon=["19:00-09:00"]), "closes before it opens"),
        (WeeklyHours(fri=["09:00-13:00", "12:00-18:00"]), "overlap"),
    ],
)
def test_a_contradictory_schedule_is_refused(weekly: WeeklyHours, problem: str) -> None:
    with pytest.raises(hours.BadSchedule, match=problem):
        hours.check(ScheduleIn(weekly=weekly))


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(hours.BadSchedule, match="IANA"):
        hours.check(ScheduleIn(time_zone="Mars/Olympus"))


def test_a_range_must_be_a_clock_range() -> None:
    for text in ("9:00-18:00", "09:00-25:00", "09:00", "09:60-10:00"):
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert({"weekly": {"mon": [text]}}, ScheduleIn)


def test_the_report_lists_each_zone_once_in_the_order_zones_first_reported() -> None:
    def signal(zone: str, code: str, second: int) -> ReportSignal:
        return ReportSignal(
            id=second,
            account="1234",
            code_family="cid",
            code=code,
            kind="intrusion",
            qualifier="new",
            zone=zone,
            user=None,
            description="burglary",
            received_at=dt.datetime(2026, 12, 7, 10, 0, second, tzinfo=dt.UTC),
        )

    zones = by_zone([signal("002", "130", 1), signal("001", "130", 2), signal("002", "131", 3)])
    assert [(z.zone, z.codes, z.count) for z in zones] == [
        ("002", ["130", "131"], 2),
        ("001", ["130"], 1),
    ]
