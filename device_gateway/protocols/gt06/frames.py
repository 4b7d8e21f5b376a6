"""GT06 framing: ``78 78 LEN PROTO CONTENT SERIAL(2) CRC(2) 0D 0A`` (or ``79 79 LEN(2)``).

``LEN`` counts PROTO through CRC; the CRC is CRC-16/X25 over LEN … SERIAL.

Theory of operation. The framer scans a byte stream for a start marker, so noise between packets
is skipped, not fatal. A marker whose LEN is impossible or whose trailer is not CR LF is a false
start: it is skipped silently (a stream of ``x``, which is 0x78, is nothing but false starts). A
candidate with a good trailer but a bad CRC is a damaged packet and is reported. After any failed
candidate framing resumes just after its marker, so real packets its "length" swallowed are found.

Work is linear in the bytes received: one regular-expression scan finds the next marker from the
start of what is left (everything before it is dropped), a false start costs O(1), and a CRC is
checked only under a good trailer. Garbage is also bounded per connection: every byte dropped,
every false start and every byte checked in vain is charged against a budget
(:mod:`device_gateway.protocols.garbage`) that each good packet refills; a stream that spends it
is not GT06 (a scanner, an attacker, another protocol on the wrong port). The framer then reports
one :class:`FrameTooLongError` and ignores the rest, and the transport hangs up.
"""

import binascii
import re
from typing import Final

import msgspec

from device_gateway.errors import (
    CrcMismatchError,
    RemoteProtocolError,
)
from device_gateway.protocols.garbage import BudgetedFramer

SHORT_START: Final = b"\x78\x78"
LONG_START: Final = b"\x79\x79"
TRAILER: Final = b"\r\n"
MIN_LENGTH: Final = 5
"""PROTO + SERIAL + CRC: the smallest packet a LEN can describe."""
MAX_PACKET_BYTES: Final = 1024
"""Far above any GT06 message; a bigger LEN is garbage."""
GARBAGE_LIMIT_BYTES: Final = 16 * MAX_PACKET_BYTES
"""Garbage a connection may send between two good packets. Line noise on a real link is a few
bytes; this is sixteen of the largest packets."""
FALSE_START_COST_BYTES: Final = 64
"""What one false start costs at least, so that 2-byte false starts (``xx`` …) spend the budget
in at most a few hundred steps instead of thousands."""
_MARKER: Final = re.compile(rb"\x78\x78|\x79\x79")
_MARKER_BYTES: Final = frozenset(SHORT_START + LONG_START)
_BIT_REVERSED: Final = bytes(int(f"{byte:08b}"[::-1], 2) for byte in range(256))


class Packet(msgspec.Struct, frozen=True, kw_only=True):
    protocol: int
    content: bytes
    serial: int
    raw: bytes


def crc_x25_bitwise(data: bytes) -> int:
    """CRC-16/X25 as the standard states it: reflected 0x1021 (0x8408), init and final xor
    0xFFFF. The reference :func:`crc_x25` is checked against."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def crc_x25(data: bytes) -> int:
    """CRC-16/X25 in C: X25 is the bit-reflected twin of the CCITT CRC that ``binascii.crc_hqx``
    computes, so reflect every input byte, run crc_hqx from 0xFFFF, reflect the result and xor
    0xFFFF. (The bitwise loop costs ~1 µs a byte on the event loop that ACKs alarms.)"""
    crc = binascii.crc_hqx(data.translate(_BIT_REVERSED), 0xFFFF)
    reflected = (_BIT_REVERSED[crc & 0xFF] << 8) | _BIT_REVERSED[crc >> 8]
    return reflected ^ 0xFFFF


def encode_packet(protocol: int, content: bytes, serial: int) -> bytes:
    """A short-form packet; the server's ACK is ``encode_packet(proto, b"", serial)``."""
    body = bytes([len(content) + MIN_LENGTH, protocol]) + content + serial.to_bytes(2, "big")
    return SHORT_START + body + crc_x25(body).to_bytes(2, "big") + TRAILER


class Gt06Framer(BudgetedFramer):
    def __init__(self, garbage_limit_bytes: int = GARBAGE_LIMIT_BYTES) -> None:
        super().__init__(garbage_limit_bytes, "GT06 packet")

    def feed(self, data: bytes) -> list[Packet | RemoteProtocolError]:
        if self._garbage.exhausted:
            return []
        self._buffer += data
        found: list[Packet | RemoteProtocolError] = []
        while not self._garbage.exhausted and (item := self._next()) is not None:
            found.append(item)
        return found

    def _next(self) -> Packet | RemoteProtocolError | None:
        """The next packet or error; None when more bytes are needed."""
        buffer = self._buffer
        while (match := _MARKER.search(buffer)) is not None:
            self._drop(match.start(), cost=match.start())
            if self._garbage.overspent:
                return self._abandon()
            size_bytes = 1 if buffer[:2] == SHORT_START else 2
            if len(buffer) < 2 + size_bytes:
                return None
            length = int.from_bytes(buffer[2 : 2 + size_bytes], "big")
            total = 2 + size_bytes + length + len(TRAILER)
            if length >= MIN_LENGTH and total <= MAX_PACKET_BYTES:
                if len(buffer) < total:
                    return None
                if buffer[total - len(TRAILER) : total] == TRAILER:
                    return self._checked(total, size_bytes)
            self._drop(2, cost=FALSE_START_COST_BYTES)  # a false start
        # No marker: keep a last byte that may begin one.
        dropped = len(buffer) - (1 if buffer and buffer[-1] in _MARKER_BYTES else 0)
        self._drop(dropped, cost=dropped)
        return self._abandon() if self._garbage.overspent else None

    def _checked(self, total: int, size_bytes: int) -> Packet | RemoteProtocolError:
        raw = bytes(self._buffer[:total])
        body, crc = raw[2:-4], int.from_bytes(raw[-4:-2], "big")
        if crc_x25(body) != crc:
            # A damaged packet, or garbage whose "length" swallowed real packets: resync just
            # after its marker, so they are found again.
            self._drop(2, cost=max(total, FALSE_START_COST_BYTES))
            if self._garbage.overspent:
                return self._abandon()
            return CrcMismatchError(f"GT06 CRC {crc:04x} does not match {crc_x25(body):04x}")
        self._drop(total, cost=0)
        self._garbage.refill()
        return Packet(
            protocol=body[size_bytes],
            content=body[size_bytes + 1 : -2],
            serial=int.from_bytes(body[-2:], "big"),
            raw=raw,
        )

    def _drop(self, count: int, *, cost: int) -> None:
        del self._buffer[:count]  # O(1): CPython moves a bytearray's start, not its bytes
        self._garbage.charge(cost)
