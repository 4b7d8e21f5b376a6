"""GT06: Traccar's real packets give the ACK Traccar's tests expect, whole and byte by byte;
logins, heartbeats, positions and SOS alarms decode; bad packets are refused, not fatal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from device_gateway.protocols.gt06 import (
    Gt06Connection,
    Heartbeat,
    Location,
    Login,
    Other,
    PacketReceived,
    PacketRejected,
)
from device_gateway.protocols.gt06.frames import crc_x25, encode_packet
from tests.unit.test_device_gateway.tracker_support import LOGIN_HEX, gt06_rows

ROWS = gt06_rows()


def logged_in() -> Gt06Connection:
    connection = Gt06Connection()
    connection.receive_data(bytes.fromhex(LOGIN_HEX))
    connection.events_received()
    return connection


def feed(connection: Gt06Connection, data: bytes, *, bytewise: bool) -> list[Any]:
    chunks = [data[i : i + 1] for i in range(len(data))] if bytewise else [data]
    for chunk in chunks:
        connection.receive_data(chunk)
    return connection.events_received()


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
@pytest.mark.parametrize("row", ROWS, ids=[row["description"][:30] for row in ROWS])
def test_every_real_packet_gets_the_ack_traccar_expects(
    row: dict[str, Any], bytewise: bool
) -> None:
    (event,) = feed(logged_in(), bytes.fromhex(row["hex"]), bytewise=bytewise)
    assert isinstance(event, PacketReceived)
    assert event.ack.hex() == row["expected_ack"]
    assert event.serial == int(row["serial"], 16)


def test_the_login_names_the_tracker_by_imei() -> None:
    connection = Gt06Connection()
    (event,) = feed(connection, bytes.fromhex(LOGIN_HEX), bytewise=False)
    assert isinstance(event, PacketReceived)
    assert event.message == Login("353419036066061")
    assert connection.imei == "353419036066061"


def test_a_packet_before_the_login_is_refused_without_an_ack() -> None:
    (event,) = feed(Gt06Connection(), bytes.fromhex(ROWS[1]["hex"]), bytewise=False)
    assert isinstance(event, PacketRejected)
    assert "before the login" in event.detail


def test_a_heartbeat_carries_its_terminal_info() -> None:
    (event,) = feed(logged_in(), bytes.fromhex(ROWS[1]["hex"]), bytewise=False)
    assert event.message == Heartbeat(terminal_info=0x06, sos=False)


def test_an_alarm_packet_decodes_time_position_and_hemispheres() -> None:
    row = ROWS[2]
    (event,) = feed(logged_in(), bytes.fromhex(row["hex"]), bytewise=False)
    message = event.message
    assert isinstance(message, Location)
    assert message.device_time == datetime.fromisoformat(row["time_utc"]).replace(tzinfo=UTC)
    assert message.lat == pytest.approx(-row["lat_abs"])
    assert message.lon == pytest.approx(-row["lon_abs"])
    assert (message.speed_kph, message.course, message.satellites) == (7, 8, 5)
    assert message.fixed
    assert message.alarm == 0x02
    assert not message.sos


@pytest.mark.parametrize("index", [3, 4, 5])
def test_sos_is_read_from_every_layout(index: int) -> None:
    """Rows 3 and 4 are the variant layouts Traccar's tests assert as SOS; 5 is the derived one."""
    (event,) = feed(logged_in(), bytes.fromhex(ROWS[index]["hex"]), bytewise=False)
    assert isinstance(event.message, Location)
    assert event.message.sos


def test_several_packets_in_one_read_and_garbage_between_them() -> None:
    stream = b"\x00junk" + bytes.fromhex(LOGIN_HEX) + b"\xff" + bytes.fromhex(ROWS[1]["hex"])
    events = feed(Gt06Connection(), stream, bytewise=False)
    assert [type(e.message) for e in events] == [Login, Heartbeat]


