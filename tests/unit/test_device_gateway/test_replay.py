"""Replayed encrypted DC-09 frames: a captured panic resent under a rewritten sequence number is
ACKed like a retransmission and never stored or raised again; genuine events still pass."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from device_gateway.gateway import Gateway
from device_gateway.ingest import IngestPipeline
from device_gateway.protocols.dc09 import AccountPolicy
from device_gateway.protocols.dc09.payloads import format_timestamp
from device_gateway.replay import ReplayGuard
from device_gateway.signals import Received
from device_gateway.supervision import Supervisor
from tests.unit.test_device_gateway.dc09_support import (
    KEY_256,
    NOW,
    TS,
    accepted,
    encrypted,
    lookup_from,
    make_receiver,
    plain,
)
from tests.unit.test_device_gateway.ingest_support import (
    SOURCE,
    CountingObserver,
    FakeStore,
    dc09_gateway,
)

WINDOW_S = 60.0
PANIC = f"#1234|Nri1/PA501]{TS}"


def decrypted(frame: bytes) -> Received:
    return accepted(make_receiver({"1234": AccountPolicy(key=KEY_256)}), frame)


class NoLinks:
    async def record(self, changes: object) -> None:
        return None


@contextlib.asynccontextmanager
async def gateway() -> AsyncIterator[tuple[Gateway, FakeStore, CountingObserver]]:
    store = FakeStore()
    observer = CountingObserver()
    pipeline = IngestPipeline(store, observer=observer)
    built = dc09_gateway(
        lookup_from({"1234": AccountPolicy(key=KEY_256)}),
        pipeline,
        Supervisor(grace_s=0),
        NoLinks(),
        observer,
        clock=lambda: NOW,
    )
    task = asyncio.create_task(pipeline.run())
    try:
        yield built, store, observer
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def test_a_copy_under_another_sequence_number_gets_the_first_frames_key() -> None:
    guard = ReplayGuard(WINDOW_S, clock=lambda: 0.0)
    first, replayed_first = guard.check(decrypted(encrypted(PANIC, seq="0007")))
    copy, replayed_copy = guard.check(decrypted(encrypted(PANIC, seq="0042")))
    assert not replayed_first
    assert replayed_copy
    assert copy.dedup_key == first.dedup_key


def test_a_retransmission_with_the_same_key_is_left_to_the_pipeline() -> None:
    guard = ReplayGuard(WINDOW_S, clock=lambda: 0.0)
    guard.check(decrypted(encrypted(PANIC, seq="0007")))
    _, replayed = guard.check(decrypted(encrypted(PANIC, seq="0007")))
    assert not replayed


def test_another_event_or_another_second_is_not_a_replay() -> None:
    guard = ReplayGuard(WINDOW_S, clock=lambda: 0.0)
    guard.check(decrypted(encrypted(PANIC, seq="0007")))
    other_zone = guard.check(decrypted(encrypted(f"#1234|Nri1/PA502]{TS}", seq="0008")))
    later = format_timestamp(NOW - timedelta(seconds=1))
    other_second = guard.check(decrypted(encrypted(f"#1234|Nri1/PA501]{later}", seq="0009")))
    assert not other_zone[1]
    assert not other_second[1]


def test_fingerprints_are_forgotten_after_the_window() -> None:
    now_s = [0.0]
    guard = ReplayGuard(WINDOW_S, clock=lambda: now_s[0])
    guard.check(decrypted(encrypted(PANIC, seq="0007")))
    now_s[0] = WINDOW_S + 1
    assert not guard.check(decrypted(encrypted(PANIC, seq="0042")))[1]


def test_memory_is_bounded() -> None:
    guard = ReplayGuard(WINDOW_S, max_fingerprints=2, clock=lambda: 0.0)
    for zone in (501, 502, 503):
        guard.check(decrypted(encrypted(f"#1234|Nri1/PA{zone}]{TS}", seq=f"0{zone}")))
    assert not guard.check(decrypted(encrypted(PANIC, seq="0099")))[1]  # the oldest went


def test_plaintext_frames_pass_unchanged() -> None:
    guard = ReplayGuard(WINDOW_S, clock=lambda: 0.0)
    frame = accepted(make_receiver({"1234": AccountPolicy()}), plain("[#1234|NPA1]"))
    assert guard.check(frame) == (frame, False)


async def test_a_replayed_panic_is_acked_but_stored_once_and_counted() -> None:
    async with gateway() as (gw, store, observer):
        first = gw.feed(gw.open_stream(), encrypted(PANIC, seq="0007"), SOURCE)
        acks_first = [await reply.ready for reply in first]
        copies = [
            gw.feed(gw.open_stream(), encrypted(PANIC, seq=f"{seq:04d}"), SOURCE)
            for seq in range(100, 105)
        ]
        acks_copies = [await reply.ready for replies in copies for reply in replies]
    assert acks_first[0] is not None
    assert all(ack is not None and b'"*ACK"' in ack for ack in acks_copies)
    assert sum(len(batch) for batch in store.batches) == 1  # never stored, never raised again
    assert observer.replays == ["tcp"] * 5
