"""What the stream listeners share: accepting, tracking and idling out connections. Each kind of
listener supplies only its ``pump`` (read, feed the sans-I/O side, write): one for every device
protocol over TCP (:mod:`device_gateway.transports.tcp`), one for device HTTP.

Connection hygiene, so that no one source can hold the descriptors a real panel needs
(:class:`StreamLimits`):

* **Per-address cap.** One address holds at most ``connections_per_ip`` connections on a
  listener; the next is aborted as soon as it is accepted.
* **First byte.** A connection that sends nothing (or never finishes its TLS handshake) within
  ``first_byte_timeout_s`` is closed: every device on these ports speaks first.
* **Silence.** A connection silent for ``idle_timeout_s`` after that is closed. Only the time a
  pump waits for its peer counts (:meth:`IdleWatch.touch` … :meth:`IdleWatch.heard`): a pump held
  back by a full ingest queue is not the peer's silence.
* **A peer that does not read.** :meth:`IdleWatch.send` aborts a connection whose peer has not
  taken what we wrote within ``send_timeout_s``.

Each of these is told to the listener's :class:`~device_gateway.transports.observer.
ConnectionObserver` as it happens, as are the hang-ups a pump decides on (garbage, a failed
commit, refused requests): the log says so once, the server's counters every time.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Final, TypeVar

import msgspec

from device_gateway.transports.observer import UNOBSERVED, ConnectionObserver, HangUp, Refusal

logger = logging.getLogger(__name__)

READ_BYTES: Final = 65_536
ACCEPT_BACKLOG: Final = 4096
"""Thousands of panels reconnect at once after a power cut; asyncio's default of 100 drops
their SYNs while the loop is busy (the kernel caps this at net.core.somaxconn)."""
DEFAULT_CONNECTIONS_PER_IP: Final = 256
"""Generous on purpose: a monitoring centre's GPRS panels often reach us through one carrier
NAT address, hundreds of them at once. It stops one source from taking every descriptor (the
process has ~1000 by default, a raised limit tens of thousands), not a busy gateway."""
DEFAULT_FIRST_BYTE_TIMEOUT_S: Final = 15.0
"""Every device here speaks first, at once. 15 s leaves room for a lossy 2G link to retransmit
its first segment three times (1 + 2 + 4 s, then 8 s)."""
DEFAULT_IDLE_TIMEOUT_S: Final = 200.0
"""Panels that keep a connection open poll it: EN 50136 categories with a persistent path poll at
least every 3 minutes, and GT06 trackers send a heartbeat every 3 minutes by default; 200 s
spares both and a slow GPRS hop. A device silent for longer reconnects when it next speaks."""
DEFAULT_SEND_TIMEOUT_S: Final = 30.0
"""A peer that has not read our replies for this long is gone or is not reading on purpose."""
MAX_SWEEP_EVERY_S: Final = 30.0
SWEEPS_PER_TIMEOUT: Final = 4
"""A connection is closed at most a quarter of its timeout late."""


class StreamLimits(msgspec.Struct, frozen=True, kw_only=True):
    """How long a connection may stay silent, and how many one address may hold."""

    connections_per_ip: int = DEFAULT_CONNECTIONS_PER_IP
    first_byte_timeout_s: float = DEFAULT_FIRST_BYTE_TIMEOUT_S
    """Also the TLS handshake's deadline."""
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S
    send_timeout_s: float = DEFAULT_SEND_TIMEOUT_S


Waiting = dict[asyncio.StreamWriter, float]
"""Connections waiting for their peer, in the order they started waiting (a fixed timeout keeps
that order by deadline too, so a sweep stops at the first one still in time)."""


