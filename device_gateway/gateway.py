"""The DC-09 gateway: the one object the transports talk to.

It turns bytes into replies. A transport feeds what it read (:meth:`Dc09Gateway.feed` for a TCP
stream, :meth:`Dc09Gateway.feed_datagram` for UDP) and gets one :class:`Reply` per frame, in
frame order, to write when ``ready`` resolves:

* a rejected frame's reply (NAK, DUH or silence) is ready at once;
* an accepted frame's ACK is ready only when :class:`~device_gateway.ingest.IngestPipeline`
  says the frame is stored (or was stored before: a retransmission);
* if storing fails the reply resolves to None with ``hang_up`` set: the transport closes the
  connection without an ACK and the panel sends again.

Each source address (and each account) has a token bucket (:mod:`device_gateway.ratelimit`).
A frame that finds its bucket empty is *shed* (no reply: the panel keeps it and resends later)
unless it carries an alarm (priority 1 or 2), which is stored and ACKed regardless; both cases
are counted and logged once per source, so nothing is ever dropped silently.

Every accepted frame also proves its device alive to the :class:`Supervisor`; :meth:`supervise`
turns silences and returns into :class:`LinkChange` records for the server to persist.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Final, Protocol

from device_gateway.errors import FrameTooLongError
from device_gateway.ingest import IngestObserver, IngestPipeline, Outcome, Source
from device_gateway.protocols.dc09 import (
    AccountLookup,
    Dc09Receiver,
    FrameRejected,
    ReceiverConfig,
    ReceiverEvent,
    SignalsReceived,
)
from device_gateway.protocols.dc09.crypto import RandomBytes
from device_gateway.ratelimit import RateLimit, TokenBuckets
from device_gateway.replay import ReplayGuard
from device_gateway.supervision import LinkChange, LinkState, Supervisor, Watched

logger = logging.getLogger(__name__)

SUPERVISION_RETRY_S: Final = 1.0
ALARM_PRIORITY_MAX: Final = 2
"""Frames at this priority or higher (panic, fire, medical, burglary) are never shed."""


class SupervisionSink(Protocol):
    async def record(self, changes: Sequence[LinkChange]) -> None:
        """Persist link changes (and raise their alerts) in one transaction; raise to retry."""
        ...


class GatewayObserver(IngestObserver, Protocol):
    def frame_received(self, transport: str) -> None: ...

    def frame_rejected(self, reason: str, transport: str) -> None: ...

    def acked(self, seconds: float) -> None: ...

    def rate_limited(self, outcome: str) -> None:
        """A frame over its source's rate: ``shed`` (no reply) or ``alarm_admitted``."""
        ...

    def replayed(self, transport: str) -> None:
        """An encrypted frame that repeats an earlier one under another sequence number:
        answered as a retransmission of it, never raised again (:mod:`device_gateway.replay`)."""
        ...


RejectHook = Callable[[FrameRejected, Source], None]


class Reply:
    """The answer to one frame; ``ready`` resolves to the bytes to send (None: send nothing)."""

    __slots__ = ("hang_up", "ready")

    def __init__(self, ready: asyncio.Future[bytes | None], *, hang_up: bool = False) -> None:
        self.ready = ready
        self.hang_up = hang_up


def utc_now() -> datetime:
    return datetime.now(UTC)


def _always() -> bool:
    return True


