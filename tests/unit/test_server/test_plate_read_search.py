"""The plate read log's fuzzy keys, "possible" plate matches and the log's buffer (pure)."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from recognition.plate_format import Glyph, edit_distance, parse_glyphs, parse_plate
from recognition.plates import PlateReading
from server.alerts.schemas import AlertKind
from server.plates.index import PlateIndex, StoredPlateList
from server.plates.reads import FrameRead, PlateReadLog
from server.plates.reads_match import KEY_ALPHABET, search_key, within_one_edit
from server.plates.schemas import PlateListKind
from server.recognition.analysis import MatchRules, plate_verdict

SITE = 3


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("01 A 123 BC", "01A1238C"),
        ("01-a-123-bc", "01A1238C"),
        ("O1 A I23 8C", "01A1238C"),  # O/0, I/1, B/8 typed either way
        ("SZ 5 2", "5252"),
        ("\u0410\u0412 123", "A8123"),  # Cyrillic A and VE as the Latin A and B they look like
    ],
)
def test_the_search_key_drops_separators_and_folds_look_alikes(typed: str, key: str) -> None:
    assert search_key(typed) == key


def test_every_key_char_is_in_the_alphabet_and_no_folded_letter_is() -> None:
    assert set(search_key("".join(map(chr, range(32, 127))))) <= set(KEY_ALPHABET)
    assert not set("OQIBSZ") & set(KEY_ALPHABET)


def test_the_keys_within_one_edit_are_exactly_those_at_distance_one_or_less() -> None:
    key = "01A"
    found = within_one_edit(key)
    assert all(edit_distance(key, other, 1) <= 1 for other in found)
    every = {
        "".join(chars)
        for length in (2, 3, 4)
        for chars in itertools.product(KEY_ALPHABET, repeat=length)
        if length < 4 or chars[0] in "0A"  # all of length 2 and 3; length 4 starting 0 or A
    }
    near = {other for other in every if edit_distance(key, other, 1) <= 1}
    assert near <= found
    assert found - every == {c + "01A" for c in KEY_ALPHABET if c not in "0A"}


def test_random_single_edits_of_a_plate_are_always_found() -> None:
    rng = random.Random(25)
    key = search_key("30 A 123 BC")
    found = within_one_edit(key)
    for _ in range(500):
        at = rng.randrange(len(key) + 1)
        char = rng.choice(KEY_ALPHABET)
        edited = rng.choice(
            [key[:at] + char + key[at:], key[:at] + char + key[at + 1 :], key[:at] + key[at + 1 :]]
        )
        assert edited in found
    assert "30A12" not in found  # three characters short


def _plates() -> PlateIndex:
    index = PlateIndex()
    index.replace_all(
        [
            StoredPlateList(1, "stolen", PlateListKind.WANTED, None, ["LM 298 AT"]),
            StoredPlateList(2, "bank", PlateListKind.WANTED, SITE, ["40 B 555 CD"]),
            StoredPlateList(3, "staff", PlateListKind.OWN, SITE, ["75 C 999 DD"]),
        ]
    )
    return index


def _unsure_last(text: str) -> PlateReading:
    """A read whose last character the reader was unsure of (0.55), as test_008.jpg reads."""
    glyphs = [Glyph(c, 0.99) for c in text[:-1]] + [Glyph(text[-1], 0.55, (("T", 0.2),))]
    plate = parse_glyphs(glyphs)
    assert plate.uncertain == (len(text) - 1,)
    return PlateReading((0.0, 0.0, 10.0, 5.0), 0.9, text, plate, 0.95)


def _rules(max_edits: int, site_id: int | None = None) -> MatchRules:
    return MatchRules(
        faces=False,
        plates=True,
        site_id=site_id,
        face_threshold=None,
        plate_max_edits=max_edits,
        plate_min_confidence=0.8,
    )


def test_a_read_off_a_wanted_plate_only_where_unsure_is_a_possible_match() -> None:
    verdict = plate_verdict(_unsure_last("LM298AI"), _plates(), _rules(0))
    assert verdict is not None
    kind, listed = verdict
    assert kind is AlertKind.PLATE_WANTED
    assert listed is not None
    assert (listed.plate, listed.list, listed.distance) == ("LM 298 AT", "stolen", 1)


def test_a_read_said_not_to_be_a_wanted_plate_is_no_match_by_uncertainty_or_edits() -> None:
    index = PlateIndex()
    told = [("LM 298 AT", "LM298AI")]
    index.replace_all(
        [StoredPlateList(1, "stolen", PlateListKind.WANTED, None, ["LM 298 AT"], told)]
    )
    assert plate_verdict(_unsure_last("LM298AI"), index, _rules(0)) is None
    assert plate_verdict(_unsure_last("LM298AI"), index, _rules(2)) is None
    verdict = plate_verdict(_unsure_last("LM298AY"), index, _rules(0))  # another read still is
    assert verdict is not None
    assert verdict[1] is not None
    assert verdict[1].plate == "LM 298 AT"


def test_a_read_off_where_the_reader_was_sure_is_no_match_without_edits() -> None:
    sure = PlateReading((0.0, 0.0, 10.0, 5.0), 0.9, "LX298AT", parse_plate("LX298AT"), 0.95)
    assert plate_verdict(sure, _plates(), _rules(0)) is None
    verdict = plate_verdict(sure, _plates(), _rules(1))  # the edit distance setting still counts
    assert verdict is not None
    assert verdict[1] is not None
    assert verdict[1].distance == 1


def test_an_exact_read_is_a_sure_match_and_a_site_list_stays_at_its_site() -> None:
    exact = PlateReading((0.0, 0.0, 10.0, 5.0), 0.9, "40B555CD", parse_plate("40B555CD"), 0.95)
    verdict = plate_verdict(exact, _plates(), _rules(1, SITE))
    assert verdict is not None
    assert verdict[1] is not None
    assert verdict[1].distance == 0
    assert plate_verdict(exact, _plates(), _rules(1, SITE + 1)) is None
    assert _plates().possible(exact.text, PlateListKind.WANTED, SITE + 1) is None


def test_a_possible_own_plate_is_not_called_foreign() -> None:
    plates = _plates()
    assert plate_verdict(_unsure_last("75C999DA"), plates, _rules(0, SITE)) is None
    foreign = plate_verdict(_unsure_last("76C111DA"), plates, _rules(0, SITE))
    assert foreign == (AlertKind.PLATE_FOREIGN, None)


def test_the_log_buffer_keeps_the_newest_reads_and_counts_what_it_dropped() -> None:
    log = PlateReadLog(max_buffered=3)
    now = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
    reads = [FrameRead(text=f"01A12{i}BC", display="", confidence=0.9) for i in range(5)]
    log.add(1, None, reads[:2], {}, now)
    log.add(2, 9, reads[2:], {"01A124BC": 5}, now)
    assert (log.buffered, log.dropped) == (3, 2)
    assert [r.plate for r in log._rows] == ["01A122BC", "01A123BC", "01A124BC"]
    assert [r.crop_id for r in log._rows] == [None, None, 5]
    assert log._rows[-1].search_key == "01A1248C"
