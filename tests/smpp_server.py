"""An SMPP 3.4 server (SMSC) stand-in for the tests: real PDUs over real TCP on 127.0.0.1.

It speaks what an operator's gateway speaks to a monitoring centre: bind_transmitter /
bind_transceiver (checking system_id and password), submit_sm answered by submit_sm_resp with a
message id, then a deliver_sm delivery receipt (`id:… sub:001 dlvrd:001 submit date:… done
date:… stat:DELIVRD err:000 text:…`, with the receipted_message_id and message_state TLVs) on a
transceiver session, enquire_link and unbind. A receipt is sent only when the test asks for it
(`deliver_receipts`), or at once with `auto_receipts`.

`down` makes it an unreachable gateway: every open session is dropped, and every new connection
is closed as soon as it is accepted. It runs its own event loop on a thread (`running_smsc`), so
both an async test and a blocking one (a `posbon serve` child process) can use it.

Written from the SMPP 3.4 specification; it shares no code with the client under test. Short
messages in the GSM default alphabet are read as ASCII (what the tests send fits both).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

HEADER: Final = struct.Struct("!IIII")
BIND_RECEIVER: Final = 0x00000001
BIND_TRANSMITTER: Final = 0x00000002
SUBMIT_SM: Final = 0x00000004
DELIVER_SM: Final = 0x00000005
UNBIND: Final = 0x00000006
BIND_TRANSCEIVER: Final = 0x00000009
ENQUIRE_LINK: Final = 0x00000015
GENERIC_NACK: Final = 0x80000000
RESPONSE: Final = 0x80000000
ESME_ROK: Final = 0x00000000
ESME_RINVCMDID: Final = 0x00000003
ESME_RINVPASWD: Final = 0x0000000E
ESME_RINVDSTADR: Final = 0x0000000B
RECEIPTED_MESSAGE_ID: Final = 0x001E
MESSAGE_STATE: Final = 0x0427
MESSAGE_PAYLOAD: Final = 0x0424
DELIVERED_STATE: Final = 2
UNDELIVERABLE_STATE: Final = 5


@dataclass(frozen=True)
class Submitted:
    message_id: str
    source: str
    destination: str
    text: str
    data_coding: int


@dataclass(eq=False)
class _Session:
    writer: asyncio.StreamWriter
    receives: bool = False
    sequence: int = 0x7000_0000

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


def _cstring(body: bytes, at: int) -> tuple[str, int]:
    end = body.index(b"\x00", at)
    return body[at:end].decode("latin-1"), end + 1


def _pdu(command: int, status: int, sequence: int, body: bytes = b"") -> bytes:
    return HEADER.pack(HEADER.size + len(body), command, status, sequence) + body


def _decode(data: bytes, data_coding: int) -> str:
    if data_coding == 8:
        return data.decode("utf-16-be")
    if data_coding == 3:
        return data.decode("latin-1")
    # GSM 03.38 default alphabet, unpacked: ASCII for letters, digits and most punctuation.
    return data.replace(b"\x00", b"@").replace(b"\x02", b"$").decode("ascii", errors="replace")


def parse_submit(body: bytes) -> tuple[str, str, str, int]:
    """(source, destination, text, data_coding) of a submit_sm body."""
    _service, at = _cstring(body, 0)
    source, at = _cstring(body, at + 2)  # after source_addr_ton, source_addr_npi
    destination, at = _cstring(body, at + 2)
    at += 3  # esm_class, protocol_id, priority_flag
    _schedule, at = _cstring(body, at)
    _validity, at = _cstring(body, at)
    at += 2  # registered_delivery, replace_if_present_flag
    data_coding = body[at]
    length = body[at + 2]  # after sm_default_msg_id
    at += 3
    text = body[at : at + length]
    at += length
    while at + 4 <= len(body):  # optional parameters: a long text is in message_payload
        tag, size = struct.unpack_from("!HH", body, at)
        if tag == MESSAGE_PAYLOAD:
            text = body[at + 4 : at + 4 + size]
        at += 4 + size
    return source, destination, _decode(text, data_coding), data_coding


def receipt_body(message: Submitted, stat: str, now: dt.datetime) -> bytes:
    stamp = now.strftime("%y%m%d%H%M")
    delivered = 1 if stat == "DELIVRD" else 0
    text = (
        f"id:{message.message_id} sub:001 dlvrd:{delivered:03d} submit date:{stamp} "
        f"done date:{stamp} stat:{stat} err:000 text:{message.text[:20]}"
    ).encode("latin-1", errors="replace")
    state = DELIVERED_STATE if delivered else UNDELIVERABLE_STATE
    return (
        b"\x00"  # service_type
        + b"\x01\x01"
        + message.destination.encode("latin-1")
        + b"\x00"
        + b"\x00\x00"
        + message.source.encode("latin-1")
        + b"\x00"
        + bytes([0x04, 0, 0])  # esm_class: SMSC delivery receipt; protocol_id; priority_flag
        + b"\x00\x00"  # schedule_delivery_time, validity_period
        + bytes([0, 0, 0, 0, len(text)])
        + text
        + struct.pack("!HH", RECEIPTED_MESSAGE_ID, len(message.message_id) + 1)
        + message.message_id.encode("latin-1")
        + b"\x00"
        + struct.pack("!HHB", MESSAGE_STATE, 1, state)
    )


@dataclass(eq=False)
class Smsc:
    """The gateway's state; the test reads `submitted` and flips `down`."""

    system_id: str = "posbon"
    password: str = "secret"
    auto_receipts: bool = False
    undeliverable: set[str] = field(default_factory=set)
    """Destinations whose receipts say UNDELIV."""
    submitted: list[Submitted] = field(default_factory=list)
    binds: int = 0
    refused_connections: int = 0
    port: int = 0
    _down: bool = False
    _sessions: set[_Session] = field(default_factory=set)
    loop: asyncio.AbstractEventLoop | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def down(self) -> bool:
        return self._down

    @down.setter
    def down(self, value: bool) -> None:
        self._down = value
        if value and self.loop is not None:
            self.loop.call_soon_threadsafe(self.drop_all)

    def messages(self) -> list[Submitted]:
        with self._lock:
            return list(self.submitted)

    def deliver_receipts(self) -> None:
        """Send a receipt for every message submitted so far, on a receiving session."""
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(self._receipts(self.messages()), self.loop).result(5)

    def drop_all(self) -> None:
        for session in list(self._sessions):
            session.writer.close()
        self._sessions.clear()

    async def _receipts(self, messages: list[Submitted]) -> None:
        for message in messages:
            await self._send_receipt(message)

    async def _send_receipt(self, message: Submitted) -> None:
        stat = "UNDELIV" if message.destination in self.undeliverable else "DELIVRD"
        body = receipt_body(message, stat, dt.datetime.now(dt.UTC))
        for session in list(self._sessions):
            if session.receives:
                session.writer.write(_pdu(DELIVER_SM, ESME_ROK, session.next_sequence(), body))
                await session.writer.drain()
                return

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._down:
            self.refused_connections += 1
            writer.close()
            return
        session = _Session(writer)
        self._sessions.add(session)
        try:
            while not self._down:
                header = await reader.readexactly(HEADER.size)
                length, command, _status, sequence = HEADER.unpack(header)
                body = await reader.readexactly(length - HEADER.size)
                if not await self._answer(session, command, sequence, body):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._sessions.discard(session)
            writer.close()

    async def _answer(self, session: _Session, command: int, sequence: int, body: bytes) -> bool:
        """Reply to one request PDU; False when the session ends."""
        writer = session.writer
        if command in (BIND_TRANSMITTER, BIND_TRANSCEIVER, BIND_RECEIVER):
            system_id, at = _cstring(body, 0)
            password, _ = _cstring(body, at)
            ok = system_id == self.system_id and password == self.password
            status = ESME_ROK if ok else ESME_RINVPASWD
            writer.write(_pdu(command | RESPONSE, status, sequence, b"smsc\x00"))
            session.receives = ok and command != BIND_TRANSMITTER
            self.binds += int(ok)
        elif command == SUBMIT_SM:
            await self._submit(session, sequence, body)
        elif command == ENQUIRE_LINK:
            writer.write(_pdu(ENQUIRE_LINK | RESPONSE, ESME_ROK, sequence))
        elif command == UNBIND:
            writer.write(_pdu(UNBIND | RESPONSE, ESME_ROK, sequence))
            await writer.drain()
            return False
        elif command & RESPONSE:
            pass  # deliver_sm_resp, enquire_link_resp: nothing to answer
        else:
            writer.write(_pdu(GENERIC_NACK, ESME_RINVCMDID, sequence))
        await writer.drain()
        return True

    async def _submit(self, session: _Session, sequence: int, body: bytes) -> None:
        source, destination, text, data_coding = parse_submit(body)
        if not destination.lstrip("+").isdigit():
            session.writer.write(_pdu(SUBMIT_SM | RESPONSE, ESME_RINVDSTADR, sequence, b"\x00"))
            return
        with self._lock:
            message_id = f"m{len(self.submitted) + 1:06d}"
            message = Submitted(message_id, source, destination, text, data_coding)
            self.submitted.append(message)
        reply = _pdu(SUBMIT_SM | RESPONSE, ESME_ROK, sequence, message_id.encode() + b"\x00")
        session.writer.write(reply)
        if self.auto_receipts:
            await session.writer.drain()
            await self._send_receipt(message)


@contextlib.contextmanager
def running_smsc(smsc: Smsc | None = None) -> Iterator[Smsc]:
    """The stand-in on a free 127.0.0.1 port, on its own thread, until the block ends."""
    smsc = smsc or Smsc()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop = asyncio.Event()

    async def main() -> None:
        server = await asyncio.start_server(smsc.serve, "127.0.0.1", 0)
        smsc.port = server.sockets[0].getsockname()[1]
        smsc.loop = loop
        started.set()
        async with server:
            await stop.wait()
            smsc.drop_all()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield smsc
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
