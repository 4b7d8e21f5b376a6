"""Teltonika framing over TCP: the IMEI handshake, then AVL data packets.

A device opens with its IMEI: 2 bytes of length, then that many ASCII digits (IMEI 356307042441013
is ``000F 333536333037303432343431303133``). After the server's one-byte answer (``01`` welcome,
``00`` refused) it sends AVL data packets, each::

    00000000 | data length (4) | codec id … number of data 2 (data length bytes) | CRC (4)

The CRC is CRC-16/IBM (the same CRC as DC-09's CRC-16/ARC) over the data, in the low two bytes of
its 4-byte field. The server answers each packet with the number of records it took, as 4 bytes.
Between packets a device may send a single ``FF`` byte to keep the link open (Traccar's frame
decoder reads it as a ping); it is skipped, and charged as garbage: only packets refill the
budget.

Theory of operation. The framer is a two-phase state machine (:class:`Phase`). Work is linear in
the bytes received: the next preamble is found with one ``find`` from the start of what is left,
and a packet's CRC is computed once, when all of it is there. The buffer never holds more than
one packet of ``MAX_DATA_BYTES`` and a read. Garbage is bounded per connection
(:mod:`device_gateway.protocols.garbage`): bytes skipped before a preamble, impossible lengths
and packets that fail their CRC are charged against a budget that each good packet refills; a
stream that spends it is not Teltonika, and the framer gives up on it once. An IMEI that is not
one (a bad length, a non-digit) is given up on at once: whatever talks like that is not a tracker.
"""

import enum
import re
from typing import Final

import msgspec

from device_gateway.errors import CrcMismatchError, MalformedFrameError, RemoteProtocolError
from device_gateway.protocols.dc09.frames import crc16_arc
from device_gateway.protocols.garbage import BudgetedFramer

IMEI_LENGTH_BYTES: Final = 2
MAX_IMEI_DIGITS: Final = 20
"""An IMEI has 15 digits; a little room for devices that send an IMEISV or a serial."""
PREAMBLE: Final = b"\x00\x00\x00\x00"
HEADER_BYTES: Final = 8
"""The preamble and the data length."""
CRC_BYTES: Final = 4
MIN_DATA_BYTES: Final = 3
"""Codec id, number of data 1, number of data 2: a packet with no records."""
MAX_DATA_BYTES: Final = 64 * 1024
"""A Codec 8 record is at most 783 bytes and devices split what they hold into packets of a few
kilobytes; a longer length is garbage (and the buffer never grows past one packet)."""
PING: Final = 0xFF
_PINGS: Final = re.compile(rb"\xff+")
GARBAGE_LIMIT_BYTES: Final = 4 * (HEADER_BYTES + MAX_DATA_BYTES + CRC_BYTES)
"""Garbage a connection may send between two good packets: a few damaged packets of the largest
size (each charged its length), far above line noise."""
FALSE_START_COST_BYTES: Final = 64
"""What a preamble with an impossible length costs, so that runs of zero bytes (each position a
"preamble") spend the budget in a bounded number of steps."""


class Phase(enum.Enum):
    IMEI = "imei"
    PACKETS = "packets"


class Imei(msgspec.Struct, frozen=True):
    imei: str


class Packet(msgspec.Struct, frozen=True, kw_only=True):
    """A packet whose CRC holds: ``data`` runs from the codec id to number of data 2."""

    data: bytes
    raw: bytes


Framed = Imei | Packet | RemoteProtocolError


def _packet_bytes(buffer: bytearray) -> int | None:
    """The size of the packet whose header starts ``buffer``; None for an impossible length."""
    length = int.from_bytes(buffer[len(PREAMBLE) : HEADER_BYTES], "big")
    if MIN_DATA_BYTES <= length <= MAX_DATA_BYTES:
        return HEADER_BYTES + length + CRC_BYTES
    return None


