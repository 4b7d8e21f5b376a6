"""Recognition across machines: what the API node and the `posbon recognition worker` processes
share through Redis, and the node's side of it.

Theory of operation. With ``recognition_workers=external`` a node analyses no camera frame itself. A
frame a camera pushes (POST /api/v1/cameras/{id}/frames) is appended to that camera's Redis Stream
and answered ``queued`` at once; a camera with a stream url is published in a hash (``pulled``) and
the worker holding it pulls the stream and appends the frames it decodes to the same Redis Stream
(server.recognition.worker_pull). Workers, on any machine that reaches Redis and the node, keep a
lease in a sorted set (score: expiry on Redis's own clock, renewed every third of the lease); the
live members decide, by rendezvous hashing of the camera id (recognition.assignment), which worker
reads which camera's stream, through one consumer group per stream. A worker runs the models and
reports what it found (boxes, embeddings, plate readings: no pixels) to the node, which matches them
against its watchlist and plate indexes and commits alerts exactly as for frames it analysed itself
(service.act: cooldown, incident, outbox). Only for a face or plate that matched does the node cut a
crop, from the frame still held in the stream, so no crop of anyone else is ever made, as on a
single node.

A worker that dies stops renewing; when its lease runs out (3 s by default) the others see a
new membership, the cameras it held hash to them, and the new owner claims the entries the dead
one had read but not acknowledged (XAUTOCLAIM), then reads on. A frame is acknowledged only once
the node has answered for it, so none is lost; the node marks each frame it commits
(``done:{camera}:{entry id}``, SET NX), so a frame reported twice (the old owner was only slow,
or died after the commit but before the acknowledgement) is committed once: no alert doubles.

Why Redis Streams and not NATS JetStream: the nodes' bus is already Redis (bus_url), so a worker
needs nothing new to run; consumer groups with a pending-entries list give exactly the
read-then-acknowledge and claim-from-the-dead semantics above; and the lease is one sorted set on
the server's clock. JetStream's work queues would give the same, but would add a second broker
to operate for a deployment that has only Redis.
"""

from __future__ import annotations

import time
from typing import Any, Final, Literal

import msgspec
import redis.asyncio as redis

from recognition.cameras import CameraStats
from recognition.faces import Face
from recognition.plates import PlateReading
from server.cameras.schemas import CameraConfig, FrameResult, FrameStatus

PREFIX: Final = "posbon:recognition:"
WORKERS_KEY: Final = PREFIX + "workers"
"""Sorted set: worker name → lease expiry (ms, Redis time)."""
CAMERAS_KEY: Final = PREFIX + "cameras"
"""Set of the camera ids that have a frame stream."""
PULLED_KEY: Final = PREFIX + "pulled"
"""Hash: camera id → PulledCamera, for the cameras whose stream a worker pulls."""
GROUP: Final = "workers"
DONE_TTL_S: Final = 86_400
"""How long a committed frame's mark is kept (a report later than this is a new frame)."""
CLAIM_TTL_MS: Final = 30_000
"""A frame being committed is held this long: a node that dies mid-commit frees it again."""


def stream_key(camera_id: int | str) -> str:
    return f"{PREFIX}frames:{camera_id}"


def done_key(camera_id: int, frame_id: str) -> str:
    return f"{PREFIX}done:{camera_id}:{frame_id}"


class PulledCamera(msgspec.Struct, frozen=True, kw_only=True):
    """A camera with a stream url: its holder pulls it and queues the frames it decodes."""

    id: int
    name: str
    url: str  # as registered, password included: Redis is as trusted as the database
    faces: bool
    plates: bool


def queued_fields(jpeg: bytes, faces: bool, plates: bool) -> dict[Any, Any]:
    """A frame as its camera's stream holds it (the node pushes these, a pulling worker too)."""
    return {"jpeg": jpeg, "at": repr(time.time()), "faces": int(faces), "plates": int(plates)}


