"""The durable-ACK pipeline: signals in, "committed" out, and only then the ACK.

Theory of operation. A transport hands every accepted frame to :meth:`IngestPipeline.submit` and
gets a future; it writes the ACK when the future says the frame is stored. One task,
:meth:`IngestPipeline.run`, commits:

* **Group commit.** While one commit runs, new frames queue up; the next commit takes everything
  that queued (up to ``max_batch``) in one transaction. Under light load a batch is one frame and
  the latency is one commit; under heavy load the batches grow and the cost per frame falls.
* **Priority.** The queue is a heap on (priority, arrival): when more is waiting than one batch
  holds, panic, fire and medical frames are committed before troubles and tests.
* **Short batches for alarms.** A frame that raises an alert costs far more to commit than a
  test (alert, incident, timeline, outbox rows), so a batch holds at most ``max_alarm_batch`` of
  them, and a batch that starts with a life-safety frame (priority 1: panic, fire, medical)
  takes no lesser alarms along. During an alarm storm (thousands of AC-loss troubles) a panic
  that arrives mid-commit waits for one short batch, then is committed in a batch of its own kind.
* **Fair between sources.** Within a priority, frames are taken in start-time fair order between
  source addresses: each address's frames get tags that count up from the tag last committed
  (``_virtual``), so an address that floods the queue pushes only its own frames back, and a
  frame from a quiet address is taken within the next batch of its priority, however many
  frames the flooder queued first. Alarms are never rate-limited, but they are queued fairly.
* **Bounded, per source too.** ``full`` turns true at ``max_pending`` queued frames, and one
  address may hold at most ``max_pending_per_source`` of them (``max_pending_unregistered`` for
  frames from accounts nobody registered). Transports stop reading a socket whose address is
  at its limit, or every socket when the whole queue is full (TCP backpressure; UDP datagrams
  wait in a bounded backlog or are dropped un-ACKed and counted) until :meth:`wait_for_room`
  returns: a full queue slows only the sources that fill it. A frame is either queued or
  never read, and never ACKed unstored.
* **Retransmissions.** A frame whose :class:`DedupKey` was committed within ``dedup_window_s`` is
  a retransmission: it is answered at once (from memory) or by the store, which must also check
  what it stored before a restart. A retransmission that arrives while the first copy is still
  queued waits for that copy's commit and is never stored twice.

If the store fails, every frame of the batch fails: the transports send nothing, and the panels
resend later. The store must keep its batch atomic for that to be safe.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import hashlib
import heapq
import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Final, Protocol

import msgspec

from device_gateway.signals import HIGHEST_PRIORITY, LOWEST_PRIORITY, DedupKey, Received

logger = logging.getLogger(__name__)

DEDUP_WINDOW_S: Final = 600.0
DEFAULT_MAX_PENDING: Final = 20_000
DEFAULT_MAX_PENDING_PER_SOURCE: Final = 2_000
"""A tenth of the queue: a source address that fills its share waits; the others go on."""
DEFAULT_MAX_PENDING_UNREGISTERED: Final = 100
"""Frames from unregistered accounts raise nothing: each address gets a small share for them."""
UNREGISTERED: Final = "|unregistered"
DEFAULT_MAX_BATCH: Final = 500
DEFAULT_MAX_ALARM_BATCH: Final = 16
DEFAULT_MAX_REMEMBERED: Final = 200_000
RETRY_AFTER_FAILURE_S: Final = 0.2


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """Where a frame came from: its transport or protocol (``tcp``, ``tls``, ``udp``, ``gt06``,
    ``teltonika`` …), and the peer's ``host:port``."""

    transport: str
    peer: str

    @property
    def host(self) -> str:
        """The peer's address without its port: the unit of fairness and of the limits."""
        return self.peer.rsplit(":", 1)[0]


class Submission(msgspec.Struct, frozen=True, kw_only=True):
    """One accepted frame on its way to storage."""

    received: Received
    source: Source

    @property
    def priority(self) -> int:
        return min((s.priority for s in self.received.signals), default=LOWEST_PRIORITY)

    @property
    def received_at(self) -> datetime:
        return self.received.signals[0].received_at


class IngestOutcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    """A retransmission of a frame already stored: ACK it again, raise nothing."""


class SignalStore(Protocol):
    """What the pipeline needs from storage; the server implements it on its database."""

    async def commit(
        self, batch: Sequence[Submission], *, duplicates_since: datetime
    ) -> Sequence[IngestOutcome]:
        """Store the batch in one transaction and return one outcome per submission, in order.

        A submission whose dedup key was stored at or after ``duplicates_since`` is a
        ``DUPLICATE`` and must not be stored (or alerted) again. Raise to fail the whole batch.
        """
        ...


