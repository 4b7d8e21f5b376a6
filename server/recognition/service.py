"""From a camera frame to alerts: analysis in the recognition thread, then on the event loop the
cooldown decides whether each hit is a new alert, a sighting of an open one, or nothing. Before
the cooldown, the camera's stream sense (recognition.stream_sense) holds a match back until it is
in recognition_confirm_k of the camera's last recognition_confirm_n analysed frames, and hands on
the best shot of those frames: its crop, box and score are the alert's.

A new alert goes through the spine (`raise_alert`: alert, incident, timeline and outbox in one
transaction) with its crop's row in the same transaction; the crop file is written just before,
and a file whose transaction failed is removed by the retention sweep. A sighting is a timeline
entry on the open incident; once the incident is closed, the next hit is a new alert.

The cooldown in memory is a cache; the truth is the table every node shares
(server.recognition.subjects), written with each alert and each recorded sighting, never for a
quiet repeat. A hit the memory calls new reads the camera's row in the transaction that would
raise the alert: an alert recorded within the cooldown whose incident is open (raised on another
node, or on this one before a restart) gets a sighting instead, and the crop written for the
alert that was not raised is removed. The stream sense stays per node: when a camera's frames
move to another node, its k-of-n window starts empty there, so an alert can come up to n frames
later than on one node, never twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import TYPE_CHECKING, Any, Final

import msgspec

from recognition.cooldown import Verdict
from recognition.engine import Recognizer
from recognition.errors import ImageError
from recognition.faces import ImageArray
from recognition.frames import FrameDropped
from recognition.stream_sense import best_of
from server.alerts.repository import NewAlert
from server.alerts.schemas import DEFAULT_PRIORITY, AlertKind
from server.alerts.service import raise_alert
from server.cameras.schemas import CameraConfig, FrameResult, FrameStatus
from server.db import Database
from server.errors import BadRequest
from server.incidents import repository as incidents_repository
from server.incidents import service as incidents
from server.incidents.lifecycle import CLOSED
from server.incidents.timeline import EntryFacts
from server.recognition import crops, subjects
from server.recognition.analysis import FaceHit, FrameAnalysis, MatchRules, PlateHit, analyse_frame
from server.recognition.crops import CropKind
from server.recognition.subjects import AlertRef
from server.sites.repository import sites
from server.sites.schemas import SiteRef

if TYPE_CHECKING:  # a type only: the runtime imports this module (Recognition.push_frame)
    from server.recognition.runtime import Recognition


def camera_key(camera_id: int) -> str:
    return f"camera:{camera_id}"


def _actor(camera: CameraConfig) -> str:
    return f"camera:{camera.name}"


def rules_for(rec: Recognition, camera: CameraConfig) -> MatchRules:
    return MatchRules(
        faces=camera.kind.faces,
        plates=camera.kind.plates,
        site_id=camera.site_id,
        face_threshold=camera.face_threshold,
        plate_max_edits=rec.settings.plate_match_distance,
        plate_min_confidence=rec.settings.plate_min_confidence,
    )


def offer_frame(
    rec: Recognition,
    recognizer: Recognizer,
    camera: CameraConfig,
    frame: ImageArray | bytes,
    captured_s: float,
) -> asyncio.Future[FrameResult]:
    """Queue a frame; the future gives its result or raises FrameDropped."""
    rules = rules_for(rec, camera)

    def work() -> FrameAnalysis:
        return analyse_frame(recognizer, rec.watchlists, rec.plates, frame, rules)

    async def finish(analysis: FrameAnalysis) -> FrameResult:
        result = await act(rec, camera, analysis)
        rec.stats(camera.id).analysed(captured_s, time.monotonic())
        return result

    return rec.pump.offer(camera_key(camera.id), work, finish)


async def push_frame(rec: Recognition, camera: CameraConfig, data: bytes) -> FrameResult:
    """A JPEG POSTed by a push camera: analysed, or dropped when a newer frame overtook it."""
    received_s = time.monotonic()
    stats = rec.stats(camera.id)
    stats.received(received_s)
    recognizer = await rec.ready()
    try:
        return await offer_frame(rec, recognizer, camera, data, received_s)
    except FrameDropped:
        stats.dropped()
        return FrameResult(status=FrameStatus.DROPPED)
    except ImageError as err:
        raise BadRequest(f"The frame cannot be used: {err}.", code="invalid_image") from err


async def _site(db: Database, site_id: int | None) -> SiteRef:
    site = None if site_id is None else await sites.find(db, site_id)
    if site is None:
        return SiteRef()
    return SiteRef(id=site.id, name=site.name, address=site.address, lat=site.lat, lon=site.lon)


_Sensed = FaceHit | PlateHit
"""A match as stream sense holds it until confirmed: a face or a plate of one frame."""


class _Outcome:
    def __init__(self) -> None:
        self.alerts: list[int] = []
        self.sightings: list[int] = []
        self.plate_crops: dict[str, int] = {}  # a plate read whose alert stored a crop: its id


class _Hit(msgspec.Struct, frozen=True, kw_only=True):
    """One face or plate that matched a list: the alert it would raise, if the cooldown lets it."""

    subject: str  # the cooldown key: this person, this plate
    alert: NewAlert
    crop: bytes
    crop_kind: CropKind
    embedding: bytes | None
    sighting: dict[str, Any]  # what a repeat sighting records on the timeline
    plate: str | None = None  # the read, for a plate hit


def _sensed(rec: Recognition, camera: CameraConfig, analysis: FrameAnalysis) -> list[_Sensed]:
    """The frame's matches that the camera's k-of-n window confirms (recognition.stream_sense),
    each as the best shot of the frames that confirmed it. Every analysed frame goes through it,
    with matches or not: a frame without a subject is a miss for that subject."""
    candidates: list[tuple[str, float, _Sensed]] = [
        (f"face:{face.hit.person_id}", face.shot_score, face) for face in analysis.face_hits
    ]
    candidates += [(plate.subject, plate.confidence, plate) for plate in analysis.plate_hits]
    return list(rec.sense(camera.id).frame(best_of(candidates)).values())


async def act(rec: Recognition, camera: CameraConfig, analysis: FrameAnalysis) -> FrameResult:
    outcome = _Outcome()
    confirmed = _sensed(rec, camera, analysis)
    if confirmed:
        site = await _site(rec.db, camera.site_id)
        hits = [
            _face_hit(camera, site, shot)
            if isinstance(shot, FaceHit)
            else _plate_hit(camera, site, shot)
            for shot in confirmed
        ]
        for hit in hits:
            await _handle(rec, camera, hit, outcome)
    if analysis.plate_reads:  # buffered, written off this path (server.plates.reads)
        rec.plate_reads.add(
            camera.id,
            camera.site_id,
            analysis.plate_reads,
            outcome.plate_crops,
            dt.datetime.now(dt.UTC),
        )
    return FrameResult(
        status=FrameStatus.ANALYSED,
        faces=analysis.faces,
        plates=analysis.plates,
        alerts=outcome.alerts,
        sightings=outcome.sightings,
    )


def _cooldown_s(rec: Recognition, camera: CameraConfig) -> float:
    return rec.settings.recognition_cooldown_s if camera.cooldown_s is None else camera.cooldown_s


async def _handle(rec: Recognition, camera: CameraConfig, hit: _Hit, outcome: _Outcome) -> None:
    now_s = time.monotonic()
    cooldown = rec.cooldown(camera.id)
    verdict, ref = cooldown.observe(hit.subject, now_s, _cooldown_s(rec, camera))
    if ref is not None and verdict is Verdict.QUIET:
        outcome.sightings.append(ref.alert_id)
        return
    if ref is not None and await _record_sighting(rec, camera, hit, ref):
        outcome.sightings.append(ref.alert_id)
        return
    ref, raised = await _raise(rec, camera, hit)
    cooldown.bind(hit.subject, ref, now_s)
    if not raised:  # the shared cooldown knew the subject: a sighting
        outcome.sightings.append(ref.alert_id)
        return
    outcome.alerts.append(ref.alert_id)
    if hit.plate is not None and ref.crop_id is not None:
        outcome.plate_crops[hit.plate] = ref.crop_id


async def _record_sighting(
    rec: Recognition, camera: CameraConfig, hit: _Hit, ref: AlertRef
) -> bool:
    """Append a sighting to the alert's open incident; False when the incident is closed."""
    if ref.incident_id is None:
        return False
    db = rec.db
    async with db.write():
        incident = await incidents_repository.find(db, ref.incident_id, lock=True)
        if incident is None or incident.status in CLOSED:
            return False
        now = dt.datetime.now(dt.UTC)
        await incidents.record(
            db,
            EntryFacts(
                incident_id=ref.incident_id,
                at=now,
                actor=_actor(camera),
                kind="sighting",
                data={"alert_id": ref.alert_id, "camera_id": camera.id, **hit.sighting},
            ),
        )
        await subjects.remember(db, camera.id, hit.subject, ref, now)
    return True


