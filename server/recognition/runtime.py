"""What recognition holds while the server runs: models, the frame pump, the in-memory indexes,
per-camera cooldowns and figures.

Nothing here loads at start-up: models are prepared and loaded on first use, in the recognition
worker thread, so `posbon serve` answers at once whether or not recognition is ever used, and a
server with cameras configured warms up in the background (server.recognition.lifecycle).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, TypeVar

from litestar.di import NamedDependency

from recognition.cameras import CameraState, CameraStats
from recognition.cooldown import Cooldown
from recognition.engine import Recognizer
from recognition.errors import ImageError, ModelError
from recognition.frames import FrameDropped, FramePump
from recognition.models import ModelPaths
from recognition.plate_format import GRAMMARS
from recognition.stream_sense import StreamSense
from server.cameras.schemas import CameraConfig, FrameResult
from server.db import Database
from server.errors import ApiError, BadRequest
from server.plates import repository as plates_repository
from server.plates.index import PlateIndex
from server.plates.reads import PlateReadLog
from server.recognition import crops, service
from server.recognition.analysis import FaceHit, PlateHit
from server.recognition.cluster import FrameQueue
from server.recognition.schemas import RecognitionStatus
from server.recognition.subjects import AlertRef
from server.settings import Settings
from server.watchlists import repository as watchlists_repository
from server.watchlists.index import WatchlistIndex
from sync.hlc import HybridClock

logger = logging.getLogger(__name__)

R = TypeVar("R")


class RecognitionUnavailable(ApiError):
    status_code: ClassVar[int] = 503
    code: ClassVar[str] = "recognition_unavailable"


class RecognitionBusy(ApiError):
    status_code: ClassVar[int] = 503
    code: ClassVar[str] = "recognition_busy"


def _quiet(step: str, done: int, total: int) -> None:
    del step, done, total


def prepare(settings: Settings, progress: Callable[[str, int, int], None] = _quiet) -> ModelPaths:
    """Prepare the model files for these settings (blocking: call it from a thread). The build
    tools (onnx and the converters) are imported here, on first use, not when the server starts."""
    from recognition.modelprep.prepare import prepare_models  # noqa: PLC0415

    return prepare_models(
        settings.data_path,
        progress,
        Path(settings.model_wheel_dir),
        models_dir=Path(settings.model_dir) if settings.model_dir else None,
    )


class Recognition:
    def __init__(self, settings: Settings, db: Database, clock: HybridClock) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        """The node's sync clock: the synced state of the incident a match opens."""
        self.pump = FramePump(settings.recognition_queue_max)
        self.watchlists = WatchlistIndex()
        self.plates = PlateIndex()
        self.plate_reads = PlateReadLog()
        """Every plate a camera frame showed, on its way to the plate read log."""
        self._cooldowns: dict[int, Cooldown[AlertRef]] = {}
        self._senses: dict[int, StreamSense[FaceHit | PlateHit]] = {}
        self._stats: dict[int, CameraStats] = {}
        self._recognizer: Recognizer | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        self._request_ids = itertools.count(1)
        self.camera_change = asyncio.Event()  # set when the registry changes
        self.frame_queue = (
            FrameQueue(settings.bus_url, settings.recognition_stream_max)
            if settings.recognition_workers == "external"
            else None
        )
        """External workers analyse this node's frames (server.recognition.cluster)."""

    def _lock(self, name: str) -> asyncio.Lock:
        # Created on first use, inside the running loop that will use it.
        return self._locks.setdefault(name, asyncio.Lock())

    def _load(self) -> Recognizer:
        paths = prepare(self.settings)
        recognizer = Recognizer(
            paths,
            intra_op_threads=self.settings.recognition_threads,
            min_face_px=self.settings.recognition_min_face_px,
            face_detect_px=self.settings.recognition_face_detect_px,
            plate_grammar=GRAMMARS[self.settings.plate_grammar],
        )
        recognizer.warm_up()  # the first real frame should not pay for session set-up
        return recognizer

    async def recognizer(self) -> Recognizer:
        """The loaded models; the first call prepares them in the recognition thread."""
        if self._recognizer is not None:
            return self._recognizer
        async with self._lock("models"):
            if self._recognizer is None:
                try:
                    self._recognizer = await self.pump.call(self._load)
                except ModelError as err:
                    logger.warning("recognition models unavailable: %s", err)
                    raise RecognitionUnavailable(
                        f"The recognition models are not ready: {err}. Run 'posbon models "
                        "prepare' (see the README).",
                        code="models_unavailable",
                    ) from err
                logger.info("recognition models loaded")
        return self._recognizer

    async def indexes(self) -> None:
        """Load the watchlist and plate indexes from the database once.

        A change applied to an index while its rows were being read may or may not be in what
        was read, so such a load is thrown away and redone (changes bump ``generation``).
        """
        if self.watchlists.loaded and self.plates.loaded:
            return
        async with self._lock("indexes"):
            while not self.watchlists.loaded:
                before = self.watchlists.generation
                stored = await watchlists_repository.load_all(self.db)
                if self.watchlists.generation == before:
                    self.watchlists.replace_all(stored)
            while not self.plates.loaded:
                before = self.plates.generation
                lists = await plates_repository.load_all(self.db)
                if self.plates.generation == before:
                    self.plates.replace_all(lists)

    async def ready(self) -> Recognizer:
        await self.indexes()
        return await self.recognizer()

    async def run_request(self, work: Callable[[Recognizer], R]) -> R:
        """Run one request's work (a direct query, an enrolment) through the frame queue;
        refused with 503 when the queue is full rather than queued without bound."""
        recognizer = await self.ready()
        key = f"request:{next(self._request_ids)}"
        try:
            return await self.pump.offer(key, lambda: work(recognizer))
        except FrameDropped as err:
            raise RecognitionBusy(
                "Recognition is busy with camera frames; retry in a moment."
            ) from err
        except ImageError as err:
            raise BadRequest(f"The image cannot be used: {err}.", code="invalid_image") from err

    async def push_frame(self, camera: CameraConfig, image: bytes) -> FrameResult:
        """A frame the camera pushed: analysed, or dropped when a newer one overtook it; queued
        for the external workers with recognition_workers=external."""
        if self.frame_queue is not None:
            return await self.frame_queue.push(camera, image, self.stats(camera.id))
        return await service.push_frame(self, camera, image)

    async def face_crop_embedding(self, crop_id: int) -> bytes | None:
        """The embedding stored with an alert's face crop (None: no such face crop)."""
        return await crops.embedding_of(self.db, crop_id)

    def status(self) -> RecognitionStatus:
        return RecognitionStatus(
            models_loaded=self._recognizer is not None,
            frames_waiting=self.pump.waiting,
            frames_running=self.pump.running,
            frames_dropped=self.pump.dropped,
            watchlist_index_loaded=self.watchlists.loaded,
            plate_index_loaded=self.plates.loaded,
        )

    def stats(self, camera_id: int, state: CameraState = CameraState.PUSH) -> CameraStats:
        return self._stats.setdefault(camera_id, CameraStats(state))

    def has_stats(self, camera_id: int) -> bool:
        return camera_id in self._stats

    def cameras_changed(self) -> None:
        self.camera_change.set()

    def forget_camera(self, camera_id: int) -> None:
        self._stats.pop(camera_id, None)
        self._cooldowns.pop(camera_id, None)
        self._senses.pop(camera_id, None)

    def cooldown(self, camera_id: int) -> Cooldown[AlertRef]:
        interval_s = self.settings.recognition_sighting_interval_s
        return self._cooldowns.setdefault(camera_id, Cooldown(interval_s))

    def sense(self, camera_id: int) -> StreamSense[FaceHit | PlateHit]:
        """The camera's k-of-n window: who must be seen in how many of its recent frames."""
        sense = self._senses.get(camera_id)
        if sense is None:
            k, n = self.settings.recognition_confirm_k, self.settings.recognition_confirm_n
            sense = self._senses[camera_id] = StreamSense(k, n)
        return sense

    def cooldowns(self) -> dict[int, Cooldown[AlertRef]]:
        return self._cooldowns


RecognitionDep = NamedDependency[Recognition]
"""How a handler asks for recognition: `recognition: RecognitionDep`."""
