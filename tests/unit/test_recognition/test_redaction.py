"""Pixelation, the irreversible part of redaction, on synthetic arrays."""

import numpy as np

from recognition.redaction import MIN_BLOCK_PX, Box, pixelate


def _noise(height: int = 120, width: int = 160) -> np.ndarray:
    return np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_inside_the_box_only_a_few_colours_are_left_and_outside_nothing_changed() -> None:
    frame = _noise()
    before = frame.copy()
    pixelate(frame, Box(20, 10, 80, 64))
    inside = frame[10:74, 20:100].reshape(-1, 3)
    assert len(np.unique(inside, axis=0)) <= 8 * 8
    mask = np.ones(frame.shape[:2], dtype=bool)
    mask[10:74, 20:100] = False
    assert np.array_equal(frame[mask], before[mask])


def test_each_block_is_one_colour() -> None:
    frame = _noise()
    pixelate(frame, Box(0, 0, 96, 96))  # 8 blocks of 12 px
    block = frame[12:24, 36:48].reshape(-1, 3)
    assert len(np.unique(block, axis=0)) == 1


def test_a_small_box_still_loses_its_detail() -> None:
    frame = _noise()
    pixelate(frame, Box(5, 5, MIN_BLOCK_PX * 2, MIN_BLOCK_PX * 2))
    region = frame[5 : 5 + MIN_BLOCK_PX * 2, 5 : 5 + MIN_BLOCK_PX * 2].reshape(-1, 3)
    assert len(np.unique(region, axis=0)) <= 4


def test_a_box_partly_outside_the_picture_is_clipped_and_one_wholly_outside_does_nothing() -> None:
    frame = _noise()
    before = frame.copy()
    pixelate(frame, Box(500, 500, 40, 40))
    pixelate(frame, Box(-20, -20, 10, 10))
    assert np.array_equal(frame, before)
    pixelate(frame, Box(140, 100, 80, 80))
    assert not np.array_equal(frame[100:, 140:], before[100:, 140:])
    assert np.array_equal(frame[:100], before[:100])
