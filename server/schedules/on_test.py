"""Putting a site or one device on test for a window, ending it early, and its report.

During a window the signal commit (server/schedules/signal_rules.py) stores every signal as
usual but raises no alert, so no incident, dispatch or P1 sound follows; the window ends by
itself at `ends_at` (nothing has to run for that: a window is a period, compared with each
signal's receipt time). Starting and ending a window are relay events (`site_test`), so every
dispatcher sees that a site is on test, and audit entries (`site_test.start`, `site_test.end`):
a window silences a site's alarms, so who opened it and when is for the auditor too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from server.audit.log import record
from server.auth.schemas import EVERYWHERE, Principal, Scope
from server.auth.scope import at_sites
from server.db import Database
from server.devices.repository import devices
from server.errors import NotFound
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.schedules import on_test_repository as repository
from server.schedules.schemas import OnTestIn, OnTestReport, ReportSignal, SiteTest, ZoneSummary
from server.sites.repository import sites

RELAY_EVENT = "site_test"


async def start_for_site(db: Database, site_id: int, body: OnTestIn, who: Principal) -> SiteTest:
    async with db.write():
        await sites.get(db, site_id)
        return await _start(db, body, who, site_id=site_id, device_id=None)


async def start_for_device(
    db: Database, device_id: int, body: OnTestIn, who: Principal
) -> SiteTest:
    async with db.write():
        device = await devices.get(db, device_id)
        return await _start(db, body, who, site_id=device.site_id, device_id=device_id)


async def _start(
    db: Database, body: OnTestIn, who: Principal, *, site_id: int | None, device_id: int | None
) -> SiteTest:
    now = dt.datetime.now(dt.UTC)
    test = await repository.insert(
        db,
        # A device window holds only that device's signals, so it names no site: the
        # commit asks for windows by device or by site (on_test_repository.active_among).
        site_id=site_id if device_id is None else None,
        device_id=device_id,
        reason=body.reason,
        who=who.actor,
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=body.minutes),
    )
    await outbox.append(db, DISPATCH_STREAM, RELAY_EVENT, test)
    await record(db, action="site_test.start", actor=who, target=_target(test), after=test)
    return test


def _target(test: SiteTest) -> str:
    return f"device:{test.device_id}" if test.device_id is not None else f"site:{test.site_id}"


async def get_test(db: Database, test_id: int) -> SiteTest:
    found = await repository.find(db, test_id)
    if found is None:
        raise NotFound(f"There is no test window with id {test_id}.")
    return found


async def end_test(db: Database, test_id: int, who: Principal) -> SiteTest:
    """End a window now; ending one that already ended changes nothing."""
    async with db.write():
        running = await get_test(db, test_id)
        if await repository.end(db, test_id, who.actor, dt.datetime.now(dt.UTC)):
            ended = await get_test(db, test_id)
            await outbox.append(db, DISPATCH_STREAM, RELAY_EVENT, ended)
            target = _target(ended)
            await record(
                db, action="site_test.end", actor=who, target=target, before=running, after=ended
            )
            return ended
    return await get_test(db, test_id)


async def recent_tests(
    db: Database, limit: int, offset: int, scope: Scope = EVERYWHERE
) -> list[SiteTest]:
    """Windows running now or ended in the last day, at the sites within `scope`."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    return await repository.recent(db, since, limit, offset, at_sites(scope, "site_id"))


def by_zone(signals: list[ReportSignal]) -> list[ZoneSummary]:
    """One line per zone (or user, for openings and closings), in the order zones first
    reported."""
    grouped: dict[str | None, list[ReportSignal]] = defaultdict(list)
    for signal in signals:
        grouped[signal.zone if signal.zone is not None else signal.user].append(signal)
    return [
        ZoneSummary(
            zone=zone,
            codes=sorted({signal.code for signal in found}),
            count=len(found),
            first_at=found[0].received_at,
            last_at=found[-1].received_at,
        )
        for zone, found in grouped.items()
    ]


async def report(db: Database, test_id: int) -> OnTestReport:
    test = await get_test(db, test_id)
    now = dt.datetime.now(dt.UTC)
    device_ids = await repository.devices_of(db, test)
    signals = await repository.signals_in(db, device_ids, test.started_at, test.end())
    return OnTestReport(
        test=test,
        active=test.end() > now,
        total=len(signals),
        zones=by_zone(signals),
        signals=signals,
    )
