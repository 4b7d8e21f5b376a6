"""One relay socket: hello → welcome → replay → live, with resync when replay can't be.

A connection runs four tasks: the sender drains this socket's Subscriber (dropping what was
already sent, filling holes from the outbox), the receiver handles the client's messages, and two
that answer late what came too soon after the last answer: the receipts of acks, and one pong
for the heartbeats that got none.

Close codes: 4400 bad hello, 4401 bad or revoked token (also while open: the token's revocation
closes its sockets, server/sockets/revocation.py), 4403 wrong role, 4408 too slow, 4429 too many
unknown tokens from this address lately, 1008 (WebSocket's own "policy violation") too many
messages: the client ran dry the budget below. 4429 stays the hello's refusal of an address;
1008 ends one connection that floods, after its welcome.

A client's messages are bounded like the REST bodies they stand for (server/sockets/messages.py),
and in number (server/sockets/pacing.py says why these figures):

* each message but a first ack of an event sent costs one from a budget of 20 a second, burst
  1000; a client that runs it dry is closed with 1008 and counted;
* positions closer together than `relay_position_interval_s` are dropped and counted (the
  dispatcher stream stays calm); heartbeats closer together than 0.25 s share one pong at the
  end of the interval (counted);
* acks are cumulative and coalesced: the highest seq acked is kept, and the receipts of the
  dispatches it covers are written at most once per 0.5 s and once more as the socket ends.

The dispatcher page cannot read its HttpOnly session cookie, so its hello carries an empty token
(or "cookie"): the session comes from the `posbon_session` cookie of the upgrade request, and
only when the request's Origin is this very host (a browser sends the cookie to a socket opened
by any site: the Origin check stops cross-site WebSocket hijacking). Each heartbeat counts as
use of the token, so an open dispatcher page keeps its session from going idle.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Coroutine
from typing import Any, Final

import msgspec
from litestar.exceptions import WebSocketDisconnect

from server.auth.cookies import SESSION_COOKIE
from server.auth.guards import client_address
from server.auth.limits import FailedLookups, TooManyFailedTokens
from server.auth.schemas import Principal, Role, TokenKind
from server.auth.scope import ReachDecisions, withheld
from server.auth.service import hash_token, identify, note_use
from server.crews import service as crews_service
from server.errors import ApiError, Unauthorized
from server.http_params import AnySocket
from server.incidents import service as incidents
from server.incidents.schemas import StatusIn
from server.relay import outbox
from server.relay.hub import OVERFLOW, Subscriber
from server.relay.outbox import DISPATCH_STREAM, StoredEvent, crew_stream
from server.sockets.messages import (
    Ack,
    ClientMessage,
    ErrorMessage,
    Heartbeat,
    Hello,
    Pong,
    Position,
    Resync,
    StatusChange,
    StatusResult,
    Welcome,
    decode_client,
    encoder,
    hello_decoder,
)
from server.sockets.pacing import (
    HEARTBEAT_INTERVAL_S,
    MESSAGE_BURST,
    MESSAGES_PER_S,
    Spacing,
    TokenBucket,
)
from server.sockets.receipts import ReceiptWriter
from server.state import AppState

logger = logging.getLogger(__name__)

HELLO_TIMEOUT_S: Final = 10.0
CLOSE_BAD_HELLO: Final = 4400
CLOSE_BAD_TOKEN: Final = 4401
CLOSE_WRONG_ROLE: Final = 4403
CLOSE_TOO_SLOW: Final = 4408
CLOSE_TOO_MANY_FAILURES: Final = 4429
CLOSE_TOO_MANY_MESSAGES: Final = 1008
DISPATCH_ROLES: Final = frozenset({Role.ADMIN, Role.DISPATCHER})


class Rejected(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


async def _read_hello(socket: AnySocket) -> Hello:
    try:
        raw = await asyncio.wait_for(socket.receive_text(), HELLO_TIMEOUT_S)
        return hello_decoder.decode(raw)
    except (TimeoutError, msgspec.DecodeError) as err:
        raise Rejected(CLOSE_BAD_HELLO, "first message must be a hello") from err


COOKIE_HELLO_TOKENS: Final = frozenset({"", "cookie"})
"""Hello tokens that ask for the upgrade request's session cookie."""


