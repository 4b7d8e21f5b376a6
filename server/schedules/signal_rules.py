"""What a site's schedule and its test windows do to a device's signals, inside the signal
commit (server/signals/service.py calls these in its transaction, before the ACK):

* a signal received while its device or site is on test is held: stored as usual (the caller
  stores every signal), shown to dispatchers as a ``test_signal`` relay event, and it raises
  nothing;
* an opening (disarm) outside the opening hours raises ``unexpected_open``; a closing (arm)
  more than the grace before the close time raises ``early_close``; a closing while the site
  has an open late-to-close or unexpected-open incident annotates it ("closed at 19:20, 5 min
  late") instead;
* an intrusion says whether it came during opening hours ("likely staff forgot to disarm":
  priority one step lower) or outside them (priority kept): a bank's intrusion at 19:05 is
  usually an employee, at 03:00 it is not.

A site without a schedule is judged by nothing here. Late to close, which no signal announces,
is the deadline job's (server/schedules/late.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Final

import msgspec

from device_gateway.signals import LOWEST_PRIORITY, Qualifier, Signal
from server.alerts.repository import NewAlert
from server.alerts.schemas import DEFAULT_PRIORITY, AlertKind
from server.alerts.service import raise_alert
from server.db import Database
from server.incidents import repository as incidents
from server.incidents.service import record
from server.incidents.timeline import EntryFacts
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.schedules import hours, repository
from server.schedules import on_test_repository as tests
from server.schedules.repository import CANCEL_CODES
from server.schedules.schemas import OnTestSignal, Schedule, SiteTest
from server.sites.schemas import SiteRef
from sync.hlc import HybridClock

SOURCE: Final = "schedule"
TEST_SIGNAL_EVENT: Final = "test_signal"
JUDGED_BY_HOURS: Final = frozenset({AlertKind.INTRUSION})
"""Burglary-type alarms, whose meaning depends on whether staff should be there."""
ANNOTATED_BY_CLOSE: Final = (AlertKind.LATE_TO_CLOSE.value, AlertKind.UNEXPECTED_OPEN.value)
INSIDE_HOURS: Final = "during opening hours: likely staff forgot to disarm"
OUTSIDE_HOURS: Final = "outside opening hours"


def _actor(signal: Signal) -> str:
    return f"device:{signal.account}"


class WindowsOnTest:
    """The test windows a batch of signals can fall in, read once for the batch
    (on_test_repository.active_among); each signal then finds its own here."""

    def __init__(self, windows: Sequence[SiteTest]) -> None:
        self._newest_first = sorted(windows, key=lambda window: window.id, reverse=True)

    @classmethod
    async def read(
        cls, db: Database, devices: Iterable[tuple[int, int | None]], at: Sequence[dt.datetime]
    ) -> WindowsOnTest:
        """The windows of these (device id, site id) pairs covering any of the times `at`."""
        pairs = list(devices)
        if not pairs or not at:
            return cls([])
        device_ids = sorted({device_id for device_id, _ in pairs})
        site_ids = sorted({site_id for _, site_id in pairs if site_id is not None})
        return cls(await tests.active_among(db, device_ids, site_ids, min(at), max(at)))

    def covering(self, device_id: int, site_id: int | None, at: dt.datetime) -> SiteTest | None:
        """The newest window of the device, or of its site, that covers `at`."""
        for window in self._newest_first:
            mine = window.device_id == device_id or (
                site_id is not None and window.site_id == site_id
            )
            if mine and window.started_at <= at < window.end():
                return window
        return None


async def held_for_test(
    db: Database, windows: WindowsOnTest, signal: Signal, device_id: int, site_id: int | None
) -> bool:
    """Whether the signal falls in a test window of its device or site (then it is announced
    as a test signal and must raise nothing)."""
    test = windows.covering(device_id, site_id, signal.received_at)
    if test is None:
        return False
    shown = OnTestSignal(
        test_id=test.id,
        site_id=site_id,
        device_id=device_id,
        account=signal.account,
        code=signal.code,
        kind=signal.kind.value,
        qualifier=signal.qualifier.value,
        zone=signal.zone,
        description=signal.description,
        received_at=signal.received_at,
    )
    await outbox.append(db, DISPATCH_STREAM, TEST_SIGNAL_EVENT, shown)
    return True


async def with_opening_hours(db: Database, new: NewAlert) -> NewAlert:
    """`new`, told whether it came during opening hours (burglary-type alarms only)."""
    if new.kind not in JUDGED_BY_HOURS or new.site.id is None:
        return new
    schedule = await repository.find(db, new.site.id)
    if schedule is None:
        return new
    inside = hours.is_open(schedule, new.received_at)
    return msgspec.structs.replace(
        new,
        priority=min(new.priority + 1, LOWEST_PRIORITY) if inside else new.priority,
        description=f"{new.description}; {INSIDE_HOURS if inside else OUTSIDE_HOURS}",
        details={**new.details, "opening_hours": "open" if inside else "closed"},
    )


def local_clock(schedule: Schedule, at: dt.datetime) -> str:
    return at.astimezone(hours.zone_of(schedule.time_zone)).strftime("%H:%M:%S")


async def open_close(
    db: Database,
    clock: HybridClock,
    signal: Signal,
    device_id: int,
    site: SiteRef,
    raised: list[str],
) -> int | None:
    """Judge an opening or closing against the site's schedule. Returns the id of the alert it
    raised (its kind added to `raised`) or annotated, or None."""
    if site.id is None or signal.qualifier is Qualifier.STATUS or signal.code in CANCEL_CODES:
        return None
    schedule = await repository.find(db, site.id)
    at = signal.received_at
    if signal.qualifier is Qualifier.NEW:
        if schedule is None or hours.opening_expected(schedule, at):
            return None
        text = f"opened at {local_clock(schedule, at)}, outside opening hours"
        new = _alert(AlertKind.UNEXPECTED_OPEN, signal, device_id, site, text)
        return await _raise(db, clock, new, signal, raised)
    annotated = await _annotate_close(db, signal, site.id, schedule)
    if annotated is not None or schedule is None:
        return annotated
    cut_short = hours.closes_early(schedule, at)
    if cut_short is None:
        return None
    text = (
        f"closed at {local_clock(schedule, at)}, before the "
        f"{local_clock(schedule, cut_short.close_at)} close time"
    )
    new = _alert(AlertKind.EARLY_CLOSE, signal, device_id, site, text)
    return await _raise(db, clock, new, signal, raised)


def _alert(kind: AlertKind, signal: Signal, device_id: int, site: SiteRef, text: str) -> NewAlert:
    who = f" by user {signal.zone}" if signal.zone else ""
    return NewAlert(
        kind=kind,
        priority=DEFAULT_PRIORITY[kind],
        source=SOURCE,
        site=site,
        occurred_at=signal.panel_time or signal.received_at,
        received_at=signal.received_at,
        description=f"{text}{who} ({signal.code_family} {signal.code})",
        device_id=device_id,
        details={
            "account": signal.account,
            "code": signal.code,
            "user": signal.zone,
            "partition": signal.partition,
        },
    )


async def _raise(
    db: Database, clock: HybridClock, new: NewAlert, signal: Signal, raised: list[str]
) -> int:
    alert, _ = await raise_alert(db, clock, new, _actor(signal))
    raised.append(alert.kind.value)
    return alert.id


async def _annotate_close(
    db: Database, signal: Signal, site_id: int, schedule: Schedule | None
) -> int | None:
    found = await repository.open_schedule_alert(db, site_id, ANNOTATED_BY_CLOSE)
    if found is None:
        return None
    at = signal.received_at
    when = at.isoformat() if schedule is None else local_clock(schedule, at)
    text = f"closed again at {when}"
    close_at = found.details.get("close_at")
    if found.kind == AlertKind.LATE_TO_CLOSE.value and isinstance(close_at, str):
        late_s = (at - dt.datetime.fromisoformat(close_at)).total_seconds()
        text = f"closed at {when}, {_duration(late_s)} late"
    await incidents.find(db, found.incident_id, lock=True)  # the timeline's tail is ours
    await record(
        db,
        EntryFacts(
            incident_id=found.incident_id,
            at=at,
            actor=_actor(signal),
            kind="note",
            device_at=signal.panel_time,
            data={"text": text, "code": signal.code},
        ),
    )
    return found.alert_id


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{max(seconds, 0):.0f} s"
    return f"{seconds / 60:.0f} min"
