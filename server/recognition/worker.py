"""`posbon recognition worker`: one process that analyses the frames of the cameras it holds.

Theory of operation (the shared protocol is in server.recognition.cluster). Two loops share one
Redis connection pool:

- the lease loop renews this worker's entry in the members' sorted set every third of the lease
  and reads who else is alive, on Redis's clock (one script, so machines' clocks never matter).
  A worker that cannot renew for a whole lease stops taking frames: its cameras are someone
  else's by then;
- the frame loop hashes every camera with a stream over the live members (rendezvous hashing,
  recognition.assignment), takes the ones that fall to it, and reads their streams through the
  consumer group. A camera that has just come to it is first swept for entries read but never
  acknowledged by its previous holder (XAUTOCLAIM): that is how a dead worker's frames resume
  here. Up to ``recognition_worker_batch_max`` frames, from any of its cameras, are analysed
  together (server.recognition.worker_models) and reported to the node in one request; each
  frame is acknowledged and deleted from its stream only once the node's answer for it is final.
  Frames older than ``recognition_frame_max_age_s`` are reported as skipped without analysis: a
  worker that falls behind catches up with the present rather than alerting minutes late.

For the held cameras that have a stream url, reader threads (server.recognition.worker_pull) feed
the same streams, one frame in flight per camera.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any, Final

import httpx
import msgspec
import numpy as np
import redis.asyncio as redis
from redis.exceptions import RedisError, ResponseError

from recognition.assignment import owner
from recognition.engine import Recognizer
from server.recognition.cluster import (
    CAMERAS_KEY,
    GROUP,
    PULLED_KEY,
    WORKERS_KEY,
    FrameReport,
    PulledCamera,
    ReportAnswer,
    ReportBatch,
    stream_key,
)
from server.recognition.worker_models import FrameJob, analyse_batch
from server.recognition.worker_pull import Pulls

logger = logging.getLogger(__name__)

READ_BLOCK_MS: Final = 250
"""How long a read waits for a frame; membership changes are seen at least this often."""
RETRY_S: Final = 1.0
SWEEP_LEASES: Final = 3
"""Every this many leases a worker claims whatever is left pending on each camera it holds."""
REPORT_TIMEOUT_S: Final = 60.0

# Renew this worker's lease and list the live members, on the server's clock.
_RENEW: Final = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[1])
return redis.call('ZRANGEBYSCORE', KEYS[1], now_ms, '+inf')
"""

Entry = tuple[int, str, dict[bytes, bytes]]  # camera id, entry id, fields


