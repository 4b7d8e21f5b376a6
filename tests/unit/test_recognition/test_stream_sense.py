import argparse

import cv2
import numpy as np
import pytest

from recognition.engine import FaceResult
from recognition.enrolment import EnrolmentRefused, Refusal, choose_face
from recognition.face_quality import MIN_FRONTALNESS, frontalness, sharpness, shot_score
from recognition.faces import Face, ImageArray
from recognition.stream_sense import StreamSense, best_of
from server.settings import SettingsError, load
from server.settings_flags import add_arguments

NOTHING: dict[str, tuple[float, str]] = {}


def _seen(score: float, payload: str, subject: str = "face:1") -> dict[str, tuple[float, str]]:
    return {subject: (score, payload)}


def test_one_frame_in_ten_confirms_nothing() -> None:
    sense: StreamSense[str] = StreamSense(k=3, n=5)
    confirmed = [sense.frame(_seen(1.0, "shot") if i == 4 else NOTHING) for i in range(10)]
    assert confirmed == [{}] * 10


def test_three_of_five_confirm_with_the_best_shot_of_the_window() -> None:
    sense: StreamSense[str] = StreamSense(k=3, n=5)
    frames = [_seen(2.0, "a"), NOTHING, _seen(9.0, "b"), NOTHING, _seen(4.0, "c")]
    confirmed = [sense.frame(seen) for seen in frames]
    assert confirmed[:4] == [{}] * 4
    assert confirmed[4] == {"face:1": "b"}


def test_hits_spread_wider_than_the_window_never_confirm() -> None:
    sense: StreamSense[str] = StreamSense(k=3, n=5)
    for i in range(30):
        # every third frame: at most two hits in any five consecutive frames
        assert sense.frame(_seen(1.0, f"f{i}") if i % 3 == 0 else NOTHING) == {}


def test_a_confirmed_subject_stays_confirmed_while_seen_and_only_in_frames_that_hold_it() -> None:
    sense: StreamSense[str] = StreamSense(k=2, n=3)
    assert sense.frame(_seen(1.0, "a")) == {}
    assert sense.frame(_seen(3.0, "b")) == {"face:1": "b"}
    assert sense.frame(_seen(2.0, "c")) == {"face:1": "b"}
    assert sense.frame(NOTHING) == {}  # absent: nothing to report in this frame
    assert sense.frame(_seen(1.0, "d")) == {"face:1": "c"}  # b has left the window
    assert sense.hits("face:1") == 2


def test_subjects_are_counted_apart() -> None:
    sense: StreamSense[str] = StreamSense(k=2, n=2)
    assert sense.frame({"face:1": (1.0, "x"), "plate:A": (0.9, "p")}) == {}
    assert sense.frame(_seen(0.5, "q", "plate:A")) == {"plate:A": "p"}
    assert sense.frame(_seen(1.0, "y")) == {}  # face:1 missed the frame in between


def test_k_equal_n_equal_one_is_every_frame_as_before() -> None:
    sense: StreamSense[str] = StreamSense(k=1, n=1)
    assert sense.frame(_seen(1.0, "a")) == {"face:1": "a"}
    assert sense.frame(NOTHING) == {}
    assert sense.frame(_seen(0.1, "b")) == {"face:1": "b"}


def test_memory_forgets_subjects_gone_from_the_window_and_is_bounded() -> None:
    sense: StreamSense[str] = StreamSense(k=3, n=5, max_subjects=4)
    for i in range(10):
        sense.frame(_seen(1.0, "x", f"face:{i}"))
    assert len(sense) == 4
    for _ in range(5):
        sense.frame(NOTHING)
    assert len(sense) == 0


def test_k_above_n_is_refused() -> None:
    with pytest.raises(ValueError, match="k=4, n=3"):
        StreamSense[str](k=4, n=3)


def test_a_frame_counts_once_for_a_subject_seen_twice_in_it() -> None:
    best = best_of([("face:1", 1.0, "small"), ("face:1", 5.0, "large"), ("face:2", 2.0, "z")])
    assert best == {"face:1": (5.0, "large"), "face:2": (2.0, "z")}


