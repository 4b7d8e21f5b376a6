"""The sans-I/O receiver: replies, policies, encryption, dedup keys and signals."""

from datetime import timedelta

import pytest

from device_gateway.errors import LocalProtocolError
from device_gateway.protocols.dc09 import (
    AccountPolicy,
    Header,
    ReceiverConfig,
    UnknownAccountAction,
    encode_frame,
)
from device_gateway.protocols.dc09.crypto import decrypt_content
from device_gateway.protocols.dc09.frames import MAX_FRAME_BYTES, parse_frame
from device_gateway.protocols.dc09.payloads import format_timestamp
from device_gateway.protocols.dc09.receiver import Dc09Receiver
from device_gateway.signals import CodeFamily, Qualifier, Received, Refused, SignalKind
from tests.unit.test_device_gateway.dc09_support import (
    FEEDERS,
    KEY_256,
    NOW,
    TS,
    Feeder,
    accepted,
    counting_random,
    encrypted,
    lookup_from,
    make_receiver,
    one,
    plain,
    rejected,
    reply_header,
)

# --- replies and policies ---


def test_nak_carries_our_time_and_the_fixed_header() -> None:
    event = rejected(make_receiver(), b"\n0000" + plain("[#1234|NPA1]")[5:])
    assert event.reply is not None
    assert event.reply[9:].rstrip(b"\r") == b'"NAK"0000R0L0A0[]' + TS.encode()


def test_bad_crc_can_be_ignored_silently() -> None:
    receiver = make_receiver(config=ReceiverConfig(nak_on_bad_crc=False))
    assert rejected(receiver, b"\n0000" + plain("[#1234|NPA1]")[5:]).reply is None


def test_wrong_length_is_nakked_unless_length_checks_are_off() -> None:
    frame = plain("[#1234|NPA1]")
    bogus = frame[:5] + b"0078" + frame[9:]
    assert rejected(make_receiver(), bogus).reason == "length"
    lenient = make_receiver(config=ReceiverConfig(check_length=False))
    assert accepted(lenient, bogus).signals[0].kind is SignalKind.PANIC


def test_unsupported_token_gets_duh_echoing_the_header() -> None:
    frame = encode_frame(
        Header(token="SIA-PUL", seq="0042", receiver="7", line="3", account="99"), b"[x]"
    )
    event = rejected(make_receiver(), frame)
    assert event.reason == "token"
    assert reply_header(event.reply) == Header(
        token="DUH", seq="0042", receiver="7", line="3", account="99"
    )


def test_frame_without_any_account_is_nakked() -> None:
    assert rejected(make_receiver(), plain("[Nri1/PA1]", account=None)).reason == "format"


@pytest.mark.parametrize(
    ("action", "reply_token"),
    [(UnknownAccountAction.NAK, "NAK"), (UnknownAccountAction.IGNORE, None)],
)
def test_unregistered_account_policy(action: UnknownAccountAction, reply_token: str | None) -> None:
    receiver = make_receiver({"1": AccountPolicy()}, ReceiverConfig(unknown_account=action))
    event = rejected(receiver, plain("[#1234|NPA1]"))
    assert event.reason == "account"
    assert event.account == "1234"
    assert (reply_header(event.reply).token if event.reply else None) == reply_token


def test_unregistered_account_is_accepted_by_default_and_flagged() -> None:
    assert not accepted(make_receiver(), plain("[#1234|NPA1]")).registered
    assert accepted(make_receiver({"1234": AccountPolicy()}), plain("[#1234|NPA1]")).registered


def test_plaintext_from_an_account_that_must_encrypt_is_rejected() -> None:
    receiver = make_receiver({"1234": AccountPolicy(key=KEY_256, require_encryption=True)})
    event = rejected(receiver, plain("[#1234|NPA1]"))
    assert event.reason == "plaintext"
    assert event.account == "1234"  # the server raises its security alert on this account
    assert reply_header(event.reply).token == "NAK"


