"""The vocabulary the web apps draw from is lifecycle's tables and the library enums, whole."""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec
import pytest

from server.crew_app import routes as crew_routes
from server.incidents.lifecycle import CLOSED, DISPATCHABLE, TRANSITIONS
from server.incidents.vocabulary import ELEMENT_ID, VOCABULARY, Vocabulary
from server.web import routes as web_routes
from server.web.shell import with_vocabulary
from sync.entities import Outcome
from sync.lattices import IncidentStatus


def embedded(page: bytes) -> Vocabulary:
    found = re.findall(
        rb'<script type="application/json" id="' + ELEMENT_ID.encode() + rb'">(.*?)</script>', page
    )
    assert len(found) == 1
    return msgspec.json.decode(found[0], type=Vocabulary)


def test_the_vocabulary_is_the_lifecycle_tables() -> None:
    assert VOCABULARY.statuses == list(IncidentStatus)
    assert set(VOCABULARY.closed) == CLOSED
    assert set(VOCABULARY.dispatchable) == DISPATCHABLE
    assert {status: frozenset(moves) for status, moves in VOCABULARY.transitions.items()} == (
        TRANSITIONS
    )
    assert VOCABULARY.outcomes == list(Outcome)
    assert Outcome.FALSE_ALARM in VOCABULARY.outcomes


def test_its_json_carries_the_stored_lowercase_values() -> None:
    document = msgspec.json.decode(msgspec.json.encode(VOCABULARY))
    assert document["statuses"][0] == "new"
    assert document["transitions"]["en_route"] == [
        "on_scene",
        "resolved",
        "cancelled",
        "false_alarm",
    ]
    assert document["transitions"]["new"] == ["dispatched", "resolved", "cancelled", "false_alarm"]
    assert "false_alarm" in document["outcomes"]


@pytest.mark.parametrize("page_bytes", [web_routes.page_bytes, crew_routes.page_bytes])
def test_both_page_shells_embed_it(page_bytes: Callable[[], bytes]) -> None:
    assert embedded(page_bytes()) == VOCABULARY


def test_a_page_without_its_element_is_refused() -> None:
    with pytest.raises(ValueError, match=ELEMENT_ID):
        with_vocabulary(b"<html><head></head></html>")
