"""The cooldown every node shares: for each camera and subject (a person, a plate), the alert
last raised and when the subject was last recorded.

Each node keeps the cooldown in memory (recognition.cooldown) and decides most frames there:
a repeat too soon to record costs nothing. The memory is a cache and this table the truth. A
row is written in the transaction that raises an alert or records a sighting; a frame that the
memory calls new (a subject first seen on this node, after a camera's frames moved here from
another node, or after a restart) reads the camera's row under a lock, and a row recorded
within the camera's cooldown whose incident is still open makes the frame a sighting of that
alert. On PostgreSQL the lock is a transaction-scoped advisory lock per camera and subject, so
two nodes deciding on the same subject at once decide one after the other; SQLite's single
writer does that by itself.

A row older than the longest cooldown any camera can have (`horizon_s`) can never make a
sighting; the recognition runtime's hourly sweep deletes such rows (server.recognition.lifespan),
so the table holds the subjects seen in the last day or so, one row per camera and subject.

Writes: recognition_subjects
"""

from __future__ import annotations

import datetime as dt
import hashlib

import msgspec

from server.cameras.schemas import MAX_COOLDOWN_S
from server.db import Database

_LOCK_NAME = "recognition_subjects"


class AlertRef(msgspec.Struct, frozen=True):
    """What a camera's cooldown remembers about a subject: its alert and incident."""

    alert_id: int
    incident_id: int | None
    crop_id: int | None = None  # the crop stored with the alert


class Remembered(msgspec.Struct, frozen=True, kw_only=True):
    """A camera's row for one subject."""

    alert_id: int
    incident_id: int | None
    crop_id: int | None
    last_seen_at: dt.datetime

    @property
    def ref(self) -> AlertRef:
        return AlertRef(self.alert_id, self.incident_id, self.crop_id)


def carried_on(row: Remembered | None, now: dt.datetime, cooldown_s: float) -> AlertRef | None:
    """The alert a subject seen at ``now`` is still a sighting of, as far as the time goes
    (whether its incident is open is the caller's check, under the incident's lock). A camera
    without a cooldown (0) alerts on every frame, even when another node's clock runs ahead."""
    if row is None or cooldown_s <= 0:
        return None
    if (now - row.last_seen_at).total_seconds() > cooldown_s:
        return None
    return row.ref


def horizon_s(default_cooldown_s: float) -> float:
    """How long a row can matter: the longest cooldown a camera can have."""
    return max(default_cooldown_s, float(MAX_COOLDOWN_S))


async def find(db: Database, camera_id: int, subject: str) -> Remembered | None:
    """The camera's row for ``subject``, inside `db.write()`: on PostgreSQL it first takes the
    subject's lock, which the transaction holds until it commits its decision."""
    if db.engine.current_transaction.get() is None:
        raise RuntimeError("a subject is looked up inside db.write(), where its lock holds")
    if not db.is_sqlite:
        await db.fetch("SELECT pg_advisory_xact_lock({})", _lock_id(camera_id, subject))
    row = await db.fetch_one(
        "SELECT alert_id, incident_id, crop_id, last_seen_at FROM recognition_subjects "
        "WHERE camera_id = {} AND subject = {}",
        camera_id,
        subject,
    )
    return None if row is None else msgspec.convert(row, Remembered, strict=False)


async def remember(
    db: Database, camera_id: int, subject: str, ref: AlertRef, seen_at: dt.datetime
) -> None:
    """Record that ``subject`` was seen at ``seen_at`` as ``ref`` (inside `db.write()`)."""
    await db.fetch(
        "INSERT INTO recognition_subjects "
        "(camera_id, subject, alert_id, incident_id, crop_id, last_seen_at) "
        "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (camera_id, subject) DO UPDATE SET "
        "alert_id = excluded.alert_id, incident_id = excluded.incident_id, "
        "crop_id = excluded.crop_id, last_seen_at = excluded.last_seen_at",
        camera_id,
        subject,
        ref.alert_id,
        ref.incident_id,
        ref.crop_id,
        seen_at,
    )


async def sweep(db: Database, older_than: dt.datetime) -> int:
    """Delete the rows last seen before ``older_than``; returns how many went."""
    async with db.write():
        rows = await db.fetch(
            "DELETE FROM recognition_subjects WHERE last_seen_at < {} RETURNING id", older_than
        )
    return len(rows)


def _lock_id(camera_id: int, subject: str) -> int:
    """PostgreSQL names an advisory lock by one signed 64-bit number. Two subjects that share a
    number only wait for each other."""
    digest = hashlib.sha256(f"{_LOCK_NAME}\x00{camera_id}\x00{subject}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
