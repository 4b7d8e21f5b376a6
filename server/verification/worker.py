"""The snapshot worker: a camera picture of every alarm at a site with cameras, taken after the
alarm's transaction commits, so the panel's ACK never waits for a camera.

Theory of operation. The worker runs on one node of a cluster at a time (the `verification`
lease). Each round it

1. **scans** the alerts stored since its scan position: a device's alarm (server/signals/
   grouping.py `SITE_KINDS`) at a site with pulled cameras, received within
   `snapshot_max_lag_s`, gets one job per camera, in the transaction that moves the position.
   The position moves back `SCAN_SLACK` ids each round: on PostgreSQL a transaction that took a
   lower id may commit after a higher one was seen; a job already stored is not stored again.
2. **takes** each due job: a conditional UPDATE counts the try and sets when the job is due
   again (a try a restart stopped is retried then, with the same recording id: one recording
   per job whatever happens); one frame is grabbed in a thread (server/verification/snapshot.py),
   kept in the evidence store by its SHA-256 and, in one transaction, registered as evidence
   (server/verification/evidence.py), the job marked done and the timeline told
   ("snapshot from camera X attached (sha256 …)").

A camera that gives no frame is tried `MAX_ATTEMPTS` times with a growing pause; a snapshot that
could no longer show the alarm's moment (past `snapshot_max_lag_s`) is given up, and the timeline
says so once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from pathlib import Path
from typing import Final

from server.cameras import repository as cameras
from server.cameras.schemas import CameraConfig
from server.db import Database
from server.incidents import repository as incidents
from server.incidents.service import record
from server.incidents.timeline import EntryFacts
from server.signals.grouping import SITE_KINDS
from server.uploads.evidence.base import hash_file
from server.uploads.storage import EvidenceStore
from server.verification import evidence, repository
from server.verification.evidence import ACTOR, NewSnapshot
from server.verification.schemas import AlarmRef, Capture
from server.verification.snapshot import Snapshot, SnapshotError, grab
from sync.hlc import HybridClock

logger = logging.getLogger(__name__)

SCAN_BATCH: Final = 500
SCAN_SLACK: Final = 64
MAX_ATTEMPTS: Final = 3
RETRY_FIRST_S: Final = 2.0
MAX_SNAPSHOTS_PER_INCIDENT: Final = 16
"""A long activation (zones tripping for minutes) still gets pictures of its start, not a flood."""
_KINDS: Final = frozenset(kind.value for kind in SITE_KINDS)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SnapshotWorker:
    def __init__(
        self,
        db: Database,
        store: EvidenceStore,
        clock: HybridClock,
        scratch_dir: Path,
        *,
        max_lag_s: float,
    ) -> None:
        self.db, self.store, self.clock = db, store, clock
        self.scratch_dir = scratch_dir
        self.max_lag = dt.timedelta(seconds=max_lag_s)

    async def run_forever(self, poll_s: float) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(poll_s)

    async def run_once(self) -> None:
        await self.scan()
        while (capture := await repository.next_due(self.db, _now())) is not None:
            await self.take(capture)

    async def scan(self) -> None:
        position = await repository.scan_position(self.db)
        seen = await repository.alerts_after(self.db, max(0, position - SCAN_SLACK), SCAN_BATCH)
        if not seen:
            return
        by_site: dict[int, list[CameraConfig]] = defaultdict(list)
        for camera in await cameras.pulled(self.db):
            if camera.site_id is not None:
                by_site[camera.site_id].append(camera)
        since = _now() - self.max_lag
        wanted = [a for a in seen if _wants_snapshot(a, since) and a.site_id in by_site]
        known = await repository.captured_alerts(self.db, [a.alert_id for a in wanted])
        fresh = [a for a in wanted if a.alert_id not in known]
        top = seen[-1].alert_id
        if not fresh and top <= position:
            return
        async with self.db.write():
            for alarm in fresh:
                assert alarm.incident_id is not None
                assert alarm.site_id is not None
                taken = await repository.count_for_incident(self.db, alarm.incident_id)
                for camera in by_site[alarm.site_id][: MAX_SNAPSHOTS_PER_INCIDENT - taken]:
                    await repository.insert(
                        self.db, alarm, alarm.incident_id, camera.id, camera.name
                    )
            await repository.set_scan_position(self.db, max(top, position))

    async def take(self, capture: Capture) -> None:
        """One try at one job; a failure fails the try (or the job), never the worker."""
        now = _now()
        if now - capture.alarm_at > self.max_lag:
            await self._give_up(capture, "too late: the alarm's moment has passed")
            return
        retry_at = now + dt.timedelta(seconds=RETRY_FIRST_S * 2**capture.attempts)
        async with self.db.write():
            if not await repository.claim(self.db, capture, retry_at):
                return
        camera = await cameras.find(self.db, capture.camera_id)
        if camera is None or not camera.enabled or not camera.url:
            await self._give_up(capture, "the camera was removed, disabled or has no stream")
            return
        try:
            snapshot = await asyncio.to_thread(grab, camera.url)
        except SnapshotError as err:
            logger.warning("snapshot %s from camera %s failed: %s", capture.id, camera.id, err)
            if capture.attempts + 1 >= MAX_ATTEMPTS:
                await self._give_up(capture, str(err))
            else:
                async with self.db.write():
                    await repository.failed(self.db, capture.id, str(err), final=False)
            return
        await self._keep(capture, snapshot, _now())

    async def _keep(self, capture: Capture, snapshot: Snapshot, captured_at: dt.datetime) -> None:
        path = self.scratch_dir / f"capture-{capture.id}.jpg"
        await asyncio.to_thread(_write, path, snapshot.jpeg)
        try:
            sha256 = await asyncio.to_thread(hash_file, path)
            await self.store.backend.keep(sha256, path)
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)
        snap = NewSnapshot(
            recording_id=evidence.recording_id_for(capture.id),
            incident_id=capture.incident_id,
            alert_id=capture.alert_id,
            camera_id=capture.camera_id,
            camera_name=capture.camera_name,
            captured_at=captured_at,
            alarm_at=capture.alarm_at,
            sha256=sha256,
            size_bytes=len(snapshot.jpeg),
            width=snapshot.width,
            height=snapshot.height,
        )
        async with self.db.write():
            created = await evidence.register(self.db, self.clock, snap)
            await repository.done(
                self.db,
                capture.id,
                recording_id=snap.recording_id,
                sha256=sha256,
                captured_at=captured_at,
                size=(snapshot.width, snapshot.height),
            )
            if created:
                text = f"snapshot from camera {capture.camera_name} attached (sha256 {sha256})"
                data: dict[str, object] = {
                    "text": text,
                    "recording_id": snap.recording_id,
                    "sha256": sha256,
                    "camera_id": capture.camera_id,
                    "alert_id": capture.alert_id,
                }
                await _note(self.db, capture.incident_id, captured_at, data)
        logger.info("snapshot %s from camera %s attached", capture.id, capture.camera_id)

    async def _give_up(self, capture: Capture, error: str) -> None:
        async with self.db.write():
            await repository.failed(self.db, capture.id, error, final=True)
            text = f"no snapshot from camera {capture.camera_name}: {error}"
            data: dict[str, object] = {"text": text, "camera_id": capture.camera_id}
            await _note(self.db, capture.incident_id, _now(), data)


def _wants_snapshot(alarm: AlarmRef, since: dt.datetime) -> bool:
    """A device's alarm with an incident at a site, recent enough to be pictured."""
    return (
        alarm.device_id is not None
        and alarm.incident_id is not None
        and alarm.site_id is not None
        and alarm.kind in _KINDS
        and alarm.received_at >= since
    )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def _note(db: Database, incident_id: int, at: dt.datetime, data: dict[str, object]) -> None:
    await incidents.find(db, incident_id, lock=True)  # the timeline's tail is ours
    facts = EntryFacts(incident_id=incident_id, at=at, actor=ACTOR, kind="note", data=data)
    await record(db, facts)
