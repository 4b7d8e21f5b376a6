"""Shared helpers for the DC-09 tests: real frames, receivers, feeding styles."""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from device_gateway.protocols.dc09 import (
    AccountPolicy,
    Dc09Receiver,
    Header,
    ReceiverConfig,
    ReceiverEvent,
    encode_frame,
    encrypt_content,
)
from device_gateway.protocols.dc09.frames import parse_frame
from device_gateway.protocols.dc09.payloads import format_timestamp
from device_gateway.signals import Received, Refused
from tests.datafiles import DC09_DIR

SIADC09_KEY = bytes.fromhex("850cba22f7dd4f033405da83e4c5bae9")
SIADC09_TIME = datetime(2026, 9, 22, 3, 7, 43, tzinfo=UTC)
NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)

Policies = dict[str, AccountPolicy]


def load_rows() -> list[dict[str, Any]]:
    paths = sorted(DC09_DIR.glob("*.jsonl"))
    if not paths:  # an empty parametrization would pass without testing anything
        raise FileNotFoundError(f"no DC-09 vectors in {DC09_DIR}")
    rows: list[dict[str, Any]] = []
    for path in paths:
        rows.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return rows


def zero_random(length: int) -> bytes:
    return bytes(length)


def counting_random(length: int) -> bytes:
    return bytes(index % 256 for index in range(length))


def lookup_from(
    policies: Policies,
) -> Callable[[str, str | None, str | None], AccountPolicy | None]:
    def lookup(account: str, receiver: str | None, line: str | None) -> AccountPolicy | None:
        return policies.get(account)

    return lookup


def make_receiver(
    policies: Policies | None = None, config: ReceiverConfig | None = None
) -> Dc09Receiver:
    return Dc09Receiver(lookup_from(policies or {}), random_bytes=zero_random, config=config)


def feed_whole(receiver: Dc09Receiver, data: bytes, now: datetime = NOW) -> list[ReceiverEvent]:
    receiver.receive_data(data, now)
    return receiver.events_received()


def feed_bytewise(receiver: Dc09Receiver, data: bytes, now: datetime = NOW) -> list[ReceiverEvent]:
    events: list[ReceiverEvent] = []
    for index in range(len(data)):
        receiver.receive_data(data[index : index + 1], now)
        events.extend(receiver.events_received())
    return events


Feeder = Callable[[Dc09Receiver, bytes, datetime], list[ReceiverEvent]]
FEEDERS: list[Feeder] = [feed_whole, feed_bytewise]


KEY_256 = b"0123456789abcdef0123456789abcdef"
TS = format_timestamp(NOW)


def plain(
    content: str,
    *,
    token: str = "SIA-DCS",
    seq: str = "0001",
    receiver: str | None = None,
    line: str | None = "0",
    account: str | None = "1234",
) -> bytes:
    header = Header(token=token, seq=seq, receiver=receiver, line=line, account=account)
    return encode_frame(header, content.encode())


def encrypted(
    body: str, key: bytes = KEY_256, *, token: str = "SIA-DCS", seq: str = "0007"
) -> bytes:
    header = Header(token=token, seq=seq, encrypted=True, receiver="5", line="2", account="1234")
    return encode_frame(header, encrypt_content(key, body.encode(), counting_random))


def one(events: list[ReceiverEvent]) -> ReceiverEvent:
    assert len(events) == 1
    return events[0]


def accepted(receiver: Dc09Receiver, frame: bytes) -> Received:
    receiver.receive_data(frame, NOW)
    event = one(receiver.events_received())
    assert isinstance(event, Received), event
    return event


def rejected(receiver: Dc09Receiver, frame: bytes) -> Refused:
    receiver.receive_data(frame, NOW)
    event = one(receiver.events_received())
    assert isinstance(event, Refused), event
    return event


def reply_header(reply: bytes | None) -> Header:
    assert reply is not None
    return parse_frame(reply[1:-1]).header
