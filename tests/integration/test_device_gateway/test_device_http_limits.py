"""The device HTTP port against slow and hostile clients, over real sockets: headers or a body
that do not arrive within the request timeout are cut off (however they dribble in), a client
whose requests keep being refused is shown the door, and a handler that fails answers 500.
Each time the server ends a connection it tells the listener's observer why; a client that
ends its own is not counted."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from device_gateway.transports.http import (
    MAX_BODY_PIECES,
    MAX_REFUSED_IN_A_ROW,
    HttpRequest,
    HttpResponse,
    serve_http,
)
from device_gateway.transports.observer import UNOBSERVED, ConnectionObserver, HangUp
from device_gateway.transports.streams import StreamLimits, TcpListener
from tests.integration.test_device_gateway.support import Recorder

pytestmark = pytest.mark.integration
SHORT_S = 0.3
WAIT_S = 10 * SHORT_S + 2
GOOD = b"POST /ok HTTP/1.1\r\nHost: device\r\nContent-Length: 2\r\n\r\nhi"


async def handler(request: HttpRequest) -> HttpResponse:
    if request.target == "/ok":
        return HttpResponse(200, b"stored")
    if request.target == "/crash":
        raise RuntimeError("a bug in the handler")
    return HttpResponse(400, b"unknown device id")


@contextlib.asynccontextmanager
async def device_http(observer: ConnectionObserver = UNOBSERVED) -> AsyncIterator[TcpListener]:
    limits = StreamLimits(first_byte_timeout_s=3600, idle_timeout_s=3600)
    listener = await serve_http(
        handler, "127.0.0.1", 0, limits=limits, request_timeout_s=SHORT_S, observer=observer
    )
    try:
        yield listener
    finally:
        await listener.close()


@contextlib.asynccontextmanager
async def client(
    listener: TcpListener,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def read_all(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes (fails if it keeps the connection open)."""
    try:
        return await asyncio.wait_for(reader.read(), WAIT_S)
    except ConnectionResetError:
        return b""


async def test_headers_that_never_finish_are_cut_off_without_an_answer() -> None:
    seen = Recorder()
    async with device_http(seen) as listener, client(listener) as (reader, writer):
        writer.write(b"POST /ok HTTP/1.1\r\nHost: device\r\n")  # and never the blank line
        assert await read_all(reader) == b""
    assert seen.hangups == [HangUp.REQUEST_TIMEOUT]


async def test_headers_dribbled_a_byte_at_a_time_are_cut_off_all_the_same() -> None:
    async with device_http() as listener, client(listener) as (reader, writer):

        async def dribble() -> None:
            with contextlib.suppress(ConnectionError):
                for _ in range(1000):
                    writer.write(b"X-Slow: a\r\n")  # every header line resets nothing
                    await writer.drain()
                    await asyncio.sleep(SHORT_S / 10)  # the behaviour: a client trickling

        writer.write(b"POST /ok HTTP/1.1\r\n")
        dribbling = asyncio.create_task(dribble())
        assert await read_all(reader) == b""
        dribbling.cancel()


async def test_a_body_that_never_finishes_is_cut_off() -> None:
    async with device_http() as listener, client(listener) as (reader, writer):
        writer.write(b"POST /ok HTTP/1.1\r\nHost: device\r\nContent-Length: 100\r\n\r\nhalf")
        assert await read_all(reader) == b""


async def test_a_body_in_a_thousand_tiny_chunks_is_refused() -> None:
    head = b"POST /ok HTTP/1.1\r\nHost: device\r\nTransfer-Encoding: chunked\r\n\r\n"
    seen = Recorder()
    async with device_http(seen) as listener, client(listener) as (reader, writer):
        writer.write(head + b"1\r\nx\r\n" * (MAX_BODY_PIECES + 1) + b"0\r\n\r\n")
        assert (await read_all(reader)).startswith(b"HTTP/1.1 400 ")
    assert seen.hangups == [HangUp.BAD_REQUEST]


async def test_a_keep_alive_client_gets_a_fresh_timeout_for_each_request() -> None:
    seen = Recorder()
    async with device_http(seen) as listener, client(listener) as (reader, writer):
        for _ in range(3):
            await asyncio.sleep(2 * SHORT_S)  # idle between requests is not the request's time
            writer.write(GOOD)
            status = await asyncio.wait_for(reader.readuntil(b"stored"), WAIT_S)
            assert status.startswith(b"HTTP/1.1 200 ")
    assert seen.hangups == []


async def test_a_client_refused_again_and_again_is_shown_the_door() -> None:
    refused = b"GET /unknown HTTP/1.1\r\nHost: device\r\n\r\n"
    seen = Recorder()
    async with device_http(seen) as listener, client(listener) as (reader, writer):
        writer.write(refused * (MAX_REFUSED_IN_A_ROW + 5))
        answers = await read_all(reader)
    assert answers.count(b"HTTP/1.1 400 ") == MAX_REFUSED_IN_A_ROW
    assert answers.lower().count(b"connection: close") == 1
    assert seen.hangups == [HangUp.REFUSED_REQUESTS]


async def test_a_good_request_between_refusals_starts_the_count_again() -> None:
    refused = b"GET /unknown HTTP/1.1\r\nHost: device\r\n\r\n"
    almost = refused * (MAX_REFUSED_IN_A_ROW - 1)
    async with device_http() as listener, client(listener) as (reader, writer):
        writer.write(almost + GOOD + almost + GOOD)
        for _ in range(2):
            await asyncio.wait_for(reader.readuntil(b"stored"), WAIT_S)
        writer.write(GOOD)
        assert await asyncio.wait_for(reader.readuntil(b"stored"), WAIT_S)


async def test_a_failing_handler_answers_500_and_closes_without_taking_the_port_down() -> None:
    crash = b"GET /crash HTTP/1.1\r\nHost: device\r\n\r\n"
    seen = Recorder()
    async with device_http(seen) as listener:
        async with client(listener) as (reader, writer):
            writer.write(crash)
            answer = await read_all(reader)
        assert answer.startswith(b"HTTP/1.1 500 ")
        async with client(listener) as (reader, writer):
            writer.write(GOOD)
            assert await asyncio.wait_for(reader.readuntil(b"stored"), WAIT_S)
    assert seen.hangups == [HangUp.HANDLER_FAILED]
