"""Resumable uploads as stored: offset, state and checksum of each.

Writes: uploads
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from server.db import Database
from server.uploads.schemas import UploadRecord
from server.uploads.tus import UploadState

_COLUMNS = (
    "id, recording_id, length, upload_offset, state, metadata, owner, expected_sha256, sha256, "
    "category, created_at, expires_at, finished_at"
)


def _to_record(row: dict[str, Any]) -> UploadRecord:
    values = {
        **row,
        "offset": row["upload_offset"],
        "metadata": msgspec.json.decode(row["metadata"]),
    }
    return msgspec.convert(values, UploadRecord, strict=False)


async def insert(db: Database, record: UploadRecord) -> None:
    await db.fetch(
        f"INSERT INTO uploads ({_COLUMNS}) "  # noqa: S608  (our own column list)
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        record.id,
        record.recording_id,
        record.length,
        record.offset,
        record.state.value,
        msgspec.json.encode(record.metadata).decode(),
        record.owner,
        record.expected_sha256,
        record.sha256,
        record.category,
        record.created_at,
        record.expires_at,
        record.finished_at,
    )


async def find(db: Database, upload_id: str, *, lock: bool = False) -> UploadRecord | None:
    suffix = db.for_update if lock else ""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM uploads WHERE id = {{}}{suffix}",  # noqa: S608
        upload_id,
    )
    return None if row is None else _to_record(row)


async def set_offset(db: Database, upload_id: str, offset: int, expires_at: dt.datetime) -> None:
    await db.fetch(
        "UPDATE uploads SET upload_offset = {}, expires_at = {} WHERE id = {}",
        offset,
        expires_at,
        upload_id,
    )


async def finish(
    db: Database, upload_id: str, state: UploadState, sha256: str, at: dt.datetime
) -> None:
    await db.fetch(
        "UPDATE uploads SET state = {}, sha256 = {}, finished_at = {} WHERE id = {}",
        state.value,
        sha256,
        at,
        upload_id,
    )


async def set_state(db: Database, upload_id: str, state: UploadState) -> None:
    await db.fetch("UPDATE uploads SET state = {} WHERE id = {}", state.value, upload_id)


async def expired(db: Database, now: dt.datetime) -> list[UploadRecord]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM uploads WHERE state = {{}} AND expires_at < {{}}",  # noqa: S608
        UploadState.RECEIVING.value,
        now,
    )
    return [_to_record(row) for row in rows]


async def stranded(db: Database) -> list[UploadRecord]:
    """Uploads with every byte stored whose finish did not complete (store down, crash)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM uploads WHERE state = {{}} AND upload_offset = length",  # noqa: S608
        UploadState.RECEIVING.value,
    )
    return [_to_record(row) for row in rows]


async def verified_files(db: Database) -> list[tuple[str, str]]:
    """(recording_id, sha256) of every verified upload, oldest first."""
    rows = await db.fetch(
        "SELECT recording_id, sha256 FROM uploads WHERE state = {} ORDER BY finished_at, id",
        UploadState.VERIFIED.value,
    )
    return [(str(row["recording_id"]), str(row["sha256"])) for row in rows]


async def verified_for(db: Database, recording_id: str) -> UploadRecord | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM uploads WHERE recording_id = {{}} AND state = {{}} "  # noqa: S608
        "ORDER BY finished_at DESC LIMIT 1",
        recording_id,
        UploadState.VERIFIED.value,
    )
    return None if row is None else _to_record(row)
