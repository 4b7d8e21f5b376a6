"""The durable-ACK promises over real sockets, on both engines: no ACK before the commit,
retransmissions re-ACKed and stored once (across a restart too), pipelined frames, storms."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

import pytest

from device_gateway.ingest import IngestOutcome, SignalStore, Submission
from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.support import (
    cid_frame,
    exchange,
    gateway_on,
    reply_seq,
    reply_token,
    send,
)

pytestmark = pytest.mark.integration


class GatedStore:
    """Holds every commit until the test opens the gate."""

    def __init__(self, inner: SignalStore) -> None:
        self.inner = inner
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def commit(
        self, batch: Sequence[Submission], *, duplicates_since: dt.datetime
    ) -> Sequence[IngestOutcome]:
        self.entered.set()
        await self.gate.wait()
        return await self.inner.commit(batch, duplicates_since=duplicates_since)


class FailingOnceStore:
    def __init__(self, inner: SignalStore) -> None:
        self.inner = inner
        self.failed = False

    async def commit(
        self, batch: Sequence[Submission], *, duplicates_since: dt.datetime
    ) -> Sequence[IngestOutcome]:
        if not self.failed:
            self.failed = True
            raise ConnectionError("database went away")
        return await self.inner.commit(batch, duplicates_since=duplicates_since)


async def test_ack_is_sent_only_after_commit(settings: Settings, db: Database) -> None:
    stores: list[GatedStore] = []

    def gated(inner: SignalStore) -> GatedStore:
        stores.append(GatedStore(inner))
        return stores[0]

    async with gateway_on(settings, db, wrap_store=gated) as gw:
        await gw.add_device("6101")
        sending = asyncio.ensure_future(send(gw.port, "6101", {"code": 120, "q": 1, "zone": 1}))
        await asyncio.wait_for(stores[0].entered.wait(), 5)
        await asyncio.sleep(0.5)  # a window in which an ACK sent before the commit would come
        assert not sending.done(), "the sender saw an ACK before the commit"
        assert await gw.signals() == []
        stores[0].gate.set()
        assert await sending
        assert len(await gw.signals()) == 1


async def test_a_failed_commit_sends_no_ack_and_the_resend_is_stored_once(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db, wrap_store=FailingOnceStore) as gw:
        frame = cid_frame("6102", 7)
        reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
        writer.write(frame)
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed without a reply
        writer.close()
        (ack,) = await exchange(gw.port, frame, 1)
        assert reply_token(ack) == "ACK"
        assert len(await gw.signals(account="6102")) == 1


async def test_retransmission_is_re_acked_without_a_second_alert(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db) as gw:
        await gw.add_device("6103")
        event = {"code": 120, "q": 1, "zone": 3}
        # Two fresh senders number their first message 0001: the same frame, sent twice.
        assert await send(gw.port, "6103", event)
        assert await send(gw.port, "6103", event, transport="UDP")
        (ack,) = await exchange(gw.port, cid_frame("6103", 9), 1)
        (again,) = await exchange(gw.port, cid_frame("6103", 9), 1)
        assert reply_token(ack) == reply_token(again) == "ACK"
        assert len(await gw.signals(account="6103")) == 2
        assert len(await gw.alerts()) == 2


async def test_retransmission_after_a_restart_is_recognised_from_the_stored_signals(
    settings: Settings, db: Database
) -> None:
    frame = cid_frame("6104", 11)
    async with gateway_on(settings, db) as gw:
        await gw.add_device("6104")
        (first,) = await exchange(gw.port, frame, 1)
    async with gateway_on(settings, db) as restarted:
        (second,) = await exchange(restarted.port, frame, 1)
        assert reply_token(first) == reply_token(second) == "ACK"
        assert len(await restarted.signals(account="6104")) == 1
        assert len(await restarted.alerts()) == 1


async def test_several_frames_in_one_write_get_one_ack_each_in_order(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db) as gw:
        frames = [cid_frame("6105", seq, code="602") for seq in range(1, 6)]
        garbled = b"\n0000" + cid_frame("6105", 6)[5:]  # bad CRC: a NAK in its place
        replies = await exchange(gw.port, b"".join(frames[:3]) + garbled + b"".join(frames[3:]), 6)
        assert [reply_token(r) for r in replies] == ["ACK", "ACK", "ACK", "NAK", "ACK", "ACK"]
        assert [reply_seq(r) for r in replies if reply_token(r) == "ACK"] == [
            "0001",
            "0002",
            "0003",
            "0004",
            "0005",
        ]
        assert len(await gw.signals(account="6105")) == 5


async def test_a_frame_followed_at_once_by_fin_is_still_acked(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db) as gw:
        reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
        writer.write(cid_frame("6106", 1))
        writer.write_eof()
        reply = await asyncio.wait_for(reader.readuntil(b"\r"), 5)
        writer.close()
        assert reply_token(reply) == "ACK"
        assert len(await gw.signals(account="6106")) == 1


@pytest.mark.slow
async def test_a_storm_from_many_real_senders_is_stored_exactly_once(
    settings: Settings, db: Database
) -> None:
    accounts = [f"7{index:03d}" for index in range(60)]
    async with gateway_on(settings, db) as gw:
        for account in accounts[:10]:
            await gw.add_device(account)

        async def panel(account: str) -> list[bool]:
            from my_dc09_spt import dc09_spt  # type: ignore[import-untyped]  # noqa: PLC0415

            spt = dc09_spt.dc09_spt(account)  # one panel, numbering its messages 1..10
            return [
                await send(gw.port, account, {"code": 602, "q": 1, "zone": n}, spt=spt)
                for n in range(10)
            ]

        results = await asyncio.gather(*(panel(account) for account in accounts))
        assert all(all(acked) for acked in results)
        signals = await gw.signals(limit=1000)
        assert len(signals) == 600
        assert len({(s["account"], s["seq"]) for s in signals}) == 600


@pytest.mark.slow
async def test_pipelined_storm_with_every_frame_sent_twice_is_stored_once(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db) as gw:
        streams = [
            b"".join(cid_frame(f"8{conn:03d}", seq, code="301") for seq in range(1, 21))
            for conn in range(50)
        ]
        # Each stream goes out on two connections at once: every frame has a twin in flight.
        replies = await asyncio.gather(*(exchange(gw.port, s, 20) for s in streams + streams))
        assert all(reply_token(r) == "ACK" for batch in replies for r in batch)
        stored = await gw.signals(limit=1000)
        assert len(stored) == 1000
        assert len({(s["account"], s["seq"]) for s in stored}) == 1000
