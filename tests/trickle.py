"""A slowloris client: it sends the start of an HTTP request, then one more byte every
``DRIP_EVERY_S`` and never the end, until the server hangs up; it returns what the server sent
before hanging up. Nothing here imports the server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Final

DRIP_EVERY_S: Final = 0.1
GIVE_UP_S: Final = 30.0
"""Only a guard against a server that never hangs up (the test then fails); not a measurement."""
READ_BYTES: Final = 65536
SLOW_HEADER: Final = b"X-Slow: "
"""Followed by ``a`` bytes for ever: a head that never ends, far below any header size limit."""


def head_start(path: str = "/health", method: str = "GET") -> bytes:
    """A request line and a first header, then the start of a header that never ends."""
    return f"{method} {path} HTTP/1.1\r\nHost: posbon\r\n".encode("ascii") + SLOW_HEADER


async def trickle_until_closed(port: int, start: bytes, drip: bytes = b"a") -> bytes:
    """Send ``start``, then ``drip`` every DRIP_EVERY_S until the server closes the connection
    on 127.0.0.1:``port``; everything it sent."""
    async with connection(port) as (reader, writer):
        return await trickle(reader, writer, start, drip)


@contextlib.asynccontextmanager
async def connection(
    port: int,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """A TCP connection to 127.0.0.1:``port``, closed at the end whatever happened."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def trickle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, start: bytes, drip: bytes = b"a"
) -> bytes:
    """:func:`trickle_until_closed` on a connection already open.

    What the server sent is kept as it arrives: a server that hangs up while a drip it has not
    read is in its buffer resets the connection (RST, not FIN), and a StreamReader that sees the
    reset gives up what it held. A reset is a hang-up too."""
    received = bytearray()

    async def until_closed() -> None:
        with contextlib.suppress(ConnectionResetError):
            while chunk := await reader.read(READ_BYTES):
                received.extend(chunk)

    answered = asyncio.ensure_future(until_closed())
    try:
        writer.write(start)
        async with asyncio.timeout(GIVE_UP_S):
            while not answered.done():
                await asyncio.wait([answered], timeout=DRIP_EVERY_S)
                if not answered.done():
                    with contextlib.suppress(ConnectionError):
                        writer.write(drip)
                        await writer.drain()
            answered.result()
            return bytes(received)
    finally:
        answered.cancel()
