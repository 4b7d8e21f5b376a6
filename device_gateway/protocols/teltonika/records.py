"""AVL data in Codec 8 (``0x08``) and Codec 8 Extended (``0x8E``): records out of a packet.

A packet's data is ``codec id | number of data 1 | records | number of data 2``, the two counts
equal. Each record is::

    timestamp (8, ms since 1970 UTC) | priority (1: 0 low, 1 high, 2 panic)
    | GPS: longitude (4) latitude (4) altitude (2) angle (2) satellites (1) speed (2)
    | IO: event IO id, total count, then the 1-, 2-, 4- and 8-byte elements, each group its
      count and (id, value) pairs

Codec 8 writes IO ids and counts in 1 byte; Codec 8 Extended in 2, and adds a last group of
variable-length elements, each ``id (2) | length (2) | value``. Coordinates are signed 32-bit
integers in 1/10,000,000 of a degree (negative: south, west). Fixed-size IO values are read as
unsigned; what they mean is each device model's AVL ID list.

Reading is bounded by the data: every count is checked against the bytes that remain before
anything is allocated for it, so a packet costs time linear in its length whatever it claims.
"""

from typing import Final

import msgspec

from device_gateway.errors import MalformedFrameError

CODEC_8: Final = 0x08
CODEC_8_EXTENDED: Final = 0x8E
FIXED_SIZES: Final = (1, 2, 4, 8)
COORDINATE_SCALE: Final = 10_000_000
TIMESTAMP_BYTES: Final = 8
GPS_BYTES: Final = 15
PRIORITY_PANIC: Final = 2
"""The record was made by an event the device raises at panic priority."""


class AvlRecord(msgspec.Struct, frozen=True, kw_only=True):
    timestamp_ms: int
    priority: int
    longitude: float
    latitude: float
    altitude_m: int
    angle: int
    satellites: int
    speed_kph: int
    event_io: int
    """The IO element whose change made this record (0: a periodic record)."""
    io: dict[int, int]
    """Fixed-size IO elements, id → unsigned value."""
    io_bytes: dict[int, bytes] = msgspec.field(default_factory=dict)
    """Variable-length IO elements (Codec 8 Extended only)."""
    raw: bytes = b""


class AvlPacket(msgspec.Struct, frozen=True, kw_only=True):
    codec: int
    records: tuple[AvlRecord, ...]


class _Reader:
    """Bytes taken in order; asking for more than is left is the device's fault."""

    __slots__ = ("_at", "_data")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    @property
    def at(self) -> int:
        return self._at

    @property
    def left(self) -> int:
        return len(self._data) - self._at

    def take(self, count: int) -> bytes:
        if count > self.left:
            raise MalformedFrameError(f"AVL data ends {count - self.left} bytes early")
        start, self._at = self._at, self._at + count
        return self._data[start : self._at]

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def sint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big", signed=True)

    def slice(self, start: int) -> bytes:
        return self._data[start : self._at]


def record_count(data: bytes) -> int:
    """Number of data 1 of a packet's data, whether or not the rest reads."""
    return data[1] if len(data) > 1 else 0


def decode_packet(data: bytes) -> AvlPacket:
    """The records of a packet's data (codec id … number of data 2)."""
    reader = _Reader(data)
    codec = reader.uint(1)
    if codec not in (CODEC_8, CODEC_8_EXTENDED):
        raise MalformedFrameError(f"codec 0x{codec:02x} is not Codec 8 or 8 Extended")
    count = reader.uint(1)
    if count == 0:
        raise MalformedFrameError("an AVL packet without records")
    extended = codec == CODEC_8_EXTENDED
    records = tuple(_record(reader, extended=extended) for _ in range(count))
    count_again = reader.uint(1)
    if count_again != count or reader.left:
        raise MalformedFrameError(
            f"{count} records announced, {count_again} counted, {reader.left} bytes left over"
        )
    return AvlPacket(codec=codec, records=records)


def _record(reader: _Reader, *, extended: bool) -> AvlRecord:
    start = reader.at
    timestamp_ms = reader.uint(TIMESTAMP_BYTES)
    priority = reader.uint(1)
    gps = _Reader(reader.take(GPS_BYTES))
    longitude = gps.sint(4) / COORDINATE_SCALE
    latitude = gps.sint(4) / COORDINATE_SCALE
    altitude_m, angle, satellites, speed_kph = gps.sint(2), gps.uint(2), gps.uint(1), gps.uint(2)
    width = 2 if extended else 1
    event_io = reader.uint(width)
    reader.take(width)  # the total count: the sum of the group counts, which say the same
    io = {
        key: int.from_bytes(value, "big")
        for size in FIXED_SIZES
        for key, value in _elements(reader, width, size)
    }
    io_bytes: dict[int, bytes] = {}
    if extended:
        for _ in range(_count(reader, width, width + width)):
            key = reader.uint(width)
            io_bytes[key] = reader.take(reader.uint(width))
    return AvlRecord(
        timestamp_ms=timestamp_ms,
        priority=priority,
        longitude=longitude,
        latitude=latitude,
        altitude_m=altitude_m,
        angle=angle,
        satellites=satellites,
        speed_kph=speed_kph,
        event_io=event_io,
        io=io,
        io_bytes=io_bytes,
        raw=reader.slice(start),
    )


def _elements(reader: _Reader, width: int, size: int) -> list[tuple[int, bytes]]:
    """One group of fixed-size elements: its count, then (id, value) pairs."""
    return [
        (reader.uint(width), reader.take(size)) for _ in range(_count(reader, width, width + size))
    ]


def _count(reader: _Reader, width: int, each_bytes: int) -> int:
    """A group's element count, refused when its elements cannot fit in what is left."""
    count = reader.uint(width)
    if count * each_bytes > reader.left:
        raise MalformedFrameError(f"{count} IO elements of {each_bytes} bytes do not fit")
    return count
