"""The gateway: the one object a device transport talks to, whatever the protocol.

It turns bytes into replies. A transport opens a connection for each stream
(:meth:`Gateway.open_stream`: the protocol's sans-I/O state, a
:class:`~device_gateway.signals.Connection`), feeds it what it read (:meth:`Gateway.feed`, or
:meth:`Gateway.feed_datagram` for a datagram) and gets one :class:`Reply` per event, in order, to
write when ``ready`` resolves:

* a refused message's reply (NAK, DUH or silence) is ready at once; a stream refused as garbage
  is hung up on after it (``hang_up`` is set as the reply is made);
* a received message's reply (an ACK, a record count) is ready only when
  :class:`~device_gateway.ingest.IngestPipeline` says its signals are stored (or were stored
  before: a retransmission); if storing fails the reply resolves to None with ``hang_up`` set,
  and the device sends again;
* a device that names itself is answered once the device registry (``admit``) says whether it
  knows it: welcomed, or refused and hung up on.

The stages between protocol and pipeline are the same for every protocol, each off until it is
configured:

* **Rate limits.** Each source address (and each account) has a token bucket
  (:mod:`device_gateway.ratelimit`). A message that finds its bucket empty is *shed* (no reply:
  the device keeps it and resends later) unless it carries an alarm (priority 1 or 2), which is
  stored and answered regardless; both are counted and logged once per source, so nothing is
  ever dropped silently.
* **Replays.** An encrypted DC-09 frame that repeats an earlier one under another sequence
  number is answered as a retransmission of it (:mod:`device_gateway.replay`); nothing else has
  a fingerprint, and passes.
* **Supervision.** Every received message proves its device alive to the :class:`Supervisor`;
  :meth:`Gateway.supervise` turns silences and returns into :class:`LinkChange` records for the
  server to persist.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Final, Protocol

from device_gateway.errors import LocalProtocolError, UnknownAccountError
from device_gateway.ingest import IngestObserver, IngestOutcome, IngestPipeline, Source
from device_gateway.ratelimit import RateLimit, TokenBuckets
from device_gateway.replay import DEFAULT_REPLAY_WINDOW_S, ReplayGuard
from device_gateway.signals import (
    Connection,
    DatagramConnection,
    Event,
    Identified,
    Received,
    Refused,
)
from device_gateway.supervision import LinkChange, LinkState, Supervisor, Watched
from device_gateway.transports.observer import HangUp

logger = logging.getLogger(__name__)

SUPERVISION_RETRY_S: Final = 1.0
ALARM_PRIORITY_MAX: Final = 2
"""Messages at this priority or higher (panic, fire, medical, burglary) are never shed."""


class SupervisionSink(Protocol):
    async def record(self, changes: Sequence[LinkChange]) -> None:
        """Persist link changes (and raise their alerts) in one transaction; raise to retry."""
        ...


class GatewayObserver(IngestObserver, Protocol):
    def frame_received(self, transport: str) -> None: ...

    def frame_rejected(self, reason: str, transport: str) -> None: ...

    def acked(self, seconds: float) -> None: ...

    def rate_limited(self, outcome: str) -> None:
        """A message over its source's rate: ``shed`` (no reply) or ``alarm_admitted``."""
        ...

    def replayed(self, transport: str) -> None:
        """An encrypted frame that repeats an earlier one under another sequence number:
        answered as a retransmission of it, never raised again (:mod:`device_gateway.replay`)."""
        ...


RejectHook = Callable[[Refused, Source], None]
Admit = Callable[[str], Awaitable[bool]]
"""``admit(account)``: whether the device registry knows the device that named itself."""


class Reply:
    """The answer to one message; ``ready`` resolves to the bytes to send (None: send nothing).
    ``hang_up`` says why to close the connection after it (None: keep it open)."""

    __slots__ = ("hang_up", "ready")

    def __init__(
        self, ready: asyncio.Future[bytes | None], *, hang_up: HangUp | None = None
    ) -> None:
        self.ready = ready
        self.hang_up = hang_up


def utc_now() -> datetime:
    return datetime.now(UTC)


def _always() -> bool:
    return True


