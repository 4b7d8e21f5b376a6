"""Who may be called now: weekly hours in the deployment's time zone, ranges past midnight, the
week's wrap from Sunday night into Monday, and the hours text a sheet holds."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from server.contacts.availability import availability
from server.contacts.hours_text import HoursTextError, parse_hours
from server.contacts.schemas import Hours

SAMARKAND = zoneinfo.ZoneInfo("Asia/Samarkand")
OFFICE = [Hours(days=["mon", "tue", "wed", "thu", "fri"], start="08:00", end="18:00")]
NIGHTS = [Hours(days=["fri"], start="22:00", end="06:00")]
SUNDAY_NIGHT = [Hours(days=["sun"], start="23:00", end="02:00")]


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in Samarkand in the week of Monday 2026-12-14 (`day` 0 is Monday)."""
    return dt.datetime(2026, 12, 14 + day, hour, minute, tzinfo=SAMARKAND)


def test_a_contact_without_hours_may_be_called_any_time() -> None:
    found = availability([], local(6, 3))
    assert found.available_now
    assert found.reason == "any_time"
    assert found.hours is None


def test_inside_office_hours_names_the_range() -> None:
    found = availability(OFFICE, local(2, 9, 30))
    assert found.available_now
    assert found.reason == "in_hours"
    assert found.hours == Hours(days=["wed"], start="08:00", end="18:00")


@pytest.mark.parametrize(
    ("moment", "opens_on"),
    [
        (local(2, 18, 0), "thu"),  # the end minute is already outside
        (local(2, 7, 59), "wed"),
        (local(4, 20), "mon"),  # Friday evening: next Monday, across the weekend
        (local(5, 12), "mon"),
    ],
)
def test_outside_office_hours_names_the_next_range(moment: dt.datetime, opens_on: str) -> None:
    found = availability(OFFICE, moment)
    assert not found.available_now
    assert found.reason == "outside_hours"
    assert found.hours == Hours(days=[opens_on], start="08:00", end="18:00")  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("moment", "available"),
    [
        (local(4, 22), True),
        (local(4, 23, 59), True),
        (local(5, 0), True),  # Saturday after midnight still belongs to Friday's night
        (local(5, 5, 59), True),
        (local(5, 6), False),
        (local(4, 21, 59), False),
        (local(3, 23), False),  # Thursday night is not a Friday night
    ],
)
def test_an_overnight_range_runs_into_the_next_day(moment: dt.datetime, available: bool) -> None:
    assert availability(NIGHTS, moment).available_now is available


def test_sunday_night_wraps_into_monday_morning() -> None:
    assert availability(SUNDAY_NIGHT, local(0, 1, 30)).available_now
    assert not availability(SUNDAY_NIGHT, local(0, 2)).available_now
    assert availability(SUNDAY_NIGHT, local(6, 23, 30)).available_now


def test_equal_ends_mean_the_whole_day() -> None:
    day = [Hours(days=["sat"], start="07:00", end="07:00")]
    assert availability(day, local(5, 7)).available_now
    assert availability(day, local(6, 6, 59)).available_now
    assert not availability(day, local(6, 7)).available_now


def test_the_weekday_is_the_deployment_zones_not_utc() -> None:
    # Monday 02:00 in Samarkand (UTC+5) is still Sunday 21:00 in UTC.
    utc = dt.datetime(2026, 12, 13, 21, 0, tzinfo=dt.UTC)
    monday_early = [Hours(days=["mon"], start="01:00", end="03:00")]
    assert availability(monday_early, utc.astimezone(SAMARKAND)).available_now
    assert not availability(monday_early, utc).available_now


def test_hours_text_reads_day_spans_lists_and_daily() -> None:
    assert parse_hours("Mon-Fri 08:00-18:00; sat,sun 10:00 - 14:00") == [
        Hours(days=["mon", "tue", "wed", "thu", "fri"], start="08:00", end="18:00"),
        Hours(days=["sat", "sun"], start="10:00", end="14:00"),
    ]
    assert parse_hours("fri-mon 22:00-06:00")[0].days == ["fri", "sat", "sun", "mon"]
    assert len(parse_hours("daily 00:00-00:00")[0].days) == 7
    assert parse_hours(" ; ") == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("mon-fry 08:00-18:00", "'fry'"),
        ("weekdays", "'weekdays'"),
        ("mon 25:00-26:00", "'mon 25:00-26:00'"),
    ],
)
def test_hours_text_names_the_part_it_cannot_read(text: str, named: str) -> None:
    with pytest.raises(HoursTextError, match=named):
        parse_hours(text)