def default_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _numbers(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise NotImplementedError(f"cannot encode {type(value)}")


class WorkerConfig(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    bus_url: str
    api_url: str
    token: str
    lease_s: float = 3.0
    batch_max: int = 8
    frame_max_age_s: float = 10.0
    stream_max: int = 200


class Worker:
    def __init__(
        self, config: WorkerConfig, recognizer: Recognizer, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config
        self._recognizer = recognizer
        self._clock = clock
        self._redis = redis.from_url(config.bus_url)
        self._http = httpx.AsyncClient(
            base_url=config.api_url,
            headers={"Authorization": f"Bearer {config.token}"},
            timeout=REPORT_TIMEOUT_S,
        )
        self._encoder = msgspec.json.Encoder(enc_hook=_numbers)
        self._live: list[str] = []
        self._renewed_s = -float("inf")  # monotonic time of the last renewal
        self._held: set[int] = set()
        self._to_claim: set[int] = set()  # cameras whose pending entries to take over
        self._sweep_at_s = 0.0  # monotonic time of the next sweep of every held camera
        self.analysed = 0
        self._pulls = Pulls(config.bus_url, config.stream_max)
        self._pulled: dict[int, PulledCamera] = {}
        self._said: set[str] = set()

    @property
    def live(self) -> list[str]:
        return list(self._live)

    @property
    def held(self) -> set[int]:
        return set(self._held)

    async def run(self, stop: asyncio.Event) -> None:
        lease = asyncio.create_task(self._lease_forever(stop))
        try:
            await self._frames_forever(stop)
        finally:
            lease.cancel()
            await asyncio.gather(lease, return_exceptions=True)
            await self._leave()
            await asyncio.to_thread(self._pulls.close)
            await self._http.aclose()
            await self._redis.aclose()

    # -- the lease -------------------------------------------------------------------------

    async def renew(self) -> None:
        lease_ms = int(self.config.lease_s * 1000)
        members: list[bytes] = await self._redis.eval(
            _RENEW, 1, WORKERS_KEY, self.config.name, lease_ms
        )
        self._live = sorted(m.decode() for m in members)
        self._renewed_s = time.monotonic()

    async def _lease_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.renew()
            except (RedisError, OSError) as err:
                self._say("lease", f"cannot renew the lease in Redis: {err}")
            await asyncio.sleep(self.config.lease_s / 3)

    def _lease_held(self) -> bool:
        return time.monotonic() - self._renewed_s < self.config.lease_s

    async def _leave(self) -> None:
        """A clean stop hands the cameras over at once rather than after the lease."""
        with contextlib.suppress(RedisError, OSError):
            await self._redis.zrem(WORKERS_KEY, self.config.name)

    # -- the frames -------------------------------------------------------------------------

    async def _frames_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._hold()
                entries = await self._take() if self._held else []
            except (RedisError, OSError) as err:
                self._say("redis", f"Redis is unreachable ({err}); retrying")
                await asyncio.sleep(RETRY_S)
                continue
            if not self._held:
                await asyncio.sleep(READ_BLOCK_MS / 1000)
            elif entries:
                await self._process(entries)

    async def _hold(self) -> None:
        """Recompute which cameras are this worker's; note the new ones for a claim sweep."""
        if not self._lease_held():
            wanted: set[int] = set()
        else:
            cameras: set[bytes] = await self._redis.smembers(CAMERAS_KEY)  # type: ignore[assignment]
            wanted = {int(c) for c in cameras if owner(c.decode(), self._live) == self.config.name}
        for camera_id in sorted(wanted - self._held):
            try:
                await self._redis.xgroup_create(stream_key(camera_id), GROUP, id="0", mkstream=True)
            except ResponseError as err:
                if "BUSYGROUP" not in str(err):
                    raise
            self._to_claim.add(camera_id)
        if wanted != self._held:
            logger.info(
                "worker %s holds %d cameras (%d workers alive): +%s -%s",
                self.config.name,
                len(wanted),
                len(self._live),
                sorted(wanted - self._held),
                sorted(self._held - wanted),
            )
        if time.monotonic() >= self._sweep_at_s:
            # Entries a dead worker read after this one's first sweep of a camera: rare (it
            # read while its view of the members was old), so a slow sweep finds them.
            self._to_claim |= wanted
            self._sweep_at_s = time.monotonic() + SWEEP_LEASES * self.config.lease_s
        self._to_claim &= wanted
        await self._pull(wanted)
        self._held = wanted

    async def _pull(self, wanted: set[int]) -> None:
        """Readers for the held cameras that have a stream url, restarted on a change."""
        raw: dict[bytes, bytes] = await self._redis.hgetall(PULLED_KEY)  # type: ignore[assignment]
        pulled = {int(k): msgspec.json.decode(v, type=PulledCamera) for k, v in raw.items()}
        if wanted != self._held or pulled != self._pulled:
            await asyncio.to_thread(self._pulls.reconcile, wanted, pulled)
            self._pulled = pulled

    async def _take(self) -> list[Entry]:
        """Entries to analyse: first those left pending (by a previous holder or by a report
        that must be sent again), then new ones."""
        limit = self.config.batch_max
        taken: list[Entry] = []
        for camera_id in sorted(self._to_claim):
            if len(taken) >= limit:
                break
            answer: list[Any] = await self._redis.xautoclaim(
                stream_key(camera_id), GROUP, self.config.name, 0, "0-0", count=limit - len(taken)
            )
            claimed: list[tuple[bytes, dict[bytes, bytes] | None]] = answer[1]
            entries = [(camera_id, i.decode(), f) for i, f in claimed if f]
            if len(entries) < limit - len(taken):
                self._to_claim.discard(camera_id)
            taken += entries
        if taken:
            return taken
        streams: dict[bytes | str | memoryview, int | bytes | str | memoryview] = {
            stream_key(c): ">" for c in sorted(self._held)
        }
        per_stream = max(1, limit // max(1, len(streams)))
        read: list[Any] = await self._redis.xreadgroup(  # type: ignore[assignment]
            GROUP, self.config.name, streams, count=per_stream, block=READ_BLOCK_MS
        )
        for key, delivered in read or []:
            camera_id = int(key.decode().rsplit(":", 1)[1])
            taken += [(camera_id, i.decode(), f) for i, f in delivered if f]
        return taken  # at most batch_max, or one per camera when it holds more

    async def _process(self, entries: list[Entry]) -> None:
        now_s = self._clock()
        fresh: list[Entry] = []
        reports: list[FrameReport] = []
        for camera_id, entry_id, fields in entries:
            pushed_s = float(fields.get(b"at", b"0"))
            if now_s - pushed_s > self.config.frame_max_age_s:
                reports.append(
                    FrameReport(
                        camera_id=camera_id, frame_id=entry_id, pushed_at_s=pushed_s, skipped=True
                    )
                )
            else:
                fresh.append((camera_id, entry_id, fields))
        jobs = [
            FrameJob(
                jpeg=fields.get(b"jpeg", b""),
                faces=fields.get(b"faces") == b"1",
                plates=fields.get(b"plates") == b"1",
            )
            for _, _, fields in fresh
        ]
        findings = await asyncio.to_thread(analyse_batch, self._recognizer, jobs) if jobs else []
        for (camera_id, entry_id, fields), found in zip(fresh, findings, strict=True):
            reports.append(
                FrameReport(
                    camera_id=camera_id,
                    frame_id=entry_id,
                    pushed_at_s=float(fields.get(b"at", b"0")),
                    error=found.error,
                    faces=found.faces,
                    plates=found.plates,
                )
            )
        await self._report(reports)

    async def _report(self, reports: list[FrameReport]) -> None:
        body = self._encoder.encode(ReportBatch(self.config.name, reports))
        try:
            response = await self._http.post(
                "/api/v1/recognition/worker/reports",
                content=body,
                headers={"Content-Type": "application/json"},
            )
        except httpx.HTTPError as err:
            self._say("node", f"cannot reach the node at {self.config.api_url}: {err}")
            await self._again({r.camera_id for r in reports})
            return
        if response.status_code != 200:
            self._say("node", f"the node refused a report: {response.status_code} {response.text}")
            await self._again({r.camera_id for r in reports})
            return
        self._said.discard("node")
        answer = msgspec.json.decode(response.content, type=ReportAnswer)
        by_frame = {outcome.frame_id: outcome for outcome in answer.frames}
        unsettled: set[int] = set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for report in reports:
                outcome = by_frame.get(report.frame_id)
                if outcome is None or not outcome.final:
                    unsettled.add(report.camera_id)
                    continue
                if outcome.outcome == "analysed":
                    self.analysed += 1
                self._pulls.settled(report.camera_id)
                pipe.xack(stream_key(report.camera_id), GROUP, report.frame_id)
                pipe.xdel(stream_key(report.camera_id), report.frame_id)
            await pipe.execute()
        if unsettled:
            await self._again(unsettled)

    async def _again(self, cameras: set[int]) -> None:
        """Frames not acknowledged stay pending: claim them again after a pause."""
        self._to_claim |= cameras & self._held
        await asyncio.sleep(RETRY_S)

    def _say(self, topic: str, message: str) -> None:
        """Log a trouble once until it clears (a dead node would otherwise flood the log)."""
        if topic not in self._said:
            self._said.add(topic)
            logger.warning("worker %s: %s", self.config.name, message)