class IdleWatch:
    """Closes connections that have been silent too long: one sweep per listener rather than a
    timer per read (under an alarm storm, rescheduling a timeout on every read costs the loop
    more than the read itself). A sweep costs what it closes, not what is open."""

    def __init__(self, limits: StreamLimits, observer: ConnectionObserver = UNOBSERVED) -> None:
        self._limits = limits
        self._observer = observer
        self._first: Waiting = {}
        """Never heard from: the first-byte timeout applies."""
        self._again: Waiting = {}
        """Heard from before: the idle timeout applies."""
        self._heard: set[asyncio.StreamWriter] = set()

    def touch(self, writer: asyncio.StreamWriter) -> None:
        """The connection is about to wait for its peer: its silence counts from now (from the
        first touch, until the peer is first heard)."""
        if writer in self._heard:
            self._again.pop(writer, None)
            self._again[writer] = time.monotonic()
        else:
            self._first.setdefault(writer, time.monotonic())

    def heard(self, writer: asyncio.StreamWriter) -> None:
        """The peer sent something: its silence stops counting until the next :meth:`touch`."""
        self._heard.add(writer)
        self._first.pop(writer, None)
        self._again.pop(writer, None)

    async def read(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, size: int = READ_BYTES
    ) -> bytes:
        """Read while the silence counts; b"" at EOF."""
        self.touch(writer)
        data = await reader.read(size)
        if data:
            self.heard(writer)
        return data

    async def send(self, writer: asyncio.StreamWriter, data: bytes) -> bool:
        """Write ``data``; False (and the connection aborted) if the peer does not take it in
        time or the connection is gone."""
        if writer.is_closing():
            return False
        writer.write(data)
        _, high_water = writer.transport.get_write_buffer_limits()
        if writer.transport.get_write_buffer_size() <= high_water:
            return True  # drain would return at once: no timer for the usual ACK
        try:
            async with asyncio.timeout(self._limits.send_timeout_s):
                await writer.drain()
        except TimeoutError:
            logger.debug("aborting a connection whose peer does not read our replies")
            self._observer.hung_up(HangUp.SEND_TIMEOUT)
            writer.transport.abort()  # close() would wait, forever, to flush to that peer
            return False
        except OSError:
            return False
        return True

    def forget(self, writer: asyncio.StreamWriter) -> None:
        self._heard.discard(writer)
        self._first.pop(writer, None)
        self._again.pop(writer, None)

    async def run(self) -> None:
        limits = self._limits
        shortest_s = min(limits.first_byte_timeout_s, limits.idle_timeout_s)
        while True:
            await asyncio.sleep(min(shortest_s / SWEEPS_PER_TIMEOUT, MAX_SWEEP_EVERY_S))
            now_s = time.monotonic()
            first_since_s = now_s - limits.first_byte_timeout_s
            self._close_silent(self._first, first_since_s, HangUp.FIRST_BYTE_TIMEOUT)
            self._close_silent(self._again, now_s - limits.idle_timeout_s, HangUp.IDLE_TIMEOUT)

    def _close_silent(self, waiting: Waiting, silent_since_s: float, reason: HangUp) -> None:
        silent = itertools.takewhile(lambda item: item[1] < silent_since_s, waiting.items())
        for writer, _ in list(silent):
            logger.debug("closing a silent connection (%s)", reason)
            self.forget(writer)
            self._observer.hung_up(reason)
            writer.close()  # its reader sees EOF and the pump ends


class SourceCap:
    """Open connections per source address on one listener. A source is logged once when it
    reaches the cap and once when it is down to half of it, however often it knocks between."""

    def __init__(self, per_source: int) -> None:
        self.listener = "a device port"
        """Named in the log lines (the port is known only once bound)."""
        self._per_source = per_source
        self._open: collections.Counter[str] = collections.Counter()
        self._capped: set[str] = set()

    def admit(self, host: str) -> bool:
        if self._open[host] >= self._per_source:
            if host not in self._capped:
                self._capped.add(host)
                logger.warning(
                    "%s holds %d connections to %s, its cap: refusing more",
                    host,
                    self._per_source,
                    self.listener,
                )
            return False
        self._open[host] += 1
        return True

    def release(self, host: str) -> None:
        left = self._open[host] - 1
        if left > 0:
            self._open[host] = left
        else:
            del self._open[host]
        if host in self._capped and left <= self._per_source // 2:
            self._capped.discard(host)
            logger.info("%s is back under its connection cap on %s", host, self.listener)


class ListenerStopped(RuntimeError):
    """A listener stopped serving although nobody closed it."""


Pump = Callable[[asyncio.StreamReader, asyncio.StreamWriter, IdleWatch], Awaitable[None]]