class TeltonikaFramer(BudgetedFramer):
    def __init__(self, garbage_limit_bytes: int = GARBAGE_LIMIT_BYTES) -> None:
        super().__init__(garbage_limit_bytes, "Teltonika packet")
        self._phase = Phase.IMEI

    @property
    def phase(self) -> Phase:
        return self._phase

    def feed(self, data: bytes) -> list[Framed]:
        """Add bytes; return the IMEI, every packet and every error, in order."""
        if self._garbage.exhausted:
            return []
        self._buffer += data
        found: list[Framed] = []
        while not self._garbage.exhausted and (item := self._next()) is not None:
            found.append(item)
        return found

    def _next(self) -> Framed | None:
        """The next item; None when more bytes are needed."""
        if self._phase is Phase.IMEI:
            return self._imei()
        buffer = self._buffer
        while buffer:
            if buffer[0] == PING:  # a run of pings, skipped at once; each costs a byte, or a
                pings = _PINGS.match(buffer)  # stream of nothing else would never be given up
                assert pings is not None
                self._drop(pings.end(), cost=pings.end())
            elif not buffer.startswith(PREAMBLE[: len(buffer)]):
                self._skip_to_preamble()
            elif len(buffer) < HEADER_BYTES:
                return None
            elif (total := _packet_bytes(buffer)) is None:
                self._drop(1, cost=FALSE_START_COST_BYTES)  # a false start: look again after it
            else:
                return self._checked(total) if len(buffer) >= total else None
            if self._garbage.overspent:
                return self._abandon()
        return None

    def _imei(self) -> Imei | RemoteProtocolError | None:
        buffer = self._buffer
        if len(buffer) < IMEI_LENGTH_BYTES:
            return None
        length = int.from_bytes(buffer[:IMEI_LENGTH_BYTES], "big")
        if not 1 <= length <= MAX_IMEI_DIGITS:
            return self._not_an_imei(f"an IMEI of {length} characters")
        if len(buffer) < IMEI_LENGTH_BYTES + length:
            return None
        text = bytes(buffer[IMEI_LENGTH_BYTES : IMEI_LENGTH_BYTES + length])
        if not (text.isascii() and text.isdigit()):
            return self._not_an_imei(f"an IMEI that is not digits: {text[:MAX_IMEI_DIGITS]!r}")
        self._drop(IMEI_LENGTH_BYTES + length, cost=0)
        self._phase = Phase.PACKETS
        return Imei(text.decode("ascii"))

    def _not_an_imei(self, what: str) -> MalformedFrameError:
        self._abandon()
        return MalformedFrameError(f"the stream opens with {what}, not a Teltonika IMEI")

    def _skip_to_preamble(self) -> None:
        """Drop what cannot begin a packet: up to the next preamble, or up to the zero bytes at
        the end that may begin one."""
        buffer = self._buffer
        found = buffer.find(PREAMBLE, 1)
        if found < 0:
            found = len(buffer)
            while found > 0 and buffer[found - 1] == 0 and len(buffer) - found < len(PREAMBLE):
                found -= 1
        self._drop(max(found, 1), cost=max(found, 1))

    def _checked(self, total: int) -> Packet | RemoteProtocolError:
        raw = bytes(self._buffer[:total])
        data = raw[HEADER_BYTES:-CRC_BYTES]
        crc = int.from_bytes(raw[-CRC_BYTES:], "big")
        computed = crc16_arc(data)
        if crc != computed:
            self._drop(total, cost=total)
            if self._garbage.overspent:
                return self._abandon()
            return CrcMismatchError(f"Teltonika CRC {crc:08x} does not match {computed:04x}")
        self._drop(total, cost=0)
        self._garbage.refill()
        return Packet(data=data, raw=raw)

    def _drop(self, count: int, *, cost: int) -> None:
        del self._buffer[:count]  # O(1): CPython moves a bytearray's start, not its bytes
        self._garbage.charge(cost)