class WorkerFace(msgspec.Struct, frozen=True):
    face: Face
    embedding: bytes | None  # 128 float32s, unit length; None: too small to match


class FrameReport(msgspec.Struct, frozen=True, kw_only=True):
    """What a worker found in one queued frame (no pixels: the node keeps the frame)."""

    camera_id: int
    frame_id: str  # the entry's id in the camera's stream
    pushed_at_s: float  # Unix time the node queued it
    skipped: bool = False  # older than recognition_frame_max_age_s: not analysed
    error: str = ""  # the frame could not be decoded
    faces: list[WorkerFace] = msgspec.field(default_factory=list)
    plates: list[PlateReading] = msgspec.field(default_factory=list)


class ReportBatch(msgspec.Struct, frozen=True):
    worker: str
    frames: list[FrameReport]


Outcome = Literal["analysed", "duplicate", "busy", "skipped", "invalid", "gone"]
"""busy: another report of the frame is being committed, send it again later; gone: the camera
was removed or the frame left the stream; every other outcome is final."""


class FrameOutcome(msgspec.Struct, frozen=True, kw_only=True):
    frame_id: str
    outcome: Outcome
    alerts: list[int] = msgspec.field(default_factory=list)
    sightings: list[int] = msgspec.field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.outcome != "busy"


class ReportAnswer(msgspec.Struct, frozen=True):
    frames: list[FrameOutcome]


class FrameQueue:
    """The node's side: queue pushed frames, find a frame again, mark frames committed."""

    def __init__(self, url: str, stream_max: int) -> None:
        self._client = redis.from_url(url)  # connects on first use
        self._stream_max = stream_max

    async def push(self, camera: CameraConfig, jpeg: bytes, stats: CameraStats) -> FrameResult:
        stats.received(time.monotonic())
        fields = queued_fields(jpeg, camera.kind.faces, camera.kind.plates)
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.xadd(stream_key(camera.id), fields, maxlen=self._stream_max, approximate=True)
            pipe.sadd(CAMERAS_KEY, str(camera.id))
            await pipe.execute()
        return FrameResult(status=FrameStatus.QUEUED)

    async def publish_pulled(self, cameras: list[CameraConfig]) -> None:
        """Tell the workers which cameras to pull (the registry's pulled cameras, all of them)."""
        entries = {
            str(c.id): msgspec.json.encode(
                PulledCamera(
                    id=c.id, name=c.name, url=c.url, faces=c.kind.faces, plates=c.kind.plates
                )
            )
            for c in cameras
        }
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.delete(PULLED_KEY)
            if entries:
                pipe.hset(PULLED_KEY, mapping=entries)  # type: ignore[arg-type]
                pipe.sadd(CAMERAS_KEY, *entries)
            await pipe.execute()

    async def frame(self, camera_id: int, frame_id: str) -> bytes | None:
        """The JPEG of a queued frame; None once it has left the stream."""
        found = await self._client.xrange(stream_key(camera_id), frame_id, frame_id, count=1)
        if not found:
            return None
        _, fields = found[0]
        jpeg = (fields or {}).get(b"jpeg")
        return jpeg if isinstance(jpeg, bytes) else None

    async def claim(self, camera_id: int, frame_id: str) -> Literal["new", "done", "busy"]:
        """Take a frame for committing: new (yours now), done (committed before) or busy."""
        key = done_key(camera_id, frame_id)
        if await self._client.set(key, b"claimed", nx=True, px=CLAIM_TTL_MS):
            return "new"
        return "done" if await self._client.get(key) == b"done" else "busy"

    async def committed(self, camera_id: int, frame_id: str) -> None:
        await self._client.set(done_key(camera_id, frame_id), b"done", ex=DONE_TTL_S)

    async def release(self, camera_id: int, frame_id: str) -> None:
        """The commit failed: let the next report of this frame try again."""
        await self._client.delete(done_key(camera_id, frame_id))

    async def close(self) -> None:
        await self._client.aclose()
