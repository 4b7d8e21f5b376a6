"""Cluster benchmark: one node, then two nodes, on the machine's PostgreSQL and Redis, same run.

Each topology gets a fresh PostgreSQL database and real `posbon serve` processes (Redis bus).
The driver (this process) measures, per topology:

* frames/s: DC-09 ADM-CID frames ACKed per second (each ACK follows its commit), from
  ``--connections`` persistent TCP connections spread over the nodes, each keeping ``--window``
  frames outstanding, for ``--seconds``;
* alerts/s: POST /api/v1/alerts answered 201 per second, ``--posters`` concurrent clients spread
  over the nodes, for ``--seconds``;
* relay latency: a panic alert POSTed to the first node until its `alert` event reaches a
  dispatcher socket on the last node (through Redis when there are two), ``--alerts`` times.

It prints medians of ``--rounds`` rounds and the two-node / one-node ratios.

    .venv/bin/python -m bench.cluster
    .venv/bin/python -m bench.cluster --rounds 3 --seconds 8
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
from websockets.asyncio.client import connect

from bench.common import free_port
from device_gateway.protocols.dc09 import Header, encode_frame

ADMIN_URL = os.environ.get("POSBON_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("POSBON_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
STARTUP_TIMEOUT_S = 60.0
READ_BYTES = 65_536
ALERT = {"kind": "panic", "lat": 39.6548, "lon": 66.9757, "address": "Registan"}


class Node:
    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.http_port = free_port()
        self.dc09_port = free_port()
        self.env = dict(os.environ) | {
            "POSBON_DATA_DIR": str(data_dir),
            "POSBON_DATABASE_URL": database_url,
            "POSBON_BUS_URL": REDIS_URL,
            "POSBON_DC09_PORT": str(self.dc09_port),
            "POSBON_OSMAND_PORT": "0",
            "POSBON_GT06_PORT": "0",
            "POSBON_TELTONIKA_PORT": "0",
            "POSBON_LOG_LEVEL": "warning",
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--http-port", str(self.http_port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.http + "/ready", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("posbon serve did not become ready")

    def token(self, role: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "server", "token", "create", "--role", role, "--name", role],
            env=self.env,
            capture_output=True,
            check=True,
        )
        return done.stdout.decode().strip()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(20)


@contextlib.contextmanager
def database() -> Iterator[str]:
    name = f"posbon_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def cluster(size: int, root: Path) -> Iterator[list[Node]]:
    with database() as url:
        nodes = [Node(root / f"node{index}", url) for index in range(size)]
        try:
            for node in nodes:  # one after the other: the first applies the migrations
                node.start()
            yield nodes
        finally:
            for node in nodes:
                node.stop()


def _frame(account: str, seq: int) -> bytes:
    header = Header(token="ADM-CID", seq=f"{seq % 10000:04d}", line="0", account=account)
    zone = seq % 1000
    return encode_frame(header, f"[#{account}|1602 01 {zone:03d}]".encode())


async def _pump(port: int, account: str, window: int, stop_at: float) -> int:
    """Keep ``window`` frames outstanding on one connection until ``stop_at``; ACKs counted."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = acked = 0
    try:
        while time.monotonic() < stop_at:
            while sent - acked < window:
                writer.write(_frame(account, sent + 1))
                sent += 1
            await writer.drain()
            acked += (await reader.read(READ_BYTES)).count(b"ACK")
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return acked


async def frames_per_s(nodes: list[Node], connections: int, window: int, seconds: float) -> float:
    stop_at = time.monotonic() + seconds
    run = uuid.uuid4().int % 10**6
    pumps = [
        _pump(nodes[index % len(nodes)].dc09_port, f"{run:06d}{index:02d}", window, stop_at)
        for index in range(connections)
    ]
    started = time.monotonic()
    acked = sum(await asyncio.gather(*pumps))
    return acked / (time.monotonic() - started)


async def _poster(node: Node, token: str, stop_at: float) -> int:
    done = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=node.http, headers=headers, timeout=30) as client:
        while time.monotonic() < stop_at:
            if (await client.post("/api/v1/alerts", json=ALERT)).status_code == 201:
                done += 1
    return done


async def alerts_per_s(nodes: list[Node], token: str, posters: int, seconds: float) -> float:
    stop_at = time.monotonic() + seconds
    started = time.monotonic()
    made = await asyncio.gather(
        *(_poster(nodes[index % len(nodes)], token, stop_at) for index in range(posters))
    )
    return sum(made) / (time.monotonic() - started)


async def relay_latency_ms(nodes: list[Node], token: str, alerts: int) -> float:
    """Median ms from POST on the first node to the alert on a socket of the last node."""
    ws_url = nodes[-1].http.replace("http://", "ws://") + "/ws/dispatch"
    latencies = []
    async with connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": None}))
        await ws.recv()
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=nodes[0].http, headers=headers) as client:
            for _ in range(alerts):
                started = time.monotonic()
                alert_id = (await client.post("/api/v1/alerts", json=ALERT)).json()["id"]
                while True:
                    event = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if event["type"] == "alert" and event["data"]["id"] == alert_id:
                        break
                latencies.append((time.monotonic() - started) * 1000)
                await asyncio.sleep(0.1)
    return statistics.median(latencies)


def measure(size: int, args: argparse.Namespace, root: Path) -> dict[str, float]:
    rounds: dict[str, list[float]] = {"frames/s": [], "alerts/s": [], "relay p50 ms": []}
    with cluster(size, root) as nodes:
        token = nodes[0].token("dispatcher")
        for _ in range(args.rounds):
            rounds["frames/s"].append(
                asyncio.run(frames_per_s(nodes, args.connections, args.window, args.seconds))
            )
            rounds["alerts/s"].append(
                asyncio.run(alerts_per_s(nodes, token, args.posters, args.seconds))
            )
            rounds["relay p50 ms"].append(asyncio.run(relay_latency_ms(nodes, token, args.alerts)))
    return {name: statistics.median(values) for name, values in rounds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--posters", type=int, default=16)
    parser.add_argument("--alerts", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="posbon-cluster-") as root:
        one = measure(1, args, Path(root) / "one")
        two = measure(2, args, Path(root) / "two")
    print(f"{'figure':<14}{'1 node':>12}{'2 nodes':>12}{'2 / 1':>9}")
    for name in one:
        print(f"{name:<14}{one[name]:>12.1f}{two[name]:>12.1f}{two[name] / one[name]:>9.2f}")


if __name__ == "__main__":
    main()