def test_oversize_frame_is_reported_without_reply_and_the_next_frame_is_acked() -> None:
    receiver = make_receiver()
    receiver.receive_data(b"\n" + b"7" * (MAX_FRAME_BYTES + 1), NOW)
    receiver.receive_data(b"\r" + plain("[#1234|NPA1]"), NOW)
    oversize, good = receiver.events_received()
    assert isinstance(oversize, Refused)
    assert (oversize.reason, oversize.reply) == ("oversize", None)
    assert isinstance(good, Received)


def test_now_without_timezone_is_our_mistake() -> None:
    with pytest.raises(LocalProtocolError):
        make_receiver().receive_data(b"", NOW.replace(tzinfo=None))
    with pytest.raises(LocalProtocolError):
        make_receiver().receive_datagram(b"", NOW.replace(tzinfo=None))


def test_datagram_is_one_frame() -> None:
    receiver = make_receiver()
    receiver.receive_datagram(plain("[#1234|NFA2]").strip(b"\n\r"), NOW)
    event = one(receiver.events_received())
    assert isinstance(event, Received)
    assert event.signals[0].kind is SignalKind.FIRE


# --- encryption ---


def encrypted_receiver(**policy: bool | float) -> Dc09Receiver:
    return make_receiver({"1234": AccountPolicy(key=KEY_256, **policy)})  # type: ignore[arg-type]


@pytest.mark.parametrize("feed", FEEDERS)
def test_encrypted_event_gets_an_encrypted_ack_with_our_time(feed: Feeder) -> None:
    event = one(feed(encrypted_receiver(), encrypted(f"#1234|Nri1/PA501]{TS}"), NOW))
    assert isinstance(event, Received)
    ack = parse_frame(event.reply[1:-1])
    assert ack.header == Header(
        token="ACK", seq="0007", encrypted=True, receiver="5", line="2", account="1234"
    )
    assert decrypt_content(KEY_256, ack.content) == ("[]" + TS).encode()
    signal = event.signals[0]
    assert signal.origin is not None
    assert (signal.kind, signal.zone, signal.partition, signal.origin.encrypted) == (
        SignalKind.PANIC,
        "501",
        "1",
        True,
    )


def test_encrypted_ack_pad_comes_from_the_random_source() -> None:
    frame = encrypted(f"#1234|NRP]{TS}")
    lookup = lookup_from({"1234": AccountPolicy(key=KEY_256)})
    acks = []
    for source in (bytes, counting_random):
        receiver = Dc09Receiver(lookup, random_bytes=source)
        acks.append(accepted(receiver, frame).reply)
    assert acks[0] != acks[1]


@pytest.mark.parametrize(("offset_s", "ok"), [(20, True), (21, False), (-40, True), (-41, False)])
def test_encrypted_timestamp_window_is_plus_20_minus_40_seconds(offset_s: int, ok: bool) -> None:
    stamp = format_timestamp(NOW + timedelta(seconds=offset_s))
    receiver = encrypted_receiver()
    receiver.receive_data(encrypted(f"#1234|NPA1]{stamp}"), NOW)
    event = one(receiver.events_received())
    assert isinstance(event, Received) is ok
    if not ok:
        assert isinstance(event, Refused)
        assert event.reason == "timestamp"
        assert event.reply is not None
        assert event.reply.endswith(TS.encode() + b"\r")


def test_encrypted_message_without_timestamp_is_nakked() -> None:
    assert rejected(encrypted_receiver(), encrypted("#1234|NPA1]")).reason == "timestamp"


def test_timestamp_check_can_be_switched_off_per_account() -> None:
    receiver = encrypted_receiver(check_timestamp=False)
    assert accepted(receiver, encrypted("#1234|NPA1]")).signals[0].kind is SignalKind.PANIC


