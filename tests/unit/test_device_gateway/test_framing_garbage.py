"""Garbage on a device port costs bounded work: the GT06 and DC-09 framers scan each byte a
bounded number of times, skip false starts without an event each, and give up on a stream that
sends more garbage than a real device ever does (one event, then nothing more is read), whole
and byte by byte. Work is counted (bytes scanned, events), never timed."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from device_gateway.errors import FrameTooLongError
from device_gateway.protocols.dc09.frames import (
    GARBAGE_ITEM_COST_BYTES,
    GARBAGE_LIMIT_BYTES,
    StreamFramer,
    split_datagram,
)
from device_gateway.protocols.gt06 import Gt06Connection, PacketReceived, StreamAbandoned
from device_gateway.protocols.gt06 import frames as gt06_frames
from device_gateway.protocols.gt06.frames import (
    FALSE_START_COST_BYTES,
    Gt06Framer,
    crc_x25,
    crc_x25_bitwise,
)
from device_gateway.protocols.gt06.receiver import State
from device_gateway.signals import Refused
from tests.unit.test_device_gateway.dc09_support import NOW, make_receiver
from tests.unit.test_device_gateway.tracker_support import LOGIN_HEX, gt06_rows

MEGABYTE = 1024 * 1024
LOGIN = bytes.fromhex(LOGIN_HEX)
HEARTBEAT = bytes.fromhex(gt06_rows()[1]["hex"])
NULL_FRAME = b'\nEA740027"NULL"0000L0#1409[]_20:38:07,08-27-2026\r'
NO_LIMIT = 1 << 62


def chunks(data: bytes, *, bytewise: bool) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))] if bytewise else [data]


class CountingMarker:
    """Stands in for the GT06 marker pattern and counts the bytes each search reads."""

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self._pattern = pattern
        self.scanned_bytes = 0

    def search(self, buffer: bytearray) -> re.Match[bytes] | None:
        match = self._pattern.search(buffer)
        self.scanned_bytes += match.end() if match is not None else len(buffer)
        return match


@pytest.fixture
def marker(monkeypatch: pytest.MonkeyPatch) -> CountingMarker:
    counting = CountingMarker(gt06_frames._MARKER)
    monkeypatch.setattr(gt06_frames, "_MARKER", counting)
    return counting


def test_the_fast_x25_crc_matches_the_bitwise_definition() -> None:
    generator = random.Random(25)
    for size in range(300):
        data = generator.randbytes(size)
        assert crc_x25(data) == crc_x25_bitwise(data)
    assert crc_x25(b"123456789") == 0x906E  # the catalogue's check value


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
def test_a_megabyte_of_gt06_start_bytes_is_given_up_on_once(
    bytewise: bool, marker: CountingMarker
) -> None:
    connection = Gt06Connection()
    events: list[Any] = []
    for chunk in chunks(b"x" * MEGABYTE, bytewise=bytewise):  # x is 0x78, half a start marker
        connection.receive_data(chunk)
        events += connection.events_received()
    assert [type(event) for event in events] == [StreamAbandoned]
    assert connection.state is State.ABANDONED
    # Each false start costs FALSE_START_COST_BYTES of the budget: it is spent within a few
    # hundred of them, after which nothing is searched any more.
    assert marker.scanned_bytes <= 2 * gt06_frames.GARBAGE_LIMIT_BYTES


def test_nothing_is_read_after_the_gt06_stream_is_given_up_on() -> None:
    connection = Gt06Connection()
    connection.receive_data(b"x" * (gt06_frames.GARBAGE_LIMIT_BYTES + 1))
    assert [type(event) for event in connection.events_received()] == [StreamAbandoned]
    connection.receive_data(LOGIN + HEARTBEAT)
    assert connection.events_received() == []


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
def test_gt06_scanning_reads_each_byte_a_bounded_number_of_times(
    bytewise: bool, marker: CountingMarker
) -> None:
    """With no budget at all, false starts still cost linear work: the old framer searched the
    whole buffer again for each one."""
    framer = Gt06Framer(garbage_limit_bytes=NO_LIMIT)
    junk = b"x" * (64 * 1024) + b"\x79" + b"x" * 100
    found = [item for chunk in chunks(junk, bytewise=bytewise) for item in framer.feed(chunk)]
    assert found == []
    assert marker.scanned_bytes <= 4 * len(junk)
    assert framer.buffered_bytes <= gt06_frames.MAX_PACKET_BYTES


def test_gt06_markers_aimed_at_one_trailer_spend_the_budget() -> None:
    """Markers whose lengths all end at the same CR LF each pass the trailer check and cost a
    CRC; each is charged its length, so a few dozen exhaust the budget."""
    markers = b"".join(b"\x78\x78" + bytes([250 - 3 * i]) for i in range(80))
    trap = markers + b"\x00" * (253 - len(markers)) + b"\r\n"
    connection = Gt06Connection()
    connection.receive_data(trap * 64)
    events = connection.events_received()
    assert isinstance(events[-1], StreamAbandoned)
    assert len(events) <= gt06_frames.GARBAGE_LIMIT_BYTES // FALSE_START_COST_BYTES


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
def test_noise_between_real_gt06_packets_never_spends_the_budget(bytewise: bool) -> None:
    noise = b"\x00junk\xff\x78\x78\x01" * 40  # false starts too, within one packet's budget
    stream = LOGIN + (noise + HEARTBEAT) * 200
    connection = Gt06Connection()
    for chunk in chunks(stream, bytewise=bytewise):
        connection.receive_data(chunk)
    events = connection.events_received()
    assert len(events) == 201
    assert all(isinstance(event, PacketReceived) for event in events)


@pytest.mark.parametrize("junk", [b"\nx\r", b"\n", b"\n\r", b"GET / HTTP/1.1\r\n"])
@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
def test_a_megabyte_of_dc09_garbage_is_given_up_on_once(junk: bytes, bytewise: bool) -> None:
    framer = StreamFramer()
    found: list[bytes | FrameTooLongError] = []
    for chunk in chunks(junk * (MEGABYTE // len(junk)), bytewise=bytewise):
        found += framer.feed(chunk)
    *misshapen, last = found
    assert isinstance(last, FrameTooLongError)
    assert "garbage" in str(last)
    # Misshapen frames are still handed out (and NAKed), a bounded number of them.
    assert len(misshapen) <= GARBAGE_LIMIT_BYTES // GARBAGE_ITEM_COST_BYTES + 1
    assert all(isinstance(item, bytes) for item in misshapen)
    assert framer.abandoned
    assert framer.buffered_bytes == 0
    assert framer.feed(NULL_FRAME) == []


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
def test_dc09_frames_refill_the_budget_between_garbage(bytewise: bool) -> None:
    stream = (b"\x00noise\r" * 40 + b"\nx\r" + NULL_FRAME) * 200
    framer = StreamFramer()
    found = [item for chunk in chunks(stream, bytewise=bytewise) for item in framer.feed(chunk)]
    assert found == [b"x", NULL_FRAME[1:-1]] * 200


def test_the_dc09_receiver_naks_garbage_frames_then_gives_up_with_an_oversize_rejection() -> None:
    receiver = make_receiver()
    receiver.receive_data(b"\nx\r" * 10_000 + NULL_FRAME, NOW)
    events = receiver.events_received()
    rejected = [event for event in events if isinstance(event, Refused)]
    assert rejected == events  # the NULL frame after the garbage is never read
    assert rejected[0].reply is not None  # a NAK, as before
    assert rejected[-1].reason == FrameTooLongError.reason  # the gateway hangs up on this
    assert rejected[-1].reply is None


def test_a_datagram_is_never_given_up_on() -> None:
    items = split_datagram(b"\nx\r" * 20_000)
    assert len(items) >= 19_999  # the last two share a frame: too short to tell the CRC form
    assert not any(isinstance(item, FrameTooLongError) for item in items)
