"""The node's side of an external worker's report: match, cut crops of the matches, commit.

A report carries what the models found in a queued frame. Matching against the watchlist and
plate indexes happens here, on the node that holds them (a change to a list is in force for the
next report, with nothing to push to workers), and the result goes through ``service.act``, the
path of a frame this node analysed itself. Each frame is committed once however often it is
reported (server.recognition.cluster, ``FrameQueue.claim``).
"""

from __future__ import annotations

import asyncio
import logging
import time

import msgspec
import numpy as np
from litestar import Router, post

from recognition.engine import crop_jpeg
from recognition.errors import ImageError
from recognition.faces import ImageArray
from recognition.images import decode_image
from server.auth.guards import allow
from server.auth.schemas import Role
from server.cameras import repository as cameras
from server.cameras.schemas import CameraConfig
from server.errors import BadRequest, Conflict
from server.http_params import AnyRequest
from server.recognition import service
from server.recognition.analysis import (
    FACE_CROP_MARGIN,
    FaceHit,
    FrameAnalysis,
    PlateHit,
    frame_reads,
    plate_hit,
    plate_verdict,
    rounded,
)
from server.recognition.cluster import (
    FrameOutcome,
    FrameQueue,
    FrameReport,
    Outcome,
    ReportAnswer,
    ReportBatch,
)
from server.recognition.runtime import Recognition, RecognitionDep
from server.watchlists.index import from_bytes

logger = logging.getLogger(__name__)

MAX_REPORT_BYTES = 4 * 1024 * 1024


class FrameGone(Exception):
    """The frame left the stream before a match's crop could be cut from it."""


class _Frame:
    """The frame's pixels, fetched from the stream only when something matched."""

    def __init__(self, queue: FrameQueue, report: FrameReport) -> None:
        self._queue, self._report = queue, report
        self._image: ImageArray | None = None

    async def image(self) -> ImageArray:
        if self._image is None:
            jpeg = await self._queue.frame(self._report.camera_id, self._report.frame_id)
            if jpeg is None:
                raise FrameGone(self._report.frame_id)
            self._image = await asyncio.to_thread(decode_image, jpeg)
        return self._image


async def _face_hits(
    rec: Recognition, camera: CameraConfig, report: FrameReport, frame: _Frame
) -> list[FaceHit]:
    embedded = [face for face in report.faces if face.embedding is not None]
    if not camera.kind.faces or not embedded:
        return []
    probes = np.stack([from_bytes(face.embedding or b"") for face in embedded])
    hits = []
    for found, hit in zip(
        embedded, rec.watchlists.match(probes, threshold=camera.face_threshold), strict=True
    ):
        if hit is None or found.embedding is None:
            continue
        box = found.face.box
        crop = crop_jpeg(await frame.image(), box, FACE_CROP_MARGIN)
        hits.append(
            FaceHit(
                hit=hit,
                box=rounded(box),
                score=round(found.face.score, 4),
                crop=crop,
                embedding=found.embedding,
            )
        )
    return hits


async def _plate_hits(
    rec: Recognition, camera: CameraConfig, report: FrameReport, frame: _Frame
) -> list[PlateHit]:
    if not camera.kind.plates:
        return []
    rules = service.rules_for(rec, camera)
    hits = []
    for reading in report.plates:
        verdict = plate_verdict(reading, rec.plates, rules)
        if verdict is None:
            continue
        kind, listed = verdict
        hits.append(plate_hit(reading, kind, listed, await frame.image()))
    return hits


async def _analysis(
    rec: Recognition, queue: FrameQueue, camera: CameraConfig, report: FrameReport
) -> FrameAnalysis:
    frame = _Frame(queue, report)
    return FrameAnalysis(
        faces=len(report.faces) if camera.kind.faces else 0,
        plates=[reading.text.text for reading in report.plates] if camera.kind.plates else [],
        face_hits=await _face_hits(rec, camera, report, frame),
        plate_hits=await _plate_hits(rec, camera, report, frame),
        plate_reads=frame_reads(report.plates) if camera.kind.plates else [],
    )


