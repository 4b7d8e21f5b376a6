"""Framing, CRC, length and header grammar of DC-09 frames."""

import pytest

from device_gateway.errors import (
    CrcMismatchError,
    FrameTooLongError,
    LengthMismatchError,
    MalformedFrameError,
)
from device_gateway.protocols.dc09.frames import (
    MAX_FRAME_BYTES,
    CrcForm,
    Header,
    StreamFramer,
    _crc16_arc_bitwise,
    crc16_arc,
    detect_crc_form,
    encode_frame,
    frame_region,
    parse_frame,
    split_datagram,
)

FIOLETOVEN = b'F4D20029"SIA-DCS"0001RF3L77#1234[#1234|NRR|Atest]'
NULL_FRAME = b'EA740027"NULL"0000L0#1409[]_20:38:07,08-27-2026'


def feed_bytewise(framer: StreamFramer, data: bytes) -> list[bytes | FrameTooLongError]:
    found: list[bytes | FrameTooLongError] = []
    for index in range(len(data)):
        found.extend(framer.feed(data[index : index + 1]))
    return found


def test_table_crc_matches_the_bitwise_definition() -> None:
    for data in (b"", b"\x00", b"\xff" * 7, bytes(range(256)), FIOLETOVEN, NULL_FRAME):
        assert crc16_arc(data) == _crc16_arc_bitwise(data)


def test_crc16_arc_matches_published_frames() -> None:
    assert crc16_arc(FIOLETOVEN[8:]) == 0xF4D2
    assert crc16_arc(NULL_FRAME[8:]) == 0xEA74
    assert crc16_arc(b"123456789") == 0xBB3D  # the CRC catalogue's check value


def test_several_frames_in_one_read_are_all_found() -> None:
    stream = b"\n" + FIOLETOVEN + b"\r\n" + NULL_FRAME + b"\r"
    assert StreamFramer().feed(stream) == [FIOLETOVEN, NULL_FRAME]


def test_frame_split_across_reads_is_reassembled() -> None:
    framer = StreamFramer()
    assert framer.feed(b"\n" + FIOLETOVEN[:10]) == []
    assert framer.feed(FIOLETOVEN[10:] + b"\r") == [FIOLETOVEN]


def test_frame_fed_one_byte_at_a_time_is_found_once() -> None:
    stream = b"\n" + FIOLETOVEN + b"\r\n" + NULL_FRAME + b"\r"
    assert feed_bytewise(StreamFramer(), stream) == [FIOLETOVEN, NULL_FRAME]


def test_nul_padding_between_and_inside_frames_is_ignored() -> None:
    stream = b"\x00\x00\n" + FIOLETOVEN + b"\x00\x00\x00\r\x00\x00\n" + NULL_FRAME + b"\r\x00"
    assert StreamFramer().feed(stream) == [FIOLETOVEN, NULL_FRAME]


def test_garbage_before_a_frame_is_dropped() -> None:
    assert StreamFramer().feed(b"GET / HTTP/1.1\r\n\n" + NULL_FRAME + b"\r") == [NULL_FRAME]


def test_lf_inside_a_frame_restarts_framing_at_that_lf() -> None:
    stream = b"\n" + FIOLETOVEN[:20] + b"\n" + NULL_FRAME + b"\r"
    assert feed_bytewise(StreamFramer(), stream) == [NULL_FRAME]
    assert StreamFramer().feed(stream) == [NULL_FRAME]


def test_empty_frame_is_dropped_silently() -> None:
    assert StreamFramer().feed(b"\n\r\x00\x00\x00\x00\x00\x00\n" + NULL_FRAME + b"\r") == [
        NULL_FRAME
    ]


def test_frame_without_cr_beyond_the_cap_is_reported_and_the_next_frame_survives() -> None:
    framer = StreamFramer()
    found = framer.feed(b"\n" + b"A" * (MAX_FRAME_BYTES + 10))
    assert len(found) == 1
    assert isinstance(found[0], FrameTooLongError)
    assert framer.feed(b"AAAA\r\n" + NULL_FRAME + b"\r") == [NULL_FRAME]


def test_frame_longer_than_the_cap_but_terminated_is_reported() -> None:
    framer = StreamFramer(max_frame_bytes=20)
    found = framer.feed(b"\n" + NULL_FRAME + b"\r\n" + b"X" * 10 + b"\r")
    assert isinstance(found[0], FrameTooLongError)
    assert found[1:] == [b"X" * 10]


