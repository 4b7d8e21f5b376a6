"""The false-match table of face thresholds: pair scores, rates per step, and the shipped file
(recognition/evaluation/face_scores.json) agreeing with its own scores and pair counts."""

from __future__ import annotations

import numpy as np

from recognition.evaluation.thresholds import (
    HIGHEST,
    LOWEST,
    load,
    pair_scores,
    rates,
    steps,
)


def _unit(*rows: list[float]) -> np.ndarray:
    vectors = np.asarray(rows, dtype=np.float32)
    normalised: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return normalised


def test_pairs_of_the_same_label_are_genuine_and_the_others_impostors() -> None:
    embeddings = _unit([1.0, 0.0], [1.0, 0.0], [0.0, 1.0])
    genuine, impostor = pair_scores(embeddings, ["a", "a", "b"])
    assert genuine == [1.0]
    assert impostor == [0.0, 0.0]


def test_a_pair_at_the_threshold_matches_and_one_just_below_does_not() -> None:
    (at, above) = rates([0.5, 0.9], [0.29, 0.3], [0.3, 0.6])
    assert (at.false_matches, at.false_match_rate) == (1, 0.5)
    assert (at.true_matches, at.true_match_rate) == (2, 1.0)
    assert (above.false_matches, above.true_matches) == (0, 1)
    assert above.true_match_rate == 0.5


def test_no_pairs_gives_zero_rates_not_an_error() -> None:
    (only,) = rates([], [], [0.5])
    assert (only.false_match_rate, only.true_match_rate) == (0.0, 0.0)


def test_steps_are_hundredths_from_the_lowest_to_the_highest() -> None:
    thresholds = steps()
    assert thresholds[0] == LOWEST
    assert thresholds[-1] == HIGHEST
    assert len(thresholds) == round((HIGHEST - LOWEST) * 100) + 1
    assert 0.45 in thresholds


def test_the_shipped_table_is_its_own_scores_counted() -> None:
    table = load()
    assert table.genuine == sorted(table.genuine)
    assert table.impostor == sorted(table.impostor)
    assert table.genuine_pairs == len(table.genuine) == sum(s.genuine_pairs for s in table.sets)
    assert table.impostor_pairs == len(table.impostor) == sum(s.impostor_pairs for s in table.sets)
    assert table.rates == rates(table.genuine, table.impostor, steps())


def test_the_shipped_table_covers_the_watchlist_range_and_falls_as_the_threshold_rises() -> None:
    table = load()
    false_rates = [rate.false_match_rate for rate in table.rates]
    true_rates = [rate.true_match_rate for rate in table.rates]
    assert false_rates == sorted(false_rates, reverse=True)
    assert true_rates == sorted(true_rates, reverse=True)
    by_threshold = {rate.threshold: rate for rate in table.rates}
    assert {0.3, 0.5, 0.95} <= set(by_threshold)
    assert by_threshold[0.5].false_match_rate == 0.0  # the shipped default raises none here
    assert by_threshold[0.3].false_match_rate > 0.0
