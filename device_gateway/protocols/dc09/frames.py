"""DC-09 frames: stream framing, CRC-16/ARC, the length field and the header grammar.

Theory of operation. A frame on the wire is ``LF <crc> <0LLL> "ID" seq [R…] [L…] [#acct] [ … CR``.
The framer finds frames in a byte stream: it drops anything before an LF, ends a frame at the
first CR, and tolerates NUL padding. Panels may send the CRC as 2 binary bytes instead of 4 hex
characters (Lupusec, Trikdis); those bytes can be CR or LF, so the framer first looks at the first
8 bytes (``LF c c 0 L L L "``) and, in that form, only searches for the CR after them. An LF
inside a frame means the previous frame was cut short: it is dropped and framing restarts there.

Work is linear in the bytes received: while a frame waits for its CR, the framer remembers how
far it has searched, so a frame fed one byte at a time is searched once, not once per byte. A
stream that is not DC-09 is given up on: bytes dropped (before an LF, in a frame cut short) and
frames that cannot be DC-09 (no ``<crc><0LLL>"`` shape, so :func:`parse_frame` would refuse them)
are charged against a budget (:mod:`device_gateway.protocols.garbage`), and a frame of the right
shape refills it. Once the budget is spent the framer reports one :class:`FrameTooLongError` (the
gateway hangs up on it, as on any oversize frame) and ignores whatever else the stream sends.
Until then the misshapen frames are handed out as before, so the receiver still NAKs each one.

:func:`parse_frame` then checks the CRC and the length on the raw bytes (before any decoding) and
parses the header with a tolerant grammar: R optional, L optional or empty, account optional (it
may be inside the data only).
"""

import enum
import re
from typing import Final

import msgspec

from device_gateway.errors import (
    CrcMismatchError,
    FrameTooLongError,
    LengthMismatchError,
    MalformedFrameError,
)
from device_gateway.protocols.garbage import BudgetedFramer

LF: Final = 0x0A
CR: Final = 0x0D
QUOTE: Final = 0x22
ZERO_DIGIT: Final = 0x30
CRC_HEX_CHARS: Final = 4
CRC_BINARY_BYTES: Final = 2
LENGTH_CHARS: Final = 4
MAX_REGION_BYTES: Final = 0xFFF
"""The largest region a ``0LLL`` length field can state."""
MAX_FRAME_BYTES: Final = 1 + CRC_HEX_CHARS + LENGTH_CHARS + MAX_REGION_BYTES + 1
"""LF + CRC + length + region + CR: the 4 KiB cap of a frame with its framing bytes."""
GARBAGE_LIMIT_BYTES: Final = 4 * MAX_FRAME_BYTES
"""Garbage a stream may send between two frames of DC-09 shape before the framer gives up on it:
four of the largest frames. A panel's line noise or NUL padding is a few bytes."""
GARBAGE_ITEM_COST_BYTES: Final = 128
"""What one misshapen or empty frame costs at least, so that tiny ones (``LF x CR``, each
answered with a NAK) spend the budget in a hundred-odd frames, not thousands."""
_BINARY_PROBE_BYTES: Final = 1 + CRC_BINARY_BYTES + LENGTH_CHARS + 1
_HEX_SHAPE_BYTES: Final = CRC_HEX_CHARS + LENGTH_CHARS + 1

_HEX4 = re.compile(rb"[0-9A-Fa-f]{4}")
_HEADER = re.compile(
    rb'"(?P<star>\*?)(?P<token>[A-Z0-9-]{1,16})"(?P<seq>[0-9]{4})'
    rb"(?:R(?P<receiver>[0-9A-Fa-f]{1,6}))?"
    rb"(?:L(?P<line>[0-9A-Fa-f]{0,6}))?"
    rb"(?:#(?P<account>[0-9A-Za-z]{1,16}))?"
    rb"(?=\[)"
)


class CrcForm(enum.Enum):
    HEX = "hex"
    BINARY = "binary"


class Header(msgspec.Struct, frozen=True, kw_only=True):
    """The header fields exactly as received (``line == ""`` is an ``L`` with no digits)."""

    token: str
    seq: str
    encrypted: bool = False
    receiver: str | None = None
    line: str | None = None
    account: str | None = None


class Frame(msgspec.Struct, frozen=True, kw_only=True):
    header: Header
    content: bytes
    """Everything from the first ``[`` to the end: the data block, x-data and timestamp."""
    crc_form: CrcForm
    raw: bytes
    """The frame without its LF and CR."""


