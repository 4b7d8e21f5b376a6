"""The listener plumbing DC-09, GT06 and device HTTP share: idle connections are closed by one
sweep, talking ones are left alone, and closing the listener ends every connection."""

from __future__ import annotations

import asyncio

import pytest

from device_gateway.transports.streams import IdleWatch, serve_streams

pytestmark = pytest.mark.integration


async def _echo(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, idle: IdleWatch
) -> None:
    while True:
        idle.touch(writer)
        data = await reader.read(1024)
        if not data:
            return
        writer.write(data)
        await writer.drain()


async def test_a_silent_connection_is_closed_and_a_talking_one_is_not() -> None:
    listener = await serve_streams(_echo, "127.0.0.1", 0, idle_timeout_s=0.4)
    try:
        silent_reader, silent_writer = await asyncio.open_connection("127.0.0.1", listener.port)
        talking_reader, talking_writer = await asyncio.open_connection("127.0.0.1", listener.port)
        for _ in range(12):  # 1.2 s of talking, three idle timeouts
            talking_writer.write(b"ping")
            assert await asyncio.wait_for(talking_reader.readexactly(4), 2) == b"ping"
            await asyncio.sleep(0.1)
        assert await asyncio.wait_for(silent_reader.read(10), 2) == b""  # closed by the sweep
        talking_writer.write(b"still here")
        assert await asyncio.wait_for(talking_reader.readexactly(10), 2) == b"still here"
    finally:
        await listener.close()
    assert await asyncio.wait_for(talking_reader.read(10), 2) == b""  # closed with the listener
    for writer in (silent_writer, talking_writer):
        writer.close()
        await writer.wait_closed()
