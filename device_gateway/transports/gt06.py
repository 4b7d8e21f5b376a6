"""GT06 over TCP: one sans-I/O connection per socket; each ACK written after its commit, in
packet order. A failed commit closes the connection (the tracker reconnects and resends), and
so does a stream the protocol gives up on as garbage (logged once per connection)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from device_gateway.ingest import Outcome, Source
from device_gateway.intake import Intake
from device_gateway.protocols.gt06 import (
    Gt06Connection,
    Gt06Event,
    PacketReceived,
    PacketRejected,
    StreamAbandoned,
)
from device_gateway.trackers import gt06_received
from device_gateway.transports.streams import (
    IdleWatch,
    StreamLimits,
    TcpListener,
    peer_name,
    serve_streams,
)

logger = logging.getLogger(__name__)

Pending = tuple[asyncio.Future[Outcome], bytes]


async def serve_gt06(
    intake: Intake, host: str, port: int, *, limits: StreamLimits | None = None
) -> TcpListener:
    return await serve_streams(functools.partial(_pump, intake), host, port, limits=limits)


async def _pump(
    intake: Intake,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    idle: IdleWatch,
) -> None:
    source = Source(transport="gt06", peer=peer_name(writer.get_extra_info("peername")))
    protocol = Gt06Connection()
    acks: asyncio.Queue[Pending | None] = asyncio.Queue()
    sender = asyncio.create_task(_send_acks(acks, writer, idle))
    stopping = False
    try:
        while not sender.done():
            await intake.wait_for_room(source.host)
            data = await idle.read(reader, writer)
            if not data:
                break
            protocol.receive_data(data)
            if not _handle(protocol.events_received(), intake, source, acks):
                break
    except OSError as err:
        logger.debug("GT06 connection from %s ends: %r", source.peer, err)
    except asyncio.CancelledError:
        stopping = True  # the commits the sender would wait for may never come
        raise
    finally:
        acks.put_nowait(None)
        try:
            if not stopping:
                with contextlib.suppress(Exception):
                    await asyncio.shield(sender)  # the ACKs of stored packets still go out
        except asyncio.CancelledError:
            stopping = True
            raise
        finally:
            if stopping:  # shutting down: the tracker resends what is not ACKed
                sender.cancel()
            _abandon_acks(acks)  # queued after the sender stopped


def _handle(
    events: list[Gt06Event], intake: Intake, source: Source, acks: asyncio.Queue[Pending | None]
) -> bool:
    """Submit what was received; False once the protocol gave up on the stream."""
    for event in events:
        match event:
            case PacketReceived():
                stored = intake.submit(gt06_received(event, intake.clock()), source)
                acks.put_nowait((stored, event.ack))
            case PacketRejected():
                logger.debug("GT06 packet from %s refused: %s", source.peer, event.detail)
            case StreamAbandoned():
                logger.info("GT06 connection from %s closed: %s", source.peer, event.detail)
                return False
    return True


async def _send_acks(
    acks: asyncio.Queue[Pending | None], writer: asyncio.StreamWriter, idle: IdleWatch
) -> None:
    try:
        while (pending := await acks.get()) is not None:
            stored, ack = pending
            try:
                await stored
            except Exception:  # noqa: BLE001  (not stored: no ACK, hang up, the tracker resends)
                writer.close()
                return
            await idle.send(writer, ack)
    finally:
        _abandon_acks(acks)


def _abandon_acks(acks: asyncio.Queue[Pending | None]) -> None:
    """ACKs that will not be sent (the connection is ending): their commits still finish, and a
    failed one (the pipeline stopping) is expected, not an error to log as never retrieved."""
    while not acks.empty():
        if (pending := acks.get_nowait()) is not None:
            pending[0].add_done_callback(_retrieve)


def _retrieve(stored: asyncio.Future[Outcome]) -> None:
    if not stored.cancelled():
        stored.exception()
