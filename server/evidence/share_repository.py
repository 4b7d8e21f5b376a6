"""Share links as stored, and the synced facts of a shared recording that its page shows.

Writes: evidence_shares, evidence_share_items
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Final

import msgspec

from server.db import Database
from server.evidence.share_schemas import NewShare, ShareRecord
from sync.entities import EntityKind

_COLUMNS: Final = (
    "id, token_sha256, recording_id, incident_id, recipient, reason, mode, expires_at, pin_hash, "
    "created_by, created_at, revoked_at, revoked_by, revoke_reason, pin_failures, locked_until, "
    "access_count, last_access_at"
)
_SELECT: Final = f"SELECT {_COLUMNS} FROM evidence_shares"  # noqa: S608  (our own column list)


async def insert(db: Database, share: NewShare) -> int:
    """Must run inside `db.write()`; the share and the recordings it covers, in one go."""
    row = await db.fetch_one(
        "INSERT INTO evidence_shares (token_sha256, recording_id, incident_id, recipient, reason, "
        "mode, expires_at, pin_hash, created_by, created_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
        share.token_sha256,
        share.recording_id,
        share.incident_id,
        share.recipient,
        share.reason,
        share.mode.value,
        share.expires_at,
        share.pin_hash,
        share.created_by,
        share.created_at,
    )
    assert row is not None
    share_id = int(row["id"])
    for position, recording_id in enumerate(share.recordings):
        await db.fetch(
            "INSERT INTO evidence_share_items (share_id, recording_id, position) "
            "VALUES ({}, {}, {})",
            share_id,
            recording_id,
            position,
        )
    return share_id


async def _records(db: Database, rows: list[dict[str, Any]]) -> list[ShareRecord]:
    if not rows:
        return []
    ids = [int(row["id"]) for row in rows]
    marks = ", ".join("{}" for _ in ids)
    items = await db.fetch(
        "SELECT share_id, recording_id FROM evidence_share_items "  # noqa: S608  (placeholders)
        f"WHERE share_id IN ({marks}) ORDER BY share_id, position",
        *ids,
    )
    covered: dict[int, list[str]] = defaultdict(list)
    for item in items:
        covered[int(item["share_id"])].append(str(item["recording_id"]))
    return [
        msgspec.convert({**row, "recordings": covered[int(row["id"])]}, ShareRecord, strict=False)
        for row in rows
    ]


async def by_token(db: Database, token_sha256: str) -> ShareRecord | None:
    found = await _records(db, await db.fetch(_SELECT + " WHERE token_sha256 = {}", token_sha256))
    return found[0] if found else None


async def find(db: Database, share_id: int, *, lock: bool = False) -> ShareRecord | None:
    suffix = db.for_update if lock else ""
    rows = await db.fetch(_SELECT + " WHERE id = {}" + suffix, share_id)
    found = await _records(db, rows)
    return found[0] if found else None


async def listing(
    db: Database, recording_id: str | None = None, incident_id: int | None = None
) -> list[ShareRecord]:
    """Newest first; with a recording, the shares that cover it (alone or in an incident's)."""
    sql = _SELECT + " WHERE 1 = 1"
    args: list[object] = []
    if recording_id is not None:
        sql += " AND id IN (SELECT share_id FROM evidence_share_items WHERE recording_id = {})"
        args.append(recording_id)
    if incident_id is not None:
        sql += " AND incident_id = {}"
        args.append(incident_id)
    return await _records(db, await db.fetch(sql + " ORDER BY id DESC", *args))


async def revoke(db: Database, share_id: int, at: dt.datetime, by: str, reason: str) -> bool:
    """Whether this call revoked it (False: it already was; a retry changes nothing)."""
    rows = await db.fetch(
        "UPDATE evidence_shares SET revoked_at = {}, revoked_by = {}, revoke_reason = {} "
        "WHERE id = {} AND revoked_at IS NULL RETURNING id",
        at,
        by,
        reason,
        share_id,
    )
    return bool(rows)


async def count_access(db: Database, share_id: int, at: dt.datetime) -> None:
    await db.fetch(
        "UPDATE evidence_shares SET access_count = access_count + 1, last_access_at = {} "
        "WHERE id = {}",
        at,
        share_id,
    )


async def set_pin_failures(
    db: Database, share_id: int, failures: int, locked_until: dt.datetime | None
) -> None:
    await db.fetch(
        "UPDATE evidence_shares SET pin_failures = {}, locked_until = {} WHERE id = {}",
        failures,
        locked_until,
        share_id,
    )


async def recording_values(db: Database, recording_id: str) -> dict[str, Any]:
    """The synced fields of a recording (camera facts and curated title), as plain values.

    Read-only: server/sync/recordings.py's SyncedRecording carries the fields the access rules
    need, not the title, times and camera a recipient's page lists."""
    row = await db.fetch_one(
        "SELECT fields FROM sync_entities WHERE kind = {} AND entity_id = {}",
        EntityKind.RECORDING.value,
        recording_id,
    )
    if row is None:
        return {}
    fields: dict[str, Any] = msgspec.json.decode(row["fields"])
    return {name: stamp.get("value") for name, stamp in fields.items() if isinstance(stamp, dict)}
