"""Reference §1.12: every real-world deviation a panel shows, one test each."""

from datetime import timedelta

import pytest

from device_gateway.protocols.dc09 import (
    AccountPolicy,
    CrcForm,
    Header,
    ReceiverConfig,
    encode_frame,
    encrypt_content,
)
from device_gateway.protocols.dc09.frames import parse_frame
from device_gateway.protocols.dc09.payloads import format_timestamp
from device_gateway.signals import CodeFamily, Qualifier, Received, SignalKind
from tests.unit.test_device_gateway.dc09_support import (
    FEEDERS,
    KEY_256,
    NOW,
    TS,
    Feeder,
    accepted,
    counting_random,
    make_receiver,
    one,
    plain,
    rejected,
    reply_header,
)

# --- §1.12 real-world deviations, one test each ---


@pytest.mark.parametrize("feed", FEEDERS)
def test_binary_crc_frame_is_acked_in_binary_form(feed: Feeder) -> None:
    header = Header(token="SIA-DCS", seq="0003", line="0", account="1234")
    frame = encode_frame(header, b"[#1234|NPA1]", CrcForm.BINARY)
    event = one(feed(make_receiver(), frame, NOW))
    assert isinstance(event, Received)
    assert parse_frame(event.reply[1:-1]).crc_form is CrcForm.BINARY
    assert event.signals[0].kind is SignalKind.PANIC


def test_binary_crc_frame_with_bad_crc_gets_a_binary_nak() -> None:
    frame = bytearray(
        encode_frame(Header(token="NULL", seq="0000", account="1"), b"[]", CrcForm.BINARY)
    )
    frame[1] ^= 0xFF
    event = rejected(make_receiver(), bytes(frame))
    assert event.reason == "crc"
    assert event.reply is not None
    assert parse_frame(event.reply[1:-1]).crc_form is CrcForm.BINARY


def test_frame_without_l_field_is_acked_without_l() -> None:
    event = accepted(make_receiver(), plain("[#1234|NRP]", line=None))
    assert reply_header(event.reply).line is None
    assert b"None" not in event.reply


def test_frame_without_l_field_can_be_answered_with_l0() -> None:
    receiver = make_receiver(config=ReceiverConfig(missing_line_reply="0"))
    event = accepted(receiver, plain("[#1234|NRP]", line=None))
    assert reply_header(event.reply).line == "0"


def test_l_without_digits_is_accepted_and_echoed() -> None:
    frame = encode_frame(
        Header(token="SIA-DCS", seq="0001", line="", account="7303658550"), b"[#7303658550|NBA1]"
    )
    event = accepted(make_receiver(), frame)
    assert reply_header(event.reply).line == ""
    assert event.signals[0].account == "7303658550"


def test_account_only_inside_the_data_is_used() -> None:
    frame = plain("[#006969|Nri04/OP001]", receiver="0001", account=None)
    event = accepted(make_receiver(), frame)
    assert event.signals[0].account == "006969"
    assert reply_header(event.reply).account == "006969"
    assert event.signals[0].user == "001"


@pytest.mark.parametrize("feed", FEEDERS)
def test_several_frames_in_one_read_with_xdata_on_adm_cid(feed: Feeder) -> None:
    first = plain("[#1234|1130 01 015][M0026B9E4268B]", token="ADM-CID", seq="0010")
    second = plain("[#1234|3130 01 015]", token="ADM-CID", seq="0011")
    events = feed(make_receiver(), first + second, NOW)
    assert [type(event) for event in events] == [Received, Received]
    assert isinstance(events[0], Received)
    assert events[0].signals[0].xdata == {"M": "0026B9E4268B"}
    assert isinstance(events[1], Received)
    assert events[1].signals[0].qualifier is Qualifier.RESTORE


def test_receiver_is_echoed_only_when_present_and_never_as_none() -> None:
    with_r = accepted(make_receiver(), plain("[#1234|NRP]", receiver="579BDF"))
    without_r = accepted(make_receiver(), plain("[#1234|NRP]"))
    assert reply_header(with_r.reply).receiver == "579BDF"
    assert reply_header(without_r.reply).receiver is None
    assert b"None" not in with_r.reply + without_r.reply


def test_unknown_code_is_acked_and_marked_unknown_never_duh() -> None:
    event = accepted(make_receiver(), plain("[#1234|Nri1/NF001]"))
    assert reply_header(event.reply).token == "ACK"
    assert event.signals[0].kind is SignalKind.UNKNOWN
    assert event.signals[0].code == "NF"


def test_unencrypted_message_with_old_timestamp_is_still_acked() -> None:
    old = format_timestamp(NOW - timedelta(days=3))
    event = accepted(make_receiver(), plain(f"[#1234|NPA1]{old}"))
    assert reply_header(event.reply).token == "ACK"
    assert event.signals[0].panel_time == NOW - timedelta(days=3)


def test_null_with_contact_id_style_body_is_a_link_test() -> None:
    event = accepted(make_receiver(), plain("[#0000|0000 00 000]", token="NULL", seq="0000"))
    assert event.signals[0].kind is SignalKind.TEST
    assert event.signals[0].code_family is CodeFamily.NULL


def test_encrypted_null_without_separator_in_lowercase_hex_is_acked() -> None:
    body = "]" + TS
    content = encrypt_content(KEY_256, body.encode(), counting_random, separator=False).lower()
    frame = encode_frame(
        Header(token="NULL", seq="0000", encrypted=True, line="0", account="1234"), content
    )
    receiver = make_receiver({"1234": AccountPolicy(key=KEY_256)})
    event = accepted(receiver, frame)
    assert reply_header(event.reply).token == "ACK"
    assert reply_header(event.reply).encrypted


def test_scantronic_and_alphavision_modifiers_are_read() -> None:
    scantronic = accepted(make_receiver(), plain("[#1234|Nti19:44/id1/RP]")).signals[0]
    alphavision = accepted(make_receiver(), plain("[0|NRP]")).signals[0]
    assert (scantronic.code, scantronic.user) == ("RP", "1")
    assert alphavision.code == "RP"


def test_galaxy_legacy_format_is_out_of_scope_and_nakked() -> None:
    event = rejected(make_receiver(), b"\nF#001234Nri1/PA1\r")
    assert event.reason == "format"
    assert reply_header(event.reply).token == "NAK"


def test_osborne_hoffman_heartbeat_is_not_dc09_and_nakked() -> None:
    event = rejected(make_receiver(), b"\nSR0001L0001    006969XX    [ID00000000]\r")
    assert event.reason == "format"


def test_frame_followed_by_end_of_stream_is_processed_at_once() -> None:
    receiver = make_receiver()
    receiver.receive_data(plain("[#1234|NPA1]"), NOW)
    assert isinstance(one(receiver.events_received()), Received)