def _textured(size_px: int) -> ImageArray:
    """Coarse random blocks at ``size_px`` x 8: detail that blur removes."""
    rng = np.random.default_rng(7)
    blocks = rng.integers(0, 256, (size_px, size_px, 3), dtype=np.uint8)
    return _u8(cv2.resize(blocks, (size_px * 8, size_px * 8), interpolation=cv2.INTER_NEAREST))


def _u8(image: object) -> ImageArray:
    return np.asarray(image, dtype=np.uint8)


def test_sharpness_falls_with_blur_and_does_not_depend_on_the_face_size() -> None:
    image = _textured(50)
    box = (0.0, 0.0, 400.0, 400.0)
    sharp = sharpness(image, box)
    assert sharpness(_u8(cv2.GaussianBlur(image, (0, 0), 8)), box) < sharp / 4
    half = _u8(cv2.resize(image, (200, 200), interpolation=cv2.INTER_AREA))
    assert sharpness(half, (0.0, 0.0, 200.0, 200.0)) == pytest.approx(sharp, rel=0.25)
    assert sharpness(image, (390.0, 390.0, 50.0, 50.0)) > 0  # clipped to the image
    assert sharpness(image, (500.0, 500.0, 50.0, 50.0)) == 0.0  # wholly outside


def test_frontalness_from_the_eyes_and_the_nose() -> None:
    mouth = [(40.0, 90.0), (70.0, 90.0)]
    straight = [(38.0, 50.0), (74.0, 50.0), (56.0, 70.0), *mouth]
    turned = [(38.0, 50.0), (74.0, 50.0), (68.0, 70.0), *mouth]
    profile = [(38.0, 50.0), (74.0, 50.0), (80.0, 70.0), *mouth]
    assert frontalness(straight) == 1.0
    assert frontalness(turned) == pytest.approx(6 / 30)
    assert frontalness(profile) == MIN_FRONTALNESS
    assert frontalness([]) == 1.0  # no landmarks: nothing to judge by


def test_the_shot_score_prefers_the_larger_of_two_equally_sharp_faces() -> None:
    image = _textured(50)
    landmarks = [(38.0, 50.0), (74.0, 50.0), (56.0, 70.0), (40.0, 90.0), (70.0, 90.0)]
    small = shot_score(image, (0.0, 0.0, 100.0, 100.0), landmarks)
    large = shot_score(image, (0.0, 0.0, 300.0, 300.0), landmarks)
    assert large > small > 0


def test_a_window_shorter_than_k_is_refused_at_start_naming_both_settings() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    flags = parser.parse_args([])
    environ = {"POSBON_RECOGNITION_CONFIRM_K": "4", "POSBON_RECOGNITION_CONFIRM_N": "3"}
    with pytest.raises(SettingsError, match="from 1 to recognition_confirm_n \\(3\\)"):
        load(flags, environ=environ)
    settings = load(flags, environ={"POSBON_RECOGNITION_CONFIRM_K": "1"})
    assert (settings.recognition_confirm_k, settings.recognition_confirm_n) == (1, 5)


def _result(width_px: float, *, x: float = 0.0, embedded: bool = True) -> FaceResult:
    face = Face(box=(x, 0.0, width_px, width_px), score=0.9, landmarks=())
    return FaceResult(face, np.ones(128, np.float32) if embedded else None)


def test_enrolment_takes_the_one_clear_face_and_refuses_the_rest_in_order() -> None:
    image = _textured(50)
    assert choose_face(image, [_result(200.0)]).face.width_px == 200.0
    far_behind = _result(60.0, x=300.0)  # under half the subject's width: not a rival
    assert choose_face(image, [far_behind, _result(200.0)]).face.width_px == 200.0
    cases = [
        ([], Refusal.NO_FACE),
        ([_result(200.0), _result(120.0, x=200.0)], Refusal.SEVERAL_FACES),
        ([_result(40.0)], Refusal.FACE_TOO_SMALL),
        ([_result(60.0, embedded=False)], Refusal.FACE_TOO_SMALL),
        ([_result(200.0)], Refusal.FACE_TOO_BLURRED),
    ]
    blurred = _u8(cv2.GaussianBlur(image, (0, 0), 12))
    for results, reason in cases:
        picture = blurred if reason is Refusal.FACE_TOO_BLURRED else image
        with pytest.raises(EnrolmentRefused) as refused:
            choose_face(picture, results, min_face_px=48, min_sharpness=30.0)
        assert refused.value.reason is reason