class TcpListener:
    """A listening socket and its connections; ``close`` ends both."""

    def __init__(
        self,
        server: asyncio.Server,
        connections: set[asyncio.Task[None]],
        idle_sweep: asyncio.Task[None],
    ) -> None:
        self._server = server
        self._connections = connections
        self._idle_sweep = idle_sweep

    @property
    def port(self) -> int:
        return int(self._server.sockets[0].getsockname()[1])

    async def serve_until_failed(self) -> None:
        """Wait while the listener serves; raise if its idle sweep fails (the only part of a
        listener that can: accepting is the event loop's). Cancelling closes the listener."""
        try:
            await self._idle_sweep
        finally:
            await self.close()
        raise ListenerStopped("the listener's idle sweep ended")

    async def close(self) -> None:
        self._server.close()
        self._idle_sweep.cancel()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(self._idle_sweep, *self._connections, return_exceptions=True)
        await self._server.wait_closed()


async def serve_streams(
    pump: Pump,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    limits: StreamLimits | None = None,
    observer: ConnectionObserver = UNOBSERVED,
) -> TcpListener:
    """Listen on ``host``:``port``, each connection served by ``pump``; ``observer`` hears of
    every connection refused and every one hung up on for its silence."""
    limits = limits or StreamLimits()
    connections: set[asyncio.Task[None]] = set()
    idle = IdleWatch(limits, observer)
    cap = SourceCap(limits.connections_per_ip)

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        source = peer_host(writer.get_extra_info("peername"))
        if not cap.admit(source):
            observer.refused(Refusal.SOURCE_CAP)
            writer.transport.abort()
            return
        task = asyncio.current_task()
        assert task is not None
        connections.add(task)
        try:
            await pump(reader, writer, idle)
        except asyncio.CancelledError:
            pass  # closed at shutdown; asyncio would log a cancelled connection task as an error
        finally:
            connections.discard(task)
            cap.release(source)
            idle.forget(writer)
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()

    server = await asyncio.start_server(
        connection,
        host,
        port,
        ssl=ssl_context,
        backlog=ACCEPT_BACKLOG,
        ssl_handshake_timeout=None if ssl_context is None else limits.first_byte_timeout_s,
    )
    cap.listener = f"port {server.sockets[0].getsockname()[1]}"
    return TcpListener(server, connections, asyncio.create_task(idle.run()))


Queued = TypeVar("Queued")


@contextlib.asynccontextmanager
async def sending(
    send: Coroutine[Any, Any, None],
    replies: asyncio.Queue[Queued | None],
    *,
    raise_sender_errors: bool,
) -> AsyncIterator[asyncio.Task[None]]:
    """Run a connection's sender (``send``: it writes ``replies`` in order, each once it is
    ready, until it takes None) while the block reads.

    When the block ends, the sender still writes what it holds: the replies to what was stored.
    Not when the listener is stopping (the block, or this wait, is cancelled): the commits the
    sender waits for may never come, so it is cancelled, and the device sends again whatever got
    no reply. ``raise_sender_errors``: a failed sender fails the pump (asyncio logs it), or only
    ends its connection."""
    sender = asyncio.create_task(send)
    stopping = False
    try:
        yield sender
    except asyncio.CancelledError:
        stopping = True
        raise
    finally:
        replies.put_nowait(None)
        if stopping:
            sender.cancel()
        else:
            await _finish(sender, raise_errors=raise_sender_errors)


async def _finish(sender: asyncio.Task[None], *, raise_errors: bool) -> None:
    try:
        await asyncio.shield(sender)
    except asyncio.CancelledError:
        sender.cancel()  # stopping meanwhile
        raise
    except Exception:
        if raise_errors:
            raise


def peer_host(peer: object) -> str:
    """The address of a peer name (``(host, port)``, or IPv6's 4-tuple), without its port."""
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer)


def peer_name(peer: object) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


Bind = Callable[[int], Awaitable[TcpListener]]


class Rebinding:
    """A stream listener as a supervised part: the first :meth:`run` serves the listener bound at
    start-up (so a taken port stops the server before anything runs); every later run, after a
    failure, binds the same port again."""

    def __init__(self, first: TcpListener, bind: Bind) -> None:
        self._first: TcpListener | None = first
        self._bind = bind
        self.port = first.port

    async def run(self) -> None:
        listener, self._first = self._first, None
        if listener is None:
            listener = await self._bind(self.port)
        await listener.serve_until_failed()

    async def close(self) -> None:
        """Close the start-up listener if no run took it over (a run closes its own)."""
        if self._first is not None:
            await self._first.close()
            self._first = None
