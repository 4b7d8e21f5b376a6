# ruff: noqa: RUF001  (Cyrillic letters and the Uzbek modifier letters are meant, not look-alikes)
"""Server messages in the reader's language: the catalogs cover every error code the server
raises, each translation keeps its template's values, and Accept-Language picks the catalog."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from recognition.redaction import Box, Track, VideoInfo
from recognition.tracking import TrackKind
from server import errors, messages
from server.evidence import redaction
from server.evidence.redaction_schemas import Redaction, RedactionState
from server.messages import en
from sync.lattices import IncidentStatus

ROOT = Path(__file__).parents[3]
SCANNED = [*sorted((ROOT / "server").rglob("*.py")), ROOT / "sync" / "errors.py"]


def _codes_in(tree: ast.AST) -> Iterator[str]:
    """`code="…"` arguments, `code = "…"` class attributes, error_response(request, status,
    "code", …) calls."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    yield str(keyword.value.value)
            is_builder = isinstance(node.func, ast.Name) and node.func.id == "error_response"
            if is_builder and len(node.args) > 2 and isinstance(node.args[2], ast.Constant):
                yield str(node.args[2].value)
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                target = getattr(statement, "target", None) or next(
                    iter(getattr(statement, "targets", [])), None
                )
                value = getattr(statement, "value", None)
                named_code = isinstance(target, ast.Name) and target.id == "code"
                if named_code and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield value.value


def raised_codes() -> set[str]:
    found = {code for path in SCANNED for code in _codes_in(ast.parse(path.read_text("utf-8")))}
    found.update(code for code, _ in errors._HTTP_CODES.values())
    found.update(("http_error", "internal_error"))
    return found


def test_the_walk_finds_codes_raised_every_way() -> None:
    codes = raised_codes()
    assert {"crew_off_duty", "not_found", "database_unavailable", "gap", "bad_json"} <= codes
    assert {"upload_expired", "too_many_failed_tokens", "unsupported_media_type"} <= codes


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_every_raised_code_has_a_sentence_in_every_catalog(language: str) -> None:
    missing = raised_codes() - set(messages.CATALOGS[language])
    assert not missing, f"{language} lacks {sorted(missing)}"


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_every_translation_has_the_english_keys_and_values(language: str) -> None:
    catalog = messages.CATALOGS[language]
    assert set(catalog) == set(en.MESSAGES)
    for key, template in catalog.items():
        assert messages.placeholders(template) == messages.placeholders(en.MESSAGES[key]), key
    assert set(messages.STATUSES[language]) == {status.value for status in IncidentStatus}


@pytest.mark.parametrize("language", ["ru", "uz-Cyrl"])
def test_cyrillic_catalogs_are_cyrillic(language: str) -> None:
    for key, template in messages.CATALOGS[language].items():
        assert any("\u0400" <= char <= "\u04ff" for char in template), key


def test_uzbek_latin_uses_its_own_letters_not_cyrillic() -> None:
    text = "".join(messages.CATALOGS["uz-Latn"].values())
    assert "oʻ" in text
    assert not any("\u0400" <= char <= "\u04ff" for char in text)


def test_a_sentence_with_values_is_translated_with_them() -> None:
    detail = "Incident 42 is resolved; it cannot become dispatched."
    assert messages.localize("invalid_transition", detail, "uz-Cyrl") == (
        "42-ҳодисанинг ҳолати: «якунланган»; уни «экипаж юборилган» ҳолатига ўтказиб бўлмайди."
    )
    assert messages.localize("crew_off_duty", "Crew Alpha 7 is off duty.", "ru") == (
        "Экипаж Alpha 7 не на смене."
    )


def test_a_variant_of_a_generic_code_is_found_by_its_english() -> None:
    found = messages.localize("not_found", "There is no incident with id 5.", "uz-Latn")
    assert found == "5 id raqamli hodisa yoʻq."
    assert messages.localize("not_found", "No such resource; see /schema for the routes.", "ru")
    assert messages.localize("not_found", "There is no incident with id 5 for you.", "ru") == (
        "Для вас нет происшествия с id 5."
    )


