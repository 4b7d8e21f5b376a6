"""Real clients for the served process: dispatcher and crew sockets, a DC-09 panel, a GT06 tracker.

Nothing here imports the server: these are what a browser, a tablet, a panel or a tracker would
send, so they hold only when the shipped process answers as README and DESIGN §5 promise.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

from websockets.asyncio.client import ClientConnection, connect

from tests.acceptance.support import ServedPosbon

JSON = dict[str, Any]
EVENT_TIMEOUT_S: Final = 10.0


# WebSockets (DESIGN §5): hello → welcome → replay → live.


async def say_hello(
    served: ServedPosbon, path: str, token: str, last_seq: int | None = None
) -> tuple[ClientConnection, JSON]:
    """Open ``path``, send the hello and return the socket with its welcome."""
    tls = None if served.tls is None else served.tls.client_context()
    socket = await connect(served.ws + path, ssl=tls)
    hello = {"type": "hello", "token": token, "last_seq": last_seq}
    await socket.send(json.dumps(hello))
    welcome: JSON = json.loads(await asyncio.wait_for(socket.recv(), EVENT_TIMEOUT_S))
    assert welcome["type"] == "welcome", served.explain(f"{path} answered the hello: {welcome}")
    return socket, welcome


@contextlib.asynccontextmanager
async def dispatch_feed(served: ServedPosbon, token: str) -> AsyncIterator[ClientConnection]:
    """/ws/dispatch from now on (``last_seq`` null: nothing replayed)."""
    socket, _ = await say_hello(served, "/ws/dispatch", token)
    try:
        yield socket
    finally:
        await socket.close()


async def next_message(socket: ClientConnection, timeout_s: float = EVENT_TIMEOUT_S) -> JSON:
    message: JSON = json.loads(await asyncio.wait_for(socket.recv(), timeout_s))
    return message


async def wait_for_event(
    served: ServedPosbon,
    socket: ClientConnection,
    wanted: Callable[[JSON], bool],
    timeout_s: float = EVENT_TIMEOUT_S,
) -> JSON:
    """The first event ``wanted`` accepts; others (other doors' alerts, incidents) are skipped."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    skipped: list[str] = []
    while (left_s := deadline - loop.time()) > 0:
        try:
            event = await next_message(socket, left_s)
        except TimeoutError:
            break
        if wanted(event):
            return event
        skipped.append(str(event.get("type")))
    raise AssertionError(
        served.explain(f"no such event within {timeout_s} s (skipped: {skipped or 'nothing'})")
    )


def alert_at(site_name: str) -> Callable[[JSON], bool]:
    """Matches the alert event raised at the site called ``site_name``."""

    def matches(event: JSON) -> bool:
        if event.get("type") != "alert":
            return False
        site = event["data"].get("site") or {}
        return bool(site.get("name") == site_name)

    return matches


def alert_from(source: str) -> Callable[[JSON], bool]:
    """Matches an alert raised by a device speaking ``source`` (osmand, gt06, mqtt …)."""

    def matches(event: JSON) -> bool:
        return event.get("type") == "alert" and event["data"].get("source") == source

    return matches


# GT06 (Concox): 78 78 LEN PROTO CONTENT SERIAL CRC 0D 0A, CRC-16/X25 over LEN..SERIAL.

GT06_LOGIN: Final = 0x01
GT06_ALARM: Final = 0x16
GT06_COORDINATE_SCALE: Final = 1_800_000


def crc16_x25(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def gt06_packet(protocol: int, content: bytes, serial: int) -> bytes:
    body = bytes([len(content) + 5, protocol]) + content + serial.to_bytes(2, "big")
    return b"\x78\x78" + body + crc16_x25(body).to_bytes(2, "big") + b"\r\n"


def gt06_login(imei: str, serial: int = 1) -> bytes:
    return gt06_packet(GT06_LOGIN, bytes.fromhex(imei.rjust(16, "0")), serial)


def gt06_sos(lat: float, lon: float, serial: int = 2) -> bytes:
    """An alarm packet: time, a GPS fix (north, east), a cell, then status with the SOS alarm."""
    now = dt.datetime.now(dt.UTC)
    when = bytes([now.year - 2000, now.month, now.day, now.hour, now.minute, now.second])
    fixed_north_course_0 = 0x1000 | 0x0400
    gps = (
        bytes([0xC9])  # 12 bytes of GPS data, 9 satellites
        + round(lat * GT06_COORDINATE_SCALE).to_bytes(4, "big")
        + round(lon * GT06_COORDINATE_SCALE).to_bytes(4, "big")
        + bytes([0])  # km/h
        + fixed_north_course_0.to_bytes(2, "big")
    )
    cell = bytes([0x09]) + (434).to_bytes(2, "big") + bytes([5]) + bytes.fromhex("28a5000b7c")
    status = bytes([0x20, 0x06, 0x04, 0x01, 0x02])  # terminal (SOS bits), power, GSM, SOS, lang
    return gt06_packet(GT06_ALARM, when + gps + cell + status, serial)


def gt06_ack(protocol: int, serial: int) -> bytes:
    """What the tracker waits for after each packet."""
    return gt06_packet(protocol, b"", serial)


# REST, as a dispatcher's screen drives it.


async def raise_and_dispatch(served: ServedPosbon, crew_id: int, description: str) -> int:
    """A panic raised by the dispatcher and sent to ``crew_id``; the incident's id."""
    async with served.api(served.token("dispatcher")) as desk:
        raised = await desk.post(
            "/api/v1/alerts",
            json={"kind": "panic", "lat": 39.6542, "lon": 66.9597, "description": description},
        )
        assert raised.status_code == 201, served.explain(raised.text)
        incident_id = int(raised.json()["incident_id"])
        sent = await desk.post(
            f"/api/v1/incidents/{incident_id}/dispatch", json={"crew_id": crew_id}
        )
        assert sent.status_code == 200, served.explain(sent.text)
    return incident_id
