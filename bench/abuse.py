"""The alarm path under attack: how long a genuine panic waits for its ACK, and /health for its
answer, while someone who can reach a device port attacks it (loopback only, bounded loads).

`posbon serve` runs as its own process from a source tree (this checkout, or ``--before DIR``: an
exported older commit, run the same way), SQLite in a fresh data directory, with the descriptor
limit systemd gives a service (soft 1024; the hard limit kept). A genuine panel (AES-128, its own
address 127.0.0.2) sends an encrypted ``*ADM-CID`` panic every ``--panic-every-s`` over a new TCP
connection, and /health is polled, during each attack in turn:

* ``gt06-junk``: 1 MB of ``x`` (the GT06 start byte) on the GT06 port, then junk at 5 Mbit/s;
* ``alarm-flood``: one TCP connection sending panics of a registered account, each with its own
  sequence number and zone, as fast as the socket takes them;
* ``bulk-import``: a 30,000-row sites CSV through ``POST /api/v1/sites/import``;
* ``descriptors``: 1,100 idle TCP connections to the DC-09 port;
* ``replay``: the genuine panel's captured frame resent 50 times with rewritten sequence numbers
  (and CRCs), within the timestamp window.

For each it prints the worst and median ACK time of the genuine panics (a panic not ACKed within
``ACK_TIMEOUT_S`` counts as that), the worst /health time, and what the attacker got.

    .venv/bin/python -m bench.abuse                       # this checkout
    git archive BASE | tar -x -C /tmp/before && .venv/bin/python -m bench.abuse --before /tmp/before
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import free_port
from device_gateway.protocols.dc09 import Header, encode_frame
from device_gateway.protocols.dc09.crypto import encrypt_content
from device_gateway.protocols.dc09.frames import frame_region
from device_gateway.protocols.dc09.payloads import format_timestamp

ROOT = Path(__file__).resolve().parents[1]
ACK_TIMEOUT_S = 10.0
HEALTH_TIMEOUT_S = 10.0
GENUINE_HOST = "127.0.0.2"
ATTACKER_HOST = "127.0.0.1"
GENUINE_ACCOUNT = "9001"
FLOOD_ACCOUNT = "9002"
CAPTURED_ACCOUNT = "9003"
KEY = b"Samarkand-2026!!"
SYSTEMD_SOFT_NOFILE = 1024
"""What systemd gives a service unless its unit says LimitNOFILE= (the hard limit is kept)."""
JUNK_BYTES = 1024 * 1024
JUNK_RATE_BYTES_S = 5_000_000 // 8
IDLE_CONNECTIONS = 1100
REPLAYS = 50
IMPORT_ROWS = 30_000


def _systemd_nofile() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (SYSTEMD_SOFT_NOFILE, hard))


@dataclass
class Server:
    source: Path
    data: Path
    http: int = field(default_factory=free_port)
    dc09: int = field(default_factory=free_port)
    osmand: int = field(default_factory=free_port)
    gt06: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        return os.environ | {"PYTHONPATH": str(self.source)}

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "server", *args, "--data-dir", str(self.data)],
            cwd=self.source,
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def start(self) -> None:
        ports = ["--http-port", str(self.http), "--dc09-port", str(self.dc09)]
        ports += ["--osmand-port", str(self.osmand), "--gt06-port", str(self.gt06)]
        ports += ["--teltonika-port", "-1"]
        log = (self.data / "serve.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--data-dir", str(self.data), *ports],
            cwd=self.source,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_systemd_nofile,  # noqa: PLW1509
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.http}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        log_text = (self.data / "serve.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"posbon serve did not become healthy:\n{log_text}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _panic_frame(account: str, seq: int, zone: int, key: bytes | None) -> bytes:
    body = f"#{account}|Nri1/PA{zone:03d}]".encode()
    if key is None:
        header = Header(token="ADM-CID", seq=f"{seq % 10_000:04d}", line="0", account=account)
        return encode_frame(header, b"[" + body)
    stamped = body + format_timestamp(dt.datetime.now(dt.UTC)).encode()
    header = Header(
        token="ADM-CID", seq=f"{seq % 10_000:04d}", line="0", account=account, encrypted=True
    )
    return encode_frame(header, encrypt_content(key, stamped, os.urandom))


def _with_seq(frame: bytes, seq: int) -> bytes:
    """The same frame with another sequence number and a CRC to match: what a replayer does."""
    region = frame[1:-1][8:]  # after LF, CRC (4) and length (4)
    at = region.index(b'"', 1) + 1
    return frame_region(region[:at] + f"{seq:04d}".encode() + region[at + 4 :])


async def _exchange(port: int, frame: bytes, host: str = GENUINE_HOST) -> float | None:
    """Connect from ``host``, send one frame, wait for its reply: seconds, or None."""
    started = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, local_addr=(host, 0)), ACK_TIMEOUT_S
        )
    except (OSError, TimeoutError):
        return None
    try:
        writer.write(frame)
        reply = await asyncio.wait_for(reader.readuntil(b"\r"), ACK_TIMEOUT_S)
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return None
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return time.monotonic() - started if b"ACK" in reply else None


@dataclass
class Probe:
    acks_s: list[float] = field(default_factory=list)
    missed: int = 0
    health_s: list[float] = field(default_factory=list)


async def _genuine_panel(server: Server, probe: Probe, stop: asyncio.Event, every_s: float) -> None:
    seq = int(time.time()) % 5000
    while not stop.is_set():
        seq += 1
        took = await _exchange(server.dc09, _panic_frame(GENUINE_ACCOUNT, seq, seq % 900, KEY))
        if took is None:
            probe.missed += 1
            probe.acks_s.append(ACK_TIMEOUT_S)
        else:
            probe.acks_s.append(took)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)


async def _health(server: Server, probe: Probe, stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=HEALTH_TIMEOUT_S) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                await client.get(f"http://127.0.0.1:{server.http}/health")
                probe.health_s.append(time.monotonic() - started)
            except httpx.HTTPError:
                probe.health_s.append(HEALTH_TIMEOUT_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.25)


# The attacks: each returns a sentence on what the attacker got.


async def gt06_junk(server: Server, seconds: float) -> str:
    """1 MB of junk, then junk at 5 Mbit/s; reconnect whenever the server hangs up."""
    sent = connections = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connections += 1
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", server.gt06)
            writer.write(b"x" * JUNK_BYTES)
            await asyncio.wait_for(writer.drain(), seconds)
            sent += JUNK_BYTES
            while time.monotonic() < deadline:
                writer.write(b"x" * (JUNK_RATE_BYTES_S // 10))
                await asyncio.wait_for(writer.drain(), seconds)
                sent += JUNK_RATE_BYTES_S // 10
                await asyncio.sleep(0.1)
            writer.close()
        except (OSError, TimeoutError):
            await asyncio.sleep(0.1)
    return f"{sent / 1e6:.1f} MB of junk over {connections} connections"


async def alarm_flood(server: Server, seconds: float) -> str:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", server.dc09, local_addr=(ATTACKER_HOST, 0)
    )
    acked = 0

    async def count_acks() -> None:
        nonlocal acked
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while True:
                await reader.readuntil(b"\r")
                acked += 1

    counter = asyncio.create_task(count_acks())
    sent = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            chunk = b"".join(
                _panic_frame(FLOOD_ACCOUNT, sent + n, (sent + n) % 999 + 1, None)
                for n in range(100)
            )
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 5)
            sent += 100
    except (OSError, TimeoutError):
        pass
    writer.close()
    await asyncio.sleep(1)
    counter.cancel()
    return f"{sent} panic frames sent on one connection, {acked} ACKed within the round"


async def bulk_import(server: Server, seconds: float, admin: str) -> str:
    rows = ["name,kind,address,district,lat,lon"]
    rows += [
        f"Bench site {n},school,Street {n},Samarqand,{39.6 + n * 1e-6:.6f},{66.9:.6f}"
        for n in range(IMPORT_ROWS)
    ]
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=600) as client:
        answer = await client.post(
            f"http://127.0.0.1:{server.http}/api/v1/sites/import",
            content="\n".join(rows).encode(),
            headers={"Authorization": f"Bearer {admin}", "Content-Type": "text/csv"},
        )
    return (
        f"{IMPORT_ROWS} rows imported in {time.monotonic() - started:.1f} s ({answer.status_code})"
    )


async def descriptors(server: Server, seconds: float) -> str:
    held: list[socket.socket] = []
    refused = 0
    for _ in range(IDLE_CONNECTIONS):
        sock = socket.socket()
        sock.setblocking(False)
        try:
            sock.connect_ex(("127.0.0.1", server.dc09))
            held.append(sock)
        except OSError:
            refused += 1
            sock.close()
    await asyncio.sleep(seconds)
    open_after = 0
    for sock in held:
        with contextlib.suppress(OSError):
            if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                continue  # closed by the server
        open_after += 1
        sock.close()
    return f"{len(held)} idle connections opened, {open_after} still open after {seconds:.0f} s"


async def replay(server: Server, alerts_of: Callable[[str], Awaitable[int]]) -> str:
    captured = _panic_frame(CAPTURED_ACCOUNT, 4321, 77, KEY)
    genuine = await _exchange(server.dc09, captured)  # the panel's own, once
    acked = 0
    for n in range(REPLAYS):
        took = await _exchange(server.dc09, _with_seq(captured, 5000 + n), host=ATTACKER_HOST)
        acked += took is not None
    await asyncio.sleep(1)
    raised = await alerts_of(CAPTURED_ACCOUNT)
    return (
        f"the panic ({'ACKed' if genuine is not None else 'not ACKed'}) and {REPLAYS} replays "
        f"with rewritten sequence numbers: {acked} replays ACKed, {raised} alerts raised in all"
    )


async def _round(server: Server, name: str, attack: Awaitable[str], every_s: float) -> None:
    probe = Probe()
    stop = asyncio.Event()
    watchers = [
        asyncio.create_task(_genuine_panel(server, probe, stop, every_s)),
        asyncio.create_task(_health(server, probe, stop)),
    ]
    try:
        outcome = await attack
    except Exception as err:
        outcome = f"the attack itself failed: {err!r}"
    await asyncio.sleep(1)
    stop.set()
    await asyncio.gather(*watchers)
    acks = probe.acks_s or [ACK_TIMEOUT_S]
    print(
        f"| {name} | {max(acks):.2f} | {statistics.median(acks):.3f} | {probe.missed}/{len(acks)}"
        f" | {max(probe.health_s or [0.0]):.2f} | {outcome} |",
        flush=True,
    )


def _devices_csv(folder: Path) -> Path:
    path = folder / "devices.csv"
    header = "account,protocol,kind,site,address,lat,lon,key,key_format,encrypted,supervision_s"
    rows = [
        f"{GENUINE_ACCOUNT},dc09,panic_button,Bench bank,Registan,39.65,66.97,"
        f"{KEY.decode()},ascii,true,0",
        f"{FLOOD_ACCOUNT},dc09,panic_button,Bench school,Registan,39.66,66.98,,hex,false,0",
        f"{CAPTURED_ACCOUNT},dc09,panic_button,Bench shop,Registan,39.67,66.99,"
        f"{KEY.decode()},ascii,true,0",
    ]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _alerts_counter(server: Server, admin: str) -> Callable[[str], Awaitable[int]]:
    async def alerts_of(account: str) -> int:
        async with httpx.AsyncClient(timeout=30) as client:
            got = await client.get(
                f"http://127.0.0.1:{server.http}/api/v1/signals",
                params={"account": account},
                headers={"Authorization": f"Bearer {admin}"},
            )
        return len({row["alert_id"] for row in got.json() if row.get("alert_id") is not None})

    return alerts_of


Attack = Callable[[Server, float, str], Awaitable[str]]
ATTACKS: dict[str, Attack] = {
    "none (baseline)": lambda server, seconds, admin: asyncio.sleep(seconds, "idle"),
    "gt06-junk": lambda server, seconds, admin: gt06_junk(server, seconds),
    "alarm-flood": lambda server, seconds, admin: alarm_flood(server, seconds),
    "bulk-import": bulk_import,
    "descriptors": lambda server, seconds, admin: descriptors(server, seconds),
    "replay": lambda server, seconds, admin: replay(server, _alerts_counter(server, admin)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="run this source tree instead (older code)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each attack")
    parser.add_argument("--panic-every-s", type=float, default=0.25)
    parser.add_argument("--only", choices=list(ATTACKS), action="append")
    args = parser.parse_args()
    source = (args.before or ROOT).resolve()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    print(f"posbon serve from {source}, SQLite, RLIMIT_NOFILE {SYSTEMD_SOFT_NOFILE}/{hard}")
    print("| attack | worst panic ACK s | median s | panics missed | worst /health s | attacker |")
    print("|---|---|---|---|---|---|", flush=True)
    for name, attack in ATTACKS.items():
        if args.only and name not in args.only:
            continue
        # A fresh server for each attack: what one attack leaves queued must not be the next
        # one's figure.
        with tempfile.TemporaryDirectory(prefix="posbon-abuse-") as tmp:
            server = Server(source, Path(tmp))
            server.cli("devices", "import", str(_devices_csv(Path(tmp))))
            admin = server.cli("token", "create", "--role", "admin", "--name", "bench")
            server.start()
            try:
                asyncio.run(
                    _round(server, name, attack(server, args.seconds, admin), args.panic_every_s)
                )
            finally:
                server.stop()


if __name__ == "__main__":
    main()
