"""DC-09 gateway benchmark: durable frames/s, and frame → ACK latency at a fixed offered rate.

The server runs as its own process (`posbon serve`, SQLite WAL unless --database-url), with
500 registered, supervised panels imported from CSV. Client processes keep persistent TCP
connections (as Ajax-style panels do) and send ADM-CID periodic-test frames, each with its own
account, sequence number and zone, so none is a retransmission. Every frame is stored in a
committed transaction before its ACK is written; latency is measured in the client from just
before the write to the moment the ACK arrives (replies come back in frame order per connection).

* sustained: each connection keeps ``--window`` frames outstanding; ACKed frames per second.
* latency: frames are written on a fixed schedule (open loop) at ``--rate`` frames/s in all.

Each figure is the median of ``--rounds`` rounds.

    .venv/bin/python -m bench.gateway
    .venv/bin/python -m bench.gateway --rounds 3 --seconds 10 --rate 2000
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
from collections import deque
from pathlib import Path
from typing import Any

import httpx

from bench import gateway_storm as storm
from bench.common import free_port, percentile, wait_healthy
from device_gateway.protocols.dc09 import Header, encode_frame

ACCOUNTS = 500
TICK_S = 0.002
READ_BYTES = 65_536
DRAIN_TIMEOUT_S = 10.0


def _frames(account: str, first_zone: int, count: int) -> list[bytes]:
    frames = []
    for index in range(count):
        seq = index % 9999 + 1
        zone = first_zone + index // 9999
        header = Header(token="ADM-CID", seq=f"{seq:04d}", line="0", account=account)
        frames.append(encode_frame(header, f"[#{account}|1602 01 {zone:03d}]".encode()))
    return frames


# --- the client process ------------------------------------------------------------------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.sent_at: deque[float] = deque()
        self.latencies: list[float] = []
        self.refused = 0  # NAK or DUH replies: answered, but not an ACK

    def send(self, frame: bytes) -> None:
        self.sent_at.append(time.monotonic())
        self.writer.write(frame)

    async def read_acks(self, forever: bool = False) -> None:
        while self.sent_at or forever:
            data = await self.reader.read(READ_BYTES)
            if not data:
                return
            now = time.monotonic()
            for _ in range(data.count(b"\r")):
                self.latencies.append(now - self.sent_at.popleft())
            self.refused += data.count(b'"NAK"') + data.count(b'"DUH"')


async def _sustained(
    conns: list[Connection], frames: list[list[bytes]], seconds: float, window: int
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds

    async def run(conn: Connection, mine: list[bytes]) -> None:
        position = 0
        for frame in mine[:window]:
            conn.send(frame)
        position = window
        while time.monotonic() < deadline:
            data = await conn.reader.read(READ_BYTES)
            if not data:
                return
            now = time.monotonic()
            for _ in range(data.count(b"\r")):
                conn.latencies.append(now - conn.sent_at.popleft())
                if now < deadline and position < len(mine):
                    conn.send(mine[position])
                    position += 1
        with contextlib.suppress(TimeoutError):  # a receiver that loses frames never answers
            async with asyncio.timeout(DRAIN_TIMEOUT_S):
                await conn.read_acks()

    started = time.monotonic()
    await asyncio.gather(*(run(c, f) for c, f in zip(conns, frames, strict=True)))
    acked = sum(len(c.latencies) - c.refused for c in conns)
    return {"acked": acked, "seconds": time.monotonic() - started}


async def _fixed_rate(
    conns: list[Connection], frames: list[list[bytes]], seconds: float, rate: float
) -> dict[str, Any]:
    readers = [asyncio.create_task(c.read_acks(forever=True)) for c in conns]
    start = time.monotonic()
    sent = 0
    cursor = [0] * len(conns)
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate) - sent
        for _ in range(due):
            index = sent % len(conns)
            conns[index].send(frames[index][cursor[index]])
            cursor[index] += 1
            sent += 1
        await asyncio.sleep(TICK_S)
    deadline = time.monotonic() + 30
    while any(c.sent_at for c in conns) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    latencies = [lat for c in conns for lat in c.latencies]
    refused = sum(c.refused for c in conns)
    return {"sent": sent, "refused": refused, "latencies_ms": [lat * 1000 for lat in latencies]}


async def _client(args: argparse.Namespace) -> None:
    per_conn = (
        int(max(args.rate / args.connections * args.seconds, 60_000 / args.connections) * 1.2)
        + args.window
    )
    frames = [
        _frames(f"{args.first_account + index}", args.zone, per_conn)
        for index in range(args.connections)
    ]
    opened = [
        await asyncio.open_connection("127.0.0.1", args.port) for _ in range(args.connections)
    ]
    conns = [Connection(reader, writer) for reader, writer in opened]
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    if args.mode == "sustained":
        result = await _sustained(conns, frames, args.seconds, args.window)
    else:
        result = await _fixed_rate(conns, frames, args.seconds, args.rate)
    print(json.dumps(result), flush=True)
    for conn in conns:
        conn.writer.close()


# --- the driver ----------------------------------------------------------------------------------


def _posbon(data_dir: Path, env_extra: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, POSBON_DATA_DIR=str(data_dir), POSBON_LOG_LEVEL="warning", **env_extra)
    return subprocess.Popen(
        [sys.executable, "-m", "server", *args], env=env, stdout=subprocess.DEVNULL
    )


def _import_devices(data_dir: Path, env_extra: dict[str, str], first_account: int) -> None:
    csv = data_dir / "devices.csv"
    lines = ["account,protocol,kind,site,address,lat,lon,key,key_format,encrypted,supervision_s"]
    lines += [
        f"{first_account + n},dc09,panic_button,School {n},Street {n},39.65,66.97,,hex,false,3600"
        for n in range(ACCOUNTS)
    ]
    csv.write_text("\n".join(lines) + "\n")
    done = _posbon(data_dir, env_extra, "devices", "import", str(csv))
    assert done.wait(120) == 0


def _admin_token(data_dir: Path, env_extra: dict[str, str], role: str = "admin") -> str:
    env = dict(os.environ, POSBON_DATA_DIR=str(data_dir), **env_extra)
    command = [sys.executable, "-m", "server", "token", "create", "--role", role, "--name", "b"]
    return subprocess.run(
        command, env=env, capture_output=True, check=True, text=True
    ).stdout.strip()


def _print_metrics(base: str, token: str) -> None:
    text = httpx.get(base + "/metrics", headers={"Authorization": f"Bearer {token}"}).text
    for line in text.splitlines():
        if line.startswith(("posbon_dc09", "posbon_alerts_total{")) and "_link" not in line:
            print("  " + line)


def _round(args: argparse.Namespace, mode: str, dc09_port: int, zone: int) -> list[dict[str, Any]]:
    per_process = args.connections // args.processes
    clients = []
    for index in range(args.processes):
        command = [
            sys.executable, "-m", "bench.gateway", "--client", "--mode", mode,
            "--port", str(dc09_port), "--connections", str(per_process),
            "--first-account", str(args.first_account + index * per_process),
            "--zone", str(zone), "--seconds", str(args.seconds),
            "--rate", str(args.rate / args.processes), "--window", str(args.window),
        ]  # fmt: skip
        client = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        clients.append(client)
    for client in clients:
        assert client.stdout is not None
        assert client.stdout.readline().strip() == "READY"
    for client in clients:
        assert client.stdin is not None
        client.stdin.write("GO\n")
        client.stdin.flush()
    results = []
    for client in clients:
        assert client.stdout is not None
        results.append(json.loads(client.stdout.readline()))
        client.wait(60)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=2000.0, help="offered frames/s (latency)")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--window", type=int, default=32, help="outstanding frames/connection")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--only", choices=["sustained", "latency", "storm"], default=None)
    parser.add_argument("--receiver", choices=["posbon", "pysiaalarm"], default="posbon")
    parser.add_argument("--pysiaalarm-path", default="", help="where pysiaalarm is installed")
    parser.add_argument(
        "--compare-pysiaalarm",
        action="store_true",
        help="after posbon, put the same frames through pysiaalarm (needs --pysiaalarm-path)",
    )
    parser.add_argument("--storm-panels", type=int, default=8000, help="panels reconnecting")
    parser.add_argument("--storm-events", type=int, default=10_000, help="AC-loss frames in all")
    parser.add_argument("--metrics", action="store_true", help="print the server's dc09 metrics")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="sustained", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--first-account", type=int, default=100_000, help=argparse.SUPPRESS)
    parser.add_argument("--zone", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        if args.mode == "storm":
            asyncio.run(
                storm.storm_client(args.port, args.connections, args.storm_events, args.zone)
            )
        else:
            asyncio.run(_client(args))
        return
    if args.receiver == "pysiaalarm":
        _compare_pysiaalarm(args)
        return
    env = {"POSBON_DATABASE_URL": args.database_url} if args.database_url else {}
    env |= {"POSBON_OSMAND_PORT": "0", "POSBON_GT06_PORT": "0", "POSBON_TELTONIKA_PORT": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        if args.only == "storm":
            # Every simulated panel connects from 127.0.0.1; in the field each has its own address.
            env["POSBON_DEVICE_CONNECTIONS_PER_IP"] = str(args.storm_panels + 16)
            csv = storm.write_csv(data_dir, args.storm_panels)
            assert _posbon(data_dir, env, "devices", "import", str(csv)).wait(300) == 0
        else:
            _import_devices(data_dir, env, args.first_account)
        token = _admin_token(data_dir, env)
        http_port, dc09_port = free_port(), free_port()
        server = _posbon(
            data_dir, env, "serve", "--http-port", str(http_port), "--dc09-port", str(dc09_port)
        )
        try:
            base = f"http://127.0.0.1:{http_port}"
            wait_healthy(base)
            if args.only == "storm":
                _report_storm(args, base, _admin_token(data_dir, env, "dispatcher"), dc09_port)
            else:
                posbon = _report(args, dc09_port)
            if args.metrics:
                _print_metrics(base, token)
        finally:
            server.terminate()
            server.wait(30)
    if args.compare_pysiaalarm and args.only != "storm":
        _print_comparison(posbon, _compare_pysiaalarm(args))


def _compare_pysiaalarm(args: argparse.Namespace) -> dict[str, float]:
    """The same frames through pysiaalarm's receiver (bench/pysiaalarm_receiver.py)."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=args.pysiaalarm_path)
    command = [sys.executable, "-m", "bench.pysiaalarm_receiver", str(port),
               str(args.first_account), str(args.connections)]  # fmt: skip
    receiver = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert receiver.stdout is not None
        assert receiver.stdout.readline().strip() == "READY"
        print("pysiaalarm 3.2.2 receiver (ACK before the handler, nothing stored):", flush=True)
        return _report(args, port, "pysiaalarm 3.2.2")
    finally:
        receiver.terminate()
        receiver.wait(30)


