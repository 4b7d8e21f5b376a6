"""Late to close: a site whose schedule expects a close and gets none is raised at the deadline
(close time + the schedule's grace), by a job, since no signal announces it.

Restart safety and "once": a deadline is settled by inserting its `schedule_deadlines` row
(unique per site and close time) in the same transaction as the alert it raises, so a restart,
a retry after a failure or a second node polling the same database never raises it twice; the
alert's `external_id` (`late-to-close:{site}:{close time}`) says the same a second way. A
deadline that passed while no node ran is settled when one runs again (late, but once), as
long as it is younger than LOOKBACK and the schedule was not changed after it.

"No close" means the site's last opening or closing received by the deadline is an opening, or
that none was ever received (the schedule expects a close; no panel ever reported one). A site
whose last report is a closing, even yesterday's (it stayed armed: nobody came), owes none. A
site on test at the deadline is not judged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Final

from server.alerts.repository import NewAlert
from server.alerts.schemas import DEFAULT_PRIORITY, AlertKind
from server.alerts.service import raise_alert
from server.db import Database
from server.schedules import on_test_repository as tests
from server.schedules import repository
from server.schedules.hours import deadlines, zone_of
from server.schedules.schemas import Schedule
from server.sites.repository import sites
from server.sites.schemas import SiteRef
from sync.hlc import HybridClock

logger = logging.getLogger(__name__)
ACTOR: Final = "system:schedule"
LOOKBACK: Final = dt.timedelta(hours=24)
"""How far back a node that was down looks for deadlines it missed."""


def external_id(site_id: int, close_at: dt.datetime) -> str:
    return f"late-to-close:{site_id}:{close_at.astimezone(dt.UTC).isoformat()}"


async def check_once(db: Database, clock: HybridClock, now: dt.datetime) -> int:
    """Settle every deadline due by `now`; returns how many late-to-close alerts it raised."""
    schedules = await repository.every(db)
    if not schedules:
        return 0
    settled = await repository.settled_since(db, now - LOOKBACK - _longest_grace(schedules))
    raised = 0
    for schedule in schedules:
        since = max(schedule.updated_at, now - LOOKBACK)
        for close_at in deadlines(schedule, since, now):
            if (schedule.site_id, close_at) not in settled and await _settle(
                db, clock, schedule, close_at, now
            ):
                raised += 1
    return raised


def _longest_grace(schedules: list[Schedule]) -> dt.timedelta:
    return dt.timedelta(seconds=max(schedule.late_grace_s for schedule in schedules))


async def _settle(
    db: Database, clock: HybridClock, schedule: Schedule, close_at: dt.datetime, now: dt.datetime
) -> bool:
    deadline = close_at + dt.timedelta(seconds=schedule.late_grace_s)
    site_id = schedule.site_id
    async with db.write():
        if not await repository.settle(db, site_id, close_at, now):
            return False  # another node, or this one before a restart
        last = await repository.last_open_close(db, site_id, deadline)
        if last is not None and last.closed:
            return False
        if await tests.active_for_site(db, site_id, deadline):
            return False
        site = await sites.find(db, site_id)
        if site is None:
            return False
        local = close_at.astimezone(zone_of(schedule.time_zone)).strftime("%H:%M:%S")
        new = NewAlert(
            kind=AlertKind.LATE_TO_CLOSE,
            priority=DEFAULT_PRIORITY[AlertKind.LATE_TO_CLOSE],
            source="schedule",
            site=SiteRef(
                id=site.id, name=site.name, address=site.address, lat=site.lat, lon=site.lon
            ),
            occurred_at=deadline,
            received_at=now,
            description=(
                f"not closed by {local} (+{schedule.late_grace_s:g} s grace): nobody armed the site"
            ),
            external_id=external_id(site_id, close_at),
            details={
                "close_at": close_at.isoformat(),
                "deadline": deadline.isoformat(),
                "last_opened_at": None if last is None else last.received_at.isoformat(),
            },
        )
        alert, _ = await raise_alert(db, clock, new, ACTOR)
        await repository.note_alert(db, site_id, close_at, alert.id)
    logger.warning("site %s not closed by its close time %s", site_id, close_at.isoformat())
    return True


async def run_forever(db: Database, clock: HybridClock, poll_s: float) -> None:
    while True:
        try:
            await check_once(db, clock, dt.datetime.now(dt.UTC))
        except Exception:  # the loop must outlive one bad row
            logger.exception("late-to-close check failed")
        await asyncio.sleep(poll_s)