def _token_of(socket: AnySocket, hello: Hello) -> str:
    """The hello's token, or for a browser page the session cookie of a same-origin upgrade."""
    if hello.token not in COOKIE_HELLO_TOKENS:
        return hello.token
    origin = socket.headers.get("origin", "")
    host = socket.headers.get("host", "")
    _, _, origin_host = origin.partition("://")
    if not host or origin_host.rstrip("/").lower() != host.lower():
        raise Rejected(CLOSE_BAD_TOKEN, "a session cookie counts only from this site's own page")
    secret = socket.cookies.get(SESSION_COOKIE, "")
    if not secret:
        raise Rejected(CLOSE_BAD_TOKEN, "no token and no session cookie")
    return secret


async def _principal_for(
    state: AppState, token: str, endpoint: str, failures: FailedLookups, socket: AnySocket
) -> tuple[Principal, str]:
    address = client_address(socket)
    try:
        principal = await identify(
            state.db,
            token,
            address,
            failures,
            idle_timeout_s=state.settings.session_idle_timeout_s,
        )
    except TooManyFailedTokens as err:
        raise Rejected(CLOSE_TOO_MANY_FAILURES, "too many unknown tokens; try later") from err
    except Unauthorized as err:
        raise Rejected(CLOSE_BAD_TOKEN, "unknown or revoked token") from err
    if socket.cookies.get(SESSION_COOKIE) == token and principal.kind is not TokenKind.SESSION:
        raise Rejected(CLOSE_BAD_TOKEN, "only a signed-in session comes in the cookie")
    if endpoint == "dispatch" and principal.role in DISPATCH_ROLES:
        return principal, DISPATCH_STREAM
    if endpoint == "crew" and principal.role is Role.CREW and principal.crew_id is not None:
        return principal, crew_stream(principal.crew_id)
    raise Rejected(CLOSE_WRONG_ROLE, f"the {principal.role.value} role may not use this socket")


_REACH: Final[weakref.WeakKeyDictionary[AppState, ReachDecisions]] = weakref.WeakKeyDictionary()
"""Each node's shared answers to "does this event reach this scope" (ReachDecisions)."""


def _reach_of(state: AppState) -> ReachDecisions:
    decisions = _REACH.get(state)
    if decisions is None:
        decisions = _REACH[state] = ReachDecisions()
    return decisions


