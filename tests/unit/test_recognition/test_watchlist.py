import numpy as np
import pytest

from recognition.watchlist import Watchlist


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return vector / np.linalg.norm(vector)


def _near(base: np.ndarray, seed: int, noise: float) -> np.ndarray:
    vector = base + noise * _unit(seed)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def test_probe_close_to_a_photo_matches_its_person() -> None:
    watchlist = Watchlist(threshold=0.5)
    watchlist.add_photos("alice", _unit(1))
    watchlist.add_photos("bob", np.stack([_unit(2), _unit(3)]))
    (match,) = watchlist.match(_near(_unit(3), 99, 0.3))
    assert match is not None
    assert match.person_id == "bob"
    assert match.similarity > 0.9


def test_probe_below_threshold_matches_nobody() -> None:
    watchlist = Watchlist(threshold=0.5)
    watchlist.add_photos("alice", _unit(1))
    assert watchlist.match(_unit(7)) == [None]


def test_empty_watchlist_matches_nobody() -> None:
    assert Watchlist().match(np.stack([_unit(1), _unit(2)])) == [None, None]


def test_negative_example_suppresses_the_recurring_false_match() -> None:
    watchlist = Watchlist(threshold=0.5)
    visitor = _unit(5)
    watchlist.add_photos("wanted", _near(visitor, 6, 0.8))
    assert watchlist.match(visitor)[0] is not None  # the visitor keeps triggering "wanted"
    watchlist.add_negatives("wanted", _near(visitor, 8, 0.1))
    assert watchlist.match(visitor) == [None]
    assert watchlist.match(_near(_near(visitor, 6, 0.8), 9, 0.05))[0] is not None


def test_suppressed_person_gives_way_to_the_next_best() -> None:
    watchlist = Watchlist(threshold=0.5)
    probe = _unit(10)
    watchlist.add_photos("first", _near(probe, 11, 0.3))
    watchlist.add_photos("second", _near(probe, 12, 0.6))
    watchlist.add_negatives("first", probe)
    (match,) = watchlist.match(probe)
    assert match is not None
    assert match.person_id == "second"


def test_removed_person_no_longer_matches_and_others_stay() -> None:
    watchlist = Watchlist(threshold=0.5)
    for seed in range(5):
        watchlist.add_photos(f"p{seed}", _unit(seed))
    watchlist.remove_person("p2")
    watchlist.remove_person("never-enrolled")
    assert len(watchlist) == 4
    assert watchlist.match(_unit(2)) == [None]
    match = watchlist.match(_unit(4))[0]
    assert match is not None
    assert match.person_id == "p4"


def test_growing_past_capacity_keeps_every_photo() -> None:
    watchlist = Watchlist()
    for seed in range(200):
        watchlist.add_photos(f"p{seed % 50}", _unit(seed))
    assert len(watchlist) == 200
    assert watchlist.person_count == 50
    match = watchlist.match(_unit(123))[0]
    assert match is not None
    assert match.person_id == "p23"


def test_bulk_load_equals_one_by_one() -> None:
    vectors = np.stack([_unit(seed) for seed in range(10)])
    owners = [f"p{seed % 3}" for seed in range(10)]
    bulk = Watchlist.from_arrays(owners, vectors)
    probe = _near(vectors[7], 77, 0.2)
    ranked = bulk.rank(probe, top_persons=3)
    assert ranked[0].person_id == "p1"
    assert len(ranked) == 3


def test_wrong_embedding_size_is_rejected() -> None:
    with pytest.raises(ValueError, match="128"):
        Watchlist().add_photos("x", np.zeros(64, np.float32))
    with pytest.raises(ValueError, match="person ids"):
        Watchlist.from_arrays(["a"], np.zeros((2, 128), np.float32))