def _report(args: argparse.Namespace, dc09_port: int, receiver: str = "") -> dict[str, float]:
    engine = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    receiver = receiver or f"posbon serve, {engine}"
    print(f"{receiver}; {args.connections} TCP connections from {args.processes} "
          f"client processes; {args.rounds} rounds of {args.seconds:g} s", flush=True)  # fmt: skip
    zone = 0
    rates, p50s, p99s, maxes, losses = [], [], [], [], []
    for round_no in range(args.rounds):
        zone += 1
        if args.only != "latency":
            sustained = _round(args, "sustained", dc09_port, zone)
            rate = sum(r["acked"] for r in sustained) / max(r["seconds"] for r in sustained)
            rates.append(rate)
        if args.only == "sustained":
            print(f"round {round_no + 1}: sustained {rate:,.0f} frames/s", flush=True)
            continue
        zone += 1
        fixed = _round(args, "latency", dc09_port, zone)
        latencies = [lat for r in fixed for lat in r["latencies_ms"]]
        sent = sum(r["sent"] for r in fixed)
        p50s.append(statistics.median(latencies))
        p99s.append(percentile(latencies, 0.99))
        maxes.append(max(latencies))
        losses.append(sent - len(latencies) + sum(r["refused"] for r in fixed))
        sustained_text = f"sustained {rates[-1]:,.0f} frames/s; " if rates else ""
        print(
            f"round {round_no + 1}: {sustained_text}at {args.rate:,.0f}/s: "
            f"p50 {p50s[-1]:.1f} ms, p99 {p99s[-1]:.1f} ms, max {maxes[-1]:.1f} ms, "
            f"{sent - losses[-1]:,}/{sent:,} ACKed",
            flush=True,
        )
    medians = {}
    if rates:
        medians["sustained"] = statistics.median(rates)
        print(f"median sustained: {medians['sustained']:,.0f} frames/s (budget >= 5,000)")
    if p50s:
        medians |= {"p50": statistics.median(p50s), "p99": statistics.median(p99s)}
        print(
            f"median at {args.rate:,.0f} frames/s: p50 {medians['p50']:.1f} ms, "
            f"p99 {medians['p99']:.1f} ms (budget <= 50), "
            f"max {statistics.median(maxes):.1f} ms; un-ACKed {max(losses)}",
            flush=True,
        )
    return medians


