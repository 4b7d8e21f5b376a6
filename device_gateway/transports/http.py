"""A small HTTP/1.1 server for device adapters (OsmAnd, IoT webhooks), h11 as the protocol.

Devices speak plain HTTP to a port of their own (Traccar Client posts to ``http://host:5055/``),
so this is not the API server: it reads one request at a time per connection (keep-alive
allowed), hands method, target, headers and body to a handler, and writes what the handler
returns. The handler answers only after it has stored what it must, so a 200 means committed.

Slow and hostile clients: the wait for a request's first bytes is the listener's (first-byte
timeout on a new connection, idle timeout between requests); from its first bytes on, the whole
request, headers and body, must arrive within ``request_timeout_s`` or the connection is closed
(h11 already refuses headers over 16 KiB; the body is capped in bytes and in pieces). A
connection whose requests are refused (4xx) :data:`MAX_REFUSED_IN_A_ROW` times running is closed
after the last answer; a handler that fails is answered 500 and the connection closed. Each such
close is told to the listener's observer (:class:`~device_gateway.transports.observer.HangUp`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Final

import h11
import msgspec

from device_gateway.transports.observer import UNOBSERVED, ConnectionObserver, HangUp
from device_gateway.transports.streams import (
    READ_BYTES,
    IdleWatch,
    StreamLimits,
    TcpListener,
    peer_name,
    serve_streams,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 256 * 1024
MAX_BODY_PIECES: Final = 1024
"""h11 events one body may arrive in (chunks, or the pieces of each read): a device sends a few;
1-byte chunks cost an event each, 1.3 s of event loop per MB."""
DEFAULT_REQUEST_TIMEOUT_S: Final = 30.0
"""A phone's report is a few hundred bytes; even over 2G it arrives in seconds."""
MAX_REFUSED_IN_A_ROW: Final = 8
"""A client whose requests we keep refusing gets a fresh connection to try again on, not an
endless one: the count of what it costs us then includes its handshakes."""
BAD_REQUEST: Final = 400
PAYLOAD_TOO_LARGE: Final = 413
CLIENT_ERROR: Final = range(400, 500)
INTERNAL_ERROR: Final = 500
REASONS: Final = {
    200: b"OK",
    400: b"Bad Request",
    401: b"Unauthorized",
    404: b"Not Found",
    413: b"Payload Too Large",
    500: b"Internal Server Error",
    503: b"Service Unavailable",
}


class HttpRequest(msgspec.Struct, frozen=True, kw_only=True):
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    peer: str


class HttpResponse(msgspec.Struct, frozen=True):
    status: int
    body: bytes = b""


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


class _Unreadable(Exception):
    """A request we stop reading: ``status`` is the answer it gets."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


async def serve_http(
    handler: Handler,
    host: str,
    port: int,
    *,
    limits: StreamLimits | None = None,
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
    observer: ConnectionObserver = UNOBSERVED,
) -> TcpListener:
    serve = functools.partial(_serve_connection, handler, request_timeout_s, observer)
    return await serve_streams(serve, host, port, limits=limits, observer=observer)


class _RequestReader:
    """The bytes of one request: the wait for its first bytes is the listener's to time; the
    rest must follow within ``request_timeout_s`` of them."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        idle: IdleWatch,
        request_timeout_s: float,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._idle = idle
        self._timeout_s = request_timeout_s
        self._deadline: float | None = None

    def next_request(self, *, begun: bool) -> None:
        """A new request starts (``begun``: some of its bytes are in already)."""
        self._deadline = self._from_now() if begun else None

    async def read(self) -> bytes:
        if self._deadline is None:
            data = await self._idle.read(self._reader, self._writer)
            self._deadline = self._from_now()
            return data
        async with asyncio.timeout_at(self._deadline):
            return await self._reader.read(READ_BYTES)

    def _from_now(self) -> float:
        return asyncio.get_running_loop().time() + self._timeout_s


