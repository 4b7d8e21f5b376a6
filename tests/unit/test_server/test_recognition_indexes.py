"""The in-memory watchlist and plate indexes and the plate verdicts (pure, no models)."""

import numpy as np
import pytest

from recognition.plate_format import parse_plate
from recognition.plates import PlateReading
from server.alerts.schemas import AlertKind
from server.cameras.schemas import mask_password
from server.plates import repository as plates_repository
from server.plates.index import PlateIndex, StoredPlateList
from server.plates.schemas import PlateListKind
from server.recognition.analysis import MatchRules, plate_verdict
from server.recognition.runtime import Recognition
from server.settings import Settings
from server.watchlists import repository as watchlists_repository
from server.watchlists.index import StoredPhoto, StoredWatchlist, WatchlistIndex, to_bytes
from server.watchlists.schemas import operating_point
from sync.hlc import HybridClock

SITE = 7


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return vector / np.linalg.norm(vector)


def _near(vector: np.ndarray, seed: int, noise: float) -> np.ndarray:
    moved = vector + noise * _unit(seed)
    return (moved / np.linalg.norm(moved)).astype(np.float32)


def _index() -> WatchlistIndex:
    index = WatchlistIndex()
    index.replace_all(
        [
            StoredWatchlist(1, "wanted", 0.5, [StoredPhoto(10, "Ali", False, to_bytes(_unit(1)))]),
            StoredWatchlist(
                2, "missing", 0.5, [StoredPhoto(20, "Vali", False, to_bytes(_unit(2)))]
            ),
        ]
    )
    return index


def test_a_face_is_matched_against_every_watchlist_and_named() -> None:
    hits = _index().match(np.stack([_near(_unit(2), 5, 0.3), _unit(9)]))
    assert hits[0] is not None
    assert (hits[0].watchlist, hits[0].person_id, hits[0].person) == ("missing", 20, "Vali")
    assert hits[1] is None


def test_one_watchlist_can_be_asked_alone() -> None:
    probe = np.stack([_unit(2)])
    assert _index().match(probe, watchlist_id=1) == [None]


def test_a_camera_threshold_overrides_the_watchlists() -> None:
    index = _index()
    probe = np.stack([_near(_unit(1), 3, 0.9)])
    similarity = float(probe[0] @ _unit(1))
    assert index.match(probe, threshold=similarity + 0.01) == [None]
    hit = index.match(probe, threshold=similarity - 0.01)[0]
    assert hit is not None
    assert hit.threshold == pytest.approx(similarity - 0.01)


def test_added_negatives_and_removed_persons_take_effect_at_once() -> None:
    index = _index()
    visitor = _near(_unit(1), 4, 0.5)
    assert index.match(np.stack([visitor]))[0] is not None
    index.add_embedding(1, 10, "Ali", visitor, negative=True)
    assert index.match(np.stack([visitor])) == [None]
    index.drop_person(2, 20)
    assert index.match(np.stack([_unit(2)])) == [None]


def _plates() -> PlateIndex:
    index = PlateIndex()
    index.replace_all(
        [
            StoredPlateList(1, "stolen", PlateListKind.WANTED, None, ["30 A 123 BC"]),
            StoredPlateList(2, "bank only", PlateListKind.WANTED, SITE, ["01 777 AAA"]),
            StoredPlateList(3, "staff", PlateListKind.OWN, SITE, ["40 B 555 CD"]),
        ]
    )
    return index


def _reading(raw: str, confidence: float = 0.95) -> PlateReading:
    return PlateReading((0.0, 0.0, 10.0, 5.0), 0.9, raw, parse_plate(raw), confidence)


def _rules(site_id: int | None) -> MatchRules:
    return MatchRules(
        faces=False,
        plates=True,
        site_id=site_id,
        face_threshold=None,
        plate_max_edits=1,
        plate_min_confidence=0.8,
    )


def test_a_wanted_plate_is_found_with_o_for_zero_and_one_misread_character() -> None:
    verdict = plate_verdict(_reading("3OA123BG"), _plates(), _rules(None))
    assert verdict is not None
    kind, listed = verdict
    assert kind is AlertKind.PLATE_WANTED
    assert listed is not None
    assert (listed.plate, listed.distance) == ("30 A 123 BC", 1)


def test_a_site_wanted_list_applies_only_at_its_site() -> None:
    assert plate_verdict(_reading("01777AAA"), _plates(), _rules(None)) is None
    at_site = plate_verdict(_reading("01777AAA"), _plates(), _rules(SITE))
    assert at_site is not None
    assert at_site[0] is AlertKind.PLATE_WANTED


def test_only_a_confident_unknown_plate_at_a_site_with_an_own_list_is_foreign() -> None:
    plates = _plates()
    assert plate_verdict(_reading("75C999DD"), plates, _rules(SITE)) == (
        AlertKind.PLATE_FOREIGN,
        None,
    )
    assert plate_verdict(_reading("40B555CD"), plates, _rules(SITE)) is None  # staff
    assert plate_verdict(_reading("75C999DD", confidence=0.5), plates, _rules(SITE)) is None
    assert plate_verdict(_reading("7C9"), plates, _rules(SITE)) is None  # a fragment
    assert plate_verdict(_reading("75C999DD"), plates, _rules(SITE + 1)) is None  # no own list


def test_a_dropped_list_stops_matching() -> None:
    plates = _plates()
    plates.drop_list(1)
    assert plate_verdict(_reading("30A123BC"), plates, _rules(None)) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("rtsp://admin:secret@10.0.0.5:554/s1", "rtsp://admin:***@10.0.0.5:554/s1"),
        ("rtsp://10.0.0.5/s1", "rtsp://10.0.0.5/s1"),
        ("http://cam/video?user=a@b", "http://cam/video?user=a@b"),
        ("", ""),
    ],
)
def test_a_stream_password_is_masked(url: str, shown: str) -> None:
    assert mask_password(url) == shown


def test_the_false_alarm_rate_shown_is_the_one_measured_at_or_below_the_threshold() -> None:
    assert operating_point(0.5)[0] == 0.0
    assert operating_point(0.47)[0] == pytest.approx(0.0028)
    assert operating_point(0.35)[0] is None


async def test_an_index_load_that_overlaps_a_change_is_redone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rec = Recognition(Settings(), db=None, clock=HybridClock())  # type: ignore[arg-type]
    loads = []

    async def load_watchlists(db: object) -> list[StoredWatchlist]:
        loads.append("watchlists")
        if len(loads) == 1:  # a watchlist is created while the first read is under way
            rec.watchlists.put_watchlist(5, "new", 0.5)
            return []
        return [StoredWatchlist(5, "new", 0.5, [StoredPhoto(50, "Ali", False, to_bytes(_unit(5)))])]

    async def load_plates(db: object) -> list[StoredPlateList]:
        return []

    monkeypatch.setattr(watchlists_repository, "load_all", load_watchlists)
    monkeypatch.setattr(plates_repository, "load_all", load_plates)
    await rec.indexes()
    assert loads == ["watchlists", "watchlists"]
    hit = rec.watchlists.match(np.stack([_unit(5)]))[0]
    assert hit is not None
    assert hit.person == "Ali"
