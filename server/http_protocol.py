"""The API's HTTP/1.1 connections: uvicorn's h11 protocol with a deadline on each request head.

Why h11: uvicorn's httptools parser accepts headers of any size and copies them anew with each
read: 32 MB of one header line held the event loop (and every panel's ACK) for 5 s. h11 refuses
a head over ``API_MAX_HEADER_BYTES``; it is slower per request, which the API does not notice.

Why a deadline: uvicorn times out an idle keep-alive connection, but only until its first byte,
and a new connection not at all. A client that sends one byte of a request head every few
seconds (slowloris) holds its connection, a descriptor and a place under ``limit_concurrency``
for ever; four thousand of them and the dispatcher's browser is answered 503.

Theory of operation. A connection *awaits a head* from the moment it opens, and again from the
moment a response finishes on a connection kept alive, until uvicorn has parsed the next request
line and headers (it then starts a new request cycle, or hands the socket to the WebSocket
protocol). One timer spans each such wait. When it fires the connection is closed. A kept-alive
connection that has sent nothing since its response is merely idle (uvicorn's keep-alive timeout
closes those, sooner by default): it is closed quietly. Any other is counted, and closed with
``408 Request Timeout`` when nothing of a response has been sent in this cycle (h11 lets a server
answer before the request), bare when the client is still trickling the body of a request
already answered (a 401 sent before the body was read: the timer runs from that answer).

A request whose head has arrived is the application's: its body is not timed here. Only a
holder of a valid token reaches a handler that reads a body (every other request is answered
first, and falls under the next head's deadline); uvicorn stops reading while the application
has 64 KiB unread, so a body deadline here would charge the server's own slowness to the client;
and uploads keep their own, longer, ``upload_body_timeout_s``.
"""

from __future__ import annotations

import asyncio
import http
from typing import ClassVar, Final

import h11
from prometheus_client import Counter
from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

_TIMEOUT_BODY: Final = b"The request line and headers did not arrive in time.\n"
_TIMEOUT_HEADERS: Final = [
    (b"content-type", b"text/plain; charset=utf-8"),
    (b"content-length", str(len(_TIMEOUT_BODY)).encode("ascii")),
    (b"connection", b"close"),
]


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol that closes a connection whose next request head is late.

    Configured by subclassing (:func:`head_deadline_protocol`): uvicorn builds each connection's
    protocol itself, from the class alone.
    """

    head_timeout_s: ClassVar[float]
    head_timeouts: ClassVar[Counter]

    _head_deadline: asyncio.TimerHandle | None = None
    _cycle_before_head: RequestResponseCycle | None = None
    """The request cycle current when the wait began; a new one means the head has arrived."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not self._cycle_before_head:
            self._stop_waiting()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._stop_waiting()  # the socket is the WebSocket protocol's from here on
        super().handle_websocket_upgrade(event)

    def on_response_complete(self) -> None:
        # Armed before uvicorn parses a pipelined request that may already be buffered, so that
        # its head, parsed inside this call, disarms it.
        if not self.transport.is_closing():
            self._await_head()
        super().on_response_complete()

    def _await_head(self) -> None:
        self._stop_waiting()
        self._cycle_before_head = self.cycle
        self._head_deadline = self.loop.call_later(self.head_timeout_s, self._head_late)

    def _stop_waiting(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_late(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing():
            return
        if not self._idle_after_response():
            self.head_timeouts.inc()
            if self.conn.our_state is h11.IDLE:
                self._send_request_timeout()
        self.transport.close()

    def _idle_after_response(self) -> bool:
        """Kept alive after a response and not one byte since (h11 holds a partial head in its
        buffer until the head is whole, and a body's bytes move the client past IDLE)."""
        waited_after_response = self._cycle_before_head is not None
        nothing_since = self.conn.their_state is h11.IDLE and not self.conn.trailing_data[0]
        return waited_after_response and nothing_since

    def _send_request_timeout(self) -> None:
        status = http.HTTPStatus.REQUEST_TIMEOUT
        reply = h11.Response(
            status_code=status.value, headers=_TIMEOUT_HEADERS, reason=status.phrase
        )
        for event in (reply, h11.Data(data=_TIMEOUT_BODY), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")


def head_deadline_protocol(timeout_s: float, timeouts: Counter) -> type[HeadDeadlineProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)``: a request head is due within
    ``timeout_s`` of its connection opening or of the previous response; each late one is
    counted in ``timeouts``."""

    class Configured(HeadDeadlineProtocol):
        head_timeout_s = timeout_s
        head_timeouts = timeouts

    return Configured
