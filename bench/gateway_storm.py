"""Alarm storm: thousands of panels reconnect at once after a city power cut, each reporting AC
loss (Contact ID 1301, a trouble alert with an incident), and one panic arrives in the middle.

The driver (``python -m bench.gateway --only storm``) starts ``posbon serve`` with every panel
registered, opens a dispatcher socket (/ws/dispatch), starts the storm in a client process (all
panels connect concurrently and send their AC-loss frames back to back, each waiting for its
ACK), and one second in sends two panics: one from a panel whose connection stayed up through
the storm (Ajax-style hubs keep theirs open) and one from a panel that connects only then, behind
the thousands reconnecting. It reports the storm's ACKed frames/s and ACK latency, and for each
panic: ACK time and the time until the dispatcher socket shows its alert (the fresh one timed
from before its connect). Budget (DESIGN §7): panic on a dispatcher socket in <= 1 s.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from device_gateway.protocols.dc09 import Header, encode_frame

STORM_FIRST_ACCOUNT = 200_000
PANIC_ACCOUNT = 299_999
CONNECTED_PANIC_ACCOUNT = 299_998
MAX_ROUNDS = 20
"""Each round's two panics come from buttons of their own: a second panic from the same button
while its incident is open folds into it (server/signals/grouping.py) and raises no new alert."""


def panic_accounts(round_no: int) -> tuple[int, int]:
    """(connected panel, connecting panel) of a round."""
    return CONNECTED_PANIC_ACCOUNT - 2 * round_no, PANIC_ACCOUNT - 2 * round_no


PANIC_AFTER_S = 1.0


def cid_frame(account: int, seq: int, code: str, zone: int) -> bytes:
    header = Header(token="ADM-CID", seq=f"{seq:04d}", line="0", account=str(account))
    return encode_frame(header, f"[#{account}|{code} 01 {zone:03d}]".encode())


def storm_devices_csv(panels: int) -> str:
    lines = ["account,protocol,kind,site,address,lat,lon,key,key_format,encrypted,supervision_s"]
    accounts = [
        *range(STORM_FIRST_ACCOUNT, STORM_FIRST_ACCOUNT + panels),
        *(account for r in range(MAX_ROUNDS) for account in panic_accounts(r)),
    ]
    lines += [
        f"{a},dc09,panic_button,Site {a},Street {a},39.65,66.97,,hex,false,0" for a in accounts
    ]
    return "\n".join(lines) + "\n"


# --- the storm client process -------------------------------------------------------------------


async def _panel(
    port: int, account: int, frames: int, first_seq: int, latencies: list[float]
) -> int:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return 0
    acked = 0
    try:
        for index in range(frames):
            sent = time.monotonic()
            writer.write(cid_frame(account, first_seq + index, "1301", index % 1000))
            await reader.readuntil(b"\r")
            latencies.append(time.monotonic() - sent)
            acked += 1
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()
    return acked


async def storm_client(port: int, panels: int, events: int, round_no: int) -> None:
    per_panel = [events // panels + (1 if n < events % panels else 0) for n in range(panels)]
    first_seq = 1 + round_no * max(per_panel)  # every round new: no retransmissions
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    latencies: list[float] = []
    started = time.monotonic()
    acked = await asyncio.gather(
        *(
            _panel(port, STORM_FIRST_ACCOUNT + n, per_panel[n], first_seq, latencies)
            for n in range(panels)
        )
    )
    result = {
        "acked": sum(acked),
        "sent": events,
        "seconds": time.monotonic() - started,
        "latencies_ms": [x * 1000 for x in latencies],
    }
    print(json.dumps(result), flush=True)


# --- the driver ---------------------------------------------------------------------------------


async def _panics_seen(socket: Any, deadline_s: float, round_no: int) -> dict[str, float]:
    """Read the dispatcher socket until both panics' alerts arrive; when each did."""
    wanted = {str(account) for account in panic_accounts(round_no)}
    seen: dict[str, float] = {}
    async with asyncio.timeout(deadline_s):
        while set(seen) != wanted:
            message = json.loads(await socket.recv())
            data = message.get("data") or {}
            account = (data.get("details") or {}).get("account")
            if message.get("type") == "alert" and account in wanted:
                seen[account] = time.monotonic()
    return seen


async def _send_panic(
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
    port: int,
    account: int,
    round_no: int,
) -> tuple[float, float]:
    """(sent, acked); `sent` is taken before connecting when there is no connection yet."""
    sent = time.monotonic()
    reader, writer = connection or await asyncio.open_connection("127.0.0.1", port)
    writer.write(cid_frame(account, round_no + 1, "1120", 1))
    await reader.readuntil(b"\r")
    acked = time.monotonic()
    writer.close()
    return sent, acked


async def run_storm(
    http: str, token: str, port: int, panels: int, events: int, round_no: int
) -> dict[str, Any]:
    connected, connecting = panic_accounts(round_no)
    client = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.gateway",
            "--client",
            "--mode",
            "storm",
            "--port",
            str(port),
            "--connections",
            str(panels),
            "--storm-events",
            str(events),
            "--zone",
            str(round_no),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdout is not None
    assert client.stdin is not None
    assert client.stdout.readline().strip() == "READY"
    async with connect(http.replace("http", "ws") + "/ws/dispatch", max_size=None) as socket:
        await socket.send(json.dumps({"type": "hello", "token": token, "last_seq": None}))
        json.loads(await socket.recv())  # welcome
        kept_open = await asyncio.open_connection("127.0.0.1", port)
        client.stdin.write("GO\n")
        client.stdin.flush()
        await asyncio.sleep(PANIC_AFTER_S)
        watcher = asyncio.create_task(_panics_seen(socket, 120, round_no))
        (sent, acked), (fresh_sent, fresh_acked) = await asyncio.gather(
            _send_panic(kept_open, port, connected, round_no),
            _send_panic(None, port, connecting, round_no),
        )
        seen = await watcher
    line = await asyncio.to_thread(client.stdout.readline)
    client.wait(60)
    storm: dict[str, Any] = json.loads(line)
    latencies = storm.pop("latencies_ms")
    ordered = sorted(latencies) or [0.0]
    return storm | {
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "panic_ack_ms": (acked - sent) * 1000,
        "panic_socket_ms": (seen[str(connected)] - sent) * 1000,
        "fresh_panic_ack_ms": (fresh_acked - fresh_sent) * 1000,
        "fresh_panic_socket_ms": (seen[str(connecting)] - fresh_sent) * 1000,
    }


def write_csv(data_dir: Path, panels: int) -> Path:
    path = data_dir / "storm_devices.csv"
    path.write_text(storm_devices_csv(panels))
    return path
