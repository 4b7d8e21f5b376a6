"""Teltonika trackers over a real TCP socket into the real server: a registered tracker is
welcomed, its positions are stored and its SOS is an alert and an incident where it is, each
packet's record count comes only once its signals are committed (they are there the moment the
count is), a resend is answered again and stored once, and an unknown tracker is refused."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from device_gateway.protocols.teltonika import ALARM_IO, count_reply
from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.tracker_rig import TrackerRig, running_rig
from tests.integration.test_server.helpers import open_socket, receive
from tests.unit.test_device_gateway.teltonika_support import (
    HELLO,
    IMEI,
    SAMARKAND,
    hello,
    packet,
    record,
    wiki_rows,
)

pytestmark = pytest.mark.integration
JSON = dict[str, Any]
WAIT_S = 5.0
SITE = (39.70, 66.90)


@pytest.fixture
async def rig(settings: Settings, db: Database) -> AsyncIterator[TrackerRig]:
    async with running_rig(settings, db, osmand_port=-1, gt06_port=-1, teltonika_port=0) as rig:
        yield rig


async def add_tracker(rig: TrackerRig, imei: str) -> None:
    await rig.add_device(imei, "teltonika", site_name="Patrol car 7", at=SITE)


@contextlib.asynccontextmanager
async def tracker(
    rig: TrackerRig,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", rig.trackers.ports["teltonika"])
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def ask(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes, size: int
) -> bytes:
    writer.write(data)
    await writer.drain()
    return await asyncio.wait_for(reader.readexactly(size), WAIT_S)


async def test_a_tracker_is_welcomed_its_positions_stored_and_its_sos_raised_where_it_is(
    rig: TrackerRig,
) -> None:
    await add_tracker(rig, IMEI)
    socket, _ = await open_socket(rig.live, "/ws/dispatch", rig.dispatcher)
    lat, lon = SAMARKAND
    drive = record(lat=lat - 0.01, lon=lon - 0.01, speed_kph=40)
    sos = record(lat=lat, lon=lon, event_io=ALARM_IO, io={ALARM_IO: (1, 1)})
    async with tracker(rig) as (reader, writer):
        assert await ask(reader, writer, HELLO, 1) == b"\x01"
        assert await ask(reader, writer, packet([drive, sos]), 4) == count_reply(2)
        # the count came after the commit: both rows and the alarm are there already
        stored = await rig.get("/api/v1/signals", account=IMEI)
        alerts = await rig.get("/api/v1/alerts")
    assert sorted(s["kind"] for s in stored) == ["position", "sos"]
    assert {s["code_family"] for s in stored} == {"teltonika"}
    (alert,) = alerts
    assert (alert["kind"], alert["source"], alert["priority"]) == ("sos", "teltonika", 1)
    assert (alert["site"]["lat"], alert["site"]["lon"]) == (lat, lon)
    assert alert["incident_id"] is not None
    events = await receive(socket, 3)
    assert any(event["type"] == "alert" for event in events)
    await socket.close()


async def test_a_resent_packet_is_answered_again_and_stored_once(rig: TrackerRig) -> None:
    await add_tracker(rig, IMEI)
    published = bytes.fromhex(wiki_rows()[0]["hex"])
    async with tracker(rig) as (reader, writer):
        assert await ask(reader, writer, HELLO, 1) == b"\x01"
        assert await ask(reader, writer, published, 4) == count_reply(1)
        assert await ask(reader, writer, published, 4) == count_reply(1)
    (signal,) = await rig.get("/api/v1/signals", account=IMEI)
    assert (signal["kind"], signal["transport"]) == ("test", "teltonika")
    assert signal["xdata"]["io66"] == str(0x5E0F)
    assert signal["panel_time"].startswith("2019-06-10T10:04:46")


async def test_an_unknown_tracker_is_refused_and_hung_up_on(rig: TrackerRig) -> None:
    await add_tracker(rig, IMEI)
    async with tracker(rig) as (reader, writer):
        writer.write(hello("123456789012345"))
        assert await asyncio.wait_for(reader.read(), WAIT_S) == b"\x00"  # then end of stream
    assert await rig.get("/api/v1/signals") == []
