"""External recognition workers: a real `posbon serve` (recognition_workers=external), real Redis,
real `posbon recognition worker` processes running the real models on the photos in tests/data.

Every camera here has cooldown 0 and the stream sense at k=n=1, so each frame showing the wanted
plate raises exactly one alert: a frame lost shows as an alert missing, a frame committed twice as
one too many.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import msgspec
import pytest
import redis.asyncio as redis

from recognition.assignment import assign
from recognition.evaluation.accuracy import read_plate_truths
from recognition.images import read_image
from recognition.models import ModelPaths
from recognition.plate_format import PlateText
from recognition.plates import PlateReading
from server.db import Database
from server.recognition.cluster import (
    CAMERAS_KEY,
    GROUP,
    PULLED_KEY,
    WORKERS_KEY,
    FrameReport,
    ReportBatch,
    stream_key,
)
from server.settings import Settings
from tests.datafiles import EU_PLATES
from tests.eventually import eventually
from tests.integration.test_cluster.nodes import require_redis
from tests.integration.test_server.process import ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REDIS_DB_URL = os.environ.get("POSBON_TEST_WORKERS_REDIS_URL", "redis://127.0.0.1:6379/11")
TAKEOVER_WITHIN_S = 10.0  # the bound: a dead worker's cameras resume on another
ANALYSIS_TIMEOUT_S = 120.0  # real models on a small shared machine
WORKERS = ("w-a", "w-b")
CAMERAS = 4
FRAMES_AFTER_KILL = 3
SETTINGS = {
    "POSBON_BUS_URL": REDIS_DB_URL,
    "POSBON_RECOGNITION_WORKERS": "external",
    "POSBON_RECOGNITION_CONFIRM_K": "1",
    "POSBON_RECOGNITION_CONFIRM_N": "1",
}


class Cluster:
    """The node, its tokens and the worker processes."""

    def __init__(self, node: ServerProcess, models_dir: Path) -> None:
        self.node = node
        self.models_dir = models_dir
        self.admin = node.command("token", "create", "--role", "admin", "--name", "admin")
        self.camera = node.command("token", "create", "--role", "camera", "--name", "worker")
        self.workers: dict[str, subprocess.Popen[bytes]] = {}

    def start_worker(self, name: str) -> None:
        env = dict(os.environ) | SETTINGS
        env |= {
            "POSBON_DATA_DIR": str(self.node.data_dir),
            "POSBON_MODEL_DIR": str(self.models_dir),
            "POSBON_RECOGNITION_API_URL": self.node.http,
            "POSBON_RECOGNITION_WORKER_TOKEN": self.camera,
            "POSBON_RECOGNITION_WORKER_LEASE_S": "3",
        }
        path = os.environ.get("POSBON_TEST_SERVER_LOG")  # a file to keep the logs in
        log = Path(path).open("ab") if path else None  # noqa: SIM115  (the child keeps a copy)
        try:
            self.workers[name] = subprocess.Popen(
                [sys.executable, "-m", "server", "recognition", "worker", "--name", name],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log or subprocess.DEVNULL,
            )
        finally:
            if log is not None:
                log.close()

    def kill(self, name: str) -> None:
        process = self.workers.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.workers.values():
            process.terminate()
        for process in self.workers.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    def client(self, token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.node.http, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )


@pytest.fixture
async def bus() -> AsyncIterator[redis.Redis]:
    require_redis()
    client = redis.from_url(REDIS_DB_URL)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def cluster(
    settings: Settings, db: Database, model_paths: ModelPaths, bus: redis.Redis
) -> Iterator[Cluster]:
    del db  # a fresh schema (SQLite file or emptied PostgreSQL database) for the node
    node = ServerProcess(Path(settings.data_dir), settings.database_url, SETTINGS)
    node.start()
    running = Cluster(node, model_paths.face_detector.parent)
    try:
        yield running
    finally:
        running.stop()
        node.stop()


async def _created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> Any:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def _wanted_plate_cameras(cluster: Cluster, plate: str, count: int) -> list[int]:
    async with cluster.client(cluster.admin) as client:
        wanted = await _created(
            client, "/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"}
        )
        await _created(client, f"/api/v1/plates/lists/{wanted['id']}/entries", {"plate": plate})
        cameras = [
            await _created(
                client, "/api/v1/cameras", {"name": f"gate {n}", "kind": "plate", "cooldown_s": 0}
            )
            for n in range(count)
        ]
    return [camera["id"] for camera in cameras]


async def _push(cluster: Cluster, camera_id: int, frame: bytes) -> None:
    async with cluster.client(cluster.camera) as client:
        response = await client.post(f"/api/v1/cameras/{camera_id}/frames", content=frame)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "queued"


async def _alerts_per_camera(cluster: Cluster) -> Counter[int]:
    async with cluster.client(cluster.admin) as client:
        response = await client.get("/api/v1/alerts", params={"limit": 500})
    assert response.status_code == 200, response.text
    return Counter(alert["details"]["camera_id"] for alert in response.json())


async def _pending_of(bus: redis.Redis, camera_ids: list[int], worker: str) -> int:
    total = 0
    for camera_id in camera_ids:
        for consumer in await bus.xinfo_consumers(stream_key(camera_id), GROUP):
            if consumer["name"].decode() == worker:
                total += int(consumer["pending"])
    return total


async def test_a_killed_workers_cameras_resume_on_the_other_and_no_alert_is_lost_or_doubled(
    cluster: Cluster, bus: redis.Redis
) -> None:
    truth = read_plate_truths(EU_PLATES)[0]
    frame = (EU_PLATES / truth.file).read_bytes()
    camera_ids = await _wanted_plate_cameras(cluster, truth.text, CAMERAS)
    for name in WORKERS:
        cluster.start_worker(name)

    async def both_alive() -> bool:
        return await bus.zcard(WORKERS_KEY) == len(WORKERS)

    await eventually(both_alive, timeout_s=ANALYSIS_TIMEOUT_S, interval_s=0.2)
    for camera_id in camera_ids:  # the first frame of each camera opens its stream
        await _push(cluster, camera_id, frame)

    async def alerts_are(expected: dict[int, int]) -> bool:
        assert await _alerts_per_camera(cluster) == Counter(expected)
        return True

    await eventually(
        lambda: alerts_are(dict.fromkeys(camera_ids, 1)),
        timeout_s=ANALYSIS_TIMEOUT_S,
        interval_s=0.3,
    )
    shares = assign([str(c) for c in camera_ids], WORKERS)
    victim = max(WORKERS, key=lambda name: len(shares[name]))
    victims_cameras = [int(c) for c in shares[victim]]
    for _ in range(FRAMES_AFTER_KILL):
        for camera_id in camera_ids:
            await _push(cluster, camera_id, frame)

    async def victim_holds_frames() -> bool:
        return await _pending_of(bus, victims_cameras, victim) > 0

    await eventually(victim_holds_frames, timeout_s=ANALYSIS_TIMEOUT_S, interval_s=0.02)
    cluster.kill(victim)  # SIGKILL with frames read but not acknowledged
    killed_s = time.monotonic()
    before = await _alerts_per_camera(cluster)

    async def victims_cameras_resumed() -> bool:
        now = await _alerts_per_camera(cluster)
        assert any(now[c] > before[c] for c in victims_cameras)
        return True

    await eventually(victims_cameras_resumed, timeout_s=ANALYSIS_TIMEOUT_S, interval_s=0.1)
    resumed_after_s = time.monotonic() - killed_s
    await eventually(
        lambda: alerts_are(dict.fromkeys(camera_ids, 1 + FRAMES_AFTER_KILL)),
        timeout_s=ANALYSIS_TIMEOUT_S,
        interval_s=0.3,
    )
    assert resumed_after_s < TAKEOVER_WITHIN_S
    assert await bus.zrange(WORKERS_KEY, 0, -1) == [b"w-a" if victim == "w-b" else b"w-b"]
    assert await _pending_of(bus, victims_cameras, victim) == 0


def _reading(text: str) -> PlateReading:
    plate = PlateText(text=text, display=text, kind="foreign", repairs=0)
    return PlateReading((10.0, 10.0, 80.0, 20.0), 0.9, text, plate, 0.99)


async def test_a_frame_reported_twice_raises_one_alert(cluster: Cluster, bus: redis.Redis) -> None:
    truth = read_plate_truths(EU_PLATES)[0]
    (camera_id,) = await _wanted_plate_cameras(cluster, truth.text, 1)
    await _push(cluster, camera_id, (EU_PLATES / truth.file).read_bytes())
    queued: list[tuple[bytes, dict[bytes, bytes]]] = await bus.xrange(  # type: ignore[assignment]
        stream_key(camera_id)
    )
    ((entry_id, fields),) = queued
    assert await bus.smembers(CAMERAS_KEY) == {str(camera_id).encode()}
    report = FrameReport(
        camera_id=camera_id,
        frame_id=entry_id.decode(),
        pushed_at_s=float(fields[b"at"]),
        plates=[_reading(truth.text)],
    )
    body = msgspec.json.encode(ReportBatch("by-hand", [report, report]))
    again = msgspec.json.encode(ReportBatch("by-hand", [report]))
    async with cluster.client(cluster.camera) as client:
        first = await client.post("/api/v1/recognition/worker/reports", content=body)
        second = await client.post("/api/v1/recognition/worker/reports", content=again)
    assert first.status_code == 200, first.text
    outcomes = [(f["outcome"], len(f["alerts"])) for f in first.json()["frames"]]
    assert outcomes == [("analysed", 1), ("duplicate", 0)]
    assert [f["outcome"] for f in second.json()["frames"]] == ["duplicate"]
    assert await _alerts_per_camera(cluster) == Counter({camera_id: 1})


async def test_a_report_of_a_frame_no_longer_queued_is_gone_and_bad_reports_are_refused(
    cluster: Cluster,
) -> None:
    truth = read_plate_truths(EU_PLATES)[0]
    (camera_id,) = await _wanted_plate_cameras(cluster, truth.text, 1)
    report = FrameReport(
        camera_id=camera_id, frame_id="1-0", pushed_at_s=time.time(), plates=[_reading(truth.text)]
    )
    path = "/api/v1/recognition/worker/reports"
    async with cluster.client(cluster.camera) as client:
        gone = await client.post(path, content=msgspec.json.encode(ReportBatch("x", [report])))
        garbled = await client.post(path, content=b"{not json")
        wrong_shape = await client.post(path, json={"worker": "x", "frames": [{"camera_id": 1}]})
    async with cluster.client("not-a-token") as client:
        stranger = await client.post(path, json={"worker": "x", "frames": []})
    assert [f["outcome"] for f in gone.json()["frames"]] == ["gone"]
    assert await _alerts_per_camera(cluster) == Counter()
    for refused in (garbled, wrong_shape):
        assert refused.status_code == 400
        assert refused.json()["code"] == "invalid_report"
        assert refused.json()["detail"]
    assert stranger.status_code == 401


def _posbon(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        env=dict(os.environ) | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_worker_command_lists_its_settings_and_refuses_without_redis_or_token(
    tmp_path: Path,
) -> None:
    base = {"POSBON_DATA_DIR": str(tmp_path)}
    shown = _posbon("recognition", "worker", "--help", env=base)
    no_redis = _posbon("recognition", "worker", env=base)
    no_token = _posbon("recognition", "worker", env=base | {"POSBON_BUS_URL": REDIS_DB_URL})
    assert shown.returncode == 0
    for flag in ("--bus-url", "--recognition-api-url", "--recognition-worker-token", "--name"):
        assert flag in shown.stdout
    assert "--database-url" not in shown.stdout
    assert no_redis.returncode == 2
    assert "--bus-url" in no_redis.stderr
    assert no_token.returncode == 2
    assert "role camera" in no_token.stderr


def _video_of(photo: Path, path: Path, frames: int = 20) -> Path:
    """A short MJPEG video of one photo: a stand-in for a camera stream, looped by the reader."""
    image = read_image(photo)
    height, width = image.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, (width, height))
    for _ in range(frames):
        writer.write(image)
    writer.release()
    return path


async def test_a_camera_with_a_stream_url_is_pulled_by_the_worker_not_the_node(
    cluster: Cluster, bus: redis.Redis, tmp_path: Path
) -> None:
    truth = read_plate_truths(EU_PLATES)[0]
    video = _video_of(EU_PLATES / truth.file, tmp_path / "gate.avi")
    cluster.start_worker("puller")
    async with cluster.client(cluster.admin) as client:
        wanted = await _created(
            client, "/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"}
        )
        await _created(
            client, f"/api/v1/plates/lists/{wanted['id']}/entries", {"plate": truth.text}
        )
        camera = await _created(
            client, "/api/v1/cameras", {"name": "gate", "kind": "plate", "url": str(video)}
        )

    async def alerted() -> bool:
        assert (await _alerts_per_camera(cluster))[camera["id"]] == 1
        return True

    await eventually(alerted, timeout_s=ANALYSIS_TIMEOUT_S, interval_s=0.3)
    async with cluster.client(cluster.admin) as client:
        status = (await client.get("/api/v1/recognition/status")).json()
    assert status["models_loaded"] is False  # the node ran no model: the worker did
    assert await bus.hkeys(PULLED_KEY) == [str(camera["id"]).encode()]
