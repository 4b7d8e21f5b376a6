"""A tracker protocol through the gateway (Teltonika): a device that names itself is welcomed
only when the registry knows it, refused and hung up on otherwise, left unanswered when the
registry cannot say; a packet's record count is ready only once its signals are committed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from device_gateway.gateway import Admit, Gateway
from device_gateway.ingest import IngestPipeline
from device_gateway.protocols.teltonika import TeltonikaConnection, count_reply
from device_gateway.transports.observer import HangUp
from tests.unit.test_device_gateway.ingest_support import SOURCE, FakeStore, stream_gateway
from tests.unit.test_device_gateway.teltonika_support import HELLO, IMEI, wiki_rows

PACKET = bytes.fromhex(wiki_rows()[0]["hex"])


@contextlib.asynccontextmanager
async def teltonika(store: FakeStore, admit: Admit | None) -> AsyncIterator[Gateway]:
    pipeline = IngestPipeline(store)
    committing = asyncio.create_task(pipeline.run())
    try:
        yield stream_gateway(TeltonikaConnection, pipeline, name="Teltonika", admit=admit)
    finally:
        committing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await committing


def knows(*accounts: str) -> Admit:
    async def admit(account: str) -> bool:
        return account in accounts

    return admit


async def test_a_registered_device_is_welcomed_and_its_count_follows_the_commit() -> None:
    store = FakeStore()
    store.gate = asyncio.Event()
    async with teltonika(store, knows(IMEI)) as gateway:
        connection = gateway.open_stream()
        (welcome,) = gateway.feed(connection, HELLO, SOURCE)
        assert (await welcome.ready, welcome.hang_up) == (b"\x01", None)
        (count,) = gateway.feed(connection, PACKET, SOURCE)
        await store.entered.wait()
        assert not count.ready.done()  # the commit has not landed: no count yet
        store.gate.set()
        assert (await count.ready, count.hang_up) == (count_reply(1), None)
    ((stored,),) = store.batches
    assert stored.received.dedup_key.account == IMEI


async def test_an_unknown_device_is_refused_and_hung_up_on() -> None:
    async with teltonika(FakeStore(), knows("111111111111111")) as gateway:
        (reply,) = gateway.feed(gateway.open_stream(), HELLO, SOURCE)
        assert (await reply.ready, reply.hang_up) == (b"\x00", HangUp.UNKNOWN_DEVICE)


async def test_a_registry_that_fails_leaves_the_device_unanswered() -> None:
    async def broken(account: str) -> bool:
        raise ConnectionError("the database went away")

    async with teltonika(FakeStore(), broken) as gateway:
        (reply,) = gateway.feed(gateway.open_stream(), HELLO, SOURCE)
        assert (await reply.ready, reply.hang_up) == (None, HangUp.NOT_CHECKED)


async def test_without_a_registry_every_device_is_welcomed() -> None:
    async with teltonika(FakeStore(), None) as gateway:
        (reply,) = gateway.feed(gateway.open_stream(), HELLO, SOURCE)
        assert (await reply.ready, reply.hang_up) == (b"\x01", None)