def test_a_short_lf_fragment_waits_for_more_bytes() -> None:
    framer = StreamFramer()
    assert framer.feed(b"\nAB") == []
    assert framer.feed(b"") == []


def test_binary_crc_containing_cr_and_lf_bytes_is_framed_correctly() -> None:
    region = b'"NULL"0000L0#1409[]'
    body = b"\r\n" + f"{len(region):04X}".encode() + region
    assert detect_crc_form(body) is CrcForm.BINARY
    assert StreamFramer().feed(b"\n" + body + b"\r") == [body]
    assert feed_bytewise(StreamFramer(), b"\n" + body + b"\r") == [body]


def test_flush_hands_out_an_unterminated_rest() -> None:
    framer = StreamFramer()
    framer.feed(b"\n" + NULL_FRAME)
    assert framer.flush() == [NULL_FRAME]
    assert framer.flush() == []


def test_datagram_without_lf_or_cr_is_one_frame() -> None:
    assert split_datagram(NULL_FRAME) == [NULL_FRAME]
    assert split_datagram(b"\n" + NULL_FRAME + b"\r") == [NULL_FRAME]
    assert split_datagram(b"\n" + NULL_FRAME + b"\x00\r") == [NULL_FRAME]


def test_parse_frame_reads_every_header_field() -> None:
    frame = parse_frame(FIOLETOVEN)
    assert frame.header == Header(
        token="SIA-DCS", seq="0001", receiver="F3", line="77", account="1234"
    )
    assert frame.content == b"[#1234|NRR|Atest]"
    assert frame.crc_form is CrcForm.HEX


@pytest.mark.parametrize(
    ("region", "receiver", "line", "account"),
    [
        (b'"SIA-DCS"0001#1234[]', None, None, "1234"),
        (b'"SIA-DCS"0001L#7303658550[]', None, "", "7303658550"),
        (b'"SIA-DCS"4738R0001L0001[#006969|Nri04/OP001]', "0001", "0001", None),
        (b'"SIA-DCS"0002R579BDFL789ABC#12345A[]', "579BDF", "789ABC", "12345A"),
    ],
)
def test_header_grammar_is_tolerant(
    region: bytes, receiver: str | None, line: str | None, account: str | None
) -> None:
    header = parse_frame(frame_region(region)[1:-1]).header
    assert (header.receiver, header.line, header.account) == (receiver, line, account)


def test_lowercase_hex_crc_is_accepted() -> None:
    body = frame_region(b'"NULL"0000L0#1409[]')[1:-1]
    assert parse_frame(body.lower()[:8] + body[8:]).header.token == "NULL"


def test_encrypted_marker_is_read_from_the_token() -> None:
    body = frame_region(b'"*SIA-DCS"0001L0#AAA[00112233445566778899AABBCCDDEEFF')[1:-1]
    assert parse_frame(body).header.encrypted


def test_wrong_crc_is_a_crc_error() -> None:
    with pytest.raises(CrcMismatchError):
        parse_frame(b"0000" + FIOLETOVEN[4:])


def test_wrong_length_is_a_length_error_unless_length_checks_are_off() -> None:
    body = FIOLETOVEN[:4] + b"0030" + FIOLETOVEN[8:]
    with pytest.raises(LengthMismatchError):
        parse_frame(body)
    assert parse_frame(body, check_length=False).header.account == "1234"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"XYZ",
        b'ZZZZ0013"NULL"0000L0#1[]',
        frame_region(b'"NULL"0000L0#1[]')[1:5] + b"00G3" + b'"NULL"0000L0#1[]',
        frame_region(b'"NULL"00L0#1[]')[1:-1],
        frame_region(b'"NULL"0000L0#1409')[1:-1],
    ],
)
def test_malformed_frames_raise_a_format_error(body: bytes) -> None:
    with pytest.raises((MalformedFrameError, CrcMismatchError)):
        parse_frame(body)


def test_binary_crc_frame_round_trips() -> None:
    header = Header(token="NULL", seq="0000", line="0", account="1409")
    wire = encode_frame(header, b"[]", CrcForm.BINARY)
    frame = parse_frame(StreamFramer().feed(wire)[0])  # type: ignore[arg-type]
    assert frame.crc_form is CrcForm.BINARY
    assert frame.header == header


def test_encoded_frame_round_trips_through_the_parser() -> None:
    header = Header(token="ADM-CID", seq="0042", receiver="12", line="3", account="4F39")
    wire = encode_frame(header, b"[#4F39|1120 01 005]")
    frame = parse_frame(wire[1:-1])
    assert frame.header == header
    assert frame.content == b"[#4F39|1120 01 005]"
