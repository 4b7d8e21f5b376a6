"""The gateway between transports and the pipeline: replies in frame order, ACK after the
store, NAK at once, hang-up on garbage and failures, supervision changes recorded once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

from device_gateway.gateway import Reply
from device_gateway.ingest import IngestPipeline
from device_gateway.protocols.dc09 import AccountPolicy
from device_gateway.ratelimit import RateLimit
from device_gateway.signals import Refused
from device_gateway.supervision import LinkChange, LinkState, Supervisor, Watched
from device_gateway.transports.observer import HangUp
from tests.eventually import eventually
from tests.unit.test_device_gateway.dc09_support import NOW, lookup_from, plain, reply_header
from tests.unit.test_device_gateway.ingest_support import (
    SOURCE,
    CountingObserver,
    FakeStore,
    dc09_gateway,
)


class Sink:
    def __init__(self) -> None:
        self.recorded: list[LinkChange] = []
        self.fail_next = False

    async def record(self, changes: Sequence[LinkChange]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("database went away")
        self.recorded.extend(changes)


class Rig:
    def __init__(self, store: FakeStore, clock: list[datetime]) -> None:
        self.store = store
        self.observer = CountingObserver()
        self.sink = Sink()
        self.rejected: list[Refused] = []
        self.pipeline = IngestPipeline(store, observer=self.observer)
        self.gateway = dc09_gateway(
            lookup_from({"1234": AccountPolicy(), "5678": AccountPolicy(require_encryption=True)}),
            self.pipeline,
            Supervisor(grace_s=0),
            self.sink,
            self.observer,
            on_reject=lambda event, source: self.rejected.append(event),
            clock=lambda: clock[0],
        )


@contextlib.asynccontextmanager
async def rig(
    store: FakeStore | None = None, clock: list[datetime] | None = None
) -> AsyncIterator[Rig]:
    built = Rig(store or FakeStore(), clock or [NOW])
    task = asyncio.create_task(built.pipeline.run())
    try:
        yield built
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def answers(replies: list[Reply]) -> list[bytes | None]:
    return [await reply.ready for reply in replies]


async def test_ack_is_ready_only_after_the_store_commits() -> None:
    store = FakeStore()
    store.gate = asyncio.Event()
    async with rig(store) as r:
        (reply,) = r.gateway.feed(r.gateway.open_stream(), plain("[#1234|NPA1]"), SOURCE)
        await store.entered.wait()
        assert not reply.ready.done()
        store.gate.set()
        ack = await reply.ready
    assert ack is not None
    assert b'"ACK"0001' in ack
    assert r.observer.acks == 1


async def test_replies_come_in_frame_order_and_a_nak_is_ready_at_once() -> None:
    bad_crc = b"\n0000" + plain("[#1234|NPA2]", seq="0002")[5:]
    stream = plain("[#1234|NPA1]") + bad_crc + plain("[#1234|NPA3]", seq="0003")
    async with rig() as r:
        replies = r.gateway.feed(r.gateway.open_stream(), stream, SOURCE)
        assert replies[1].ready.done()
        got = await answers(replies)
    assert [reply_header(reply).token for reply in got] == ["ACK", "NAK", "ACK"]
    assert [reply_header(got[0]).seq, reply_header(got[2]).seq] == ["0001", "0003"]
    assert r.observer.rejects == ["crc"]
    assert r.observer.frames == ["tcp"] * 3


async def test_plaintext_from_an_account_that_must_encrypt_reaches_the_reject_hook() -> None:
    async with rig() as r:
        (reply,) = r.gateway.feed_datagram(plain("[#5678|NPA1]", account="5678"), SOURCE)
        assert reply.ready.done()
    assert [(e.reason, e.account) for e in r.rejected] == [("plaintext", "5678")]


async def test_an_oversize_frame_hangs_up_without_a_reply() -> None:
    async with rig() as r:
        replies = r.gateway.feed(r.gateway.open_stream(), b"\n" + b"A" * 5000, SOURCE)
        assert [(await reply.ready, reply.hang_up) for reply in replies] == [(None, HangUp.GARBAGE)]


async def test_a_failed_commit_gives_no_ack_and_hangs_up() -> None:
    store = FakeStore()
    store.fail = ConnectionError("database went away")
    async with rig(store) as r:
        (reply,) = r.gateway.feed(r.gateway.open_stream(), plain("[#1234|NPA1]"), SOURCE)
        assert await reply.ready is None
        assert reply.hang_up is HangUp.NOT_STORED


class Ticks:
    """The supervision loop's ``may_expire``: always yes, counting the ticks that asked."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> bool:
        self.count += 1
        return True

    async def pass_some(self, ticks: int = 3) -> None:
        start = self.count
        await eventually(lambda: self.count >= start + ticks)