def _raised_by(call: Callable[[], object]) -> errors.ApiError:
    with pytest.raises(errors.ApiError) as raised:
        call()
    return raised.value


def test_redaction_sentences_are_translated_with_their_values() -> None:
    """The sentences redaction raises, made by its own code, come back in the reader's words."""
    video = VideoInfo(fps=25.0, frame_count=100, width_px=640, height_px=480)
    box_outside = Track(
        track_id="p7",
        kind=TrackKind.PLATE,
        keyframes=[(3, Box(700, 500, 10, 10))],
        first_frame=0,
        last_frame=99,
    )
    error = _raised_by(lambda: redaction.checked_tracks([box_outside], video))
    assert (error.code, error.detail) == (
        "bad_request",
        "A box of track p7 lies outside the picture.",
    )
    assert messages.localize(error.code, error.detail, "uz-Cyrl") == (
        "p7-изнинг рамкаси кадрдан ташқарида."
    )
    assert messages.localize(error.code, error.detail, "ru") == (
        "Рамка дорожки p7 находится за пределами кадра."
    )

    late = Track(
        track_id="f2",
        kind=TrackKind.FACE,
        keyframes=[(150, Box(10, 10, 20, 20))],
        first_frame=0,
        last_frame=99,
    )
    error = _raised_by(lambda: redaction.checked_tracks([late], video))
    assert messages.localize(error.code, error.detail, "ru") == (
        "Дорожке f2 нужны ключевые кадры, и все они должны лежать внутри её промежутка и в "
        "пределах кадров 0..99."
    )

    job = Redaction(
        id="r-42",
        recording_id="rec-1",
        source_sha256="0" * 64,
        state=RedactionState.RENDERING,
        progress=0.5,
        requested_by="dispatcher",
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    error = _raised_by(lambda: redaction._in_review(job))
    assert error.code == "conflict"
    assert messages.localize(error.code, error.detail, "uz-Cyrl") == (
        "r-42-ниқоблаш rendering ҳолатида; рамкаларни ўзгартириш ва нусха яратишни бошлаш фақат "
        "текширув босқичида мумкин."
    )
    assert messages.localize(error.code, error.detail, "ru") == (
        "Маскирование r-42 в состоянии rendering; менять рамки и запускать создание копии можно "
        "только на этапе проверки."
    )
    frame = "Frame 120 is outside 0..99."  # redaction.frame, which needs a database to reach
    assert (
        messages.localize("not_found", frame, "uz-Cyrl") == "120-кадр 0..99 оралиғидан ташқарида."
    )
    assert messages.localize("not_found", frame, "ru") == "Кадр 120 вне диапазона 0..99."


def test_a_sentence_no_template_matches_stays_english() -> None:
    detail = "A sentence nobody wrote into en.py."
    assert messages.localize("not_found", detail, "ru") == detail
    assert messages.localize("no_such_code", detail, "uz-Cyrl") == detail
    assert messages.localize("crew_off_duty", "Crew Alpha is off duty.", "en") == (
        "Crew Alpha is off duty."
    )


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("uz-Cyrl", "uz-Cyrl"),
        ("uz-cyrl", "uz-Cyrl"),
        ("uz-Latn", "uz-Latn"),
        ("uz", "uz-Latn"),
        ("uz-UZ", "uz-Latn"),
        ("uz-Cyrl-UZ", "uz-Cyrl"),
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("de-DE,de;q=0.9", "en"),
        ("de, uz;q=0.5, ru;q=0.8", "ru"),
        ("en;q=0.2, uz-Cyrl;q=0.9", "uz-Cyrl"),
        ("ru;q=0, uz", "uz-Latn"),
        ("fr, *", "en"),
        ("ru;q=oops, uz", "uz-Latn"),
    ],
)
def test_accept_language_picks_exact_code_then_base_language_then_english(
    header: str | None, language: str
) -> None:
    assert messages.negotiate(header) == language
