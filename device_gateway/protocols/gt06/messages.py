"""GT06 message bodies: login, heartbeat/status, and the GPS location and alarm packets.

Layouts differ between vendors (Traccar keys them on header, type and length). What is stable
is the start and the end: a location or alarm packet begins with the date and the GPS block, and
an alarm packet (0x16, 0x26, 0x27) ends with the 5-byte status block ``terminal info, voltage,
GSM, alarm, language``. The LBS block in between changes size (with or without its own length
byte, 3- or 4-byte cell id), so it is skipped: reading the status from the end works for every
layout in Traccar's tests. SOS is terminal-info bits 3-5 = 100 or alarm byte 0x01.

A coordinate is 4 unsigned bytes over 1,800,000, so the wire can state up to 2386°. A position
off the globe is dropped (``lat``/``lon`` None) but the packet stands: an SOS with an impossible
position is still an SOS, and a dispatcher needs the alarm (and the device's last good position)
far more than the packet refused; a plain report still proves the tracker alive.
"""

from datetime import UTC, datetime
from typing import Final

import msgspec

from device_gateway.errors import MalformedFrameError
from device_gateway.protocols.gt06.frames import Packet

LOGIN: Final = 0x01
LOCATION: Final = frozenset({0x12, 0x22})
HEARTBEAT: Final = 0x13
ALARM: Final = frozenset({0x16, 0x26, 0x27})
IMEI_BYTES: Final = 8
DATE_BYTES: Final = 6
GPS_BYTES: Final = 12
STATUS_BYTES: Final = 5
COORDINATE_SCALE: Final = 1_800_000.0
MAX_LATITUDE: Final = 90.0
MAX_LONGITUDE: Final = 180.0
SOS_TERMINAL_BITS: Final = 0b100
SOS_ALARM: Final = 0x01
POWER_CUT_ALARM: Final = 0x02
_FIXED: Final = 0x1000
_WEST: Final = 0x0800
_NORTH: Final = 0x0400
_COURSE: Final = 0x03FF


class Login(msgspec.Struct, frozen=True, tag="login"):
    imei: str


class Heartbeat(msgspec.Struct, frozen=True, tag="heartbeat"):
    terminal_info: int
    sos: bool


class Location(msgspec.Struct, frozen=True, kw_only=True, tag="location"):
    """A position; ``alarm`` is the raw alarm byte of alarm packets (None for plain fixes).
    ``lat`` and ``lon`` are None when the tracker sent a position off the globe."""

    device_time: datetime | None
    lat: float | None
    lon: float | None
    speed_kph: int
    course: int
    fixed: bool
    satellites: int
    terminal_info: int | None = None
    alarm: int | None = None
    sos: bool = False


class Other(msgspec.Struct, frozen=True, tag="other"):
    """A message we do not read; it is still ACKed and proves the tracker alive."""

    protocol: int


Message = Login | Heartbeat | Location | Other


def decode(packet: Packet) -> Message:
    content = packet.content
    if packet.protocol == LOGIN:
        if len(content) < IMEI_BYTES:
            raise MalformedFrameError("GT06 login shorter than its IMEI")
        return Login(content[:IMEI_BYTES].hex()[1:])
    if packet.protocol == HEARTBEAT:
        if not content:
            raise MalformedFrameError("GT06 heartbeat without terminal info")
        return Heartbeat(content[0], sos=_terminal_sos(content[0]))
    if packet.protocol in LOCATION | ALARM:
        return _location(packet.protocol, content)
    return Other(packet.protocol)


def _terminal_sos(terminal_info: int) -> bool:
    return (terminal_info >> 3) & 0b111 == SOS_TERMINAL_BITS


def _device_time(date: bytes) -> datetime | None:
    year, month, day, hour, minute, second = date
    try:
        return datetime(2000 + year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None  # trackers without a fix send zeros: the receive time stands in


def _position(gps: bytes, flags: int) -> tuple[float | None, float | None]:
    lat = int.from_bytes(gps[1:5], "big") / COORDINATE_SCALE
    lon = int.from_bytes(gps[5:9], "big") / COORDINATE_SCALE
    if lat > MAX_LATITUDE or lon > MAX_LONGITUDE:
        return None, None
    return (lat if flags & _NORTH else -lat), (-lon if flags & _WEST else lon)


def _location(protocol: int, content: bytes) -> Location:
    alarm = protocol in ALARM
    needed = DATE_BYTES + GPS_BYTES + (STATUS_BYTES if alarm else 0)
    if len(content) < needed:
        raise MalformedFrameError(f"GT06 packet 0x{protocol:02x} too short: {len(content)} bytes")
    gps = content[DATE_BYTES : DATE_BYTES + GPS_BYTES]
    flags = int.from_bytes(gps[10:12], "big")
    lat, lon = _position(gps, flags)
    location = Location(
        device_time=_device_time(content[:DATE_BYTES]),
        lat=lat,
        lon=lon,
        speed_kph=gps[9],
        course=flags & _COURSE,
        fixed=bool(flags & _FIXED),
        satellites=gps[0] & 0x0F,
    )
    if not alarm:
        return location
    terminal, _voltage, _gsm, alarm_byte, _language = content[-STATUS_BYTES:]
    return msgspec.structs.replace(
        location,
        terminal_info=terminal,
        alarm=alarm_byte,
        sos=_terminal_sos(terminal) or alarm_byte == SOS_ALARM,
    )
