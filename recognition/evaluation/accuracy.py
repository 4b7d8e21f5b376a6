"""Accuracy measures for labelled photos (pure numpy): used by tests, bench and `eval` commands."""

from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np

from recognition.geometry import iou_one_to_many
from recognition.plate_format import PlateGrammar, canonical, clean, fold
from recognition.plates import PlateReading
from recognition.runner import FloatArray
from recognition.watchlist import Watchlist


class VerificationResult(msgspec.Struct, frozen=True):
    threshold: float
    same_pairs: int
    different_pairs: int
    true_accept_rate: float  # same-person pairs at or above the threshold
    false_accept_rate: float  # different-person pairs at or above the threshold


class IdentificationResult(msgspec.Struct, frozen=True):
    threshold: float
    probes: int
    rank1_rate: float  # probes whose best enrolled person is the right one (closed set)
    hit_rate: float  # probes matched to the right person at the threshold
    false_alarm_rate: float  # probes of a person left out of the list that still matched


def verification(
    embeddings: FloatArray, labels: Sequence[str], threshold: float
) -> VerificationResult:
    """All-pairs 1:1 verification of unit-length embeddings."""
    similarity = embeddings @ embeddings.T
    label_array = np.asarray(labels)
    same = label_array[:, None] == label_array[None, :]
    upper = np.triu(np.ones_like(same), k=1)
    same_pairs, different_pairs = same & upper, ~same & upper
    accepted = similarity >= threshold
    return VerificationResult(
        threshold=threshold,
        same_pairs=int(same_pairs.sum()),
        different_pairs=int(different_pairs.sum()),
        true_accept_rate=float((accepted & same_pairs).sum() / max(same_pairs.sum(), 1)),
        false_accept_rate=float((accepted & different_pairs).sum() / max(different_pairs.sum(), 1)),
    )


def identification(
    embeddings: FloatArray,
    labels: Sequence[str],
    threshold: float,
    photos_enrolled: int = 1,
) -> IdentificationResult:
    """Enrol each person's first photos, probe with the rest.

    False alarms are measured leave-one-person-out: each person is removed from the list in turn
    and their probes must match nobody.
    """
    enrolled: dict[str, list[int]] = {}
    probes: list[int] = []
    for index, label in enumerate(labels):
        photos = enrolled.setdefault(label, [])
        (photos if len(photos) < photos_enrolled else probes).append(index)
    watchlist = Watchlist(threshold)
    for label, rows in enrolled.items():
        watchlist.add_photos(label, embeddings[rows])
    rank1 = hits = alarms = 0
    for probe in probes:
        ranked = watchlist.rank(embeddings[probe], top_persons=2)
        right = ranked[0].person_id == labels[probe]
        rank1 += right
        hits += right and ranked[0].similarity >= threshold
        intruder = ranked[1] if right else ranked[0]  # best match once the person is left out
        alarms += intruder.similarity >= threshold
    count = max(len(probes), 1)
    return IdentificationResult(threshold, len(probes), rank1 / count, hits / count, alarms / count)


class PlateTruth(msgspec.Struct, frozen=True):
    file: str
    box: tuple[float, float, float, float]  # x, y, width, height
    text: str


class PlateScore(msgspec.Struct, frozen=True):
    images: int
    detection_rate: float  # images whose plate was found with IoU >= min_iou
    exact_rate: float  # ... and its normalised text (after the grammar) is right to the character
    raw_exact_rate: float  # ... and the reader's own text was, before any grammar
    folded_rate: float  # ... and read the same once O/Q/0 and I/1 are folded
    format_exact_rate: float  # ... and exact against the truth written in its layout (below)


def read_plate_truths(folder: Path) -> list[PlateTruth]:
    """OpenALPR benchmark ground truth: one ``file x y w h TEXT`` line per ``.txt`` file."""
    truths = []
    for path in sorted(folder.glob("*.txt")):
        name, x, y, width, height, text = path.read_text().split()[:6]
        truths.append(PlateTruth(name, (float(x), float(y), float(width), float(height)), text))
    return truths


def _iou_xywh(first: Sequence[float], second: Sequence[float]) -> float:
    a = np.array([first[0], first[1], first[0] + first[2], first[1] + first[3]], np.float32)
    b = np.array([[second[0], second[1], second[0] + second[2], second[1] + second[3]]], np.float32)
    return float(iou_one_to_many(a, b)[0])


def score_plates(
    truths: Sequence[PlateTruth],
    readings: Sequence[Sequence[PlateReading]],
    min_iou: float = 0.5,
    grammar: PlateGrammar | None = None,
) -> PlateScore:
    """Scores of each image's first reading that overlaps its truth's box.

    The benchmark's own ground truth mixes O with 0 and I with 1 (``RKO99AN`` on a Slovak plate,
    whose middle group is digits only), so ``exact`` against it undercounts a reader that puts
    them where the layout has them. ``format_exact`` compares with the truth as ``grammar``'s
    layout writes it (``plate_format.canonical``); without a grammar it equals ``exact``.
    """
    found = exact = raw_exact = folded = format_exact = 0
    for truth, image_readings in zip(truths, readings, strict=True):
        hits = [r for r in image_readings if _iou_xywh(r.box, truth.box) >= min_iou]
        if not hits:
            continue
        found += 1
        expected = clean(truth.text)
        exact += hits[0].text.text == expected
        raw_exact += clean(hits[0].raw) == expected
        folded += fold(hits[0].text.text) == fold(truth.text)
        in_format = expected if grammar is None else canonical(truth.text, grammar)
        format_exact += hits[0].text.text == in_format
    count = max(len(truths), 1)
    return PlateScore(
        len(truths),
        found / count,
        exact / count,
        raw_exact / count,
        folded / count,
        format_exact / count,
    )
