"""Teltonika Codec 8 and 8 Extended: the packets Teltonika publishes decode to the values it
publishes, whole and byte by byte; the device names itself first and each packet is answered
with its record count; an SOS is an SOS at its position; damaged packets are answered so the
device resends, and unreadable intact ones are kept as unknown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from device_gateway.errors import MalformedFrameError
from device_gateway.protocols.dc09.frames import crc16_arc
from device_gateway.protocols.teltonika import (
    ACCEPT,
    ALARM_IO,
    REFUSE,
    TeltonikaConnection,
    count_reply,
    decode_packet,
)
from device_gateway.signals import Event, Identified, Received, Refused, SignalKind
from tests.unit.test_device_gateway.dc09_support import NOW
from tests.unit.test_device_gateway.teltonika_support import (
    CODEC_8E,
    HELLO,
    IMEI,
    SAMARKAND,
    hello,
    packet,
    record,
    wiki_rows,
)

ROWS = wiki_rows()
BYTEWISE = pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])


def feed(connection: TeltonikaConnection, data: bytes, *, bytewise: bool = False) -> list[Event]:
    chunks = [data[i : i + 1] for i in range(len(data))] if bytewise else [data]
    events: list[Event] = []
    for chunk in chunks:
        connection.receive_data(chunk, NOW)
        events.extend(connection.events_received())
    return events


def welcomed() -> TeltonikaConnection:
    connection = TeltonikaConnection()
    assert feed(connection, HELLO) == [Identified(account=IMEI, accept=ACCEPT, refuse=REFUSE)]
    return connection


def received(events: Sequence[Event]) -> Received:
    (event,) = events
    assert isinstance(event, Received)
    return event


def published_io(published: dict[str, str]) -> dict[int, int]:
    return {int(key, 16): int(value, 16) for key, value in published.items()}


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_every_published_packet_decodes_to_the_published_values(row: dict[str, Any]) -> None:
    raw = bytes.fromhex(row["hex"])
    data = raw[8:-4]
    assert len(data) == int(row["data_length"], 16)
    assert crc16_arc(data) == int(row["crc"], 16)
    decoded = decode_packet(data)
    assert decoded.codec == int(row["codec"], 16)
    assert len(decoded.records) == len(row["records"])
    for got, want in zip(decoded.records, row["records"], strict=True):
        assert got.timestamp_ms == int(want["timestamp"], 16)
        assert datetime.fromisoformat(want["time"]).timestamp() * 1000 == got.timestamp_ms
        assert got.priority == int(want["priority"], 16)
        assert (got.longitude, got.latitude) == (
            int(want["longitude"], 16) / 1e7,
            int(want["latitude"], 16) / 1e7,
        )
        gps = (got.altitude_m, got.angle, got.satellites, got.speed_kph)
        assert gps == tuple(
            int(want[key], 16) for key in ("altitude", "angle", "satellites", "speed")
        )
        assert got.event_io == int(want["event_io"], 16)
        assert got.io == published_io(want["io"])


def test_the_published_handshake_names_the_device_and_waits_for_its_welcome() -> None:
    (event,) = feed(TeltonikaConnection(), HELLO)
    assert event == Identified(account=IMEI, accept=b"\x01", refuse=b"\x00")


@BYTEWISE
@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_each_published_packet_is_received_and_answered_with_its_record_count(
    row: dict[str, Any], bytewise: bool
) -> None:
    event = received(feed(welcomed(), bytes.fromhex(row["hex"]), bytewise=bytewise))
    published = row["records"]
    assert event.reply == count_reply(len(published)) == len(published).to_bytes(4, "big")
    assert event.dedup_key.account == IMEI
    assert event.dedup_key.seq == str(int(published[0]["timestamp"], 16))
    assert len(event.signals) == len(published)
    for index, (signal, want) in enumerate(zip(event.signals, published, strict=True)):
        assert signal.account == IMEI
        assert signal.code_family == "teltonika"
        assert signal.event_index == index
        assert signal.panel_time == datetime.fromisoformat(want["time"])
        assert signal.received_at == NOW
        assert (signal.lat, signal.lon) == (None, None)  # 0, 0: no fix
        assert signal.kind is SignalKind.TEST  # no position, no alarm: proof of life
        io = {int(key[2:]): int(value) for key, value in signal.xdata.items() if key[:2] == "io"}
        assert io == published_io(want["io"])


def test_several_packets_in_one_read_each_get_their_count() -> None:
    stream = b"".join(bytes.fromhex(row["hex"]) for row in ROWS)
    events = feed(welcomed(), stream)
    assert [received([event]).reply for event in events] == [
        count_reply(len(row["records"])) for row in ROWS
    ]


def test_a_resent_packet_has_the_same_dedup_key() -> None:
    frame = bytes.fromhex(ROWS[0]["hex"])
    first = received(feed(welcomed(), frame))
    again = received(feed(welcomed(), frame))
    assert first.dedup_key == again.dedup_key


def test_an_alarm_record_is_an_sos_at_its_position() -> None:
    lat, lon = SAMARKAND
    frame = packet([record(lat=lat, lon=lon, event_io=ALARM_IO, io={ALARM_IO: (1, 1)})])
    (signal,) = received(feed(welcomed(), frame)).signals
    assert (signal.kind, signal.priority, signal.code) == (SignalKind.SOS, 1, "236")
    assert (signal.lat, signal.lon) == (lat, lon)
    assert signal.xdata["io236"] == "1"


def test_a_panic_priority_record_is_an_sos_even_without_a_fix() -> None:
    frame = packet([record(priority=2, satellites=0)])
    (signal,) = received(feed(welcomed(), frame)).signals
    assert (signal.kind, signal.lat, signal.lon) == (SignalKind.SOS, None, None)


def test_a_plain_record_with_a_fix_is_a_position_south_and_west_too() -> None:
    frame = packet([record(lat=-33.8688, lon=-70.6693, speed_kph=42)])
    (signal,) = received(feed(welcomed(), frame)).signals
    assert (signal.kind, signal.lat, signal.lon) == (SignalKind.POSITION, -33.8688, -70.6693)
    assert signal.xdata["speed_kph"] == "42"


@pytest.mark.parametrize(("lat", "lon"), [(95.0, 10.0), (10.0, -181.0), (-214.0, 0.5)])
def test_a_position_off_the_globe_is_dropped_but_the_sos_stands(lat: float, lon: float) -> None:
    frame = packet([record(lat=lat, lon=lon, event_io=ALARM_IO, io={ALARM_IO: (1, 1)})])
    (signal,) = received(feed(welcomed(), frame)).signals
    assert (signal.kind, signal.lat, signal.lon) == (SignalKind.SOS, None, None)


def test_codec_8_extended_reads_two_byte_ids_and_variable_length_elements() -> None:
    body = record(codec=CODEC_8E, io={300: (2, 7), 11: (8, 2**40)}, nx={385: b"\x01\x02\x03"})
    (avl,) = decode_packet(packet([body], codec=CODEC_8E)[8:-4]).records
    assert avl.io == {300: 7, 11: 2**40}
    assert avl.io_bytes == {385: b"\x01\x02\x03"}


def test_a_timestamp_past_any_date_leaves_the_device_time_unset() -> None:
    (signal,) = received(feed(welcomed(), packet([record(timestamp_ms=2**63)]))).signals
    assert signal.panel_time is None


@BYTEWISE
def test_a_bad_crc_is_answered_with_no_records_and_the_next_packet_counts(bytewise: bool) -> None:
    good = bytes.fromhex(ROWS[0]["hex"])
    damaged = good[:20] + bytes([good[20] ^ 0xFF]) + good[21:]
    events = feed(welcomed(), damaged + good, bytewise=bytewise)
    assert isinstance(events[0], Refused)
    assert (events[0].reason, events[0].reply, events[0].hang_up) == ("crc", count_reply(0), False)
    assert received(events[1:]).reply == count_reply(1)


@pytest.mark.parametrize(
    "frame",
    [
        packet([record()], codec=0x10),
        packet([record()], count=2),
        packet([]),
        packet([record()[:-1]]),
    ],
    ids=["codec 16", "count mismatch", "no records", "truncated record"],
)
def test_an_intact_packet_that_does_not_read_is_kept_as_unknown_and_counted(frame: bytes) -> None:
    event = received(feed(welcomed(), frame))
    (signal,) = event.signals
    assert signal.kind is SignalKind.UNKNOWN
    assert signal.raw == frame.hex()
    assert event.reply == count_reply(frame[9])
    with pytest.raises(MalformedFrameError):
        decode_packet(frame[8:-4])


def test_a_ping_between_packets_is_skipped() -> None:
    frame = bytes.fromhex(ROWS[1]["hex"])
    events = feed(welcomed(), b"\xff" + frame + b"\xff\xff" + frame)
    assert [received([event]).reply for event in events] == [count_reply(1)] * 2


@pytest.mark.parametrize(
    "opening",
    [b"GET / HTTP/1.1\r\n", b"\x00\x00", b"\x00\x0f35630704244101X", b"\x00\x15" + b"1" * 21],
    ids=["http", "empty imei", "not digits", "too long"],
)
def test_a_stream_that_does_not_open_with_an_imei_is_refused_and_given_up(opening: bytes) -> None:
    connection = TeltonikaConnection()
    (event,) = feed(connection, opening + HELLO + bytes.fromhex(ROWS[0]["hex"]))
    assert isinstance(event, Refused)
    assert (event.reason, event.reply, event.hang_up) == ("format", REFUSE, True)
    assert connection.imei is None
    assert feed(connection, HELLO) == []


def test_an_imei_of_another_length_is_read_as_sent() -> None:
    (event,) = feed(TeltonikaConnection(), hello("35630704244101399"))
    assert isinstance(event, Identified)
    assert event.account == "35630704244101399"