class Dc09Gateway:
    def __init__(
        self,
        lookup: AccountLookup,
        pipeline: IngestPipeline,
        supervisor: Supervisor,
        sink: SupervisionSink,
        observer: GatewayObserver,
        *,
        config: ReceiverConfig | None = None,
        on_reject: RejectHook | None = None,
        random_bytes: RandomBytes = os.urandom,
        clock: Callable[[], datetime] = utc_now,
        rate_limit: RateLimit | None = None,
        rate_exempt: Callable[[str], bool] = lambda host: False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._pipeline = pipeline
        self._supervisor = supervisor
        self._sink = sink
        self._observer = observer
        self._config = config or ReceiverConfig()
        self._on_reject = on_reject
        self._random_bytes = random_bytes
        self._clock = clock
        self._datagrams = self.open_stream()
        self._replays = ReplayGuard(self._config.max_ahead_s + self._config.max_behind_s)
        self._replaying: set[str] = set()
        self._changes: list[LinkChange] = []
        self._changed = asyncio.Event()
        self._buckets = TokenBuckets(rate_limit or RateLimit(rate_per_s=0))
        self._rate_exempt = rate_exempt
        self._monotonic = monotonic
        self._limited: set[str] = set()

    def open_stream(self) -> Dc09Receiver:
        """A receiver for one TCP connection (framing state is per stream)."""
        return Dc09Receiver(self._lookup, random_bytes=self._random_bytes, config=self._config)

    def feed(self, receiver: Dc09Receiver, data: bytes, source: Source) -> list[Reply]:
        receiver.receive_data(data, self._clock())
        return self._replies(receiver.events_received(), source)

    def feed_datagram(self, data: bytes, source: Source) -> list[Reply]:
        self._datagrams.receive_datagram(data, self._clock())
        return self._replies(self._datagrams.events_received(), source)

    async def wait_for_room(self, host: str | None = None) -> None:
        """Return when the queue takes more (from ``host``'s share too, when given)."""
        await self._pipeline.wait_for_room(host)

    @property
    def has_room(self) -> bool:
        """Whether the ingest queue takes another frame now (a transport that cannot stop
        reading checks this before feeding)."""
        return not self._pipeline.full

    def source_full(self, host: str) -> bool:
        """Whether ``host`` holds its whole share of the queue (its frames must wait)."""
        return self._pipeline.source_full(host)

    def frame_dropped(self, reason: str, transport: str) -> None:
        """A transport dropped a frame unread (un-ACKed, so the panel resends): count it."""
        self._observer.frame_rejected(reason, transport)

    def watch(self, watched: Iterable[Watched], *, reset: bool = False) -> None:
        """Set the supervised accounts (after every refresh of the device registry)."""
        self._supervisor.configure(watched, self._clock(), reset=reset)

    def heard(self, account: str, at: datetime) -> None:
        """A message from ``account`` that another receiver took (several receivers share the
        devices): it proves life like one of ours."""
        change = self._supervisor.seen(account, at)
        if change is not None:
            self._note(change)

    def _replies(self, events: list[ReceiverEvent], source: Source) -> list[Reply]:
        loop = asyncio.get_running_loop()
        replies: list[Reply] = []
        for event in events:
            self._observer.frame_received(source.transport)
            ready: asyncio.Future[bytes | None] = loop.create_future()
            if self._shed(event, source):
                ready.set_result(None)
                replies.append(Reply(ready))
            elif isinstance(event, FrameRejected):
                self._rejected(event, source)
                ready.set_result(event.reply)
                replies.append(Reply(ready, hang_up=event.reason == FrameTooLongError.reason))
            else:
                replies.append(self._accepted(event, source, ready))
        return replies

    def _shed(self, event: ReceiverEvent, source: Source) -> bool:
        """Spend the source's (and the account's) tokens; True: drop this frame un-ACKed."""
        host = source.peer.rpartition(":")[0] or source.peer
        if self._rate_exempt(host):
            return False
        now_s = self._monotonic()
        within = self._buckets.take(f"ip:{host}", now_s)
        if isinstance(event, SignalsReceived):
            within = self._buckets.take(f"account:{event.dedup_key.account}", now_s) and within
        if within:
            self._limited.discard(host)
            return False
        if host not in self._limited:
            self._limited.add(host)
            logger.warning("DC-09 source %s is over its rate limit; shedding non-alarms", host)
        alarm = isinstance(event, SignalsReceived) and _priority(event) <= ALARM_PRIORITY_MAX
        self._observer.rate_limited("alarm_admitted" if alarm else "shed")
        if alarm:
            return False
        if isinstance(event, SignalsReceived):  # shed, but it still proves the device alive
            change = self._supervisor.seen(event.dedup_key.account, event.signals[0].received_at)
            if change is not None:
                self._note(change)
        return True

    def _rejected(self, event: FrameRejected, source: Source) -> None:
        self._observer.frame_rejected(event.reason, source.transport)
        logger.debug("rejected %s frame from %s: %s", event.reason, source.peer, event.detail)
        if self._on_reject is not None:
            self._on_reject(event, source)

    def _accepted(
        self, event: SignalsReceived, source: Source, ready: asyncio.Future[bytes | None]
    ) -> Reply:
        reply = Reply(ready)
        event, replayed = self._replays.check(event)
        if replayed:
            self._replay_seen(event, source)
        else:
            change = self._supervisor.seen(event.dedup_key.account, event.signals[0].received_at)
            if change is not None:
                self._note(change)
        started = time.monotonic()

        def settle(stored: asyncio.Future[Outcome]) -> None:
            failed = stored.cancelled() or stored.exception() is not None  # always read it
            if ready.done():
                return
            if failed:
                reply.hang_up = True
                ready.set_result(None)
                return
            self._observer.acked(time.monotonic() - started)
            ready.set_result(event.ack)

        self._pipeline.submit(event, source).add_done_callback(settle)
        return reply

    def _replay_seen(self, event: SignalsReceived, source: Source) -> None:
        self._observer.replayed(source.transport)
        account = event.dedup_key.account
        if account not in self._replaying:  # once per account: an attack must not flood the log
            self._replaying.add(account)
            logger.warning(
                "DC-09 account %s: an encrypted frame from %s repeats an earlier one under "
                "another sequence number; answered, not raised again",
                account,
                source.peer,
            )

    def _note(self, change: LinkChange) -> None:
        self._changes.append(change)
        self._changed.set()

    async def supervise(self, tick_s: float, may_expire: Callable[[], bool] = _always) -> None:
        """Every ``tick_s``, find silent devices; persist every change, logging each once.
        Silences are looked for only while ``may_expire()`` holds: among several receivers, one
        (the holder of a lease) decides that a device went silent; any of them records a
        return, which is a message it received."""
        while True:
            self._changed.clear()  # before the flush: a change noted during it wakes us at once
            if may_expire():
                for change in self._supervisor.expired(self._clock()):
                    self._note(change)
            if self._changes:
                await self._flush()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), tick_s)

    async def _flush(self) -> None:
        changes, self._changes = self._changes, []
        try:
            await self._sink.record(changes)
        except Exception as err:  # noqa: BLE001  (keep them and try again on the next tick)
            logger.warning("could not record %d link changes: %r", len(changes), err)
            self._changes = changes + self._changes
            await asyncio.sleep(SUPERVISION_RETRY_S)
            return
        for change in changes:
            if change.state is LinkState.OFFLINE:
                logger.info("device %s offline", change.account)
            else:
                logger.info("device %s back online", change.account)


def _priority(event: SignalsReceived) -> int:
    return min(signal.priority for signal in event.signals)
