"""A megabyte of junk on a device port, over real sockets: the GT06 and DC-09 listeners hang up
on the stream once it spends its garbage budget, after answering what came before it, and the
next real device is served as usual. Each such hang-up is counted (the listener's observer; in
the server, ``posbon_device_hangups_total{reason="garbage"}`` on /metrics)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from device_gateway.ingest import IngestPipeline
from device_gateway.protocols.dc09 import Header, encode_frame
from device_gateway.protocols.gt06 import Gt06Stream
from device_gateway.protocols.gt06.frames import encode_packet
from device_gateway.transports.observer import UNOBSERVED, ConnectionObserver, HangUp
from device_gateway.transports.tcp import serve_tcp
from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.support import Recorder, exchange, gateway_on
from tests.unit.test_device_gateway.ingest_support import FakeStore, stream_gateway
from tests.unit.test_device_gateway.tracker_support import LOGIN_HEX

pytestmark = pytest.mark.integration
MEGABYTE = 1024 * 1024
WAIT_S = 10.0
LOGIN = bytes.fromhex(LOGIN_HEX)
LOGIN_ACK = encode_packet(LOGIN[3], b"", int.from_bytes(LOGIN[-6:-4], "big"))


@contextlib.asynccontextmanager
async def gt06_port(observer: ConnectionObserver = UNOBSERVED) -> AsyncIterator[int]:
    pipeline = IngestPipeline(FakeStore())
    committing = asyncio.create_task(pipeline.run())
    listener = await serve_tcp(
        stream_gateway(Gt06Stream, pipeline), "127.0.0.1", 0, transport="gt06", observer=observer
    )
    try:
        yield listener.port
    finally:
        await listener.close()
        committing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await committing


async def everything_until_closed(port: int, data: bytes) -> bytes:
    """Send ``data`` (as far as the server reads it) and return all it answered before closing
    (a server that closes with our bytes unread resets the connection: keep what came first)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    answered = b""
    try:
        with contextlib.suppress(ConnectionError):
            await writer.drain()
            while chunk := await asyncio.wait_for(reader.read(65_536), WAIT_S):
                answered += chunk

    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return answered


async def test_a_gt06_stream_of_junk_is_hung_up_on_after_its_login_is_acked() -> None:
    seen = Recorder()
    async with gt06_port(seen) as port:
        answered = await everything_until_closed(port, LOGIN + b"x" * MEGABYTE)
        assert answered == LOGIN_ACK
        assert seen.hangups == [HangUp.GARBAGE]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(LOGIN)
        assert await asyncio.wait_for(reader.readexactly(len(LOGIN_ACK)), WAIT_S) == LOGIN_ACK
        writer.close()
        await writer.wait_closed()
    assert seen.hangups == [HangUp.GARBAGE]  # the tracker that closed itself is not one


async def test_a_dc09_stream_of_junk_frames_is_nakked_a_while_then_hung_up_on(
    settings: Settings, db: Database
) -> None:
    sentinel = encode_frame(Header(token="NULL", seq="0001", line="0", account="1409"), b"[]")
    async with gateway_on(settings, db) as gateway:
        answered = await everything_until_closed(gateway.port, b"\nx\r" * (MEGABYTE // 3))
        naks = answered.count(b'"NAK"')
        assert 0 < naks < 200  # the garbage budget, not a megabyte's worth
        assert answered.count(b"\r") == naks  # nothing but NAKs
        (ack,) = await exchange(gateway.port, sentinel, replies=1)
        assert b'"ACK"' in ack
        async with gateway.client() as admin:
            metrics = (await admin.get("/metrics")).text
    assert 'posbon_device_hangups_total{listener="dc09",reason="garbage"} 1.0' in metrics