class Connection:
    def __init__(
        self,
        socket: AnySocket,
        state: AppState,
        principal: Principal,
        stream: str,
        endpoint: str,
    ) -> None:
        self.socket = socket
        self.state = state
        self.principal = principal
        self.stream = stream
        self.endpoint = endpoint
        self.token_hash = ""
        """Its token's hash: each heartbeat notes the token's use (serve sets it)."""
        self.sent_seq = 0
        self._live_sent = state.metrics.events_sent.labels(endpoint, "live")
        self.revoked = asyncio.Event()
        """Set when the token is revoked: the connection ends and closes with 4401."""
        self.flooded = False
        """Set when the client ran its message budget dry: the connection closes with 1008."""
        self._budget = TokenBucket(MESSAGES_PER_S, MESSAGE_BURST, time.monotonic())
        self._positions = Spacing(state.settings.relay_position_interval_s)
        self._pongs = Spacing(HEARTBEAT_INTERVAL_S)
        self._pong_owed = asyncio.Event()
        self.receipts = ReceiptWriter(state.db, principal, state.metrics.receipt_writes)

    async def send(self, message: msgspec.Struct) -> None:
        await self.socket.send_text(encoder.encode(message).decode())

    async def start(self, hello: Hello) -> None:
        db = self.state.db
        head = await outbox.head(db, self.stream)
        epoch = await outbox.epoch(db)
        await self.send(Welcome(stream=self.stream, epoch=epoch, seq=head))
        self.sent_seq = head
        if hello.last_seq is None:
            self.receipts.book.start_after(head)
            return
        reason = await self._why_not_replayable(hello, head, epoch)
        if reason is not None:
            self.state.metrics.resyncs.inc()
            self.receipts.book.start_after(head)
            await self.send(Resync(seq=head, reason=reason))
            return
        self.receipts.book.start_after(hello.last_seq)
        await self._send_range(hello.last_seq, head, phase="replay")

    async def _why_not_replayable(self, hello: Hello, head: int, epoch: str) -> str | None:
        assert hello.last_seq is not None
        if hello.epoch is not None and hello.epoch != epoch:
            return "the server's database changed (epoch)"
        if hello.last_seq > head:
            return "last_seq is ahead of the server"
        if head - hello.last_seq > self.state.settings.relay_replay_max:
            return f"more than {self.state.settings.relay_replay_max} events were missed"
        oldest = await outbox.oldest(self.state.db, self.stream)
        if oldest is not None and hello.last_seq + 1 < oldest:
            return "the missed events are no longer kept"
        return None

    async def _send_range(self, after_seq: int, up_to_seq: int, phase: str) -> None:
        cursor = after_seq
        while cursor < up_to_seq:
            page = await outbox.read_after(
                self.state.db, self.stream, cursor, min(500, up_to_seq - cursor)
            )
            if not page:
                return
            for event in page:
                await self._send_event(event)
                self.state.metrics.events_sent.labels(self.endpoint, phase).inc()
            cursor = page[-1].seq

    async def pump(self, subscriber: Subscriber) -> None:
        while True:
            event = await subscriber.queue.get()
            if event is OVERFLOW:
                self.state.metrics.slow_disconnects.inc()
                logger.info("socket of %s too slow; closed, it will resume", self.principal.actor)
                return
            if event.seq <= self.sent_seq:
                continue
            if event.seq > self.sent_seq + 1:
                await self._send_range(self.sent_seq, event.seq - 1, phase="fill")
            await self._send_event(event)
            self._live_sent.inc()
            self.sent_seq = event.seq
            # Take turns: every socket gets the first event of a burst (the alert) before any
            # socket gets the second.
            await asyncio.sleep(0)

    async def _send_event(self, event: StoredEvent) -> None:
        text = event.wire()
        scope = self.principal.scope
        if not scope.unlimited and not await _reach_of(self.state).reaches(
            self.state.db, scope, self.stream, event.seq, event.type, event.data
        ):
            text = withheld(event.seq)  # beyond a scoped token's reach: its seq only
        await self.socket.send_text(text)
        self.receipts.sent(event)

    async def receive(self) -> None:
        """Handle the client's messages in order; return when it floods (see `_affordable`)."""
        while True:
            message = decode_client(await self.socket.receive_text())
            if not self._affordable(message):
                self._ran_dry()
                return
            if isinstance(message, ErrorMessage):
                await self.send(message)
            else:
                await self.handle(message)

    def _affordable(self, message: ClientMessage | ErrorMessage) -> bool:
        """Whether the budget pays for this message; an ack of an event sent and not acked
        before is free (there are only as many as events sent)."""
        if isinstance(message, Ack) and self.receipts.book.advances(message.seq):
            return True
        return self._budget.take(time.monotonic())

    def _ran_dry(self) -> None:
        self.flooded = True
        self.state.metrics.flood_disconnects.labels(self.endpoint).inc()
        logger.warning(
            "socket of %s sent more than %s messages a second (burst %s); closing it",
            self.principal.actor,
            MESSAGES_PER_S,
            MESSAGE_BURST,
        )

    async def until_revoked(self) -> None:
        await self.revoked.wait()

    def _position_due(self) -> bool:
        """One position per `relay_position_interval_s` is kept; the others are counted."""
        if self._positions.due(time.monotonic()):
            return True
        self.state.metrics.positions_dropped.inc()
        return False

    async def _heartbeat(self) -> None:
        """One heartbeat per `HEARTBEAT_INTERVAL_S` is answered at once; the others are
        counted and share the pong `send_late_pong` sends at the end of the interval."""
        if self._pongs.due(time.monotonic()):
            self._pong_owed.clear()
            await self.send(Pong())
            return
        self.state.metrics.heartbeats_dropped.inc()
        self._pong_owed.set()

    async def send_late_pong(self) -> None:
        while True:
            await self._pong_owed.wait()
            await asyncio.sleep(self._pongs.wait_s(time.monotonic()))
            if self._pong_owed.is_set() and self._pongs.due(time.monotonic()):
                self._pong_owed.clear()
                await self.send(Pong())

    async def handle(self, message: ClientMessage) -> None:
        match message:
            case Ack(seq=seq):
                await self.receipts.acked(seq)
            case Position() if self._position_due():
                await crews_service.record_position(
                    self.state.db, self.principal, message.lat, message.lon, message.at
                )
            case StatusChange():
                await self.send(await self._status(message))
            case Heartbeat():
                note_use(self.state.db, self.principal, self.token_hash)
                await self._heartbeat()
            case _:
                return

    async def _status(self, message: StatusChange) -> StatusResult:
        body = StatusIn(
            status=message.status, op_id=message.op_id, device_at=message.at, note=message.note
        )
        state = self.state
        try:
            incident = await incidents.change_status(
                state.db, state.sync_clock, message.incident_id, body, self.principal
            )
        except ApiError as err:
            return StatusResult(op_id=message.op_id, ok=False, code=err.code, detail=err.detail)
        return StatusResult(op_id=message.op_id, ok=True, incident=incident)