async def _raise(rec: Recognition, camera: CameraConfig, hit: _Hit) -> tuple[AlertRef, bool]:
    """A new alert for the hit, and True; or, when the shared cooldown holds an alert of this
    subject whose incident is open, a sighting of that alert, and False."""
    root = crops.crops_root(rec.settings.data_path)
    now = dt.datetime.now(dt.UTC)
    path = await asyncio.to_thread(crops.write_file, root, hit.crop, now)
    db = rec.db
    async with db.write():
        row = await subjects.find(db, camera.id, hit.subject)
        known = subjects.carried_on(row, now, _cooldown_s(rec, camera))
        if known is None or not await _record_sighting(rec, camera, hit, known):
            return await _raise_alert(rec, camera, hit, path, now), True
    await asyncio.to_thread((root / path).unlink, missing_ok=True)  # its alert was not raised
    return known, False


async def _raise_alert(
    rec: Recognition, camera: CameraConfig, hit: _Hit, path: str, now: dt.datetime
) -> AlertRef:
    """The alert, its crop's row and the subject's row (inside `db.write()`)."""
    db = rec.db
    crop_id = await crops.insert(db, hit.crop_kind, camera.id, path, hit.embedding)
    details = {**hit.alert.details, "crop_id": crop_id, "crop_url": crops.crop_url(crop_id)}
    new = msgspec.structs.replace(hit.alert, details=details, occurred_at=now, received_at=now)
    alert, _ = await raise_alert(db, rec.clock, new, _actor(camera))
    await crops.link(db, crop_id, alert.id)
    ref = AlertRef(alert.id, alert.incident_id, crop_id)
    await subjects.remember(db, camera.id, hit.subject, ref, now)
    return ref


