"""The listener plumbing DC-09, GT06 and device HTTP share, over real sockets: idle connections
are closed by one sweep and talking ones are left alone; a connection that never speaks (or never
finishes its TLS handshake) is closed after the first-byte timeout; one address holds at most its
cap of connections while another still gets in; a peer that does not read our replies is cut
off; closing the listener ends every connection. Each refusal and each hang-up is told to the
listener's observer with its reason; a connection the client closes, or the listener's own
close, is not."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from device_gateway.transports.observer import UNOBSERVED, ConnectionObserver, HangUp, Refusal
from device_gateway.transports.streams import IdleWatch, StreamLimits, TcpListener, serve_streams
from tests.eventually import eventually
from tests.integration.test_device_gateway.support import Recorder
from tests.integration.test_device_gateway.test_dc09_transports import _self_signed

pytestmark = pytest.mark.integration
SHORT_S = 0.2
"""Test timeouts; the waits below allow ten times as long before calling it a failure."""
WAIT_S = 10 * SHORT_S + 2
SECOND_SOURCE = "127.0.0.2"
"""Linux routes all of 127/8 to the loopback: a client bound here is another source address."""


async def _echo(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, idle: IdleWatch
) -> None:
    while data := await idle.read(reader, writer):
        if not await idle.send(writer, data):
            return


@contextlib.asynccontextmanager
async def listening(
    limits: StreamLimits,
    ssl_context: ssl.SSLContext | None = None,
    observer: ConnectionObserver = UNOBSERVED,
) -> AsyncIterator[TcpListener]:
    listener = await serve_streams(
        _echo, "127.0.0.1", 0, ssl_context=ssl_context, limits=limits, observer=observer
    )
    try:
        yield listener
    finally:
        await listener.close()


async def connect(
    port: int, source: str = "127.0.0.1"
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    """True when the server closed or reset the connection (EOF or RST) within WAIT_S."""
    try:
        return await asyncio.wait_for(reader.read(10), WAIT_S) == b""
    except ConnectionResetError:
        return True


async def echoes(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    writer.write(b"ping")
    return await asyncio.wait_for(reader.readexactly(4), WAIT_S) == b"ping"


async def close(*writers: asyncio.StreamWriter) -> None:
    for writer in writers:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def test_a_silent_connection_is_closed_and_a_talking_one_is_not() -> None:
    limits = StreamLimits(first_byte_timeout_s=0.4, idle_timeout_s=0.4)
    seen = Recorder()
    async with listening(limits, observer=seen) as listener:
        silent_reader, silent_writer = await connect(listener.port)
        talking_reader, talking_writer = await connect(listener.port)
        for _ in range(12):  # 1.2 s of talking, three idle timeouts
            assert await echoes(talking_reader, talking_writer)
            await asyncio.sleep(0.1)  # the behaviour under test: a pause shorter than the timeout
        assert await closed_by_server(silent_reader)
        assert await echoes(talking_reader, talking_writer)
    assert await closed_by_server(talking_reader)  # closed with the listener
    await close(silent_writer, talking_writer)
    assert seen.hangups == [HangUp.FIRST_BYTE_TIMEOUT]  # the listener's close is not one


async def test_a_connection_that_never_speaks_is_closed_after_the_first_byte_timeout() -> None:
    limits = StreamLimits(first_byte_timeout_s=SHORT_S, idle_timeout_s=3600)
    seen = Recorder()
    async with listening(limits, observer=seen) as listener:
        never_reader, never_writer = await connect(listener.port)
        spoke_reader, spoke_writer = await connect(listener.port)
        assert await echoes(spoke_reader, spoke_writer)
        assert await closed_by_server(never_reader)
        # The one that spoke is now on the hour-long idle timeout: still served.
        await asyncio.sleep(5 * SHORT_S)  # a window past the first-byte timeout: nothing happens
        assert await echoes(spoke_reader, spoke_writer)
        await close(never_writer, spoke_writer)
    assert seen.hangups == [HangUp.FIRST_BYTE_TIMEOUT]


async def test_a_connection_silent_after_it_spoke_is_closed_on_the_idle_timeout() -> None:
    limits = StreamLimits(first_byte_timeout_s=3600, idle_timeout_s=SHORT_S)
    seen = Recorder()
    async with listening(limits, observer=seen) as listener:
        reader, writer = await connect(listener.port)
        assert await echoes(reader, writer)
        assert await closed_by_server(reader)
        await close(writer)
    assert seen.hangups == [HangUp.IDLE_TIMEOUT]


async def test_a_tls_handshake_that_never_starts_is_closed(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    limits = StreamLimits(first_byte_timeout_s=SHORT_S)
    async with listening(limits, ssl_context=context) as listener:
        reader, writer = await connect(listener.port)  # plain TCP: no ClientHello, ever
        assert await closed_by_server(reader)
        await close(writer)


async def test_one_address_holds_at_most_its_cap_and_another_still_connects() -> None:
    cap = 4
    seen = Recorder()
    async with listening(StreamLimits(connections_per_ip=cap), observer=seen) as listener:
        held = [await connect(listener.port) for _ in range(cap)]
        for reader, writer in held:
            assert await echoes(reader, writer)
        over_reader, over_writer = await connect(listener.port)
        assert await closed_by_server(over_reader)
        assert seen.refusals == [Refusal.SOURCE_CAP]
        other_reader, other_writer = await connect(listener.port, SECOND_SOURCE)
        assert await echoes(other_reader, other_writer)
        # One of the first closes: once the server has seen it go, its place is free again.
        await close(held[0][1])
        retries: list[asyncio.StreamWriter] = []

        async def admitted() -> bool:
            reader, writer = await connect(listener.port)
            retries.append(writer)
            try:
                return await echoes(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                return False

        await eventually(admitted, timeout_s=WAIT_S)
        await close(*(writer for _, writer in held[1:]), over_writer, other_writer, *retries)
    assert seen.hangups == []  # closed by the clients, or with the listener


async def flood(writer: asyncio.StreamWriter) -> None:
    """Write 256 MiB, far more than both socket buffers hold, without reading a byte back."""
    chunk = b"x" * 65_536
    for _ in range(4096):
        writer.write(chunk)
        await asyncio.wait_for(writer.drain(), WAIT_S)


async def test_a_peer_that_does_not_read_its_replies_is_cut_off() -> None:
    limits = StreamLimits(send_timeout_s=SHORT_S)
    seen = Recorder()
    async with listening(limits, observer=seen) as listener:
        sock = socket.create_connection(("127.0.0.1", listener.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        _, writer = await asyncio.open_connection(sock=sock)
        with pytest.raises(ConnectionError):  # reset by the server once it gives up on us
            await flood(writer)
        await close(writer)
    assert seen.hangups == [HangUp.SEND_TIMEOUT]