async def serve(socket: AnySocket, state: AppState, failures: FailedLookups, endpoint: str) -> None:
    """Serve one socket of `endpoint` (``dispatch`` or ``crew``) until either side ends it;
    `failures` counts the unknown tokens of its address with the HTTP ones."""
    await socket.accept()
    try:
        hello = await _read_hello(socket)
        token = _token_of(socket, hello)
        principal, stream = await _principal_for(state, token, endpoint, failures, socket)
    except Rejected as rejected:
        await socket.close(code=rejected.code, reason=rejected.reason)
        return
    connection = Connection(socket, state, principal, stream, endpoint)
    connection.token_hash = hash_token(token)
    # Registered before the first event is sent, so a revocation from now on closes it.
    state.sockets.add(principal.token_id, connection.revoked.set)
    subscriber = await state.hub.subscribe(stream)
    state.metrics.sockets.labels(endpoint).inc()
    try:
        await connection.start(hello)
        await _run_until_first_ends(
            connection.pump(subscriber),
            connection.receive(),
            connection.until_revoked(),
            connection.receipts.write_late_forever(),
            connection.send_late_pong(),
        )
        await connection.receipts.write()  # stored before the client hears the close
        await _close_after(connection, subscriber)
    except WebSocketDisconnect:
        pass
    finally:
        state.sockets.discard(principal.token_id, connection.revoked.set)
        state.hub.unsubscribe(subscriber)
        state.metrics.sockets.labels(endpoint).dec()
        await connection.receipts.write_last()


async def _close_after(connection: Connection, subscriber: Subscriber) -> None:
    """Say why the server ended the connection, where it did."""
    if connection.revoked.is_set():
        close = connection.socket.close(code=CLOSE_BAD_TOKEN, reason="token revoked")
    elif connection.flooded:
        close = connection.socket.close(code=CLOSE_TOO_MANY_MESSAGES, reason="too many messages")
    elif subscriber.overflowed:
        close = connection.socket.close(code=CLOSE_TOO_SLOW, reason="too slow")
    else:
        return
    await asyncio.wait_for(close, 5)


async def _run_until_first_ends(*coroutines: Coroutine[Any, Any, None]) -> None:
    """Run the sender and receiver; when either stops (disconnect, overflow), stop both."""
    tasks = [asyncio.create_task(coroutine) for coroutine in coroutines]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        error = task.exception()
        if error is not None:
            raise error
