"""On-test windows: rows in, Structs out; plus the signal reads a test report needs.

Writes: site_tests
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from server.auth.scope import ANYTHING, Condition, where
from server.db import Database
from server.schedules.schemas import ReportSignal, SiteTest
from server.sql import one_of

MAX_REPORT_SIGNALS: Final = 5000
"""A test report lists at most this many signals: a panel's walk test is tens, not thousands."""
_SELECT: Final = (
    "SELECT id, site_id, device_id, reason, started_by, started_at, ends_at, ended_at, ended_by "
    "FROM site_tests"
)


def _to_test(row: dict[str, Any]) -> SiteTest:
    return SiteTest(
        id=int(row["id"]),
        site_id=row["site_id"],
        device_id=row["device_id"],
        reason=row["reason"],
        started_by=row["started_by"],
        started_at=row["started_at"],
        ends_at=row["ends_at"],
        ended_at=row["ended_at"],
        ended_by=row["ended_by"],
    )


async def insert(
    db: Database,
    *,
    site_id: int | None,
    device_id: int | None,
    reason: str,
    who: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> SiteTest:
    rows = await db.fetch(
        "INSERT INTO site_tests (site_id, device_id, reason, started_by, started_at, ends_at) "
        "VALUES ({}, {}, {}, {}, {}, {}) RETURNING id",
        site_id,
        device_id,
        reason,
        who,
        starts_at,
        ends_at,
    )
    found = await find(db, int(rows[0]["id"]))
    assert found is not None
    return found


async def find(db: Database, test_id: int) -> SiteTest | None:
    row = await db.fetch_one(_SELECT + " WHERE id = {}", test_id)
    return None if row is None else _to_test(row)


async def end(db: Database, test_id: int, who: str, at: dt.datetime) -> bool:
    """End a window early; False when it had already ended (by itself or by hand)."""
    rows = await db.fetch(
        "UPDATE site_tests SET ended_at = {}, ended_by = {} WHERE id = {} "
        "AND ended_at IS NULL AND ends_at > {} RETURNING id",
        at,
        who,
        test_id,
        at,
    )
    return bool(rows)


async def active_among(
    db: Database,
    device_ids: Sequence[int],
    site_ids: Sequence[int],
    since: dt.datetime,
    until: dt.datetime,
) -> list[SiteTest]:
    """The windows of these devices or sites that cover some moment from `since` to `until`. A
    hot path, read once per signal batch inside its transaction (one read, not one a signal:
    a test window is rare and the batch is thousands of frames a second); the caller picks the
    window of each signal (server.schedules.signal_rules.WindowsOnTest)."""
    if not device_ids and not site_ids:
        return []
    by_device, device_args = one_of(db, "device_id", device_ids or [0])
    by_site, site_args = one_of(db, "site_id", site_ids or [0])
    rows = await db.fetch_direct(
        f"{_SELECT} WHERE ({by_device} OR {by_site}) AND started_at <= {{}} AND ends_at > {{}} "
        "AND (ended_at IS NULL OR ended_at > {})",
        *device_args,
        *site_args,
        until,
        since,
        since,
    )
    return [_to_test(dict(row)) for row in rows]


async def active_for_site(db: Database, site_id: int, at: dt.datetime) -> bool:
    """Whether the site, or one of its devices, is on test at `at`."""
    row = await db.fetch_one(
        "SELECT t.id FROM site_tests t LEFT JOIN devices d ON d.id = t.device_id "
        "WHERE (t.site_id = {} OR d.site = {}) AND t.started_at <= {} AND t.ends_at > {} "
        "AND (t.ended_at IS NULL OR t.ended_at > {}) LIMIT 1",
        site_id,
        site_id,
        at,
        at,
        at,
    )
    return row is not None


async def recent(
    db: Database, since: dt.datetime, limit: int, offset: int, within: Condition = ANYTHING
) -> list[SiteTest]:
    """Windows still running or ended after `since`, newest first; `within` (on the table's
    own columns) is a scoped caller's reach."""
    sql, args = where(
        within,
        _SELECT + " WHERE ends_at > {} AND (ended_at IS NULL OR ended_at > {})",
        (since, since),
        more=True,
    )
    rows = await db.fetch(sql + " ORDER BY id DESC LIMIT {} OFFSET {}", *args, limit, offset)
    return [_to_test(row) for row in rows]


async def devices_of(db: Database, test: SiteTest) -> list[int]:
    if test.device_id is not None:
        return [test.device_id]
    rows = await db.fetch("SELECT id FROM devices WHERE site = {} ORDER BY id", test.site_id)
    return [int(row["id"]) for row in rows]


async def signals_in(
    db: Database, device_ids: list[int], since: dt.datetime, until: dt.datetime
) -> list[ReportSignal]:
    """Signals of these devices received in [since, until), oldest first."""
    if not device_ids:
        return []
    condition, args = one_of(db, "device_id", device_ids)
    rows = await db.fetch(
        "SELECT id, account, code_family, code, kind, qualifier, zone, user_number, "  # noqa: S608
        f"description, received_at FROM signals WHERE {condition} "
        "AND received_at >= {} AND received_at < {} ORDER BY id LIMIT {}",
        *args,
        since,
        until,
        MAX_REPORT_SIGNALS,
    )
    return [
        ReportSignal(
            id=int(row["id"]),
            account=row["account"],
            code_family=row["code_family"],
            code=row["code"],
            kind=row["kind"],
            qualifier=row["qualifier"],
            zone=row["zone"],
            user=row["user_number"],
            description=row["description"],
            received_at=row["received_at"],
        )
        for row in rows
    ]
