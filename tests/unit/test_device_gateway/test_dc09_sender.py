"""The panel side: frames our sender builds are what our receiver (and the spec) accept, and the
sender reads ACK, *ACK, NAK and DUH back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from device_gateway.errors import DecryptionError, RemoteProtocolError
from device_gateway.protocols.dc09 import AccountPolicy, Header
from device_gateway.protocols.dc09.frames import encode_frame
from device_gateway.protocols.dc09.sender import PanelEvent, ReplyReader, SenderReply, encode_event
from device_gateway.signals import Qualifier, Received, SignalKind
from tests.unit.test_device_gateway.dc09_support import (
    NOW,
    counting_random,
    feed_bytewise,
    make_receiver,
    one,
)

KEY = b"0123456789abcdef"


def received(frame: bytes, key: bytes | None = None) -> Received:
    event = one(feed_bytewise(make_receiver({"1234": AccountPolicy(key=key)}), frame))
    assert isinstance(event, Received)
    return event


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "aes128"])
def test_a_contact_id_event_reaches_the_receiver_intact(key: bytes | None) -> None:
    event = PanelEvent(account="1234", code="120", zone=7, partition=2)
    frame = encode_event(event, seq=42, now=NOW, key=key, random_bytes=counting_random)
    (signal,) = received(frame, key).signals
    assert signal.origin is not None
    assert (signal.kind, signal.zone, signal.partition, signal.origin.seq) == (
        SignalKind.PANIC,
        "007",
        "02",
        "0042",
    )
    assert signal.origin.encrypted is (key is not None)


def test_a_restore_and_a_sia_code() -> None:
    restore = PanelEvent(account="1234", code="301", qualifier="3")
    (signal,) = received(encode_event(restore, seq=1, now=NOW)).signals
    assert signal.qualifier is Qualifier.RESTORE
    sia = PanelEvent(account="1234", code="FA", zone=12)
    (signal,) = received(encode_event(sia, seq=2, now=NOW)).signals
    assert (signal.kind, signal.zone) == (SignalKind.FIRE, "012")


@pytest.mark.parametrize(
    "fields",
    [{"code": "12"}, {"code": "pa"}, {"qualifier": "2"}, {"zone": 1000}, {"partition": -1}],
)
def test_impossible_events_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        PanelEvent(**({"account": "1234", "code": "120"} | fields))  # type: ignore[arg-type]


def test_an_encrypted_frame_needs_a_pad_source() -> None:
    with pytest.raises(ValueError, match="random_bytes"):
        encode_event(PanelEvent(account="1", code="120"), seq=1, now=NOW, key=KEY)


def test_the_reader_takes_the_receivers_ack_and_star_ack() -> None:
    for key in (None, KEY):
        frame = encode_event(
            PanelEvent(account="1234", code="120"),
            seq=9,
            now=NOW,
            key=key,
            random_bytes=counting_random,
        )
        reply = ReplyReader(key).feed(received(frame, key).reply)
        assert reply == [
            SenderReply(
                token="ACK",
                seq="0009",
                encrypted=key is not None,
                receiver_time=None if key is None else NOW.replace(microsecond=0),
            )
        ]
        assert isinstance(reply[0], SenderReply)
        assert reply[0].acked


def test_a_nak_for_a_wrong_clock_carries_the_receivers_time() -> None:
    late = NOW - timedelta(minutes=5)
    frame = encode_event(
        PanelEvent(account="1234", code="120"),
        seq=3,
        now=late,
        key=KEY,
        random_bytes=counting_random,
    )
    event = one(feed_bytewise(make_receiver({"1234": AccountPolicy(key=KEY)}), frame))
    assert not isinstance(event, Received)
    assert event.reply is not None
    (reply,) = ReplyReader(KEY).feed(event.reply)
    assert isinstance(reply, SenderReply)
    assert reply.clock_nak
    assert reply.receiver_time == NOW.replace(microsecond=0)


def test_duh_garbage_and_an_unexpected_encrypted_reply() -> None:
    duh = encode_frame(Header(token="DUH", seq="0004", line="0", account="1234"), b"[]")
    star_ack = encode_frame(
        Header(token="ACK", seq="0001", encrypted=True, account="1"), b"[" + b"00" * 16
    )
    replies = ReplyReader().feed(duh + b"\n0000garbage\r" + star_ack + b"\n0000\r")
    assert isinstance(replies[0], SenderReply)
    assert (replies[0].token, replies[0].acked) == ("DUH", False)
    assert all(isinstance(r, RemoteProtocolError) for r in replies[1:])
    assert isinstance(replies[2], DecryptionError)


def test_an_oversize_reply_and_a_non_ascii_reply_are_errors() -> None:
    non_ascii = encode_frame(Header(token="ACK", seq="0001", account="1"), "[é]".encode())
    reader = ReplyReader()
    replies = reader.feed(b"\n" + b"A" * 5000) + reader.feed(b"\r" + non_ascii)
    assert [type(reply).__name__ for reply in replies] == [
        "FrameTooLongError",
        "MalformedFrameError",
    ]
