"""Reading and replacing a site's schedule. The hours a request leaves out of `time_zone` and
`late_grace_s` are filled from the settings and stored, so every judgement of the schedule (the
signal rules in the commit, the late-to-close job on whichever node holds the lease) reads the
same values from the same row."""

from __future__ import annotations

import datetime as dt

from server.audit.log import Actor, record
from server.auth.schemas import Principal
from server.db import Database
from server.errors import NotFound, Unprocessable
from server.schedules import hours, repository
from server.schedules.schemas import Schedule, ScheduleIn
from server.settings import Settings
from server.sites.repository import sites


async def get_schedule(db: Database, site_id: int) -> Schedule:
    await sites.get(db, site_id)
    found = await repository.find(db, site_id)
    if found is None:
        raise NotFound(
            f"Site {site_id} has no schedule; an admin sets one with PUT "
            f"/api/v1/sites/{site_id}/schedule."
        )
    return found


async def put_schedule(
    db: Database, settings: Settings, site_id: int, body: ScheduleIn, who: Principal
) -> Schedule:
    try:
        hours.check(body)
    except hours.BadSchedule as err:
        raise Unprocessable(f"The schedule cannot be used: {err}") from err
    schedule = Schedule(
        site_id=site_id,
        weekly=body.weekly,
        holidays=sorted(set(body.holidays)),
        exceptions=sorted(body.exceptions, key=lambda exception: exception.date),
        time_zone=body.time_zone or settings.time_zone,
        late_grace_s=(
            settings.schedule_late_grace_s if body.late_grace_s is None else body.late_grace_s
        ),
        updated_by=who.actor,
        updated_at=dt.datetime.now(dt.UTC),
    )
    async with db.write():
        await sites.get(db, site_id)
        before = await repository.find(db, site_id)
        await repository.put(db, schedule)
        action = "schedule.create" if before is None else "schedule.update"
        target = f"site:{site_id}/schedule"
        await record(db, action=action, actor=who, target=target, before=before, after=schedule)
    return schedule


async def delete_schedule(db: Database, site_id: int, *, actor: Actor | str = "system") -> None:
    async with db.write():
        before = await repository.find(db, site_id)
        if not await repository.delete(db, site_id):
            raise NotFound(f"Site {site_id} has no schedule.")
        target = f"site:{site_id}/schedule"
        await record(db, action="schedule.delete", actor=actor, target=target, before=before)