def _crc16_arc_bitwise(data: bytes) -> int:
    """CRC-16/ARC bit by bit, as the standard states it: it builds the table below."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


_CRC_TABLE: Final = tuple(_crc16_arc_bitwise(bytes([byte])) for byte in range(256))


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC: reflected polynomial 0xA001, initial value 0, no final XOR (a byte at a
    time from a table: every frame is checked once and every reply signed once)."""
    crc = 0
    table = _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def _has_binary_crc(data: bytes | bytearray, crc_at: int) -> bool:
    """Binary-CRC form: 2 CRC bytes at ``crc_at``, then ``0LLL`` and the opening quote."""
    return (
        len(data) > crc_at + CRC_BINARY_BYTES + LENGTH_CHARS
        and data[crc_at + CRC_BINARY_BYTES] == ZERO_DIGIT
        and data[crc_at + CRC_BINARY_BYTES + LENGTH_CHARS] == QUOTE
    )


def has_frame_shape(body: bytes) -> bool:
    """Whether ``body`` starts as every frame :func:`parse_frame` accepts does: a 4-hex-digit
    CRC (or the 2-byte binary form), a 4-hex-digit length and the quote of the ID token."""
    if detect_crc_form(body) is CrcForm.BINARY:
        return True
    return (
        len(body) >= _HEX_SHAPE_BYTES
        and body[_HEX_SHAPE_BYTES - 1] == QUOTE
        and _HEX4.fullmatch(body[:CRC_HEX_CHARS]) is not None
        and _HEX4.fullmatch(body[CRC_HEX_CHARS : CRC_HEX_CHARS + LENGTH_CHARS]) is not None
    )


class StreamFramer(BudgetedFramer):
    """Cuts a byte stream into frame bodies (the bytes between LF and CR, NUL padding removed)."""

    def __init__(
        self,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        garbage_limit_bytes: int | None = GARBAGE_LIMIT_BYTES,
    ) -> None:
        """``garbage_limit_bytes`` None: never give up (a datagram, which ends by itself)."""
        super().__init__(garbage_limit_bytes, "DC-09 frame")
        self._max_frame_bytes = max_frame_bytes
        self._searched_to = 0
        """How far past the frame's LF no CR or LF was found (the buffer starts at that LF)."""

    def feed(self, data: bytes) -> list[bytes | FrameTooLongError]:
        """Add bytes; return every complete frame body and every oversize frame, in order."""
        if self._garbage.exhausted:
            return []
        self._buffer += data
        found: list[bytes | FrameTooLongError] = []
        while True:
            progressed, item = self._step()
            if item is not None:
                found.append(item)
            if self._garbage.overspent:
                found.append(self._abandon())
                return found
            if not progressed:
                return found

    def flush(self) -> list[bytes]:
        """End of stream or datagram: hand out the unterminated rest as a frame body, if any."""
        start = self._buffer.find(LF)
        body = bytes(self._buffer[start + 1 :]).rstrip(b"\x00\r") if start >= 0 else b""
        self._buffer.clear()
        self._searched_to = 0
        return [body] if body else []

    def _step(self) -> tuple[bool, bytes | FrameTooLongError | None]:
        """Try to take one frame off the buffer; the flag says whether to try again."""
        if not self._align():
            return False, None
        buffer = self._buffer
        probe = _BINARY_PROBE_BYTES if _has_binary_crc(buffer, 1) else 1
        search_from = max(probe, self._searched_to)
        restart = buffer.find(LF, search_from)
        end = buffer.find(CR, search_from, restart if restart >= 0 else len(buffer))
        if restart >= 0 and end < 0:
            self._drop(restart)  # a new LF before any CR: the frame before it was cut short
            return True, None
        if end >= 0:
            return True, self._cut(end)
        self._searched_to = len(buffer)
        if len(buffer) <= self._max_frame_bytes:
            return False, None
        self._drop(len(buffer), charge=False)  # reported instead
        return True, FrameTooLongError(f"no CR within {self._max_frame_bytes} bytes")

    def _align(self) -> bool:
        """Drop bytes before the first LF; True when enough follow it to tell the CRC form."""
        start = self._buffer.find(LF)
        self._drop(start if start >= 0 else len(self._buffer))
        return start >= 0 and len(self._buffer) >= _BINARY_PROBE_BYTES

    def _cut(self, end: int) -> bytes | FrameTooLongError | None:
        body = bytes(self._buffer[1:end]).rstrip(b"\x00")
        self._drop(end + 1, charge=False)
        if end + 1 > self._max_frame_bytes:
            return FrameTooLongError(f"frame of {end + 1} bytes")
        if has_frame_shape(body):
            self._garbage.refill()
        else:
            self._garbage.charge(max(end + 1, GARBAGE_ITEM_COST_BYTES))
        return body or None

    def _drop(self, count: int, *, charge: bool = True) -> None:
        if count:
            del self._buffer[:count]  # O(1): CPython moves a bytearray's start, not its bytes
            self._searched_to = 0
            self._garbage.charge(count if charge else 0)


