"""Closing a DC-09 or GT06 listener at shutdown never waits on a commit: a connection cut off
while it waits for its peer, with an ACK still waiting for the store, ends at once (the device
resends what was not ACKed), over real sockets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from device_gateway.ingest import IngestPipeline
from device_gateway.protocols.gt06 import Gt06Stream
from device_gateway.transports.streams import TcpListener
from device_gateway.transports.tcp import serve_tcp
from tests.unit.test_device_gateway.dc09_support import plain
from tests.unit.test_device_gateway.ingest_support import FakeStore, stream_gateway
from tests.unit.test_device_gateway.test_gateway import rig
from tests.unit.test_device_gateway.tracker_support import LOGIN_HEX

pytestmark = pytest.mark.integration
WAIT_S = 5.0


@contextlib.asynccontextmanager
async def connected(listener: TcpListener, first: bytes) -> AsyncIterator[None]:
    """A client that sends ``first`` and then stays, silent, until the block ends."""
    _, writer = await asyncio.open_connection("127.0.0.1", listener.port)
    writer.write(first)
    try:
        yield
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def stuck_store() -> FakeStore:
    store = FakeStore()
    store.gate = asyncio.Event()  # never set: the commit never finishes
    return store


async def test_closing_the_dc09_listener_does_not_wait_for_a_stuck_commit() -> None:
    store = stuck_store()
    async with rig(store) as r:
        listener = await serve_tcp(r.gateway, "127.0.0.1", 0)
        async with connected(listener, plain("[#1234|NPA1]")):
            await store.entered.wait()  # the ACK waits for the store, the pump for more bytes
            await asyncio.wait_for(listener.close(), WAIT_S)


async def test_closing_the_gt06_listener_does_not_wait_for_a_stuck_commit() -> None:
    store = stuck_store()
    pipeline = IngestPipeline(store)
    committing = asyncio.create_task(pipeline.run())
    listener = await serve_tcp(
        stream_gateway(Gt06Stream, pipeline), "127.0.0.1", 0, transport="gt06"
    )
    try:
        async with connected(listener, bytes.fromhex(LOGIN_HEX)):
            await store.entered.wait()
            await asyncio.wait_for(listener.close(), WAIT_S)
    finally:
        committing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await committing
