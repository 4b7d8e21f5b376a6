"""A worker's pulled cameras: one reader thread per RTSP/MJPEG/file camera it holds.

The thread (recognition.cameras.PullWorker) grabs every frame the stream delivers and decodes
one only when the worker has none of that camera's frames in flight, like the node's own pull
workers; the frame is JPEG-encoded and appended to the camera's stream, so from there it takes
the path of a pushed frame: read through the consumer group, reported, acknowledged, and claimed
by the next holder if this worker dies. The node's crops are cut from that queued copy.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

import cv2
import redis

from recognition.cameras import CameraState, CameraStats, PullWorker
from recognition.faces import ImageArray
from server.recognition.cluster import PulledCamera, queued_fields, stream_key

logger = logging.getLogger(__name__)

JPEG_QUALITY: Final = 90


class Pulls:
    def __init__(self, bus_url: str, stream_max: int) -> None:
        self._client = redis.Redis.from_url(bus_url)  # blocking client: used by the threads
        self._stream_max = stream_max
        self._running: dict[int, tuple[PulledCamera, PullWorker]] = {}
        self._lock = threading.Lock()
        self._in_flight: dict[int, int] = {}

    def reconcile(self, held: set[int], cameras: dict[int, PulledCamera]) -> None:
        """Run a reader for each held pulled camera, as configured now (blocking: a reader
        being stopped may take up to its read timeout)."""
        wanted = {c: cameras[c] for c in held if c in cameras}
        for camera_id, (config, reader) in list(self._running.items()):
            if wanted.get(camera_id) != config:
                reader.stop()
                del self._running[camera_id]
                with self._lock:
                    self._in_flight.pop(camera_id, None)
        for camera_id, config in wanted.items():
            if camera_id not in self._running:
                reader = self._reader(config)
                self._running[camera_id] = (config, reader)
                reader.start()
                logger.info("pulling camera %s", config.name)

    def _reader(self, camera: PulledCamera) -> PullWorker:
        def wants() -> bool:
            with self._lock:
                return self._in_flight.get(camera.id, 0) == 0

        def submit(frame: ImageArray, captured_s: float) -> None:
            del captured_s  # the queue stamps its own (wall-clock) time
            ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if not ok:
                return
            fields = queued_fields(bytes(encoded.tobytes()), camera.faces, camera.plates)
            with self._lock:
                self._in_flight[camera.id] = self._in_flight.get(camera.id, 0) + 1
            try:
                self._client.xadd(
                    stream_key(camera.id), fields, maxlen=self._stream_max, approximate=True
                )
            except (redis.RedisError, OSError) as err:
                self.settled(camera.id)
                logger.warning("camera %s: cannot queue a frame: %s", camera.name, err)

        return PullWorker(
            camera.name,
            camera.url,
            wants=wants,
            submit=submit,
            stats=CameraStats(CameraState.CONNECTING),
        )

    def settled(self, camera_id: int) -> None:
        """One of the camera's frames has its final answer: the reader may queue the next."""
        with self._lock:
            if self._in_flight.get(camera_id, 0) > 0:
                self._in_flight[camera_id] -= 1

    def close(self) -> None:
        self.reconcile(set(), {})
        self._client.close()
