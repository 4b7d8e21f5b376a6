"""Redaction for the routes: start a job on a recording, show it, take the reviewer's edited
tracks, show a frame with its boxes, and ask for the render.

Theory: a job is a row (server/evidence/redaction_repository.py) that the worker
(server/evidence/redaction_worker.py) picks up in `proposing` and `rendering`; everything here
only reads it or moves it out of `review`, each move a conditional UPDATE, so the API answers at
once and a restart loses nothing. Every caller must be one the original's access class admits to
its evidence (server/custody/access.py); opening a recording for redaction is a view of it, on
its custody log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path
from typing import Final

from recognition.redaction import Box, Track, VideoInfo
from server.auth.schemas import Principal
from server.custody import service as custody
from server.custody.schemas import CustodyKind
from server.db import Database
from server.errors import BadRequest, Conflict, NotFound
from server.evidence import redaction_files
from server.evidence import redaction_repository as repository
from server.evidence.redaction_schemas import (
    MAX_KEYFRAMES,
    Redaction,
    RedactionStart,
    RedactionState,
)
from server.uploads import repository as uploads
from server.uploads.storage import EvidenceStore
from sync.uuid7 import uuid7

MAX_THUMBNAIL_PX: Final = 1920


def _new_id() -> str:
    return str(uuid7(time.time_ns() // 1_000_000))


async def start(db: Database, recording_id: str, body: RedactionStart, who: Principal) -> Redaction:
    await custody.require_reader(db, recording_id, who)
    upload = await uploads.verified_for(db, recording_id)
    if upload is None or upload.sha256 is None:
        raise NotFound(f"Recording {recording_id} has no verified file to redact.")
    now = dt.datetime.now(dt.UTC)
    job = Redaction(
        id=_new_id(),
        recording_id=recording_id,
        source_sha256=upload.sha256,
        state=RedactionState.PROPOSING,
        progress=0.0,
        requested_by=who.actor,
        detect_every_n_frames=body.detect_every_n_frames,
        created_at=now,
        updated_at=now,
    )
    async with db.write():
        await repository.insert(db, job)
    await custody.log(
        db,
        recording_id,
        who,
        CustodyKind.VIEWED,
        "opened for redaction",
        {"redaction_id": job.id, "sha256": upload.sha256},
    )
    return job


async def open_job(db: Database, redaction_id: str, who: Principal) -> Redaction:
    job = await repository.find(db, redaction_id)
    if job is None:
        raise NotFound(f"There is no redaction {redaction_id}.")
    await custody.require_reader(db, job.recording_id, who)
    return job


async def of_recording(db: Database, recording_id: str, who: Principal) -> list[Redaction]:
    await custody.require_reader(db, recording_id, who)
    return await repository.of_recording(db, recording_id)


def _in_review(job: Redaction) -> VideoInfo:
    if job.state is not RedactionState.REVIEW or job.video is None:
        raise Conflict(
            f"Redaction {job.id} is {job.state.value}; boxes change and render starts only "
            "while it is in review.",
            code="conflict",
        )
    return job.video


async def edit_tracks(
    db: Database, redaction_id: str, tracks: list[Track], who: Principal
) -> Redaction:
    """Replace the tracks with the reviewer's list (removed ones left out, manual ones added)."""
    job = await open_job(db, redaction_id, who)
    checked = checked_tracks(tracks, _in_review(job))
    async with db.write():
        moved = await repository.replace_tracks(db, redaction_id, checked)
    current = await open_job(db, redaction_id, who)
    if not moved:
        _in_review(current)  # moved out of review meanwhile: the 409 says what it is now
    return current


async def request_render(db: Database, redaction_id: str, who: Principal) -> Redaction:
    """review → rendering; the worker writes the derivative. Asking twice is harmless."""
    job = await open_job(db, redaction_id, who)
    if job.state in (RedactionState.RENDERING, RedactionState.DONE):
        return job
    _in_review(job)
    async with db.write():
        await repository.start_render(db, redaction_id, who.actor, _new_id())
    job = await open_job(db, redaction_id, who)
    if job.state not in (RedactionState.RENDERING, RedactionState.DONE):
        _in_review(job)  # moved by somebody else meanwhile: say what it is now
    return job


async def frame(
    db: Database,
    store: EvidenceStore,
    evidence_path: Path,
    request: tuple[str, int],
    who: Principal,
    *,
    boxes: bool,
    max_side_px: int | None,
) -> bytes:
    """Frame n of the job's original as JPEG, with the current boxes drawn if asked."""
    redaction_id, number = request
    job = await open_job(db, redaction_id, who)
    if job.video is None:
        raise Conflict(f"Redaction {redaction_id} is still looking at the video.", code="conflict")
    if not 0 <= number < job.video.frame_count:
        raise NotFound(f"Frame {number} is outside 0..{job.video.frame_count - 1}.")
    folder = redaction_files.scratch(evidence_path, job.id)
    video = await redaction_files.local_original(store, job.source_sha256, folder)
    tracks = job.tracks if boxes else None
    side = None if max_side_px is None else min(max_side_px, MAX_THUMBNAIL_PX)
    return await asyncio.to_thread(redaction_files.frame_jpeg, video, number, tracks, side)


def checked_tracks(tracks: list[Track], video: VideoInfo) -> list[Track]:
    """The reviewer's tracks made safe to store: ids unique, frames inside the video, keyframes
    in order, every box clipped to the picture; a box that is empty after clipping is refused."""
    if len({track.track_id for track in tracks}) != len(tracks):
        raise BadRequest("Two tracks have the same track_id.", code="bad_request")
    if sum(len(track.keyframes) for track in tracks) > MAX_KEYFRAMES:
        raise BadRequest(f"More than {MAX_KEYFRAMES} keyframes in all.", code="bad_request")
    return [_checked(track, video) for track in tracks]


def _checked(track: Track, video: VideoInfo) -> Track:
    """The span is clipped to the video (a span of ± n seconds may reach past either end);
    keyframes must lie inside it."""
    last = video.frame_count - 1
    first_frame, last_frame = max(0, track.first_frame), min(last, track.last_frame)
    frames = [frame for frame, _ in track.keyframes]
    if not frames or not all(first_frame <= frame <= last_frame for frame in frames):
        raise BadRequest(
            f"Track {track.track_id} needs keyframes, all inside its span and frames 0..{last}.",
            code="bad_request",
        )
    keyframes = sorted(
        ((frame, _clipped(box, video, track.track_id)) for frame, box in track.keyframes),
        key=lambda item: item[0],
    )
    return Track(
        track_id=track.track_id,
        kind=track.kind,
        keyframes=keyframes,
        first_frame=first_frame,
        last_frame=last_frame,
    )


def _clipped(box: Box, video: VideoInfo, track_id: str) -> Box:
    left, top = max(0, box.x_px), max(0, box.y_px)
    right = min(video.width_px, box.x_px + box.width_px)
    bottom = min(video.height_px, box.y_px + box.height_px)
    if right <= left or bottom <= top:
        raise BadRequest(f"A box of track {track_id} lies outside the picture.", code="bad_request")
    return Box(left, top, right - left, bottom - top)
