"""Keeps one pull worker running per enabled camera with a stream URL.

The registry is the truth: the supervisor compares it with the running workers when woken by a
change (this node's API) and every ``REFRESH_S`` (a change made on another node), stopping
workers whose camera went or changed and starting the missing ones. Worker threads hand frames
to the event loop with ``call_soon_threadsafe``; from there they take the same path as pushed
frames. It is recognition's part, not the registry's: it reads server.cameras and feeds the frame
pump, and the registry never imports recognition.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from redis.exceptions import RedisError

from recognition.cameras import CameraState, PullWorker
from recognition.engine import Recognizer
from recognition.faces import ImageArray
from recognition.frames import FrameDropped
from server.cameras import repository
from server.cameras.schemas import CameraConfig, FrameResult
from server.errors import ApiError
from server.recognition import service
from server.recognition.cluster import FrameQueue
from server.recognition.runtime import Recognition

logger = logging.getLogger(__name__)

REFRESH_S: Final = 10.0


class PullSupervisor:
    def __init__(self, rec: Recognition) -> None:
        self._rec = rec
        self._workers: dict[int, tuple[CameraConfig, PullWorker]] = {}

    async def run_forever(self) -> None:
        if self._rec.frame_queue is not None:
            await self._external(self._rec.frame_queue)
            return
        unavailable = False
        while True:
            self._rec.camera_change.clear()
            try:
                await self.reconcile()
            except ApiError as err:  # models missing: say so once, keep trying
                if not unavailable:
                    logger.warning("cameras cannot be served: %s", err.detail)
                unavailable = True
            else:
                unavailable = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._rec.camera_change.wait(), REFRESH_S)

    async def _external(self, queue: FrameQueue) -> None:
        """recognition_workers=external: no camera thread and no model here. The pulled cameras
        are published for the workers (again on a change, and every REFRESH_S for changes made
        on other nodes); the indexes load now, so the first reports are matched at once."""
        logger.info("camera frames go to external recognition workers (Redis bus_url)")
        while True:
            self._rec.camera_change.clear()
            try:
                await queue.publish_pulled(await repository.pulled(self._rec.db))
            except (RedisError, OSError) as err:
                logger.warning("cannot tell the workers which cameras to pull: %s", err)
            await self._rec.indexes()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._rec.camera_change.wait(), REFRESH_S)

    async def reconcile(self) -> None:
        """Match the running workers to the registry; with any camera registered, the models
        are loaded now rather than on the first frame."""
        if await repository.count(self._rec.db) == 0:
            await self.close()
            return
        recognizer = await self._rec.ready()
        wanted = {camera.id: camera for camera in await repository.pulled(self._rec.db)}
        for camera_id, (config, _) in list(self._workers.items()):
            if wanted.get(camera_id) != config:
                await self._stop(camera_id)
        missing = [camera for camera_id, camera in wanted.items() if camera_id not in self._workers]
        loop = asyncio.get_running_loop()
        for camera in missing:
            worker = self._worker(camera, recognizer, loop)
            self._workers[camera.id] = (camera, worker)
            worker.start()

    def _worker(
        self, camera: CameraConfig, recognizer: Recognizer, loop: asyncio.AbstractEventLoop
    ) -> PullWorker:
        key = service.camera_key(camera.id)
        pump = self._rec.pump

        def submit(frame: ImageArray, captured_s: float) -> None:
            loop.call_soon_threadsafe(self._offer, camera, recognizer, frame, captured_s)

        return PullWorker(
            camera.name,
            camera.url,
            wants=lambda: not pump.is_waiting(key),
            submit=submit,
            stats=self._rec.stats(camera.id, CameraState.CONNECTING),
        )

    def _offer(
        self, camera: CameraConfig, recognizer: Recognizer, frame: ImageArray, captured_s: float
    ) -> None:
        future = service.offer_frame(self._rec, recognizer, camera, frame, captured_s)
        future.add_done_callback(lambda done: self._settled(camera, done))

    def _settled(self, camera: CameraConfig, done: asyncio.Future[FrameResult]) -> None:
        if done.cancelled():
            return
        error = done.exception()
        if isinstance(error, FrameDropped):
            self._rec.stats(camera.id).dropped()
        elif error is not None:
            logger.error("camera %s: a frame failed", camera.name, exc_info=error)

    async def _stop(self, camera_id: int) -> None:
        _, worker = self._workers.pop(camera_id)
        await asyncio.to_thread(worker.stop)

    async def close(self) -> None:
        for camera_id in list(self._workers):
            await self._stop(camera_id)
        if self._rec.frame_queue is not None:
            await self._rec.frame_queue.close()
