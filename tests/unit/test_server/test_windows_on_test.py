"""WindowsOnTest: which test window, read once for a signal batch, holds each signal."""

import datetime as dt

from server.schedules.schemas import SiteTest
from server.schedules.signal_rules import WindowsOnTest

T0 = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def window(
    window_id: int,
    *,
    site_id: int | None = None,
    device_id: int | None = None,
    minutes: int = 30,
    ended_after_min: int | None = None,
) -> SiteTest:
    return SiteTest(
        id=window_id,
        site_id=site_id,
        device_id=device_id,
        reason="walk test",
        started_by="admin",
        started_at=T0,
        ends_at=T0 + dt.timedelta(minutes=minutes),
        ended_at=None if ended_after_min is None else T0 + dt.timedelta(minutes=ended_after_min),
        ended_by=None if ended_after_min is None else "admin",
    )


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_a_site_window_holds_every_device_of_the_site_and_no_other() -> None:
    windows = WindowsOnTest([window(1, site_id=7)])
    assert windows.covering(device_id=3, site_id=7, at=at(5)) is not None
    assert windows.covering(device_id=3, site_id=8, at=at(5)) is None
    assert windows.covering(device_id=3, site_id=None, at=at(5)) is None


def test_a_device_window_holds_that_device_wherever_it_is() -> None:
    windows = WindowsOnTest([window(1, device_id=3)])
    assert windows.covering(device_id=3, site_id=None, at=at(5)) is not None
    assert windows.covering(device_id=4, site_id=None, at=at(5)) is None


def test_a_window_holds_from_its_start_until_its_end_or_its_early_end() -> None:
    windows = WindowsOnTest([window(1, device_id=3, minutes=30, ended_after_min=10)])
    assert windows.covering(3, None, at(-0.01)) is None
    assert windows.covering(3, None, at(0)) is not None
    assert windows.covering(3, None, at(9.9)) is not None
    assert windows.covering(3, None, at(10)) is None  # ended by hand at 10 min


def test_the_newest_covering_window_is_the_one_reported() -> None:
    windows = WindowsOnTest([window(1, site_id=7), window(5, device_id=3), window(2, site_id=7)])
    found = windows.covering(device_id=3, site_id=7, at=at(1))
    assert found is not None
    assert found.id == 5
    assert WindowsOnTest([]).covering(3, 7, at(1)) is None
