"""Fakes for the ingest pipeline and the gateway: a store that records and can block or fail,
and a DC-09 gateway built as the server builds one."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Callable, Sequence
from typing import Any

from device_gateway.gateway import Gateway, GatewayObserver, SupervisionSink
from device_gateway.ingest import IngestOutcome, IngestPipeline, Source, Submission
from device_gateway.protocols.dc09 import AccountLookup, Dc09Receiver, ReceiverConfig
from device_gateway.signals import Connection, Received
from device_gateway.supervision import Supervisor
from tests.unit.test_device_gateway.dc09_support import accepted, make_receiver, plain

SOURCE = Source(transport="tcp", peer="127.0.0.1:5000")


def received(body: str = "[#1234|NRP]", seq: str = "0001", account: str = "1234") -> Received:
    """A real receiver's event for a plaintext SIA frame (``NPA`` panic, ``NRP`` test…)."""
    return accepted(make_receiver(), plain(body, seq=seq, account=account))


def dc09_gateway(
    lookup: AccountLookup,
    pipeline: IngestPipeline,
    supervisor: Supervisor,
    sink: SupervisionSink,
    observer: GatewayObserver,
    *,
    config: ReceiverConfig | None = None,
    **options: Any,
) -> Gateway:
    """The gateway with a DC-09 receiver per stream and one for every datagram."""
    config = config or ReceiverConfig()

    def receiver() -> Dc09Receiver:
        return Dc09Receiver(lookup, random_bytes=os.urandom, config=config)

    return Gateway(
        receiver,
        pipeline,
        observer,
        name="DC-09",
        datagrams=receiver(),
        supervisor=supervisor,
        sink=sink,
        replay_window_s=config.max_ahead_s + config.max_behind_s,
        **options,
    )


def stream_gateway(
    connection: Callable[[], Connection], pipeline: IngestPipeline, **options: Any
) -> Gateway:
    """The gateway of a tracker protocol (GT06, Teltonika …), counting what it sees."""
    return Gateway(connection, pipeline, CountingObserver(), **options)


class FakeStore:
    """Records each batch; ``gate`` (when set up) holds commits; ``fail`` makes the next raise;
    ``stored_before`` are dedup-key seqs it reports as already stored (as after a restart)."""

    def __init__(self) -> None:
        self.batches: list[list[Submission]] = []
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()
        self.fail: Exception | None = None
        self.stored_before: set[str] = set()
        self.since: list[dt.datetime] = []

    async def commit(
        self, batch: Sequence[Submission], *, duplicates_since: dt.datetime
    ) -> Sequence[IngestOutcome]:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        self.since.append(duplicates_since)
        if self.fail is not None:
            error, self.fail = self.fail, None
            raise error
        self.batches.append(list(batch))
        return [
            IngestOutcome.DUPLICATE
            if item.received.dedup_key.seq in self.stored_before
            else IngestOutcome.STORED
            for item in batch
        ]


class CountingObserver:
    def __init__(self) -> None:
        self.committed: list[tuple[int, int]] = []
        self.failed: list[int] = []
        self.answered = 0
        self.frames: list[str] = []
        self.rejects: list[str] = []
        self.acks = 0
        self.limited: list[str] = []
        self.replays: list[str] = []

    def batch_committed(self, size: int, duplicates: int, seconds: float) -> None:
        self.committed.append((size, duplicates))

    def batch_failed(self, size: int) -> None:
        self.failed.append(size)

    def duplicate_answered(self) -> None:
        self.answered += 1

    def frame_received(self, transport: str) -> None:
        self.frames.append(transport)

    def frame_rejected(self, reason: str, transport: str) -> None:
        self.rejects.append(reason)

    def acked(self, seconds: float) -> None:
        self.acks += 1

    def rate_limited(self, outcome: str) -> None:
        self.limited.append(outcome)

    def replayed(self, transport: str) -> None:
        self.replays.append(transport)
