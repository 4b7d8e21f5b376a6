"""Send one DC-09 event and wait for the receiver's answer, over TCP or UDP.

A thin pump around :mod:`device_gateway.protocols.dc09.sender`: build the frame, write it,
read until a reply parses. UDP tries ``attempts`` times within the timeout (my-dc09-spt sends up
to 5 times, reference §1.1). A NAK that carries the receiver's time means our clock is off:
the frame is rebuilt on the receiver's clock and sent once more, as panels do.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

from device_gateway.protocols.dc09.sender import PanelEvent, ReplyReader, SenderReply, encode_event

DEFAULT_TIMEOUT_S: Final = 5.0
UDP_ATTEMPTS: Final = 5


class PanelLink:
    """Where to send and how: one per simulated or tested panel (it keeps the sequence)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        udp: bool = False,
        key: bytes | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.host, self.port, self.udp, self.key = host, port, udp, key
        self.timeout_s = timeout_s
        self._clock = clock
        self._offset = timedelta(0)
        self._seq = 0

    def next_seq(self) -> int:
        self._seq = self._seq % 9999 + 1
        return self._seq

    async def send(self, event: PanelEvent, seq: int | None = None) -> SenderReply | None:
        """The receiver's reply (None: no answer in time); resends once after a clock NAK."""
        seq = self.next_seq() if seq is None else seq
        reply = await self._exchange(self._frame(event, seq))
        if reply is not None and reply.clock_nak:
            assert reply.receiver_time is not None
            self._offset = reply.receiver_time - self._clock()
            reply = await self._exchange(self._frame(event, seq))
        return reply

    def _frame(self, event: PanelEvent, seq: int) -> bytes:
        now = self._clock() + self._offset
        return encode_event(event, seq=seq, now=now, key=self.key, random_bytes=os.urandom)

    async def _exchange(self, frame: bytes) -> SenderReply | None:
        try:
            async with asyncio.timeout(self.timeout_s):
                return await (self._udp(frame) if self.udp else self._tcp(frame))
        except (TimeoutError, OSError):
            return None

    async def _tcp(self, frame: bytes) -> SenderReply | None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(frame)
            await writer.drain()
            replies = ReplyReader(self.key)
            while data := await reader.read(4096):
                for reply in replies.feed(data):
                    if isinstance(reply, SenderReply):
                        return reply
            return None
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _udp(self, frame: bytes) -> SenderReply | None:
        loop = asyncio.get_running_loop()
        answers: asyncio.Queue[bytes] = asyncio.Queue()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Collect(answers), remote_addr=(self.host, self.port)
        )
        try:
            replies = ReplyReader(self.key)
            while True:
                transport.sendto(frame)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.timeout_s / UDP_ATTEMPTS):
                        while True:
                            for reply in replies.feed(await answers.get()):
                                if isinstance(reply, SenderReply):
                                    return reply
        finally:
            transport.close()


class _Collect(asyncio.DatagramProtocol):
    def __init__(self, answers: asyncio.Queue[bytes]) -> None:
        self._answers = answers

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self._answers.put_nowait(data if data.startswith(b"\n") else b"\n" + data)
