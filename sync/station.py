"""The body-cam upload station: a docking folder in, verified evidence on the server out.

Each recording is a media file plus a JSON sidecar written by the dock (`<name>.json`, naming
`file`, `device_serial`, `recorded_start`, `recorded_stop` and optionally `sha256`, `categories`,
`gps_track` …). One round (`run_once`):

1. new sidecars → hash the file, record it in the ledger, queue `recording.create.v1`;
2. sync → the metadata (with the camera's SHA-256) reaches the server first;
3. upload what is registered, riskiest first (priority categories, then the largest), resuming
   from the server's offset after any interruption or restart;
4. sync again → a recording the server verified carries `verified_sha256`; only when that equals
   our hash are the media file and its sidecar deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Final

import msgspec

from sync.client import SyncClient
from sync.entities import EntityKind
from sync.errors import UnreachableError
from sync.mutations import RecordingCreateV1
from sync.recordings import GpsPoint, RecordingCurated, RecordingFacts
from sync.schema import VERIFIED_SHA256
from sync.station_ledger import FileState, LocalRecording, StationLedger
from sync.tus_upload import Progress, TusUploader, UploadRefusedError

logger = logging.getLogger(__name__)

PRIORITY_CATEGORIES: Final = frozenset(
    {"use_of_force", "arrest", "detention", "pursuit", "assault", "weapon", "evidence"}
)
VERIFIED_FIELD: Final = VERIFIED_SHA256
HASH_BLOCK_BYTES: Final = 4 * 1024 * 1024
CAMERA_NAMESPACE: Final = uuid.UUID("6f1c2a4e-9d3b-4c8e-8a55-3b7f0c1d2e40")
ProgressFactory = Callable[[LocalRecording], Progress]


class Sidecar(msgspec.Struct, kw_only=True):
    """What the dock writes beside each file; unknown fields are ignored."""

    file: str
    device_serial: str
    recorded_start: dt.datetime
    recorded_stop: dt.datetime
    device_id: uuid.UUID | None = None
    device_model: str = ""
    device_clock_time: dt.datetime | None = None
    sha256: str | None = None
    categories: list[str] = msgspec.field(default_factory=list)
    gps_track: list[GpsPoint] = msgspec.field(default_factory=list)
    title: str = ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


class Station:
    def __init__(
        self, folder: Path, client: SyncClient, uploader: TusUploader, ledger: StationLedger
    ) -> None:
        self.folder = folder
        self.client = client
        self.uploader = uploader
        self.ledger = ledger

    async def discover(self) -> int:
        added = 0
        for sidecar_path in sorted(self.folder.glob("*.json")):
            try:
                sidecar = msgspec.json.decode(sidecar_path.read_bytes(), type=Sidecar)
            except (msgspec.DecodeError, OSError) as err:
                logger.warning("station: skipping unreadable sidecar %s: %s", sidecar_path, err)
                continue
            media = self.folder / sidecar.file
            if self.ledger.known(str(media)) or not media.is_file():
                continue
            await self._register(media, sidecar_path, sidecar)
            added += 1
        return added

    async def _register(self, media: Path, sidecar_path: Path, sidecar: Sidecar) -> None:
        size = (await asyncio.to_thread(media.stat)).st_size
        sha256 = sidecar.sha256 if sidecar.sha256 else await asyncio.to_thread(_sha256, media)
        recording_id = self.client.new_id()
        self.client.enqueue(
            RecordingCreateV1,
            entity_id=recording_id,
            facts=_facts(sidecar, media.name, size, sha256),
            curated=RecordingCurated(title=sidecar.title, categories=sidecar.categories),
        )
        priority = 0 if PRIORITY_CATEGORIES & set(sidecar.categories) else 1
        self.ledger.add(
            LocalRecording(
                media=str(media),
                sidecar=str(sidecar_path),
                size_bytes=size,
                sha256=sha256,
                recording_id=str(recording_id),
                priority=priority,
                recorded_start=sidecar.recorded_start.isoformat(),
                state=FileState.registered,
            )
        )

    async def upload_all(self, progress: ProgressFactory | None = None) -> int:
        done = 0
        for item in self.ledger.in_state(FileState.registered):
            try:
                await self._upload(item, None if progress is None else progress(item))
            except UploadRefusedError as err:
                logger.warning("station: %s refused: %s", item.media, err)
                self.ledger.set_state(item.media, FileState.refused, str(err))
                continue
            self.ledger.set_state(item.media, FileState.uploaded)
            done += 1
        return done

    async def _upload(self, item: LocalRecording, progress: Progress | None) -> None:
        offset = None if item.upload_url is None else await self.uploader.offset(item.upload_url)
        url = item.upload_url
        if url is None or offset is None:
            url = await self.uploader.create(Path(item.media), item.size_bytes, item.recording_id)
            self.ledger.set_url(item.media, url)
            offset = 0
        if progress is not None and offset:
            progress(offset)
        await self.uploader.send(Path(item.media), item.size_bytes, url, offset, progress)

    def release_verified(self) -> int:
        """Delete local copies the server verified with the same SHA-256."""
        released = 0
        for item in self.ledger.in_state(FileState.uploaded):
            state = self.client.get(EntityKind.RECORDING, uuid.UUID(item.recording_id))
            stamp = None if state is None else state.fields.get(VERIFIED_FIELD)
            if stamp is None or stamp.value != item.sha256:
                continue
            Path(item.media).unlink(missing_ok=True)
            Path(item.sidecar).unlink(missing_ok=True)
            self.ledger.set_state(item.media, FileState.deleted)
            logger.info("station: %s verified by the server; local copy deleted", item.media)
            released += 1
        return released

    async def run_once(self, progress: ProgressFactory | None = None) -> None:
        await self.discover()
        await self.client.sync()
        await self.upload_all(progress)
        await self.client.sync()
        self.release_verified()

    async def run(
        self, interval_s: float, stop: asyncio.Event, progress: ProgressFactory | None = None
    ) -> None:
        while not stop.is_set():
            try:
                await self.run_once(progress)
            except UnreachableError as err:
                logger.warning("station: server unreachable (%s); retrying", err)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)


def _facts(sidecar: Sidecar, file_name: str, size: int, sha256: str) -> RecordingFacts:
    start, stop = sidecar.recorded_start, sidecar.recorded_stop
    return RecordingFacts(
        device_id=sidecar.device_id or uuid.uuid5(CAMERA_NAMESPACE, sidecar.device_serial),
        device_serial=sidecar.device_serial,
        device_model=sidecar.device_model,
        recorded_start=start,
        recorded_stop=stop,
        duration_s=max(0.0, (stop - start).total_seconds()),
        device_clock_time=sidecar.device_clock_time or start,
        file_name=file_name,
        size_bytes=size,
        sha256=sha256,
        gps_track=msgspec.convert(sidecar.gps_track, RecordingFacts.__annotations__["gps_track"])
        if False
        else [],
    )
