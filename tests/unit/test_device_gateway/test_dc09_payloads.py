"""Envelope, timestamps, ADM-CID and SIA-DCS data."""

from datetime import UTC, datetime

import pytest

from device_gateway.errors import MalformedFrameError
from device_gateway.protocols.dc09.payloads import (
    CidEvent,
    decode_text,
    format_timestamp,
    parse_cid,
    parse_envelope,
    parse_sia,
    parse_time,
    scan_sia_events,
    split_account,
)


def test_envelope_splits_data_xdata_and_timestamp() -> None:
    envelope = parse_envelope(
        "[#1111|Nri1/PA501][X006E07.7777777][Y49N06.6666666]_20:45:46,04-22-2021"
    )
    assert envelope.data == "#1111|Nri1/PA501"
    assert envelope.xdata == {"X": "006E07.7777777", "Y": "49N06.6666666"}
    assert envelope.timestamp == datetime(2021, 4, 22, 20, 45, 46, tzinfo=UTC)
    assert envelope.untimed == "[#1111|Nri1/PA501][X006E07.7777777][Y49N06.6666666]"


def test_envelope_without_timestamp_or_xdata() -> None:
    envelope = parse_envelope("[][]")
    assert (envelope.data, envelope.xdata, envelope.timestamp) == ("", {}, None)


@pytest.mark.parametrize(
    "content",
    [
        "#1234|NPA]",
        "[#1234|NPA",
        "[x][Mabc",
        "[x]junk",
        "[x]_14:12:04,09-25-201",
        "[]_25:00:00,01-01-2020",
    ],
)
def test_broken_envelopes_are_format_errors(content: str) -> None:
    with pytest.raises(MalformedFrameError):
        parse_envelope(content)


def test_timestamp_round_trips_in_utc() -> None:
    moment = datetime(2026, 9, 22, 3, 7, 43, tzinfo=UTC)
    assert format_timestamp(moment) == "_03:07:43,09-22-2026"
    assert parse_time(format_timestamp(moment)[1:]) == moment


def test_text_decodes_as_utf8_else_cp1252() -> None:
    assert decode_text("Zoná".encode()) == "Zoná"
    assert decode_text("Zoná".encode("cp1252")) == "Zoná"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("#1234|NPA", ("1234", "NPA")),
        ("|Nri2/JC12", (None, "Nri2/JC12")),
        ("Nri1/WA000", (None, "Nri1/WA000")),
        ("#|NPA", (None, "NPA")),
        ("#0000", ("0000", "")),
    ],
)
def test_account_is_taken_from_the_data_when_present(
    data: str, expected: tuple[str | None, str]
) -> None:
    assert split_account(data) == expected


def test_contact_id_fields_are_split() -> None:
    assert parse_cid("1110 00 129") == CidEvent(
        qualifier="1", code="110", partition="00", zone="129"
    )
    assert parse_cid("3401 01 057") == CidEvent(
        qualifier="3", code="401", partition="01", zone="057"
    )
    assert parse_cid("1602 00 000") is not None
    assert parse_cid("1700 99 999") is not None
    assert parse_cid("NPA501") is None


def test_sia_modifiers_and_zone() -> None:
    events, text = parse_sia("Nri1/PA501")
    assert text is None
    assert [(e.code, e.address, e.modifiers) for e in events] == [("PA", "501", {"ri": "1"})]


def test_sia_modifier_without_slash_and_text_block() -> None:
    (event,) = scan_sia_events("ri1BA503^Volum.Taverna   Appartam.Giorno ^")
    assert (event.code, event.address, event.text) == (
        "BA",
        "503",
        "Volum.Taverna   Appartam.Giorno ",
    )


def test_scantronic_time_and_user_modifiers() -> None:
    (event,) = scan_sia_events("ti19:44/id1/RP")
    assert event.code == "RP"
    assert event.address is None
    assert event.modifiers == {"ti": "19:44", "id": "1"}


def test_alphavision_leading_zero_block_is_skipped() -> None:
    events, _ = parse_sia("0|NRP")
    assert [event.code for event in events] == ["RP"]


def test_several_events_share_earlier_modifiers() -> None:
    events = scan_sia_events("ri2/BA01/BA02^back door^")
    assert [(e.code, e.address, e.modifiers["ri"], e.text) for e in events] == [
        ("BA", "01", "2", None),
        ("BA", "02", "2", "back door"),
    ]


def test_ascii_text_block_is_returned() -> None:
    events, text = parse_sia("NRR|AStart of dialler")
    assert [event.code for event in events] == ["RR"]
    assert text == "Start of dialler"


def test_unscannable_sia_data_has_no_events() -> None:
    assert scan_sia_events("ri1/!!") == []
    assert scan_sia_events("^text before any event^") == []
