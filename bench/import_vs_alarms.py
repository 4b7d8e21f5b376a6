"""Alarms during a bulk import on SQLite: how long a panic waits for its ACK while sites import.

`posbon serve` runs as its own process on SQLite (WAL) with one registered DC-09 panel. A panel
process keeps a TCP connection to it and sends a Contact ID panic (1120) every ``--interval-s``
(0.1 s) on a fixed schedule, each with the next sequence number; like a real panel it sends a
frame again when ``PANEL_RESEND_S`` pass without a reply. Meanwhile a ``--rows`` (30,000) row
sites CSV is imported, either with ``posbon sites import`` in another process (``cli``: SQLite's
file lock is all the two share) or with ``POST /api/v1/sites/import`` (``api``: the import runs
inside the server, behind its writer queue).

Each import runs twice, on a fresh data directory each time: with ``--batch-rows 0``, the whole
file in one transaction (what every import did before batches), and with the default batch
size. Printed per run: the import's duration (for ``cli`` including the process's start) and
the ACK latency of the panics first sent while it ran (p50, p99, max), from the first send of a
frame to its ACK; and, as the floor, the same latency with no import running.

    .venv/bin/python -m bench.import_vs_alarms
    .venv/bin/python -m bench.import_vs_alarms --via cli --rows 5000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final

import httpx
import msgspec

from bench.common import free_port, percentile, wait_healthy
from device_gateway.protocols.dc09 import Header, encode_frame
from server.imports import BATCH_ROWS

ACCOUNT: Final = "001001"
PANIC: Final = f"[#{ACCOUNT}|1120 01 003]".encode()
PANEL_RESEND_S: Final = 20.0
"""How long the panel waits for a reply before it sends the frame again (a common setting)."""
IDLE_S: Final = 3.0
"""Panics sent with no import running, before each import: the floor of the latency."""
DRAIN_S: Final = 60.0
REPLY: Final = re.compile(rb'"(ACK|NAK|DUH)"(\d{4})')
READ_BYTES: Final = 65_536
MAX_SEQ: Final = 9999


class Figures(msgspec.Struct):
    """One run: the import's duration and the ACK latencies, in ms, of the panics it overlapped."""

    via: str
    batch_rows: int
    import_s: float
    idle_ms: list[float]
    during_ms: list[float]
    unanswered: int


