"""Recognition at scale: N simulated cameras pushing frames at a fixed rate through one, then
two `posbon recognition worker` processes, and a worker killed mid-run.

One real `posbon serve` (SQLite, recognition_workers=external, Redis on 127.0.0.1) and real
worker processes (one model thread each: one core) running the real plate models. Every camera
is a plate camera pushing JPEG frames at ``--fps``; most frames show a plate that is on no list
(the models still run in full), and every ``--event-every-s`` one shows a wanted plate. With
cooldown 0 and the stream sense at k=n=1 each such frame must raise exactly one alert.

Per phase (``--seconds`` each) the driver reports:

* analysed frames/s: frames the node committed from worker reports (camera figures), and the
  frames the workers skipped because they fell further behind than recognition_frame_max_age_s;
* cameras per core: analysed frames/s per worker divided by ``--fps``: what one core keeps up
  with when the phase is saturated (frames skipped, or fewer analysed than offered), otherwise
  only the offered load;
* alert latency p50/p99: from the wanted frame's push to its alert's commit (both clocks are
  this machine's);
* alerts expected / got: a lost frame shows as a missing alert, a doubled one as an extra.

The kill phase runs two workers, SIGKILLs the one holding most cameras at a third of the run,
and reports how long its cameras went without an alert (kill to the first alert of each of its
cameras for a frame pushed after the kill), and again expected / got.

    .venv/bin/python -m bench.recognition_scale
    .venv/bin/python -m bench.recognition_scale --cameras 8 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as redis

from bench.common import free_port, percentile, wait_healthy
from recognition.assignment import assign

ROOT = Path(__file__).resolve().parents[1]
PLATES = ROOT / "tests" / "data" / "plates" / "eu"
WANTED_FRAME, WANTED_PLATE = PLATES / "eu1.jpg", "M5XSX"
BACKGROUND_FRAME = PLATES / "test_008.jpg"  # LM298AI: read, on no list
REDIS_URL = os.environ.get("POSBON_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
MODEL_DIR = os.environ.get("POSBON_MODEL_DIR", str(ROOT / "var" / "models"))
SETTLE_S = 15.0  # after the pushes stop, for the last reports
WORKER_START_S = 120.0


class Bench:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.http = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ) | {
            "POSBON_DATA_DIR": str(data_dir),
            "POSBON_MODEL_DIR": MODEL_DIR,
            "POSBON_BUS_URL": REDIS_URL,
            "POSBON_RECOGNITION_WORKERS": "external",
            "POSBON_RECOGNITION_CONFIRM_K": "1",
            "POSBON_RECOGNITION_CONFIRM_N": "1",
            "POSBON_RECOGNITION_API_URL": self.http,
            "POSBON_DC09_PORT": "0",
            "POSBON_OSMAND_PORT": "0",
            "POSBON_GT06_PORT": "0",
            "POSBON_TELTONIKA_PORT": "0",
            "POSBON_LOG_LEVEL": "warning",
        }
        self.node: subprocess.Popen[bytes] | None = None
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.admin = self.camera = ""

    def _posbon(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "server", *args],
            env=self.env,
            capture_output=True,
            check=True,
            timeout=120,
        )
        return done.stdout.decode().strip()

    def start_node(self) -> None:
        self._posbon("migrate")
        self.admin = self._posbon("token", "create", "--role", "admin", "--name", "bench")
        self.camera = self._posbon("token", "create", "--role", "camera", "--name", "workers")
        self.env["POSBON_RECOGNITION_WORKER_TOKEN"] = self.camera
        self.node = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--http-port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
        )
        wait_healthy(self.http)

    def start_worker(self, name: str) -> None:
        self.workers[name] = subprocess.Popen(
            [sys.executable, "-m", "server", "recognition", "worker", "--name", name],
            env=self.env,
            stdout=subprocess.DEVNULL,
        )

    def kill_worker(self, name: str) -> None:
        process = self.workers.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_workers(self) -> None:
        for process in self.workers.values():
            process.terminate()
        for process in self.workers.values():
            process.wait(30)
        self.workers.clear()

    def stop(self) -> None:
        self.stop_workers()
        if self.node is not None:
            self.node.terminate()
            self.node.wait(30)


class Phase:
    """One run of pushes: what was sent when, for matching alerts afterwards."""

    def __init__(self, name: str, workers: int) -> None:
        self.name, self.workers = name, workers
        self.wanted_pushed: dict[int, list[float]] = defaultdict(list)  # camera → push times
        self.analysed = self.skipped = 0
        self.started_s = self.ended_s = 0.0
        self.kill_s: float | None = None
        self.victim_cameras: list[int] = []
        self.alerts: dict[int, list[float]] = {}


async def _camera_ids(client: httpx.AsyncClient, count: int) -> list[int]:
    wanted = (
        await client.post("/api/v1/plates/lists", json={"name": "bench", "kind": "wanted"})
    ).json()
    await client.post(f"/api/v1/plates/lists/{wanted['id']}/entries", json={"plate": WANTED_PLATE})
    ids = []
    for n in range(count):
        body = {"name": f"bench {n}", "kind": "plate", "cooldown_s": 0}
        ids.append((await client.post("/api/v1/cameras", json=body)).json()["id"])
    return ids


async def _figures(client: httpx.AsyncClient) -> tuple[int, int]:
    rows = [row["status"] or {} for row in (await client.get("/api/v1/cameras/status")).json()]
    analysed = sum(row.get("frames_analysed", 0) for row in rows)
    skipped = sum(row.get("frames_skipped", 0) for row in rows)
    return analysed, skipped


async def _alert_times(client: httpx.AsyncClient, since: dt.datetime) -> dict[int, list[float]]:
    found: dict[int, list[float]] = defaultdict(list)
    offset = 0
    while True:
        page = (await client.get("/api/v1/alerts", params={"limit": 1000, "offset": offset})).json()
        for alert in page:
            at = dt.datetime.fromisoformat(alert["received_at"])
            if at >= since:
                found[alert["details"]["camera_id"]].append(at.timestamp())
        if len(page) < 1000:
            break
        offset += 1000
    return {camera: sorted(times) for camera, times in found.items()}


async def _camera(
    phase: Phase, client: httpx.AsyncClient, camera_id: int, frames: tuple[bytes, bytes], args: Any
) -> None:
    background, wanted = frames
    interval_s = 1 / args.fps
    every = max(1, round(args.event_every_s * args.fps))
    start = time.monotonic() + (camera_id % 7) * interval_s / 7  # cameras out of step
    n = 0
    while (at := start + n * interval_s) < phase.started_s + args.seconds:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        is_wanted = n % every == every // 2
        pushed = time.time()
        response = await client.post(
            f"/api/v1/cameras/{camera_id}/frames", content=wanted if is_wanted else background
        )
        if response.status_code == 200 and is_wanted:
            phase.wanted_pushed[camera_id].append(pushed)
        n += 1


async def _run_phase(
    bench: Bench, phase: Phase, cameras: list[int], args: Any, bus: redis.Redis
) -> None:
    frames = (BACKGROUND_FRAME.read_bytes(), WANTED_FRAME.read_bytes())
    headers = {"Authorization": f"Bearer {bench.admin}"}
    async with (
        httpx.AsyncClient(base_url=bench.http, headers=headers, timeout=60) as admin,
        httpx.AsyncClient(
            base_url=bench.http,
            headers={"Authorization": f"Bearer {bench.camera}"},
            timeout=30,
            limits=httpx.Limits(max_connections=len(cameras)),
        ) as pusher,
    ):
        before = await _figures(admin)
        since = dt.datetime.now(dt.UTC)
        phase.started_s = time.monotonic()
        pushes = [asyncio.create_task(_camera(phase, pusher, c, frames, args)) for c in cameras]
        if phase.kill_s is not None:
            await asyncio.sleep(args.seconds / 3)
            members: list[bytes] = await bus.zrange(  # type: ignore[assignment]
                "posbon:recognition:workers", 0, -1
            )
            live = [m.decode() for m in members]
            shares = assign([str(c) for c in cameras], live)
            victim = max(shares, key=lambda name: len(shares[name]))
            phase.victim_cameras = [int(c) for c in shares[victim]]
            bench.kill_worker(victim)
            phase.kill_s = time.time()
        await asyncio.gather(*pushes)
        phase.ended_s = time.monotonic()
        at_end = await _figures(admin)
        await asyncio.sleep(SETTLE_S)
        after = await _figures(admin)
        phase.analysed = at_end[0] - before[0]  # while the cameras pushed: the rate
        phase.skipped = after[1] - before[1]
        phase.alerts = await _alert_times(admin, since)


def _latencies(phase: Phase) -> list[float]:
    """Each alert against the last wanted frame its camera pushed before it. Exact while no
    frame is skipped (frames of a camera are committed in order); with frames skipped, an
    alert could belong to an earlier push, so this is then a lower bound."""
    found = []
    for camera, alerts in phase.alerts.items():
        pushed = phase.wanted_pushed.get(camera, [])
        for at in alerts:
            earlier = [p for p in pushed if p <= at]
            if earlier:
                found.append(at - earlier[-1])
    return found


def _report(phase: Phase, args: Any) -> dict[str, Any]:
    expected = sum(len(times) for times in phase.wanted_pushed.values())
    got = sum(len(times) for times in phase.alerts.values())
    latencies = _latencies(phase)
    fps = phase.analysed / max(1e-9, phase.ended_s - phase.started_s)
    row: dict[str, Any] = {
        "phase": phase.name,
        "workers": phase.workers,
        "offered_fps": args.cameras * args.fps,
        "analysed_fps": round(fps, 1),
        "skipped_frames": phase.skipped,
        # a rate, not a capacity, unless the workers fell behind (skipped) or analysed less
        # than offered: then it is what one core keeps up with
        "saturated": phase.skipped > 0 or fps < 0.95 * args.cameras * args.fps,
        "cameras_per_core": round(fps / phase.workers / args.fps, 2),
        "alert_p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
        "alert_p99_ms": round(percentile(latencies, 0.99) * 1000) if latencies else None,
        "alerts_expected": expected,
        "alerts_got": got,
    }
    if phase.kill_s is not None:
        gaps = []
        for camera in phase.victim_cameras:
            after = [a for a in phase.alerts.get(camera, []) if a > phase.kill_s]
            gaps.append(after[0] - phase.kill_s if after else float("inf"))
        row["victim_cameras"] = len(phase.victim_cameras)
        row["resumed_after_s_max"] = round(max(gaps), 2) if gaps else None
    return row


async def _wait_workers(bus: redis.Redis, count: int) -> None:
    deadline = time.monotonic() + WORKER_START_S
    while await bus.zcard("posbon:recognition:workers") < count:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not join")
        await asyncio.sleep(0.2)


async def main_async(args: Any) -> list[dict[str, Any]]:
    bus = redis.from_url(REDIS_URL)
    await bus.flushdb()
    rows = []
    with tempfile.TemporaryDirectory(prefix="posbon-recognition-scale-") as data_dir:
        bench = Bench(Path(data_dir))
        try:
            bench.start_node()
            headers = {"Authorization": f"Bearer {bench.admin}"}
            async with httpx.AsyncClient(base_url=bench.http, headers=headers) as client:
                cameras = await _camera_ids(client, args.cameras)
            for workers, kill in ((1, False), (2, False), (2, True)):
                for n in range(workers):
                    bench.start_worker(f"worker-{n + 1}")
                await _wait_workers(bus, workers)
                phase = Phase("kill one" if kill else "steady", workers)
                phase.kill_s = 0.0 if kill else None
                await _run_phase(bench, phase, cameras, args, bus)
                rows.append(_report(phase, args))
                print(rows[-1], flush=True)
                bench.stop_workers()
                await bus.delete("posbon:recognition:workers")
        finally:
            bench.stop()
            await bus.flushdb()
            await bus.aclose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--fps", type=float, default=5.0, help="frames each camera pushes a second")
    parser.add_argument("--seconds", type=float, default=20.0, help="pushing time per phase")
    parser.add_argument("--event-every-s", type=float, default=2.0, help="a wanted plate's period")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args))
    one, two = rows[0], rows[1]
    if one["analysed_fps"]:
        print(f"two workers / one: {two['analysed_fps'] / one['analysed_fps']:.2f}x analysed fps")


if __name__ == "__main__":
    main()