def _print_comparison(posbon: dict[str, float], other: dict[str, float]) -> None:
    print("same frames, same clients, same run: posbon (ACK after commit) vs pysiaalarm 3.2.2")
    print("| figure | posbon | pysiaalarm | posbon / pysiaalarm |")
    print("|---|---|---|---|")
    for name, unit in (("sustained", "frames/s"), ("p50", "ms"), ("p99", "ms")):
        if name in posbon and name in other:
            ratio = posbon[name] / other[name] if other[name] else float("nan")
            print(f"| {name} | {posbon[name]:,.1f} {unit} | {other[name]:,.1f} {unit} | "
                  f"{ratio:.2f} |")  # fmt: skip


def _report_storm(args: argparse.Namespace, base: str, token: str, dc09_port: int) -> None:
    engine = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    print(
        f"posbon serve, {engine}; alarm storm: {args.storm_panels:,} panels reconnect at once, "
        f"{args.storm_events:,} AC-loss frames, one panic {storm.PANIC_AFTER_S:g} s in; "
        f"{args.rounds} rounds",
        flush=True,
    )
    results = []
    for round_no in range(args.rounds):
        result = asyncio.run(
            storm.run_storm(base, token, dc09_port, args.storm_panels, args.storm_events, round_no)
        )
        results.append(result)
        print(
            f"round {round_no + 1}: {result['acked']:,}/{result['sent']:,} ACKed in "
            f"{result['seconds']:.1f} s ({result['acked'] / result['seconds']:,.0f}/s), "
            f"ACK p50 {result['p50_ms']:.0f} ms p99 {result['p99_ms']:.0f} ms; panic from a "
            f"connected panel: ACK {result['panic_ack_ms']:.0f} ms, on the dispatcher socket "
            f"{result['panic_socket_ms']:.0f} ms; from a panel connecting now: ACK "
            f"{result['fresh_panic_ack_ms']:.0f} ms, "
            f"socket {result['fresh_panic_socket_ms']:.0f} ms",
            flush=True,
        )
    for key, what in (("panic_socket_ms", "connected"), ("fresh_panic_socket_ms", "connecting")):
        median = statistics.median(r[key] for r in results)
        print(
            f"median panic ({what} panel) -> dispatcher socket: {median:.0f} ms (budget <= 1,000)"
        )


if __name__ == "__main__":
    main()