def split_datagram(datagram: bytes) -> list[bytes | FrameTooLongError]:
    """UDP: one datagram carries one frame; tolerate a missing LF or CR around it. (A datagram
    ends by itself and there is no connection to hang up: no garbage budget.)"""
    framer = StreamFramer(garbage_limit_bytes=None)
    items = framer.feed(datagram if LF in datagram else b"\n" + datagram)
    return [*items, *framer.flush()]


def detect_crc_form(body: bytes) -> CrcForm:
    return CrcForm.BINARY if _has_binary_crc(body, 0) else CrcForm.HEX


def parse_frame(body: bytes, *, check_length: bool = True) -> Frame:
    """Check CRC and length on the raw bytes, then parse the header."""
    crc_form = detect_crc_form(body)
    if crc_form is CrcForm.BINARY:
        stated_crc = int.from_bytes(body[:CRC_BINARY_BYTES], "big")
        length_field, region = body[2:6], body[6:]
    else:
        if not _HEX4.fullmatch(body[:CRC_HEX_CHARS]):
            raise MalformedFrameError("CRC field is not 4 hex digits")
        stated_crc = int(body[:CRC_HEX_CHARS], 16)
        length_field, region = body[4:8], body[8:]
    if crc16_arc(region) != stated_crc:
        raise CrcMismatchError(f"CRC {stated_crc:04X} != {crc16_arc(region):04X}")
    if not _HEX4.fullmatch(length_field):
        raise MalformedFrameError("length field is not 4 hex digits")
    if check_length and int(length_field, 16) != len(region):
        raise LengthMismatchError(f"length field {length_field!r} but {len(region)} bytes")
    header, content = parse_header(region)
    return Frame(header=header, content=content, crc_form=crc_form, raw=body)


def parse_header(region: bytes) -> tuple[Header, bytes]:
    """Split ``"ID"seq[R…][L…][#acct][…`` into its header and the content from ``[`` on."""
    match = _HEADER.match(region)
    if match is None:
        raise MalformedFrameError(f"header does not parse: {region[:40]!r}")
    groups = {
        name: value.decode("ascii") if value is not None else None
        for name, value in match.groupdict().items()
    }
    header = Header(
        token=groups["token"] or "",
        seq=groups["seq"] or "",
        encrypted=bool(groups["star"]),
        receiver=groups["receiver"],
        line=groups["line"],
        account=groups["account"],
    )
    return header, region[match.end() :]


def encode_header(header: Header) -> bytes:
    text = f'"{"*" if header.encrypted else ""}{header.token}"{header.seq}'
    if header.receiver is not None:
        text += f"R{header.receiver}"
    if header.line is not None:
        text += f"L{header.line}"
    if header.account is not None:
        text += f"#{header.account}"
    return text.encode("ascii")


def encode_frame(header: Header, content: bytes, crc_form: CrcForm = CrcForm.HEX) -> bytes:
    """Build ``LF crc length header content CR``; ``content`` starts with ``[``."""
    return frame_region(encode_header(header) + content, crc_form)


def frame_region(region: bytes, crc_form: CrcForm = CrcForm.HEX) -> bytes:
    """Wrap the region (``"ID"`` … timestamp) with LF, CRC, length and CR."""
    crc = crc16_arc(region)
    if crc_form is CrcForm.BINARY:
        crc_field = crc.to_bytes(CRC_BINARY_BYTES, "big")
    else:
        crc_field = f"{crc:04X}".encode("ascii")
    return b"\n" + crc_field + f"{len(region):04X}".encode("ascii") + region + b"\r"
