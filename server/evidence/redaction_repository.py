"""Redaction jobs as stored. Every move of a job is a conditional UPDATE on its current state,
so a retried request or a second worker after a restart never moves a job twice.

Writes: redactions
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec

from recognition.redaction import Track, VideoInfo
from server.db import Database
from server.evidence.redaction_schemas import WORKING, Redaction, RedactionState

_COLUMNS: Final = (
    "id, recording_id, source_sha256, state, progress, error, requested_by, rendered_by, "
    "detect_every_n_frames, attempts, video, tracks, derivative_id, derivative_sha256, "
    "created_at, updated_at"
)
_TRACKS: Final = msgspec.json.Decoder(list[Track])
_VIDEO: Final = msgspec.json.Decoder(VideoInfo)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _to_redaction(row: dict[str, Any]) -> Redaction:
    values = {
        **row,
        "video": None if row["video"] is None else _VIDEO.decode(row["video"]),
        "tracks": None if row["tracks"] is None else _TRACKS.decode(row["tracks"]),
    }
    return msgspec.convert(values, Redaction, strict=False)


def _json(value: object) -> str:
    return msgspec.json.encode(value).decode()


async def insert(db: Database, job: Redaction) -> None:
    await db.fetch(
        f"INSERT INTO redactions ({_COLUMNS}) VALUES "  # noqa: S608  (our own column list)
        "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        job.id,
        job.recording_id,
        job.source_sha256,
        job.state.value,
        job.progress,
        job.error,
        job.requested_by,
        job.rendered_by,
        job.detect_every_n_frames,
        job.attempts,
        None if job.video is None else _json(job.video),
        None if job.tracks is None else _json(job.tracks),
        job.derivative_id,
        job.derivative_sha256,
        job.created_at,
        job.updated_at,
    )


async def find(db: Database, redaction_id: str) -> Redaction | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM redactions WHERE id = {{}}",  # noqa: S608
        redaction_id,
    )
    return None if row is None else _to_redaction(row)


async def of_recording(db: Database, recording_id: str) -> list[Redaction]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM redactions WHERE recording_id = {{}} "  # noqa: S608
        "ORDER BY created_at, id",
        recording_id,
    )
    return [_to_redaction(row) for row in rows]


async def next_working(db: Database) -> Redaction | None:
    """The oldest job the worker has to act on (new, or left mid-step by a stop)."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM redactions WHERE state IN ({{}}, {{}}) "  # noqa: S608
        "ORDER BY created_at, id LIMIT 1",
        *sorted(state.value for state in WORKING),
    )
    return None if row is None else _to_redaction(row)


async def claim(db: Database, job: Redaction) -> bool:
    """Count one more start of the worker on `job`, only if nobody moved it meanwhile."""
    rows = await db.fetch(
        "UPDATE redactions SET attempts = attempts + 1, progress = 0, updated_at = {} "
        "WHERE id = {} AND state = {} AND attempts = {} RETURNING id",
        _now(),
        job.id,
        job.state.value,
        job.attempts,
    )
    return bool(rows)


async def set_progress(
    db: Database, redaction_id: str, state: RedactionState, progress: float
) -> None:
    await db.fetch(
        "UPDATE redactions SET progress = {}, updated_at = {} WHERE id = {} AND state = {}",
        progress,
        _now(),
        redaction_id,
        state.value,
    )


async def _move(
    db: Database, redaction_id: str, current: RedactionState, **changes: object
) -> bool:
    """Set `changes` (column = value) and `updated_at` on the job, only while it is in
    `current`; whether it was."""
    columns = [*changes, "updated_at"]
    assignments = ", ".join(f"{column} = {{}}" for column in columns)
    rows = await db.fetch(
        f"UPDATE redactions SET {assignments} "  # noqa: S608  (column names from this module)
        "WHERE id = {} AND state = {} RETURNING id",
        *changes.values(),
        _now(),
        redaction_id,
        current.value,
    )
    return bool(rows)


async def proposed(db: Database, redaction_id: str, video: VideoInfo, tracks: list[Track]) -> bool:
    """proposing → review with the proposal; False if the job was no longer proposing."""
    return await _move(
        db,
        redaction_id,
        RedactionState.PROPOSING,
        state=RedactionState.REVIEW.value,
        progress=1,
        video=_json(video),
        tracks=_json(tracks),
        attempts=0,
    )


async def replace_tracks(db: Database, redaction_id: str, tracks: list[Track]) -> bool:
    return await _move(db, redaction_id, RedactionState.REVIEW, tracks=_json(tracks))


async def start_render(db: Database, redaction_id: str, actor: str, derivative_id: str) -> bool:
    """review → rendering, naming the derivative's recording id once and for all."""
    return await _move(
        db,
        redaction_id,
        RedactionState.REVIEW,
        state=RedactionState.RENDERING.value,
        progress=0,
        rendered_by=actor,
        derivative_id=derivative_id,
    )


async def rendered(db: Database, redaction_id: str, sha256: str) -> bool:
    return await _move(
        db,
        redaction_id,
        RedactionState.RENDERING,
        state=RedactionState.DONE.value,
        progress=1,
        derivative_sha256=sha256,
    )


async def failed(db: Database, redaction_id: str, state: RedactionState, error: str) -> bool:
    return await _move(db, redaction_id, state, state=RedactionState.FAILED.value, error=error)