def test_panel_running_local_time_is_corrected_by_its_clock_offset() -> None:
    local = format_timestamp(NOW + timedelta(hours=5))
    receiver = encrypted_receiver(clock_offset_s=5 * 3600.0)
    assert accepted(receiver, encrypted(f"#1234|NPA1]{local}")).signals[0].panel_time == NOW


def test_wrong_key_is_nakked_as_a_decryption_failure() -> None:
    event = rejected(encrypted_receiver(), encrypted(f"#1234|NPA1]{TS}", key=b"k" * 16))
    assert event.reason == "decrypt"
    assert reply_header(event.reply).token == "NAK"


def test_encrypted_message_from_an_account_without_key_is_nakked() -> None:
    receiver = make_receiver({"1234": AccountPolicy()})
    assert rejected(receiver, encrypted(f"#1234|NPA1]{TS}")).reason == "no_key"


# --- dedup keys and signals ---


def test_retransmission_has_the_same_dedup_key_despite_new_pad_and_time() -> None:
    later = format_timestamp(NOW + timedelta(seconds=5))
    first = accepted(encrypted_receiver(), encrypted(f"#1234|NPA1]{TS}"))
    second = Dc09Receiver(lookup_from({"1234": AccountPolicy(key=KEY_256)}), random_bytes=bytes)
    second.receive_data(encrypted(f"#1234|NPA1]{later}"), NOW)
    event = one(second.events_received())
    assert isinstance(event, Received)
    assert event.dedup_key == first.dedup_key
    other = accepted(encrypted_receiver(), encrypted(f"#1234|NPA1]{TS}", seq="0008"))
    assert other.dedup_key != first.dedup_key


def test_contact_id_signal_fields() -> None:
    event = accepted(make_receiver(), plain("[#1234|1120 01 015]", token="ADM-CID"))
    signal = event.signals[0]
    assert (signal.kind, signal.priority, signal.qualifier) == (SignalKind.PANIC, 1, Qualifier.NEW)
    assert (signal.code_family, signal.code, signal.partition, signal.zone) == (
        CodeFamily.CONTACT_ID,
        "120",
        "01",
        "015",
    )


def test_contact_id_closing_names_the_user_and_status_is_kept() -> None:
    closing = accepted(make_receiver(), plain("[#4F39|3401 01 057]", token="ADM-CID")).signals[0]
    status = accepted(make_receiver(), plain("[#1234|6301 00 000]", token="ADM-CID")).signals[0]
    assert (closing.qualifier, closing.user, closing.zone) == (Qualifier.RESTORE, "057", None)
    assert (status.kind, status.qualifier) == (SignalKind.POWER, Qualifier.STATUS)


@pytest.mark.parametrize("data", ["#1234|9120 01 015", "#1234|garbage"])
def test_odd_contact_id_data_is_stored_as_unknown(data: str) -> None:
    signal = accepted(make_receiver(), plain(f"[{data}]", token="ADM-CID")).signals[0]
    assert signal.kind is SignalKind.UNKNOWN


def test_sia_message_with_several_events_gives_several_signals() -> None:
    event = accepted(make_receiver(), plain("[#1234|Nri2/BA01/TA02|AHall]"))
    assert [(s.kind, s.zone, s.partition, s.event_index, s.text) for s in event.signals] == [
        (SignalKind.INTRUSION, "01", "2", 0, "Hall"),
        (SignalKind.TAMPER, "02", "2", 1, "Hall"),
    ]


def test_unreadable_sia_data_is_one_unknown_signal_with_its_text() -> None:
    signal = accepted(make_receiver(), plain("[#1234|N!!|Asomething]")).signals[0]
    assert (signal.kind, signal.code, signal.text) == (SignalKind.UNKNOWN, "", "something")


def test_empty_event_data_is_a_link_test() -> None:
    signal = accepted(make_receiver(), plain("[]")).signals[0]
    assert signal.kind is SignalKind.TEST
