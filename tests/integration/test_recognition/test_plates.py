"""Plate reading on photos of the OpenALPR benchmark (EU and US) against their ground truth.

The photos are the few in tests/data (every 9th EU and every 28th US ground-truth file), so each
floor allows one photo fewer than was measured on them: a regression in more than one photo shows,
and a flip in a borderline one does not fail the suite. The whole sets' figures are in
BENCHMARKS.md (`posbon recognition eval`).
"""

from pathlib import Path

import pytest

from recognition.evaluation.accuracy import PlateScore, read_plate_truths, score_plates
from recognition.images import read_image
from recognition.models import ModelPaths
from recognition.plate_format import GRAMMARS, PlateKind, PlateList
from recognition.plates import PlateReader
from recognition.runner import ModelRunner
from tests.datafiles import EU_PLATES, US_PLATES

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def reader(model_paths: ModelPaths) -> PlateReader:
    return PlateReader(
        ModelRunner(model_paths.plate_detector, intra_op_threads=1),
        ModelRunner(model_paths.plate_reader, intra_op_threads=1),
    )


def _score(reader: PlateReader, folder: Path) -> PlateScore:
    truths = read_plate_truths(folder)
    grammar = GRAMMARS[folder.name]  # each set is read as a deployment in its region would
    readings = [reader.read(read_image(folder / truth.file), grammar) for truth in truths]
    score = score_plates(truths, readings)
    print(folder.name, score)
    return score


def test_eu_plates_are_found_and_read(reader: PlateReader) -> None:
    score = _score(reader, EU_PLATES)
    assert score.images == 6
    assert score.detection_rate >= 5 / 6  # measured: 6 of 6
    assert score.exact_rate >= 5 / 6  # 6 of 6
    assert score.folded_rate >= 5 / 6  # 6 of 6


def test_us_plates_are_found_and_read(reader: PlateReader) -> None:
    score = _score(reader, US_PLATES)
    assert score.images == 8
    assert score.detection_rate >= 7 / 8  # measured: 8 of 8
    assert score.exact_rate >= 6 / 8  # 7 of 8


def test_a_read_plate_is_found_on_a_wanted_list(reader: PlateReader) -> None:
    truth = read_plate_truths(EU_PLATES)[0]
    readings = reader.read(read_image(EU_PLATES / truth.file))
    wanted = PlateList([truth.text, "30A123BC"])
    best = readings[0]
    assert best.text.kind is PlateKind.FOREIGN
    match = wanted.match(best.raw, max_edits=1)
    assert match is not None
    assert match.plate == truth.text
