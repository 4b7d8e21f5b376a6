"""Plate reading on the OpenALPR benchmark photos (EU and US) against their ground truth.

Floors sit a little under what was measured (see the module's report), so a regression shows but
no single photo decides; they are not fitted to any file.
"""

from pathlib import Path

import pytest

from recognition.evaluation import PlateScore, read_plate_truths, score_plates
from recognition.images import read_image
from recognition.models import ModelPaths
from recognition.plate_format import GRAMMARS, PlateKind, PlateList
from recognition.plates import PlateReader
from recognition.runner import ModelRunner

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


def test_eu_plates_are_found_and_read(reader: PlateReader, shared_data: Path) -> None:
    score = _score(reader, shared_data / "plates" / "eu")
    assert score.images == 54
    assert score.detection_rate >= 0.95
    assert score.exact_rate >= 0.85
    assert score.folded_rate >= 0.9


def test_us_plates_are_found_and_read(reader: PlateReader, shared_data: Path) -> None:
    score = _score(reader, shared_data / "plates" / "us")
    assert score.images == 222
    assert score.detection_rate >= 0.85
    assert score.exact_rate >= 0.7


def test_a_read_plate_is_found_on_a_wanted_list(reader: PlateReader, shared_data: Path) -> None:
    folder = shared_data / "plates" / "eu"
    truth = read_plate_truths(folder)[0]
    readings = reader.read(read_image(folder / truth.file))
    wanted = PlateList([truth.text, "30A123BC"])
    best = readings[0]
    assert best.text.kind is PlateKind.FOREIGN
    match = wanted.match(best.raw, max_edits=1)
    assert match is not None
    assert match.plate == truth.text