LEAST_URGENT: Final = 4
"""The last priority (Priority: 1 is the most urgent)."""


def _camera_details(camera: CameraConfig) -> dict[str, Any]:
    return {"camera_id": camera.id, "camera": camera.name}


def _new_alert(
    kind: AlertKind, site: SiteRef, description: str, details: dict[str, Any]
) -> NewAlert:
    now = dt.datetime.now(dt.UTC)
    return NewAlert(
        kind=kind,
        priority=DEFAULT_PRIORITY[kind],
        source="camera",
        site=site,
        occurred_at=now,
        received_at=now,
        description=description,
        details=details,
    )


def _face_hit(camera: CameraConfig, site: SiteRef, face: FaceHit) -> _Hit:
    hit = face.hit
    details = {
        **_camera_details(camera),
        "watchlist_id": hit.watchlist_id,
        "watchlist": hit.watchlist,
        "person_id": hit.person_id,
        "person": hit.person,
        "similarity": hit.similarity,
        "threshold": hit.threshold,
        "box": list(face.box),
    }
    description = (
        f"Face ID: {hit.person} ({hit.watchlist}) at camera {camera.name}, "
        f"similarity {hit.similarity:.2f}"
    )
    return _Hit(
        subject=f"face:{hit.person_id}",
        alert=_new_alert(AlertKind.FACE_MATCH, site, description, details),
        crop=face.crop,
        crop_kind=CropKind.FACE,
        embedding=face.embedding,
        sighting={"person_id": hit.person_id, "similarity": hit.similarity},
    )


def _plate_hit(camera: CameraConfig, site: SiteRef, plate: PlateHit) -> _Hit:
    details: dict[str, Any] = {
        **_camera_details(camera),
        "plate": plate.text,
        "display": plate.display,
        "raw": plate.raw,
        "confidence": plate.confidence,
        "box": list(plate.box),
    }
    if plate.listed is None:
        description = f"Foreign plate {plate.display} at camera {camera.name}"
    else:
        listed = plate.listed
        details |= {
            "list_id": listed.list_id,
            "list": listed.list,
            "listed_plate": listed.plate,
            "distance": listed.distance,
        }
        description = f"Wanted plate {listed.plate} (list {listed.list}) at camera {camera.name}"
        details |= {"possible": plate.possible, "uncertain": list(plate.uncertain)}
        if plate.possible:
            description = (
                f"Possible match: wanted plate {listed.plate} (list {listed.list}) read as "
                f"{plate.display} at camera {camera.name}"
            )
    alert = _new_alert(plate.kind, site, description, details)
    if plate.possible:  # one step less urgent than a sure match
        alert = msgspec.structs.replace(alert, priority=min(alert.priority + 1, LEAST_URGENT))
    return _Hit(
        subject=plate.subject,
        alert=alert,
        crop=plate.crop,
        crop_kind=CropKind.PLATE,
        embedding=None,
        sighting={"plate": plate.text, "confidence": plate.confidence},
        plate=plate.text,
    )
