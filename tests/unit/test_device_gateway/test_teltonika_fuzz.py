"""Fuzzing Teltonika: truncated and mutated packets raise nothing but the gateway's own errors
(and the connection none at all); garbage costs work linear in its length and is given up on
once; a stream recovers for the next good packet. Work is counted (bytes checked, events),
never timed."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device_gateway.errors import GatewayError
from device_gateway.protocols.teltonika import TeltonikaConnection, count_reply, decode_packet
from device_gateway.protocols.teltonika import frames as teltonika_frames
from device_gateway.protocols.teltonika.frames import (
    FALSE_START_COST_BYTES,
    GARBAGE_LIMIT_BYTES,
    MAX_DATA_BYTES,
    TeltonikaFramer,
)
from device_gateway.signals import Received, Refused
from tests.unit.test_device_gateway.dc09_support import NOW
from tests.unit.test_device_gateway.teltonika_support import HELLO, wiki_rows

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PACKETS = [bytes.fromhex(row["hex"]) for row in wiki_rows()]
MEGABYTE = 1024 * 1024
FLIPS = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), min_size=1, max_size=6)


def mutate(seed: bytes, flips: list[tuple[int, int]]) -> bytes:
    data = bytearray(seed)
    for position, value in flips:
        data[position % len(data)] = value
    return bytes(data)


@FUZZ
@given(st.sampled_from(PACKETS), st.integers(0, 200), FLIPS)
def test_truncated_or_mutated_data_raises_only_gateway_errors(
    seed: bytes, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = mutate(seed[8:-4], flips)[: max(1, len(seed) - cut)]
    with contextlib.suppress(GatewayError):  # the device's fault, named; nothing else escapes
        decode_packet(data)


@FUZZ
@given(st.sampled_from(PACKETS), FLIPS, st.booleans())
def test_a_mutated_stream_never_raises_and_answers_each_packet_once(
    seed: bytes, flips: list[tuple[int, int]], bytewise: bool
) -> None:
    stream = mutate(seed, flips)
    connection = TeltonikaConnection()
    connection.receive_data(HELLO, NOW)
    chunks = [stream[i : i + 1] for i in range(len(stream))] if bytewise else [stream]
    for chunk in chunks:
        connection.receive_data(chunk, NOW)
    events = connection.events_received()[1:]
    assert len(events) <= 1 + len(stream) // FALSE_START_COST_BYTES
    assert all(isinstance(event, Received | Refused) for event in events)


@FUZZ
@given(st.binary(max_size=400))
def test_garbage_after_the_handshake_then_padding_then_a_packet_still_counts(
    garbage: bytes,
) -> None:
    """Whatever came before, a packet after enough zeros to end any "packet" the garbage began
    is read (unless the garbage spent the whole budget, which 400 bytes cannot)."""
    connection = TeltonikaConnection()
    connection.receive_data(HELLO + garbage, NOW)
    connection.receive_data(b"\xff" * (MAX_DATA_BYTES + 16), NOW)  # ends any claimed length
    connection.receive_data(PACKETS[1], NOW)
    events = connection.events_received()
    assert isinstance(events[-1], Received)
    assert events[-1].reply == count_reply(1)


class CountingCrc:
    def __init__(self) -> None:
        self.checked_bytes = 0

    def __call__(self, data: bytes) -> int:
        self.checked_bytes += len(data)
        return 0xFFFF_FFFF  # never a 16-bit CRC: every candidate fails


@pytest.mark.parametrize(
    "junk",
    [
        b"\x00" * MEGABYTE,
        (b"\x00\x00\x00\x00\x00\x00\x00\x03abc\x00\x00\x00\x00") * (MEGABYTE // 15),
        b"x" * MEGABYTE,
        bytes(range(256)) * (MEGABYTE // 256),
        b"\xff" * MEGABYTE,
    ],
    ids=["zeros", "tiny packets", "text", "every byte", "pings"],
)
@pytest.mark.parametrize("read_bytes", [MEGABYTE, 7], ids=["whole", "7 bytes a read"])
def test_a_megabyte_of_junk_costs_linear_work_and_is_given_up_on_once(
    junk: bytes, read_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    crc = CountingCrc()
    monkeypatch.setattr(teltonika_frames, "crc16_arc", crc)
    framer = TeltonikaFramer()
    framer.feed(HELLO)
    found = []
    for start in range(0, len(junk), read_bytes):
        found.extend(framer.feed(junk[start : start + read_bytes]))
    assert framer.abandoned
    assert len(found) <= GARBAGE_LIMIT_BYTES // min(FALSE_START_COST_BYTES, 15) + 1
    assert crc.checked_bytes <= len(junk)
    assert framer.buffered_bytes == 0
    assert framer.feed(PACKETS[0]) == []  # nothing more is read
