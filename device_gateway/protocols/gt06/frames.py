"""GT06 framing: ``78 78 LEN PROTO CONTENT SERIAL(2) CRC(2) 0D 0A`` (or ``79 79 LEN(2)``).

``LEN`` counts PROTO through CRC; the CRC is CRC-16/X25 over LEN … SERIAL. The framer scans a
byte stream for the start marker, so garbage between packets is skipped, not fatal; a packet
that fails its LEN, CRC or trailer is reported, and framing resumes right after its marker.
"""

from typing import Final

import msgspec

from device_gateway.errors import CrcMismatchError, MalformedFrameError, RemoteProtocolError

SHORT_START: Final = b"\x78\x78"
LONG_START: Final = b"\x79\x79"
TRAILER: Final = b"\r\n"
MIN_LENGTH: Final = 5
"""PROTO + SERIAL + CRC: the smallest packet a LEN can describe."""
MAX_PACKET_BYTES: Final = 1024
"""Far above any GT06 message; a bigger LEN is garbage."""


class Packet(msgspec.Struct, frozen=True, kw_only=True):
    protocol: int
    content: bytes
    serial: int
    raw: bytes


def crc_x25(data: bytes) -> int:
    """CRC-16/X25: reflected 0x1021 (0x8408), init and final xor 0xFFFF."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def encode_packet(protocol: int, content: bytes, serial: int) -> bytes:
    """A short-form packet; the server's ACK is ``encode_packet(proto, b"", serial)``."""
    body = bytes([len(content) + MIN_LENGTH, protocol]) + content + serial.to_bytes(2, "big")
    return SHORT_START + body + crc_x25(body).to_bytes(2, "big") + TRAILER


class Gt06Framer:
    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Packet | RemoteProtocolError]:
        self._buffer += data
        found: list[Packet | RemoteProtocolError] = []
        while (item := self._next()) is not None:
            found.append(item)
        return found

    def _next(self) -> Packet | RemoteProtocolError | None:
        buffer = self._buffer
        starts = [i for i in (buffer.find(SHORT_START), buffer.find(LONG_START)) if i >= 0]
        if not starts:
            del buffer[: max(0, len(buffer) - 1)]  # keep a last byte that may begin a marker
            return None
        del buffer[: min(starts)]
        size_bytes = 1 if buffer[:2] == SHORT_START else 2
        if len(buffer) < 2 + size_bytes:
            return None
        length = int.from_bytes(buffer[2 : 2 + size_bytes], "big")
        total = 2 + size_bytes + length + len(TRAILER)
        if length < MIN_LENGTH or total > MAX_PACKET_BYTES:
            del buffer[:2]
            return MalformedFrameError(f"GT06 length {length} is impossible")
        if len(buffer) < total:
            return None
        checked = _check(bytes(buffer[:total]), size_bytes)
        # A bad packet may be garbage whose "length" swallowed real packets: resync just after
        # its marker, so they are found again.
        del buffer[: total if isinstance(checked, Packet) else 2]
        return checked


def _check(raw: bytes, size_bytes: int) -> Packet | RemoteProtocolError:
    if raw[-2:] != TRAILER:
        return MalformedFrameError("GT06 packet does not end with CR LF")
    body, crc = raw[2:-4], int.from_bytes(raw[-4:-2], "big")
    if crc_x25(body) != crc:
        return CrcMismatchError(f"GT06 CRC {crc:04x} does not match {crc_x25(body):04x}")
    return Packet(
        protocol=body[size_bytes],
        content=body[size_bytes + 1 : -2],
        serial=int.from_bytes(body[-2:], "big"),
        raw=raw,
    )