async def _serve_connection(
    handler: Handler,
    request_timeout_s: float,
    observer: ConnectionObserver,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    idle: IdleWatch,
) -> None:
    peer = peer_name(writer.get_extra_info("peername"))
    conn = h11.Connection(h11.SERVER)
    reading = _RequestReader(reader, writer, idle, request_timeout_s)
    refused_in_a_row = 0
    while True:
        reading.next_request(begun=bool(conn.trailing_data[0]))  # pipelined bytes count
        try:
            request = await _read_request(conn, reading, peer)
        except (OSError, h11.RemoteProtocolError, _Unreadable) as err:  # OSError: TimeoutError too
            logger.debug("device HTTP connection from %s ends: %r", peer, err)
            if (unread := _unread(err)) is not None:
                observer.hung_up(unread)
            await _refuse(conn, writer, idle, err)
            return
        if request is None:
            return
        response = await _answer(handler, request)
        refused_in_a_row = refused_in_a_row + 1 if response.status in CLIENT_ERROR else 0
        closing = _closing(response.status, refused_in_a_row)
        sent = await idle.send(writer, _response(conn, response, keep_alive=closing is None))
        if sent and closing is not None:
            observer.hung_up(closing)
        if not sent or conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
            return
        conn.start_next_cycle()


def _unread(err: Exception) -> HangUp | None:
    """Why we hang up on a request we stop reading; None: the peer's connection failed."""
    if isinstance(err, TimeoutError):
        return HangUp.REQUEST_TIMEOUT
    if isinstance(err, h11.RemoteProtocolError | _Unreadable):
        return HangUp.BAD_REQUEST
    return None


def _closing(status: int, refused_in_a_row: int) -> HangUp | None:
    """Why the connection closes after this answer; None: it stays open for the next."""
    if status == INTERNAL_ERROR:
        return HangUp.HANDLER_FAILED
    if refused_in_a_row >= MAX_REFUSED_IN_A_ROW:
        return HangUp.REFUSED_REQUESTS
    return None


async def _answer(handler: Handler, request: HttpRequest) -> HttpResponse:
    try:
        return await handler(request)
    except Exception:  # a bug of ours: the device gets an answer, the log the traceback
        logger.exception("device HTTP request from %s failed", request.peer)
        return HttpResponse(INTERNAL_ERROR)


async def _refuse(
    conn: h11.Connection, writer: asyncio.StreamWriter, idle: IdleWatch, err: Exception
) -> None:
    """Answer a request that cannot be read with 400 or 413, where HTTP still allows one (a
    connection that timed out or idled out gets no answer)."""
    if writer.is_closing() or not isinstance(err, h11.RemoteProtocolError | _Unreadable):
        return
    if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
        status = err.status if isinstance(err, _Unreadable) else BAD_REQUEST
        await idle.send(writer, _response(conn, HttpResponse(status), keep_alive=False))


async def _read_request(
    conn: h11.Connection, reading: _RequestReader, peer: str
) -> HttpRequest | None:
    head: h11.Request | None = None
    body = bytearray()
    pieces = 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reading.read())
        elif isinstance(event, h11.Request):
            head = event
        elif isinstance(event, h11.Data):
            body += event.data
            pieces += 1
            if len(body) > MAX_BODY_BYTES:
                raise _Unreadable(PAYLOAD_TOO_LARGE, f"body over {MAX_BODY_BYTES} bytes")
            if pieces > MAX_BODY_PIECES:
                raise _Unreadable(BAD_REQUEST, f"body in over {MAX_BODY_PIECES} pieces")
        elif isinstance(event, h11.EndOfMessage) and head is not None:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in head.headers}
            return HttpRequest(
                method=head.method.decode("ascii"),
                target=head.target.decode("latin-1"),
                headers=headers,
                body=bytes(body),
                peer=peer,
            )
        elif isinstance(event, h11.ConnectionClosed):
            return None


def _response(conn: h11.Connection, response: HttpResponse, *, keep_alive: bool) -> bytes:
    headers = [
        ("content-length", str(len(response.body))),
        ("content-type", "text/plain; charset=utf-8"),
    ]
    if not keep_alive:
        headers.append(("connection", "close"))
    reason = REASONS.get(response.status, b"")
    data = conn.send(h11.Response(status_code=response.status, headers=headers, reason=reason))
    data = (data or b"") + (conn.send(h11.Data(data=response.body)) or b"")
    return data + (conn.send(h11.EndOfMessage()) or b"")