async def test_supervision_records_one_offline_and_one_restore() -> None:
    clock = [NOW]
    ticks = Ticks()
    async with rig(clock=clock) as r:
        r.gateway.watch([Watched(account="1234", interval_s=60)])
        supervising = asyncio.create_task(r.gateway.supervise(0.01, ticks))
        clock[0] = NOW + timedelta(seconds=61)
        await eventually(lambda: r.sink.recorded)
        clock[0] = NOW + timedelta(seconds=120)
        await ticks.pass_some()  # later ticks, still silent: no second "offline"
        (reply,) = r.gateway.feed_datagram(plain("[#1234|NRP]"), SOURCE)
        await reply.ready
        await eventually(lambda: len(r.sink.recorded) == 2)
        await ticks.pass_some()
        supervising.cancel()
    assert [(c.account, c.state) for c in r.sink.recorded] == [
        ("1234", LinkState.OFFLINE),
        ("1234", LinkState.ONLINE),
    ]


async def test_link_changes_that_fail_to_record_are_kept_and_recorded_later() -> None:
    clock = [NOW]
    async with rig(clock=clock) as r:
        r.gateway.watch([Watched(account="1234", interval_s=60)])
        r.sink.fail_next = True
        clock[0] = NOW + timedelta(seconds=61)
        supervising = asyncio.create_task(r.gateway.supervise(tick_s=0.01))
        await eventually(lambda: r.sink.recorded)  # after the sink's retry pause
        supervising.cancel()
    assert [c.state for c in r.sink.recorded] == [LinkState.OFFLINE]


def _limited_rig(store: FakeStore, *, exempt: bool = False) -> Rig:
    built = Rig(store, [NOW])
    built.gateway = dc09_gateway(
        lookup_from({"1234": AccountPolicy()}),
        built.pipeline,
        Supervisor(grace_s=0),
        built.sink,
        built.observer,
        clock=lambda: NOW,
        rate_limit=RateLimit(rate_per_s=1, burst=2),
        rate_exempt=lambda host: exempt,
        monotonic=lambda: 0.0,
    )
    return built


async def _feed_limited(r: Rig, bodies: list[str]) -> list[bytes | None]:
    task = asyncio.create_task(r.pipeline.run())
    try:
        frames = [plain(body, seq=f"{n:04d}") for n, body in enumerate(bodies, start=1)]
        replies = [r.gateway.feed_datagram(frame, SOURCE)[0] for frame in frames]
        return await answers(replies)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_over_the_rate_a_test_signal_is_shed_unacked_and_counted() -> None:
    store = FakeStore()
    r = _limited_rig(store)
    got = await _feed_limited(r, ["[#1234|NRP]"] * 3)
    assert [reply is not None for reply in got] == [True, True, False]
    assert r.observer.limited == ["shed"]
    assert sum(len(batch) for batch in store.batches) == 2


async def test_over_the_rate_a_panic_is_still_stored_and_acked() -> None:
    store = FakeStore()
    r = _limited_rig(store)
    got = await _feed_limited(r, ["[#1234|NRP]", "[#1234|NRP]", "[#1234|NPA1]", "[#1234|NBA2]"])
    assert all(reply is not None and b'"ACK"' in reply for reply in got)
    assert r.observer.limited == ["alarm_admitted", "alarm_admitted"]
    codes = [item.received.signals[0].code for batch in store.batches for item in batch]
    assert sorted(codes) == ["BA", "PA", "RP", "RP"]


async def test_garbage_over_the_rate_gets_no_nak() -> None:
    r = _limited_rig(FakeStore())
    r.gateway.feed_datagram(plain("[#1234|NRP]"), SOURCE)
    r.gateway.feed_datagram(plain("[#1234|NRP]", seq="0002"), SOURCE)
    (reply,) = r.gateway.feed_datagram(b"\n0000" + plain("[#1234|NRP]")[5:], SOURCE)
    assert await reply.ready is None
    assert r.observer.rejects == []
    assert r.observer.limited == ["shed"]


async def test_exempt_sources_are_never_limited() -> None:
    r = _limited_rig(FakeStore(), exempt=True)
    got = await _feed_limited(r, ["[#1234|NRP]"] * 5)
    assert all(reply is not None for reply in got)
    assert r.observer.limited == []
