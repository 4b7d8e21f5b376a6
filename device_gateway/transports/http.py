"""A small HTTP/1.1 server for device adapters (OsmAnd, IoT webhooks), h11 as the protocol.

Devices speak plain HTTP to a port of their own (Traccar Client posts to ``http://host:5055/``),
so this is not the API server: it reads one request at a time per connection (keep-alive
allowed), hands method, target, headers and body to a handler, and writes what the handler
returns. The handler answers only after it has stored what it must, so a 200 means committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Final

import h11
import msgspec

from device_gateway.transports.streams import (
    DEFAULT_IDLE_TIMEOUT_S,
    READ_BYTES,
    IdleWatch,
    TcpListener,
    peer_name,
    serve_streams,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 256 * 1024
REASONS: Final = {
    200: b"OK",
    400: b"Bad Request",
    401: b"Unauthorized",
    404: b"Not Found",
    413: b"Payload Too Large",
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


class _TooLarge(Exception):
    pass


async def serve_http(
    handler: Handler, host: str, port: int, *, idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S
) -> TcpListener:
    return await serve_streams(
        functools.partial(_serve_connection, handler), host, port, idle_timeout_s=idle_timeout_s
    )


async def _serve_connection(
    handler: Handler,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    idle: IdleWatch,
) -> None:
    peer = peer_name(writer.get_extra_info("peername"))
    conn = h11.Connection(h11.SERVER)
    while True:
        idle.touch(writer)  # a whole request must arrive within the idle timeout
        try:
            request = await _read_request(conn, reader, peer)
        except (OSError, h11.RemoteProtocolError, _TooLarge) as err:
            logger.debug("device HTTP connection from %s ends: %r", peer, err)
            if writer.is_closing():
                return  # idled out
            if isinstance(err, h11.RemoteProtocolError | _TooLarge) and conn.our_state in (
                h11.IDLE,
                h11.SEND_RESPONSE,
            ):
                status = 413 if isinstance(err, _TooLarge) else 400
                writer.write(_response(conn, HttpResponse(status), keep_alive=False))
                with contextlib.suppress(OSError):
                    await writer.drain()
            return
        if request is None:
            return
        response = await handler(request)
        writer.write(_response(conn, response, keep_alive=True))
        await writer.drain()
        if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
            return
        conn.start_next_cycle()


async def _read_request(
    conn: h11.Connection, reader: asyncio.StreamReader, peer: str
) -> HttpRequest | None:
    head: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(READ_BYTES))
        elif isinstance(event, h11.Request):
            head = event
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > MAX_BODY_BYTES:
                raise _TooLarge
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