def _analysed_now(rec: Recognition, report: FrameReport) -> None:
    """Count the frame in the camera's figures, its lag measured from when it was queued."""
    now_s = time.monotonic()
    lag_s = max(0.0, time.time() - report.pushed_at_s)
    rec.stats(report.camera_id).analysed(now_s - lag_s, now_s)


def _settled_unread(rec: Recognition, report: FrameReport) -> FrameOutcome | None:
    """The outcome of a frame that is never committed: skipped by the worker, or unusable."""
    if report.skipped:
        rec.stats(report.camera_id).skipped()
        return FrameOutcome(frame_id=report.frame_id, outcome="skipped")
    if report.error:
        rec.stats(report.camera_id).dropped()
        logger.warning("camera %d: a queued frame is unusable: %s", report.camera_id, report.error)
        return FrameOutcome(frame_id=report.frame_id, outcome="invalid")
    return None


async def commit(rec: Recognition, queue: FrameQueue, report: FrameReport) -> FrameOutcome:
    """One frame's report, committed at most once."""
    camera = await cameras.find(rec.db, report.camera_id)
    if camera is None or not camera.enabled:
        return FrameOutcome(frame_id=report.frame_id, outcome="gone")
    settled = _settled_unread(rec, report)
    if settled is not None:
        return settled
    claim = await queue.claim(camera.id, report.frame_id)
    if claim != "new":
        outcome: Outcome = "duplicate" if claim == "done" else "busy"
        return FrameOutcome(frame_id=report.frame_id, outcome=outcome)
    try:
        analysis = await _analysis(rec, queue, camera, report)
        result = await service.act(rec, camera, analysis)
    except (FrameGone, ImageError) as err:
        await queue.committed(camera.id, report.frame_id)  # nothing to commit, ever
        logger.warning("camera %s: a matched frame cannot be cropped: %r", camera.name, err)
        return FrameOutcome(frame_id=report.frame_id, outcome="gone")
    except BaseException:
        await queue.release(camera.id, report.frame_id)
        raise
    await queue.committed(camera.id, report.frame_id)
    _analysed_now(rec, report)
    return FrameOutcome(
        frame_id=report.frame_id,
        outcome="analysed",
        alerts=result.alerts,
        sightings=result.sightings,
    )


def _queue(rec: Recognition) -> FrameQueue:
    if rec.frame_queue is None:
        raise Conflict(  # the worker was pointed at a node set up without workers: its mistake
            "This node does not take worker reports: set recognition_workers=external (and a "
            "redis:// bus_url) to have external workers analyse its cameras.",
            code="workers_not_external",
        )
    return rec.frame_queue


@post(
    "/reports",
    **allow(Role.CAMERA, Role.ADMIN),
    status_code=200,
    summary="A recognition worker's findings for queued camera frames",
    description="Used by `posbon recognition worker` (recognition_workers=external): per frame, "
    "the faces (box, landmarks, embedding) and plate readings the models found. The node "
    "matches them, raises alerts and answers per frame: analysed, duplicate (committed "
    "before), busy (being committed: send again later), skipped, invalid or gone.",
)
async def receive_reports(request: AnyRequest, recognition: RecognitionDep) -> ReportAnswer:
    queue = _queue(recognition)
    body = await request.body()
    if len(body) > MAX_REPORT_BYTES:
        raise BadRequest(
            f"A report may be at most {MAX_REPORT_BYTES} bytes.", code="report_too_large"
        )
    try:
        batch = msgspec.json.decode(body, type=ReportBatch)
    except msgspec.ValidationError as err:
        raise BadRequest(f"The report is not valid: {err}.", code="invalid_report") from err
    except msgspec.DecodeError as err:
        raise BadRequest("The report is not JSON.", code="invalid_report") from err
    await recognition.indexes()
    return ReportAnswer([await commit(recognition, queue, frame) for frame in batch.frames])


router = Router(
    path="/api/v1/recognition/worker", route_handlers=[receive_reports], tags=["recognition"]
)
