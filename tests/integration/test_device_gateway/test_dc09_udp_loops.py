"""DC-09 over UDP on both event loops the server runs on (uvloop, its default, and asyncio's):
frames ACKed after commit, a backlog in arrival order while the ingest queue is full, and what
overflows the backlog dropped un-ACKed but counted."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
import uvloop

from device_gateway.ingest import IngestPipeline
from device_gateway.protocols.dc09 import AccountPolicy
from device_gateway.supervision import Supervisor
from device_gateway.transports import udp
from tests.eventually import eventually
from tests.unit.test_device_gateway.dc09_support import NOW, lookup_from, plain
from tests.unit.test_device_gateway.ingest_support import CountingObserver, FakeStore, dc09_gateway

LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "uvloop": uvloop.new_event_loop,
    "asyncio": asyncio.new_event_loop,
}
REPLY_WAIT_S = 5.0


class NoLinks:
    async def record(self, changes: object) -> None:
        return None


class Panel(asyncio.DatagramProtocol):
    """A panel's UDP socket: sends frames, collects the replies."""

    def __init__(self) -> None:
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.replies.put_nowait(data)

    async def replies_within(self, count: int, timeout_s: float = REPLY_WAIT_S) -> list[bytes]:
        return [await asyncio.wait_for(self.replies.get(), timeout_s) for _ in range(count)]


class Receiver:
    def __init__(self, store: FakeStore, max_pending: int) -> None:
        self.store = store
        self.observer = CountingObserver()
        self.pipeline = IngestPipeline(store, max_pending=max_pending, observer=self.observer)
        self.gateway = dc09_gateway(
            lookup_from({"1234": AccountPolicy()}),
            self.pipeline,
            Supervisor(grace_s=0),
            NoLinks(),
            self.observer,
            clock=lambda: NOW,
        )
        self.port = 0


@contextlib.asynccontextmanager
async def receiving(
    store: FakeStore, max_pending: int = 100
) -> AsyncIterator[tuple[Receiver, Panel, asyncio.DatagramTransport]]:
    receiver = Receiver(store, max_pending)
    sock = udp.bind_udp("127.0.0.1", 0)
    receiver.port = sock.getsockname()[1]
    loop = asyncio.get_running_loop()
    tasks = [
        asyncio.create_task(receiver.pipeline.run()),
        asyncio.create_task(udp.serve_udp(receiver.gateway, sock)),
    ]
    panel = Panel()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: panel, remote_addr=("127.0.0.1", receiver.port)
    )
    try:
        yield receiver, panel, transport
    finally:
        transport.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def on_loop(loop_name: str, test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    with asyncio.Runner(loop_factory=LOOPS[loop_name]) as runner:
        runner.run(test())


def frame(seq: int) -> bytes:
    return plain("[#1234|NRP]", seq=f"{seq:04d}")


def seq_of(reply: bytes) -> int:
    end = reply.index(b'"', reply.index(b'"') + 1)
    return int(reply[end + 1 : end + 5])


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_every_frame_is_acked_over_udp(loop_name: str) -> None:
    async def scenario() -> None:
        async with receiving(FakeStore()) as (receiver, panel, transport):
            for seq in range(1, 6):
                transport.sendto(frame(seq))
            replies = await panel.replies_within(5)
        assert sorted(seq_of(reply) for reply in replies) == [1, 2, 3, 4, 5]
        assert all(b'"ACK"' in reply for reply in replies)
        assert sum(len(batch) for batch in receiver.store.batches) == 5

    on_loop(loop_name, scenario)


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_while_the_queue_is_full_datagrams_wait_and_are_acked_in_arrival_order(
    loop_name: str,
) -> None:
    async def scenario() -> None:
        store = FakeStore()
        store.gate = asyncio.Event()
        async with receiving(store, max_pending=2) as (receiver, panel, transport):
            transport.sendto(frame(1))
            await asyncio.wait_for(store.entered.wait(), REPLY_WAIT_S)  # frame 1 is committing
            for seq in range(2, 9):
                transport.sendto(frame(seq))
            await asyncio.sleep(0.2)  # a window in which an ACK sent before the store would come
            assert panel.replies.empty()  # nothing is ACKed before it is stored
            store.gate.set()
            replies = await panel.replies_within(8)
        stored = [item.received.dedup_key.seq for batch in store.batches for item in batch]
        assert stored == [f"{seq:04d}" for seq in range(1, 9)]
        assert sorted(seq_of(reply) for reply in replies) == list(range(1, 9))
        assert receiver.observer.rejects == []

    on_loop(loop_name, scenario)


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_datagrams_beyond_the_backlog_are_dropped_unacked_and_counted(
    loop_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(udp, "BACKLOG_MAX_BYTES", 3 * len(frame(1)))

    async def scenario() -> None:
        store = FakeStore()
        store.gate = asyncio.Event()
        async with receiving(store, max_pending=1) as (receiver, panel, transport):
            transport.sendto(frame(1))
            await asyncio.wait_for(store.entered.wait(), REPLY_WAIT_S)
            for seq in range(2, 8):  # the queue holds 1, the backlog 3: frames 6 and 7 overflow
                transport.sendto(frame(seq))
            await eventually(lambda: receiver.observer.rejects.count("queue_full") == 2)
            store.gate.set()
            replies = await panel.replies_within(5)
            with pytest.raises(TimeoutError):
                await panel.replies_within(1, timeout_s=0.3)
        assert sorted(seq_of(reply) for reply in replies) == [1, 2, 3, 4, 5]
        assert receiver.observer.rejects.count("queue_full") == 2

    on_loop(loop_name, scenario)
