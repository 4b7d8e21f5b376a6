"""Every stored real frame gets the reply its recomputed CRC/length validity calls for."""

from typing import Any

import pytest

from device_gateway.protocols.dc09 import AccountPolicy
from device_gateway.protocols.dc09.frames import parse_frame
from device_gateway.signals import Received, Refused
from tests.unit.test_device_gateway.dc09_support import (
    FEEDERS,
    NOW,
    SIADC09_KEY,
    SIADC09_TIME,
    Feeder,
    load_rows,
    make_receiver,
)

ROWS = [row for row in load_rows() if "crc_valid" in row]
TRUNCATED = next(row for row in load_rows() if row.get("expect") == "format error")


def expected_reply(row: dict[str, Any]) -> str:
    raw: str = row["raw"]
    if not (row["crc_valid"] and row["len_valid"]):
        return "NAK"
    if row.get("token") == "NAK":
        return "DUH"
    if row.get("key_hex"):
        return "*ACK"
    return "NAK" if '"*' in raw else "ACK"


def reply_token(reply: bytes) -> str:
    header = parse_frame(reply[1:-1]).header
    return ("*" if header.encrypted else "") + header.token


@pytest.mark.parametrize("feed", FEEDERS)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.get("case") or row["raw"][:12])
def test_real_frame_gets_the_reply_its_validity_calls_for(
    row: dict[str, Any], feed: Feeder
) -> None:
    receiver = make_receiver({"000": AccountPolicy(key=SIADC09_KEY)})
    (event,) = feed(receiver, b"\n" + row["raw"].encode() + b"\r", SIADC09_TIME)
    reply = event.reply
    assert reply is not None
    assert reply_token(reply) == expected_reply(row)


@pytest.mark.parametrize("row", [row for row in ROWS if expected_reply(row) == "ACK"])
def test_acked_real_frame_echoes_seq_receiver_line_and_account(row: dict[str, Any]) -> None:
    (event,) = make_receiver_events(row)
    assert isinstance(event, Received)
    header = parse_frame(event.reply[1:-1]).header
    sent = parse_frame(row["raw"].encode()).header
    assert (header.seq, header.receiver, header.line) == (sent.seq, sent.receiver, sent.line)
    assert header.receiver == row.get("receiver")
    assert header.account == row["account"]
    assert event.signals[0].account == row["account"]


def make_receiver_events(row: dict[str, Any]) -> list[Received | Refused]:
    receiver = make_receiver()
    receiver.receive_datagram(row["raw"].encode(), SIADC09_TIME)
    return receiver.events_received()


@pytest.mark.parametrize("feed", FEEDERS)
def test_truncated_frame_is_rejected_with_nak(feed: Feeder) -> None:
    (event,) = feed(make_receiver(), b"\n" + TRUNCATED["raw"].encode() + b"\r", NOW)
    assert isinstance(event, Refused)
    assert event.reply is not None
    assert reply_token(event.reply) == "NAK"
