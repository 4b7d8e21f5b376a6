"""GT06 over TCP: one sans-I/O connection per socket; each ACK written after its commit, in
packet order. A failed commit closes the connection (the tracker reconnects and resends)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from device_gateway.ingest import Outcome, Source
from device_gateway.intake import Intake
from device_gateway.protocols.gt06 import Gt06Connection, PacketReceived
from device_gateway.trackers import gt06_received
from device_gateway.transports.streams import (
    DEFAULT_IDLE_TIMEOUT_S,
    READ_BYTES,
    IdleWatch,
    TcpListener,
    peer_name,
    serve_streams,
)

logger = logging.getLogger(__name__)

Pending = tuple[asyncio.Future[Outcome], bytes]


async def serve_gt06(
    intake: Intake, host: str, port: int, *, idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S
) -> TcpListener:
    return await serve_streams(
        functools.partial(_pump, intake), host, port, idle_timeout_s=idle_timeout_s
    )


async def _pump(
    intake: Intake,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    idle: IdleWatch,
) -> None:
    source = Source(transport="gt06", peer=peer_name(writer.get_extra_info("peername")))
    protocol = Gt06Connection()
    acks: asyncio.Queue[Pending | None] = asyncio.Queue()
    sender = asyncio.create_task(_send_acks(acks, writer))
    try:
        while not sender.done():
            await intake.wait_for_room()
            idle.touch(writer)
            data = await reader.read(READ_BYTES)
            if not data:
                break
            protocol.receive_data(data)
            for event in protocol.events_received():
                if isinstance(event, PacketReceived):
                    stored = intake.submit(gt06_received(event, intake.clock()), source)
                    acks.put_nowait((stored, event.ack))
                else:
                    logger.debug("GT06 packet from %s refused: %s", source.peer, event.detail)
    except OSError as err:
        logger.debug("GT06 connection from %s ends: %r", source.peer, err)
    finally:
        acks.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.shield(sender)


async def _send_acks(acks: asyncio.Queue[Pending | None], writer: asyncio.StreamWriter) -> None:
    while (pending := await acks.get()) is not None:
        stored, ack = pending
        try:
            await stored
        except Exception:  # noqa: BLE001  (not stored: no ACK, hang up, the tracker resends)
            writer.close()
            return
        if not writer.is_closing():
            writer.write(ack)
            with contextlib.suppress(OSError):
                await writer.drain()
