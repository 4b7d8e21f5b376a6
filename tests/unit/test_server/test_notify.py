"""Notices, pure parts: the retry backoff, the templates and the language a contact gets, the
state moves, and the SMPP stand-in's reading of a submit_sm."""

from __future__ import annotations

import datetime as dt
import struct

import pytest

from server.notify.retry import Backoff
from server.notify.schemas import MOVES, NoticeState, Template
from server.notify.templates import LANGUAGES, TEMPLATES, Facts, pick_language, render
from tests.smpp_server import parse_submit

AT = dt.datetime(2026, 12, 13, 14, 5, tzinfo=dt.UTC)


def test_the_backoff_doubles_from_the_first_wait_and_stops_at_the_cap() -> None:
    backoff = Backoff(first_s=5.0, max_s=60.0)
    assert [backoff.delay_s(n) for n in range(1, 7)] == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]


def test_the_backoff_never_overflows_however_many_tries() -> None:
    assert Backoff(first_s=5.0, max_s=300.0).delay_s(10_000) == 300.0


def test_an_alarm_notice_names_the_site_the_kind_and_the_local_time() -> None:
    text = render(Template.ALARM, "en", Facts(site="Bank 7", kind="panic", at=AT), "Asia/Samarkand")
    assert text == "Alarm at Bank 7: panic button at 19:05 13.12.2026. Posbon monitoring centre."


def test_a_russian_notice_names_the_kind_in_russian() -> None:
    text = render(Template.ALARM, "ru", Facts(site="Банк", kind="fire", at=AT), "Asia/Samarkand")
    assert text.startswith("Тревога на объекте Банк: пожар, 19:05")


def test_a_kind_without_words_is_named_as_the_server_names_it() -> None:
    text = render(
        Template.ALARM, "uz-Latn", Facts(site="Maktab", kind="late_to_close", at=AT), "UTC"
    )
    assert "late to close" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_template_with_the_site_and_the_time(language: str) -> None:
    for template in Template:
        assert "{site}" in TEMPLATES[language][template]
        assert "{time}" in TEMPLATES[language][template]


@pytest.mark.parametrize(
    ("preferred", "picked"),
    [
        (["ru", "uz"], "ru"),
        (["uz"], "uz-Latn"),
        (["UZ-Cyrl"], "uz-Cyrl"),
        (["de", "en"], "en"),
        (["de"], "uz-Latn"),
        ([], "uz-Latn"),
    ],
)
def test_a_contact_gets_the_first_of_its_languages_we_have_words_for(
    preferred: list[str], picked: str
) -> None:
    assert pick_language(preferred, "uz-Latn") == picked


def test_delivered_and_failed_are_final_and_nothing_returns_to_pending() -> None:
    assert MOVES[NoticeState.DELIVERED] == MOVES[NoticeState.FAILED] == frozenset()
    assert all(NoticeState.PENDING not in targets for targets in MOVES.values())


def _submit_body(text: bytes, data_coding: int, payload: bytes = b"") -> bytes:
    body = b"\x00\x05\x00Posbon\x00\x01\x01998901234567\x00\x00\x00\x00\x00\x00\x01\x00"
    body += bytes([data_coding, 0, len(text)]) + text
    if payload:
        body += struct.pack("!HH", 0x0424, len(payload)) + payload
    return body


def test_the_stand_in_reads_a_ucs2_short_message() -> None:
    source, destination, text, coding = parse_submit(_submit_body("Тревога".encode("utf-16-be"), 8))
    assert (source, destination, text, coding) == ("Posbon", "998901234567", "Тревога", 8)


def test_the_stand_in_reads_a_long_text_from_message_payload() -> None:
    long_text = "Alarm " * 60
    _, _, text, _ = parse_submit(_submit_body(b"", 0, long_text.encode("ascii")))
    assert text == long_text