class Panel:
    """A DC-09 panel on one TCP connection: panics on a schedule, replies matched by sequence."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.first_sent: dict[int, float] = {}
        self.last_sent: dict[int, float] = {}
        self.acked: dict[int, float] = {}
        self.frames: dict[int, bytes] = {}
        self.refused = 0

    def send(self, seq: int) -> None:
        header = Header(token="ADM-CID", seq=f"{seq:04d}", line="0", account=ACCOUNT)
        self.frames[seq] = encode_frame(header, PANIC)
        self.first_sent[seq] = self.last_sent[seq] = time.monotonic()
        self.writer.write(self.frames[seq])

    def resend_overdue(self) -> None:
        now = time.monotonic()
        for seq, sent in list(self.last_sent.items()):
            if seq not in self.acked and now - sent >= PANEL_RESEND_S:
                self.last_sent[seq] = now
                self.writer.write(self.frames[seq])

    async def read_replies(self) -> None:
        while data := await self.reader.read(READ_BYTES):
            now = time.monotonic()
            for kind, seq in REPLY.findall(data):
                if kind == b"ACK":
                    self.acked.setdefault(int(seq), now)
                else:
                    self.refused += 1

    def latencies_ms(self, sent_from: float, sent_until: float) -> list[float]:
        return [
            (self.acked[seq] - sent) * 1000
            for seq, sent in self.first_sent.items()
            if sent_from <= sent < sent_until and seq in self.acked
        ]

    def unanswered(self) -> int:
        return len(self.first_sent.keys() - self.acked.keys())


async def _press(panel: Panel, interval_s: float, stop: asyncio.Event) -> None:
    """Send a panic every `interval_s` (open loop) until `stop`, resending overdue ones."""
    started = time.monotonic()
    seq = 0
    while not stop.is_set():
        seq += 1
        if seq > MAX_SEQ:
            raise SystemExit("more panics than sequence numbers: fewer --rows or more --interval-s")
        panel.send(seq)
        panel.resend_overdue()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), started + seq * interval_s - time.monotonic())


async def _drain(panel: Panel) -> None:
    deadline = time.monotonic() + DRAIN_S
    while panel.unanswered() and time.monotonic() < deadline:
        panel.resend_overdue()
        await asyncio.sleep(0.1)


# --- the two ways to import ----------------------------------------------------------------------


async def _import_cli(data_dir: Path, sheet: Path, batch_rows: int, _: str, __: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "sites", "import", str(sheet),
        "--batch-rows", str(batch_rows),
        env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    if await process.wait() != 0:
        raise SystemExit("posbon sites import failed")


async def _import_api(_: Path, sheet: Path, batch_rows: int, base: str, token: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=None) as client:
        response = await client.post(
            "/api/v1/sites/import",
            params={"batch_rows": batch_rows},
            content=sheet.read_bytes(),
            headers={"Authorization": f"Bearer {token}"},
        )
    if response.status_code != 200:
        raise SystemExit(f"the import failed: {response.status_code} {response.text[:200]}")


Importer = Callable[[Path, Path, int, str, str], Awaitable[None]]
IMPORTS: Final[dict[str, Importer]] = {"cli": _import_cli, "api": _import_api}


# --- one run on a fresh server -------------------------------------------------------------------


def _env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "POSBON_DATA_DIR": str(data_dir),
        "POSBON_DATABASE_URL": "",
        "POSBON_LOG_LEVEL": "warning",
    }


def _posbon(data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "server", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _prepare(data_dir: Path, rows: int) -> tuple[Path, str]:
    panels = data_dir / "devices.csv"
    panels.write_text(
        "account,protocol,kind,site,address,lat,lon,key,key_format,encrypted,supervision_s\n"
        f"{ACCOUNT},dc09,panic_button,Bench post,Registan,39.6548,66.9757,,hex,false,0\n"
    )
    _posbon(data_dir, "devices", "import", str(panels))
    sheet = data_dir / "sites.csv"
    lines = (f"Site {n},school,Street {n},Markaz,39.65,66.97\n" for n in range(1, rows + 1))
    sheet.write_text("name,kind,address,district,lat,lon\n" + "".join(lines))
    return sheet, _posbon(data_dir, "token", "create", "--role", "admin", "--name", "bench")


async def _measure(args: argparse.Namespace, via: str, batch_rows: int, data_dir: Path) -> Figures:
    sheet, token = _prepare(data_dir, args.rows)
    http_port, dc09_port = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--http-port", str(http_port),
         "--dc09-port", str(dc09_port), "--osmand-port", "-1", "--gt06-port", "-1",
         "--teltonika-port", "-1"],
        env=_env(data_dir), stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{http_port}"
        wait_healthy(base)
        panel = Panel(*await asyncio.open_connection("127.0.0.1", dc09_port))
        replies = asyncio.create_task(panel.read_replies())
        stop = asyncio.Event()
        pressing = asyncio.create_task(_press(panel, args.interval_s, stop))
        idle_from = time.monotonic()
        await asyncio.sleep(IDLE_S)
        started = time.monotonic()
        await IMPORTS[via](data_dir, sheet, batch_rows, base, token)
        ended = time.monotonic()
        stop.set()
        await pressing
        await _drain(panel)
        replies.cancel()
        panel.writer.close()
        return Figures(
            via=via,
            batch_rows=batch_rows,
            import_s=ended - started,
            idle_ms=panel.latencies_ms(idle_from, started),
            during_ms=panel.latencies_ms(started, ended),
            unanswered=panel.unanswered(),
        )
    finally:
        server.terminate()
        server.wait(30)


# --- the report ----------------------------------------------------------------------------------


def _line(figures: Figures) -> str:
    during = figures.during_ms
    how = "one transaction" if figures.batch_rows == 0 else f"{figures.batch_rows} rows/txn"
    return (
        f"{figures.via:<4} {how:<16} {figures.import_s:>8.1f} {len(during):>7} "
        f"{percentile(figures.idle_ms, 0.5):>8.1f} {percentile(during, 0.5):>8.1f} "
        f"{percentile(during, 0.99):>8.1f} {max(during, default=float('nan')):>8.1f} "
        f"{figures.unanswered:>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=30_000, help="sites in the CSV")
    parser.add_argument("--interval-s", type=float, default=0.1, help="seconds between panics")
    parser.add_argument("--via", choices=[*IMPORTS, "both"], default="both")
    parser.add_argument(
        "--batch-rows", type=int, default=BATCH_ROWS, help="the batched run's rows per transaction"
    )
    args = parser.parse_args()
    ways = list(IMPORTS) if args.via == "both" else [args.via]
    every_ms = args.interval_s * 1000
    print(
        f"{args.rows} sites imported on SQLite, a panic every {every_ms:.0f} ms; ACK latency in ms"
    )
    print("via  import           import_s  panics  idle_p50  p50      p99      max      no_ack")
    for via in ways:
        for batch_rows in (0, args.batch_rows):
            with tempfile.TemporaryDirectory() as tmp:
                figures = asyncio.run(_measure(args, via, batch_rows, Path(tmp)))
            print(_line(figures), flush=True)


if __name__ == "__main__":
    main()
