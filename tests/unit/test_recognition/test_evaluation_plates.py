"""Plate scores and the eval report: halves side by side, truth written in its layout."""

from recognition.evaluation.accuracy import PlateTruth, score_plates
from recognition.evaluation.benchmark import PlateSetResult, Report, render
from recognition.plate_format import EUROPEAN, parse_plate
from recognition.plates import PlateReading

BOX = (10.0, 10.0, 100.0, 25.0)


def _reading(raw: str) -> PlateReading:
    return PlateReading(BOX, 0.9, raw, parse_plate(raw, EUROPEAN), 0.99)


def test_a_truth_that_mixes_o_and_0_counts_in_its_layout_only() -> None:
    truths = [PlateTruth("a.jpg", BOX, "RKO99AN"), PlateTruth("b.jpg", BOX, "RK755AJ")]
    readings = [[_reading("RK099AN")], [_reading("RK755AJ")]]
    score = score_plates(truths, readings, grammar=EUROPEAN)
    assert (score.exact_rate, score.format_exact_rate, score.folded_rate) == (0.5, 1.0, 1.0)
    assert score_plates(truths, readings).format_exact_rate == 0.5  # no grammar: as published


def test_a_plate_found_elsewhere_in_the_photo_is_not_read() -> None:
    elsewhere = PlateReading((300.0, 300.0, 100.0, 25.0), 0.9, "RK755AJ", parse_plate("X"), 0.9)
    score = score_plates([PlateTruth("b.jpg", BOX, "RK755AJ")], [[elsewhere]], grammar=EUROPEAN)
    assert (score.detection_rate, score.exact_rate) == (0.0, 0.0)


def _result(half: str, images: int, exact: float, in_layout: float = 1.0) -> PlateSetResult:
    return PlateSetResult(
        name="eu",
        half=half,
        grammar="eu",
        images=images,
        detection_rate=1.0,
        exact_rate=exact,
        raw_exact_rate=exact,
        folded_rate=1.0,
        format_exact_rate=in_layout,
    )


def test_the_report_shows_both_halves_side_by_side_and_every_row() -> None:
    plates = [
        _result("tune", 20, 0.95, 0.95),
        _result("holdout", 34, 0.9, 0.97),
        _result("all", 54, 0.92),
    ]
    text = render(Report(plates=plates, faces=[], latency=[]))
    assert "| eu | 20 | 95.0 % (95.0 %) | 34 | 90.0 % (97.0 %) | -5.0 (+2.0) points |" in text
    assert "| eu | holdout | eu | 34 | 100.0 % | 90.0 % | 97.0 % |" in text
    assert "| eu | all | eu | 54 |" in text


def test_a_report_without_plates_has_no_plate_halves() -> None:
    assert "holdout" not in render(Report(plates=[], faces=[], latency=[]))