class Gateway:
    def __init__(
        self,
        open_stream: Callable[[], Connection],
        pipeline: IngestPipeline,
        observer: GatewayObserver,
        *,
        name: str = "device",
        datagrams: DatagramConnection | None = None,
        supervisor: Supervisor | None = None,
        sink: SupervisionSink | None = None,
        admit: Admit | None = None,
        on_reject: RejectHook | None = None,
        clock: Callable[[], datetime] = utc_now,
        rate_limit: RateLimit | None = None,
        rate_exempt: Callable[[str], bool] = lambda host: False,
        monotonic: Callable[[], float] = time.monotonic,
        replay_window_s: float = DEFAULT_REPLAY_WINDOW_S,
    ) -> None:
        """``name`` (``DC-09``, ``GT06`` …) is for the log; ``datagrams`` is the one connection
        every datagram goes through, for a protocol that has them."""
        self.open_stream = open_stream
        """A new connection's protocol state (framing is per stream)."""
        self._pipeline = pipeline
        self._observer = observer
        self._name = name
        self._datagrams = datagrams
        self._supervisor = supervisor or Supervisor()
        self._sink = sink
        self._admit = admit
        self._on_reject = on_reject
        self._clock = clock
        self._replays = ReplayGuard(replay_window_s)
        self._replaying: set[str] = set()
        self._changes: list[LinkChange] = []
        self._changed = asyncio.Event()
        self._buckets = TokenBuckets(rate_limit or RateLimit(rate_per_s=0))
        self._rate_exempt = rate_exempt
        self._monotonic = monotonic
        self._limited: set[str] = set()
        self._checks: set[asyncio.Future[bool]] = set()

    def feed(self, connection: Connection, data: bytes, source: Source) -> list[Reply]:
        connection.receive_data(data, self._clock())
        return self._replies(connection.events_received(), source)

    def feed_datagram(self, data: bytes, source: Source) -> list[Reply]:
        if self._datagrams is None:
            raise LocalProtocolError(f"{self._name} has no datagrams")
        self._datagrams.receive_datagram(data, self._clock())
        return self._replies(self._datagrams.events_received(), source)

    async def wait_for_room(self, host: str | None = None) -> None:
        """Return when the queue takes more (from ``host``'s share too, when given)."""
        await self._pipeline.wait_for_room(host)

    @property
    def has_room(self) -> bool:
        """Whether the ingest queue takes another message now (a transport that cannot stop
        reading checks this before feeding)."""
        return not self._pipeline.full

    def source_full(self, host: str) -> bool:
        """Whether ``host`` holds its whole share of the queue (its messages must wait)."""
        return self._pipeline.source_full(host)

    def frame_dropped(self, reason: str, transport: str) -> None:
        """A transport dropped a message unread (unanswered, so the device resends): count it."""
        self._observer.frame_rejected(reason, transport)

    def watch(self, watched: Iterable[Watched], *, reset: bool = False) -> None:
        """Set the supervised accounts (after every refresh of the device registry)."""
        self._supervisor.configure(watched, self._clock(), reset=reset)

    def heard(self, account: str, at: datetime) -> None:
        """A message from ``account`` that another receiver took (several receivers share the
        devices): it proves life like one of ours."""
        self._seen(account, at)

    def _replies(self, events: Sequence[Event], source: Source) -> list[Reply]:
        loop = asyncio.get_running_loop()
        replies: list[Reply] = []
        for event in events:
            self._observer.frame_received(source.transport)
            ready: asyncio.Future[bytes | None] = loop.create_future()
            if self._shed(event, source):
                ready.set_result(None)
                replies.append(Reply(ready))
                continue
            match event:
                case Received():
                    replies.append(self._accepted(event, source, ready))
                case Refused():
                    replies.append(self._rejected(event, source, ready))
                case Identified():
                    replies.append(self._identified(event, source, ready))
        return replies

    def _shed(self, event: Event, source: Source) -> bool:
        """Spend the source's (and the account's) tokens; True: drop this message unanswered."""
        host = source.peer.rpartition(":")[0] or source.peer
        if self._rate_exempt(host):
            return False
        now_s = self._monotonic()
        within = self._buckets.take(f"ip:{host}", now_s)
        if isinstance(event, Received):
            within = self._buckets.take(f"account:{event.dedup_key.account}", now_s) and within
        if within:
            self._limited.discard(host)
            return False
        if host not in self._limited:
            self._limited.add(host)
            logger.warning(
                "%s source %s is over its rate limit; shedding non-alarms", self._name, host
            )
        alarm = isinstance(event, Received) and _priority(event) <= ALARM_PRIORITY_MAX
        self._observer.rate_limited("alarm_admitted" if alarm else "shed")
        if alarm:
            return False
        if isinstance(event, Received):  # shed, but it still proves the device alive
            self._seen(event.dedup_key.account, event.signals[0].received_at)
        return True

    def _rejected(
        self, event: Refused, source: Source, ready: asyncio.Future[bytes | None]
    ) -> Reply:
        self._observer.frame_rejected(event.reason, source.transport)
        if event.hang_up:
            logger.info(
                "%s connection from %s given up on: %s", self._name, source.peer, event.detail
            )
        else:
            logger.debug("rejected %s message from %s: %s", event.reason, source.peer, event.detail)
        if self._on_reject is not None:
            self._on_reject(event, source)
        ready.set_result(event.reply)
        return Reply(ready, hang_up=HangUp.GARBAGE if event.hang_up else None)

    def _accepted(
        self, event: Received, source: Source, ready: asyncio.Future[bytes | None]
    ) -> Reply:
        reply = Reply(ready)
        event, replayed = self._replays.check(event)
        if replayed:
            self._replay_seen(event, source)
        else:
            self._seen(event.dedup_key.account, event.signals[0].received_at)
        started = time.monotonic()

        def settle(stored: asyncio.Future[IngestOutcome]) -> None:
            failed = stored.cancelled() or stored.exception() is not None  # always read it
            if ready.done():
                return
            if failed:
                reply.hang_up = HangUp.NOT_STORED
                ready.set_result(None)
                return
            self._observer.acked(time.monotonic() - started)
            ready.set_result(event.reply)

        self._pipeline.submit(event, source).add_done_callback(settle)
        return reply

    def _identified(
        self, event: Identified, source: Source, ready: asyncio.Future[bytes | None]
    ) -> Reply:
        reply = Reply(ready)
        if self._admit is None:
            ready.set_result(event.accept)
            return reply
        check = asyncio.ensure_future(self._admit(event.account))
        self._checks.add(check)  # held until done: the loop keeps only weak references

        def settle(known: asyncio.Future[bool]) -> None:
            self._checks.discard(known)
            failed = known.cancelled() or known.exception() is not None  # always read it
            if ready.done():
                return
            if failed:  # the registry could not say: no answer, the device tries again
                reply.hang_up = HangUp.NOT_CHECKED
                ready.set_result(None)
            elif known.result():
                ready.set_result(event.accept)
            else:
                self._observer.frame_rejected(UnknownAccountError.reason, source.transport)
                logger.debug(
                    "%s device %s from %s is not registered", self._name, event.account, source.peer
                )
                reply.hang_up = HangUp.UNKNOWN_DEVICE
                ready.set_result(event.refuse)

        check.add_done_callback(settle)
        return reply

    def _replay_seen(self, event: Received, source: Source) -> None:
        self._observer.replayed(source.transport)
        account = event.dedup_key.account
        if account not in self._replaying:  # once per account: an attack must not flood the log
            self._replaying.add(account)
            logger.warning(
                "%s account %s: an encrypted frame from %s repeats an earlier one under "
                "another sequence number; answered, not raised again",
                self._name,
                account,
                source.peer,
            )

    def _seen(self, account: str, at: datetime) -> None:
        change = self._supervisor.seen(account, at)
        if change is not None:
            self._changes.append(change)
            self._changed.set()

    async def supervise(self, tick_s: float, may_expire: Callable[[], bool] = _always) -> None:
        """Every ``tick_s``, find silent devices; persist every change, logging each once.
        Silences are looked for only while ``may_expire()`` holds: among several receivers, one
        (the holder of a lease) decides that a device went silent; any of them records a
        return, which is a message it received."""
        if self._sink is None:
            raise LocalProtocolError(f"the {self._name} gateway has no supervision sink")
        while True:
            self._changed.clear()  # before the flush: a change noted during it wakes us at once
            if may_expire():
                self._changes.extend(self._supervisor.expired(self._clock()))
            if self._changes:
                await self._flush(self._sink)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), tick_s)

    async def _flush(self, sink: SupervisionSink) -> None:
        changes, self._changes = self._changes, []
        try:
            await sink.record(changes)
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


def _priority(event: Received) -> int:
    return min(signal.priority for signal in event.signals)
