"""The notifications table: a durable outbox of notices, read and moved by conditional UPDATEs.

Every move names the states it may start from (server/notify/schemas.py MOVES), so two nodes,
or a late receipt racing a retry, never move a notice twice.

Writes: notifications
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final

import msgspec

from server.db import Database
from server.notify.schemas import MOVES, Channel, Notice, NoticeState, Recipient, Template

_COLUMNS: Final = (
    "id, incident_id, channel, contact_id, recipient_name, address, template, language, body, "
    "state, attempts, next_attempt_at, provider_id, last_error, requested_by, created_at, "
    "updated_at"
)


class NewNotice(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: int
    channel: Channel
    recipient: Recipient
    template: Template
    language: str
    body: str
    requested_by: str


def _notices(rows: list[dict[str, Any]]) -> list[Notice]:
    return msgspec.convert(rows, list[Notice], strict=False)


def _origins(target: NoticeState) -> list[str]:
    return [state.value for state, targets in MOVES.items() if target in targets]


def _placeholders(count: int) -> str:
    return ", ".join("{}" for _ in range(count))


async def insert(db: Database, new: NewNotice, now: dt.datetime) -> Notice:
    rows = await db.fetch(
        "INSERT INTO notifications (incident_id, channel, contact_id, recipient_name, address, "  # noqa: S608
        "template, language, body, state, attempts, next_attempt_at, last_error, requested_by, "
        "created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, 0, {}, '', {}, {}, "
        f"{{}}) RETURNING {_COLUMNS}",
        new.incident_id,
        new.channel.value,
        new.recipient.contact_id,
        new.recipient.name,
        new.recipient.address,
        new.template.value,
        new.language,
        new.body,
        NoticeState.PENDING.value,
        now,
        new.requested_by,
        now,
        now,
    )
    return _notices(rows)[0]


async def get(db: Database, notice_id: int) -> Notice | None:
    rows = await db.fetch(f"SELECT {_COLUMNS} FROM notifications WHERE id = {{}}", notice_id)  # noqa: S608
    return _notices(rows)[0] if rows else None


async def of_incident(db: Database, incident_id: int) -> list[Notice]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM notifications WHERE incident_id = {{}} ORDER BY id",  # noqa: S608
        incident_id,
    )
    return _notices(rows)


async def in_states(
    db: Database, states: Iterable[NoticeState], limit: int, offset: int
) -> list[Notice]:
    wanted = [state.value for state in states] or [state.value for state in NoticeState]
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM notifications WHERE state IN ({_placeholders(len(wanted))}) "  # noqa: S608
        "ORDER BY id LIMIT {} OFFSET {}",
        *wanted,
        limit,
        offset,
    )
    return _notices(rows)


async def due(db: Database, now: dt.datetime, limit: int) -> list[Notice]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM notifications WHERE state = {{}} AND next_attempt_at <= {{}} "  # noqa: S608
        "ORDER BY next_attempt_at, id LIMIT {}",
        NoticeState.PENDING.value,
        now,
        limit,
    )
    return _notices(rows)


async def claim(db: Database, notice_id: int, now: dt.datetime, hold_until: dt.datetime) -> bool:
    """Count an attempt and hold the notice until `hold_until`, so no one else sends it
    meanwhile; a sender that dies mid-send leaves it to be sent again then. True if this call
    made the claim."""
    rows = await db.fetch(
        "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = {}, updated_at = {} "
        "WHERE id = {} AND state = {} AND next_attempt_at <= {} RETURNING id",
        hold_until,
        now,
        notice_id,
        NoticeState.PENDING.value,
        now,
    )
    return bool(rows)


async def move(
    db: Database,
    notice_id: int,
    target: NoticeState,
    now: dt.datetime,
    *,
    provider_id: str | None = None,
    error: str = "",
) -> Notice | None:
    """Move the notice to `target` if its state allows; None if it did not (already there,
    or final)."""
    origins = _origins(target)
    rows = await db.fetch(
        "UPDATE notifications SET state = {}, provider_id = COALESCE({}, provider_id), "  # noqa: S608
        "last_error = {}, updated_at = {} "
        f"WHERE id = {{}} AND state IN ({_placeholders(len(origins))}) RETURNING {_COLUMNS}",
        target.value,
        provider_id,
        error,
        now,
        notice_id,
        *origins,
    )
    return _notices(rows)[0] if rows else None


async def postpone(
    db: Database, notice_id: int, now: dt.datetime, next_attempt_at: dt.datetime, error: str
) -> Notice | None:
    """Keep a pending notice pending, to be tried again at `next_attempt_at`."""
    rows = await db.fetch(
        "UPDATE notifications SET next_attempt_at = {}, last_error = {}, updated_at = {} "  # noqa: S608
        f"WHERE id = {{}} AND state = {{}} RETURNING {_COLUMNS}",
        next_attempt_at,
        error,
        now,
        notice_id,
        NoticeState.PENDING.value,
    )
    return _notices(rows)[0] if rows else None


async def by_provider_id(db: Database, channel: Channel, provider_id: str) -> Notice | None:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM notifications WHERE channel = {{}} AND provider_id = {{}} "  # noqa: S608
        "ORDER BY id DESC LIMIT 1",
        channel.value,
        provider_id,
    )
    return _notices(rows)[0] if rows else None