class IngestObserver(Protocol):
    """Counters for the pipeline; the server feeds them to Prometheus."""

    def batch_committed(self, size: int, duplicates: int, seconds: float) -> None: ...

    def batch_failed(self, size: int) -> None: ...

    def duplicate_answered(self) -> None:
        """A retransmission answered without the store (remembered, or its twin was queued)."""
        ...


class _NullObserver:
    def batch_committed(self, size: int, duplicates: int, seconds: float) -> None:
        pass

    def batch_failed(self, size: int) -> None:
        pass

    def duplicate_answered(self) -> None:
        pass


def dedup_digest(key: DedupKey) -> str:
    """One stable hex digest of a dedup key, for an indexed column. A DC-09 key digests as it
    always has (account, line, receiver, token, seq, data), so stored rows keep matching."""
    parts = (key.account, *key.scope, key.seq, key.data_sha256)
    text = "\x1f".join("\x00" if part is None else part for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Entry:
    __slots__ = ("share", "submission", "waiters")

    def __init__(
        self, submission: Submission, waiter: asyncio.Future[IngestOutcome], share: str
    ) -> None:
        self.submission = submission
        self.waiters = [waiter]
        self.share = share
        """The queue share the frame counts against: its address, or address|unregistered."""


class IngestPipeline:
    def __init__(
        self,
        store: SignalStore,
        *,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_pending_per_source: int = DEFAULT_MAX_PENDING_PER_SOURCE,
        max_pending_unregistered: int = DEFAULT_MAX_PENDING_UNREGISTERED,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_alarm_batch: int = DEFAULT_MAX_ALARM_BATCH,
        dedup_window_s: float = DEDUP_WINDOW_S,
        max_remembered: int = DEFAULT_MAX_REMEMBERED,
        observer: IngestObserver | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._max_pending = max_pending
        self._share_limits = (max_pending_per_source, max_pending_unregistered)
        self._max_batch = max_batch
        self._max_alarm_batch = max_alarm_batch
        self._window_s = dedup_window_s
        self._max_remembered = max_remembered
        self._observer: IngestObserver = observer or _NullObserver()
        self._clock = clock
        self._heap: list[tuple[int, int, int, _Entry]] = []
        """(priority, fairness tag, arrival, entry): a min-heap, so the first is taken first."""
        self._order = itertools.count()
        self._virtual = 0
        """The fairness tag of the frame taken last; a quiet source's next frame starts here."""
        self._last_tag: dict[str, int] = {}
        self._share_pending: collections.Counter[str] = collections.Counter()
        self._share_room: dict[str, asyncio.Event] = {}
        self._queued: dict[DedupKey, _Entry] = {}
        self._remembered: OrderedDict[DedupKey, float] = OrderedDict()
        self._stopped = False
        """Set when :meth:`run` ends; cleared when it runs again (a supervisor restarts it)."""
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()

    @property
    def pending(self) -> int:
        return len(self._heap)

    @property
    def full(self) -> bool:
        return len(self._heap) >= self._max_pending

    def source_full(self, host: str) -> bool:
        """Whether the address ``host`` holds all the queue it may (registered or not)."""
        per_source, unregistered = self._share_limits
        pending = self._share_pending
        return pending[host] >= per_source or pending[host + UNREGISTERED] >= unregistered

    async def wait_for_room(self, host: str | None = None) -> None:
        """Return when the queue can take more (from ``host``, when given); transports call
        this before each read of a socket."""
        while True:
            if self.full:
                self._room.clear()
                await self._room.wait()
            elif host is not None and self.source_full(host):
                room = self._share_room.setdefault(host, asyncio.Event())
                room.clear()
                await room.wait()
            else:
                return

    def submit(self, received: Received, source: Source) -> asyncio.Future[IngestOutcome]:
        """Queue a frame; the future resolves once it is stored (or known to be stored)."""
        waiter: asyncio.Future[IngestOutcome] = asyncio.get_running_loop().create_future()
        if self._stopped:  # nobody would ever commit it: fail it now (never ACKed)
            waiter.set_exception(ConnectionAbortedError("the signal pipeline stopped"))
            return waiter
        key = received.dedup_key
        if self._remembers(key):
            self._observer.duplicate_answered()
            waiter.set_result(IngestOutcome.DUPLICATE)
            return waiter
        queued = self._queued.get(key)
        if queued is not None:
            queued.waiters.append(waiter)
            return waiter
        share = source.host if received.registered else source.host + UNREGISTERED
        entry = _Entry(Submission(received=received, source=source), waiter, share)
        self._queued[key] = entry
        tag = max(self._virtual, self._last_tag.get(share, 0)) + 1
        self._last_tag[share] = tag
        self._share_pending[share] += 1
        heapq.heappush(self._heap, (entry.submission.priority, tag, next(self._order), entry))
        self._wake.set()
        return waiter

    async def run(self) -> None:
        """Commit batches until cancelled; queued frames are then failed (never ACKed)."""
        self._stopped = False
        try:
            while True:
                await self._wake.wait()
                batch = self._take_batch()
                if not batch:
                    self._wake.clear()
                    continue
                if not await self._commit(batch):
                    await asyncio.sleep(RETRY_AFTER_FAILURE_S)
        finally:
            self._stopped = True
            self._fail_all()

    def _take_batch(self) -> list[_Entry]:
        batch: list[_Entry] = []
        alarms = 0
        life = bool(self._heap) and self._heap[0][0] == HIGHEST_PRIORITY
        while self._heap and len(batch) < self._max_batch:
            priority = self._heap[0][0]
            alarm = priority < LOWEST_PRIORITY
            if alarm and (
                alarms >= self._max_alarm_batch or (life and priority > HIGHEST_PRIORITY)
            ):
                break  # the heap is in priority order: what is left waits for the next batch
            alarms += alarm
            _, tag, _, entry = heapq.heappop(self._heap)
            self._virtual = max(self._virtual, tag)
            self._release_share(entry.share)
            batch.append(entry)
        if not self.full:
            self._room.set()
        return batch

    def _release_share(self, share: str) -> None:
        left = self._share_pending[share] - 1
        if left > 0:
            self._share_pending[share] = left
        else:  # forget idle sources: their next frame starts at the current tag anyway
            del self._share_pending[share]
            self._last_tag.pop(share, None)
        host = share.removesuffix(UNREGISTERED)
        room = self._share_room.get(host)
        if room is not None and not self.source_full(host):
            room.set()
            del self._share_room[host]

    async def _commit(self, batch: list[_Entry]) -> bool:
        started = self._clock()
        since = batch[0].submission.received_at - timedelta(seconds=self._window_s)
        try:
            outcomes = await self._store.commit(
                [entry.submission for entry in batch], duplicates_since=since
            )
        except asyncio.CancelledError:  # stopping mid-commit: whether it landed is unknown
            for entry in batch:
                self._finish(entry, ConnectionAbortedError("the signal pipeline stopped"))
            raise
        except Exception as err:  # noqa: BLE001  (any store failure means: do not ACK, retry later)
            logger.warning("signal commit of %d frames failed: %r", len(batch), err)
            self._observer.batch_failed(len(batch))
            for entry in batch:
                self._finish(entry, err)
            return False
        if len(outcomes) != len(batch):
            raise RuntimeError("the store returned a different number of outcomes")
        finished = self._clock()
        duplicates = 0
        for entry, outcome in zip(batch, outcomes, strict=True):
            duplicates += outcome is IngestOutcome.DUPLICATE
            self._remember(entry.submission.received.dedup_key, finished)
            self._finish(entry, outcome)
        self._observer.batch_committed(len(batch), duplicates, finished - started)
        return True

    def _finish(self, entry: _Entry, result: IngestOutcome | BaseException) -> None:
        self._queued.pop(entry.submission.received.dedup_key, None)
        for index, waiter in enumerate(entry.waiters):
            if waiter.done():
                continue
            if isinstance(result, BaseException):
                waiter.set_exception(result)
            elif index == 0:
                waiter.set_result(result)
            else:  # a copy that waited for the first one is a retransmission of it
                self._observer.duplicate_answered()
                waiter.set_result(IngestOutcome.DUPLICATE)

    def _remembers(self, key: DedupKey) -> bool:
        stored_at = self._remembered.get(key)
        return stored_at is not None and self._clock() - stored_at < self._window_s

    def _remember(self, key: DedupKey, at: float) -> None:
        self._remembered[key] = at
        self._remembered.move_to_end(key)
        horizon = at - self._window_s
        while self._remembered:
            oldest_key, oldest_at = next(iter(self._remembered.items()))
            if oldest_at >= horizon and len(self._remembered) <= self._max_remembered:
                break
            del self._remembered[oldest_key]

    def _fail_all(self) -> None:
        stopped = ConnectionAbortedError("the signal pipeline stopped")
        while self._heap:
            entry = heapq.heappop(self._heap)[3]
            self._release_share(entry.share)
            for waiter in entry.waiters:
                with contextlib.suppress(asyncio.InvalidStateError):
                    waiter.set_exception(stopped)
        self._queued.clear()
