"""Relay fan-out benchmark: alert created → received on N connected dispatcher sockets.

The server runs as its own process (`posbon serve`, SQLite, in-process bus); the sockets are real
`websockets` clients in another process; this driver posts alerts over HTTP. Latency is measured
from just before the POST to the moment each socket has the alert event, with CLOCK_MONOTONIC,
which all processes on one Linux machine share.

    .venv/bin/python -m bench.relay                 # 100 and 1,000 sockets
    .venv/bin/python -m bench.relay --sockets 1000 --alerts 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.common import percentile, wait_healthy

MARKER = '"external_id":"bench:'
CONNECT_BATCH = 50


# --- the client process ----------------------------------------------------------------------


async def _socket_worker(socket: ClientConnection, expect: int, out: list[float]) -> None:
    seen = 0
    while seen < expect:
        raw = await socket.recv()
        now = time.monotonic()
        text = raw if isinstance(raw, str) else raw.decode()
        if not text.startswith('{"type":"alert"'):
            continue
        start = text.find(MARKER) + len(MARKER)
        sent_at = float(text[start : text.find(":", start)])
        out.append((now - sent_at) * 1000)
        seen += 1


async def _client(url: str, token: str, count: int, expect: int, timeout_s: float) -> None:
    sockets: list[ClientConnection] = []
    hello = json.dumps({"type": "hello", "token": token, "last_seq": None})
    for first in range(0, count, CONNECT_BATCH):
        batch = await asyncio.gather(
            *(
                connect(url, max_queue=None, ping_interval=None)
                for _ in range(first, min(count, first + CONNECT_BATCH))
            )
        )
        for socket in batch:
            await socket.send(hello)
            await socket.recv()  # welcome
        sockets.extend(batch)
    print("READY", flush=True)
    latencies: list[float] = []
    workers = [asyncio.create_task(_socket_worker(s, expect, latencies)) for s in sockets]
    done, pending = await asyncio.wait(workers, timeout=timeout_s)
    for task in pending:
        task.cancel()
    print(json.dumps({"latencies_ms": latencies, "complete_sockets": len(done)}), flush=True)
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)


# --- the driver --------------------------------------------------------------------------------


def _posbon(data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, POSBON_DATA_DIR=str(data_dir), POSBON_LOG_LEVEL="warning")
    return subprocess.Popen(
        [sys.executable, "-m", "server", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _token_for(data_dir: Path, role: str) -> str:
    process = _posbon(data_dir, "token", "create", "--role", role, "--name", f"bench-{role}")
    out, _ = process.communicate(timeout=60)
    return out.decode().strip()


def _run_round(
    base: str, token: str, sockets: int, alerts: int, interval_s: float
) -> dict[str, float]:
    client = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.relay",
            "--client",
            str(sockets),
            "--url",
            base.replace("http", "ws") + "/ws/dispatch",
            "--token",
            token,
            "--alerts",
            str(alerts),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdout is not None
    assert client.stdout.readline().strip() == "READY"
    time.sleep(1.0)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers) as http:
        for index in range(alerts):
            body = {
                "kind": "panic",
                "lat": 39.6548,
                "lon": 66.9757,
                "external_id": f"bench:{time.monotonic()}:{sockets}:{index}",
            }
            assert http.post("/api/v1/alerts", json=body).status_code == 201
            time.sleep(interval_s)
    result = json.loads(client.stdout.readline())
    client.wait(60)
    latencies = result["latencies_ms"]
    return {
        "sockets": sockets,
        "deliveries": len(latencies),
        "expected": sockets * alerts,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", default="100,1000")
    parser.add_argument("--alerts", type=int, default=40)
    parser.add_argument("--interval-s", type=float, default=0.5)
    parser.add_argument("--client", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--token", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        asyncio.run(_client(args.url, args.token, args.client, args.alerts, timeout_s=120))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        token = _token_for(data_dir, "dispatcher")
        port = 18000 + os.getpid() % 1000
        server = _posbon(data_dir, "serve", "--http-port", str(port))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base)
            print(f"{'sockets':>8} {'delivered':>12} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
            for count in (int(n) for n in args.sockets.split(",")):
                row = _run_round(base, token, count, args.alerts, args.interval_s)
                print(
                    f"{row['sockets']:>8} {row['deliveries']:>5}/{row['expected']:<6} "
                    f"{row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['max_ms']:>8.1f}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