def test_a_bad_crc_is_refused_and_the_next_packet_still_counts() -> None:
    broken = bytearray(bytes.fromhex(ROWS[1]["hex"]))
    broken[-4] ^= 0xFF
    events = feed(logged_in(), bytes(broken) + bytes.fromhex(ROWS[1]["hex"]), bytewise=False)
    assert [e.reason if isinstance(e, PacketRejected) else "ok" for e in events] == ["crc", "ok"]


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
def test_a_bad_trailer_and_an_impossible_length_are_skipped_silently(bytewise: bool) -> None:
    no_trailer = bytes.fromhex(ROWS[1]["hex"])[:-2] + b"zz"
    impossible_length = b"\x78\x78\x01"
    heartbeat = bytes.fromhex(ROWS[1]["hex"])
    events = feed(logged_in(), no_trailer + impossible_length + heartbeat, bytewise=bytewise)
    assert [type(e.message) for e in events] == [Heartbeat]


def test_short_bodies_are_refused() -> None:
    events = feed(
        Gt06Connection(),
        encode_packet(0x01, b"\x01", 1) + encode_packet(0x13, b"", 2),
        bytewise=False,
    )
    assert all(isinstance(e, PacketRejected) for e in events)
    events = feed(logged_in(), encode_packet(0x16, b"\x00" * 10, 3), bytewise=False)
    assert isinstance(events[0], PacketRejected)


def test_a_long_form_packet_and_an_unknown_type_are_acked() -> None:
    body = b"\x00\x05\x8a\x00\x07"  # LEN(2) PROTO SERIAL
    packet = b"\x79\x79" + body + crc_x25(body).to_bytes(2, "big") + b"\r\n"
    (event,) = feed(logged_in(), packet, bytewise=True)
    assert event.message == Other(0x8A)
    assert event.ack == encode_packet(0x8A, b"", 7)


def test_a_plain_position_without_a_valid_date_uses_none() -> None:
    gps = bytes([0xC5]) + (36_000_000).to_bytes(4, "big") + (120_000_000).to_bytes(4, "big")
    content = b"\x00" * 6 + gps + b"\x10" + (0x1400).to_bytes(2, "big")
    (event,) = feed(logged_in(), encode_packet(0x12, content, 9), bytewise=False)
    message = event.message
    assert isinstance(message, Location)
    assert message.device_time is None
    assert message.lat == 20.0
    assert message.lon == pytest.approx(66.6667, 1e-4)
    assert message.alarm is None


def _position_packet(protocol: int, lat_raw: int, lon_raw: int, status: bytes = b"") -> bytes:
    gps = bytes([0xC5]) + lat_raw.to_bytes(4, "big") + lon_raw.to_bytes(4, "big")
    content = b"\x00" * 6 + gps + b"\x10" + (0x1400).to_bytes(2, "big") + status
    return encode_packet(protocol, content, 9)


def test_an_sos_off_the_globe_is_still_an_sos_without_a_position() -> None:
    most = 0xFFFF_FFFF  # 2386 degrees: the most four bytes over 1,800,000 can say
    sos_status = bytes([0x00, 0x04, 0x04, 0x01, 0x02])  # alarm byte 0x01: SOS
    (event,) = feed(logged_in(), _position_packet(0x16, most, most, sos_status), bytewise=False)
    message = event.message
    assert isinstance(message, Location)
    assert message.sos
    assert (message.lat, message.lon) == (None, None)
    assert event.ack == encode_packet(0x16, b"", 9)


@pytest.mark.parametrize(
    ("lat_raw", "lon_raw", "located"),
    [
        (90 * 1_800_000, 180 * 1_800_000, True),
        (90 * 1_800_000 + 1, 0, False),
        (0, 180 * 1_800_000 + 1, False),
    ],
)
def test_a_position_is_kept_only_on_the_globe(lat_raw: int, lon_raw: int, located: bool) -> None:
    (event,) = feed(logged_in(), _position_packet(0x12, lat_raw, lon_raw), bytewise=False)
    assert (event.message.lat is not None) is located
    assert (event.message.lon is not None) is located
