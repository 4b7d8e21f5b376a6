"""Fuzz every device port of a real `posbon serve` process, on loopback, for a set time.

The process starts as the acceptance suite starts it (tests/acceptance/support.py: default flags
and event loop, free ports, its own data directory, the acceptance fleet imported). Then, all at
once until the time is up:

* DC-09 over TCP (a few connections, many frames each) and over UDP, GT06 and Teltonika over TCP
  (a login or IMEI handshake, then packets) and the device HTTP port (OsmAnd reports, IoT
  webhooks, keep-alive) get the real vectors of tests/data, mutated: bytes flipped, inserted,
  cut, repeated, spliced with another vector, or replaced by random bytes, and now and then a
  run of junk;
* a thread polls ``GET /health`` every 0.5 s on its own connection and times each answer.

Each stream sends at most ``--rate`` frames a second (0: as fast as it can). Loopback is exempt
from the DC-09 rate limit and trackers have none, so an unpaced run measures how one Python
process shares a core between a flood and ``/health``, not what a fuzzer is for.

It then stops the process and checks: no Traceback in its stderr, no HTTP 500 from the device
port, ``/health`` answered within 1 s every time. It prints what each port was sent, how often
the server hung up on the fuzzer, the HTTP answers, and the worst ``/health`` latency, and exits
1 if a check failed.

    .venv/bin/python -m bench.fuzz_ports                # 300 s
    .venv/bin/python -m bench.fuzz_ports --seconds 20   # a quick run
    .venv/bin/python -m bench.fuzz_ports --rate 0       # flood
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import random
import socket
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from device_gateway.protocols.dc09 import Header, encode_frame
from tests.acceptance import fleet
from tests.acceptance.support import ServedPosbon, models_env

DATA: Final = Path(__file__).resolve().parents[1] / "tests" / "data"
HEALTH_EVERY_S: Final = 0.5
HEALTH_LIMIT_S: Final = 1.0
HEALTH_TIMEOUT_S: Final = 10.0
ANSWER_TIMEOUT_S: Final = 5.0
"""How long the fuzzer waits for an HTTP answer before it drops the connection (a mutated
request may be incomplete; the server's own request timeout is longer)."""
STREAMS_PER_PORT: Final = 2
DEFAULT_RATE: Final = 250.0
"""Frames a second per stream: seven streams (two DC-09 TCP, two GT06, two Teltonika, UDP)
make 1750."""
MAX_FRAMES_PER_CONNECTION: Final = 300
JUNK_BYTES: Final = 64 * 1024
READ_BYTES: Final = 65_536
MAX_HEAD_BYTES: Final = 64 * 1024


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


DC09_SEEDS: Final = [
    b"\n" + row["raw"].encode() + b"\r"
    for path in sorted((DATA / "dc09").glob("*.jsonl"))
    for row in _rows(path)
]
GT06_ROWS: Final = _rows(DATA / "gt06" / "gt06_traccar_tests.jsonl")
GT06_LOGIN: Final = bytes.fromhex(GT06_ROWS[0]["hex"])
GT06_SEEDS: Final = [bytes.fromhex(row["hex"]) for row in GT06_ROWS]
TELTONIKA_ROWS: Final = _rows(DATA / "teltonika" / "teltonika_wiki_examples.jsonl")
TELTONIKA_HELLO: Final = bytes.fromhex(TELTONIKA_ROWS[0]["imei_hex"])
TELTONIKA_SEEDS: Final = [bytes.fromhex(row["hex"]) for row in TELTONIKA_ROWS]
OSMAND_ROWS: Final = _rows(DATA / "osmand" / "osmand_traccar_requests.jsonl")
IOT_BODIES: Final = [
    b'{"action":"emergency","battery":80}',
    b'{"sos":true}',
    b'{"event":"S","event_cnt":7}',
    b'{"end_device_ids":{"device_id":"sos-17","dev_eui":"70B3D57ED005A1B2","dev_addr":"26"},'
    b'"uplink_message":{"f_cnt":42,"decoded_payload":{"alarm":true}}}',
]


class Mutator:
    """Seeded mutations of real vectors."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def junk(self) -> bytes:
        return self.rng.choice([b"x", b"\n", b"\nx\r", b"\x78\x78\x0d", b"\x00"]) * JUNK_BYTES

    def mutate(self, seed: bytes, others: list[bytes]) -> bytes:
        rng, data = self.rng, bytearray(seed)
        match rng.randrange(8):
            case 0:
                return seed
            case 1:  # flip a few bytes
                for _ in range(rng.randint(1, 6)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
            case 2:  # insert random bytes
                at = rng.randrange(len(data) + 1)
                data[at:at] = rng.randbytes(rng.randint(1, 32))
            case 3:  # cut
                del data[rng.randrange(len(data)) :]
            case 4:  # repeat a slice
                start = rng.randrange(len(data))
                end = rng.randrange(start, len(data) + 1)
                data[end:end] = data[start:end] * rng.randint(1, 8)
            case 5:  # splice with another vector
                other = rng.choice(others)
                data = data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other)) :]
            case 6:
                return rng.randbytes(rng.randint(1, 400))
            case _:
                return seed + rng.choice(others)
        return bytes(data)


@dataclass
class Tally:
    sent: collections.Counter[str] = field(default_factory=collections.Counter)
    hang_ups: collections.Counter[str] = field(default_factory=collections.Counter)
    unanswered: int = 0
    """Mangled HTTP requests the server still waits the end of when the fuzzer moves on."""
    answers: collections.Counter[str] = field(default_factory=collections.Counter)
    server_errors: list[str] = field(default_factory=list)
    health_s: list[float] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)


class Pace:
    """At most ``rate`` steps a second (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self._every_s = 1 / rate if rate > 0 else 0.0
        self._next_s = time.monotonic()

    async def step(self) -> None:
        self._next_s = max(self._next_s + self._every_s, time.monotonic() - 1.0)
        await asyncio.sleep(max(0.0, self._next_s - time.monotonic()))


class Fuzzer:
    def __init__(self, served: ServedPosbon, seed: int, seconds: float, rate: float) -> None:
        self.served = served
        self.mutator = Mutator(random.Random(seed))
        self.deadline = time.monotonic() + seconds
        self.rate = rate
        self.tally = Tally()
        self._dc09_seq = 0

    @property
    def running(self) -> bool:
        return time.monotonic() < self.deadline

    # DC-09 and GT06: many frames per connection, a new connection when the server hangs up.

    def dc09_frame(self) -> bytes:
        rng = self.mutator.rng
        if rng.random() < 0.2:  # a good frame now and then: it is stored and ACKed
            self._dc09_seq = self._dc09_seq % 9999 + 1
            account = rng.choice(list(fleet.PANELS.values())).account
            header = Header(token="ADM-CID", seq=f"{self._dc09_seq:04d}", line="0", account=account)
            return encode_frame(header, f"[#{account}|1602 00 000]".encode())
        return self.mutator.mutate(rng.choice(DC09_SEEDS), DC09_SEEDS)

    def gt06_packet(self) -> bytes:
        return self.mutator.mutate(self.mutator.rng.choice(GT06_SEEDS), GT06_SEEDS)

    def teltonika_packet(self) -> bytes:
        return self.mutator.mutate(self.mutator.rng.choice(TELTONIKA_SEEDS), TELTONIKA_SEEDS)

    async def stream(self, name: str, port: int, first: bytes, frame: Callable[[], bytes]) -> None:
        pace = Pace(self.rate)
        while self.running:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(HEALTH_EVERY_S / 10)
                continue
            answers = asyncio.create_task(_discard(reader))
            try:
                await self._feed(name, writer, answers, first, frame, pace)
            except ConnectionError:
                self.tally.hang_ups[name] += 1
            finally:
                answers.cancel()
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    async def _feed(
        self,
        name: str,
        writer: asyncio.StreamWriter,
        answers: asyncio.Task[None],
        first: bytes,
        frame: Callable[[], bytes],
        pace: Pace,
    ) -> None:
        writer.write(first)
        for _ in range(self.mutator.rng.randint(1, MAX_FRAMES_PER_CONNECTION)):
            if answers.done():  # the server hung up
                self.tally.hang_ups[name] += 1
                return
            if not self.running:
                return
            junk = self.mutator.rng.random() < 0.002
            writer.write(self.mutator.junk() if junk else frame())
            await writer.drain()
            self.tally.sent[name] += 1
            await pace.step()

    async def udp(self, port: int) -> None:
        pace = Pace(self.rate)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            while self.running:
                with contextlib.suppress(BlockingIOError, ConnectionRefusedError):
                    sock.sendto(self.dc09_frame(), ("127.0.0.1", port))
                    self.tally.sent["dc09-udp"] += 1
                with contextlib.suppress(BlockingIOError, ConnectionRefusedError):
                    while sock.recv(READ_BYTES):  # drop the replies
                        pass
                await pace.step()

    # The device HTTP port: keep-alive requests, a status checked for each.

    def http_request(self) -> tuple[str, bytes]:
        rng = self.mutator.rng
        if rng.random() < 0.5:
            row = rng.choice(OSMAND_ROWS)
            kind, method = "osmand", row["method"]
            target = row.get("target", "/").replace("id=", f"id={fleet.PHONE}&x=", 1)
            body = row.get("body", "").encode()
            content_type = row.get("content_type", "")
        else:
            kind, method = "iot", "POST"
            target = rng.choice(["/iot/fuzz-button", "/iot", "/iot/a%00b", "/iot/" + "x" * 300])
            body, content_type = rng.choice(IOT_BODIES), "application/json"
        if rng.random() < 0.7:
            body = self.mutator.mutate(body or b"{}", [b"{}", *IOT_BODIES])
        if rng.random() < 0.3:
            target = self.mutator.mutate(target.encode(), [b"/?id=1"]).decode("latin-1")
        head = f"{method} {target} HTTP/1.1\r\nHost: device\r\nContent-Type: {content_type}\r\n"
        request = (
            head.encode("latin-1", "replace") + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        if rng.random() < 0.05:  # the whole request mangled
            return kind, self.mutator.mutate(request + body, [b"GET / HTTP/1.1\r\n\r\n"])
        return kind, request + body

    async def http(self, port: int) -> None:
        while self.running:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(HEALTH_EVERY_S / 10)
                continue
            try:
                while self.running:
                    kind, request = self.http_request()
                    writer.write(request)
                    self.tally.sent["device-http"] += 1
                    status = await asyncio.wait_for(_status(reader), ANSWER_TIMEOUT_S)
                    self.tally.answers[f"{kind} {status}"] += 1
                    if status >= httpx.codes.INTERNAL_SERVER_ERROR and status != 503:
                        self.tally.server_errors.append(f"{status} for {request[:200]!r}")
            except TimeoutError:
                self.tally.unanswered += 1
            except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                self.tally.hang_ups["device-http"] += 1
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    # /health, from a thread with its own connection, so the fuzzer's loop does not delay it.

    def poll_health(self, stop: threading.Event) -> None:
        with httpx.Client(base_url=self.served.http, timeout=HEALTH_TIMEOUT_S) as client:
            while not stop.wait(HEALTH_EVERY_S):
                started = time.monotonic()
                try:
                    status = client.get("/health").status_code
                except httpx.HTTPError as err:
                    self.tally.health_failures.append(repr(err))
                    continue
                self.tally.health_s.append(time.monotonic() - started)
                if status != httpx.codes.OK:
                    self.tally.health_failures.append(f"status {status}")

    async def run(self) -> None:
        ports = self.served.ports
        jobs: list[Awaitable[None]] = [self.udp(ports.dc09)]
        for _ in range(STREAMS_PER_PORT):
            jobs += [
                self.stream("dc09-tcp", ports.dc09, b"", self.dc09_frame),
                self.stream("gt06", ports.gt06, GT06_LOGIN, self.gt06_packet),
                self.stream("teltonika", ports.teltonika, TELTONIKA_HELLO, self.teltonika_packet),
                self.http(ports.osmand),
            ]
        stop = threading.Event()
        poller = threading.Thread(target=self.poll_health, args=(stop,), daemon=True)
        poller.start()
        try:
            await asyncio.gather(*jobs)
        finally:
            stop.set()
            poller.join()


async def _discard(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(ConnectionError):
        while await reader.read(READ_BYTES):
            pass


async def _status(reader: asyncio.StreamReader) -> int:
    """Read one response (status line, headers, Content-Length body); its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > MAX_HEAD_BYTES:
        raise ValueError("response head too long")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            await reader.readexactly(int(value))
    return status


def _import_fleet(served: ServedPosbon) -> None:
    devices, crews = fleet.write_fleet(served.root)
    served.cli("crews", "import", str(crews))  # alone first: it creates the schema
    served.cli("devices", "import", str(devices))


def report(tally: Tally, served: ServedPosbon, seconds: float) -> bool:
    tracebacks = served.tracebacks()
    worst_s = max(tally.health_s, default=float("nan"))
    slow = [value for value in tally.health_s if value > HEALTH_LIMIT_S]
    print(f"fuzzed {seconds:.0f} s; sent (frames, datagrams, requests) and server hang-ups:")
    for name in sorted(tally.sent):
        print(f"  {name:<12} {tally.sent[name]:>9}  {tally.hang_ups[name]:>6} hang-ups")
    print(
        "device HTTP answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.answers.items()))
    )
    print(
        f"/health: {len(tally.health_s)} polls, worst {worst_s * 1000:.0f} ms, "
        f"{len(slow)} over {HEALTH_LIMIT_S:.0f} s, {len(tally.health_failures)} failed"
    )
    print(f"Tracebacks in stderr: {len(tracebacks)}; HTTP 500s: {len(tally.server_errors)}")
    for problem in [*tracebacks[:3], *tally.server_errors[:5], *tally.health_failures[:5]]:
        print("  " + problem)
    passed = not (tracebacks or tally.server_errors or slow or tally.health_failures)
    print("PASS" if passed else "FAIL")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="frames/s per stream")
    parser.add_argument(
        "--keep",
        type=Path,
        help="serve from this folder and keep it (its logs), not a temporary one",
    )
    options = parser.parse_args()
    with contextlib.ExitStack() as cleanup:
        folder = options.keep or Path(
            cleanup.enter_context(tempfile.TemporaryDirectory(prefix="posbon-fuzz-"))
        )
        served = ServedPosbon(folder, env=models_env(), name="serve (fuzzed)")
        _import_fleet(served)
        with served:
            fuzzer = Fuzzer(served, options.seed, options.seconds, options.rate)
            asyncio.run(fuzzer.run())
            served.stop()
            return 0 if report(fuzzer.tally, served, options.seconds) else 1
    raise AssertionError("unreachable")


if __name__ == "__main__":
    raise SystemExit(main())
