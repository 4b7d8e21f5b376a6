import numpy as np

from recognition.geometry import non_max_suppression, similarity_transform, xywh_to_xyxy


def test_overlapping_box_with_lower_score_is_suppressed() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=np.float32)
    scores = np.array([0.5, 0.9, 0.7], dtype=np.float32)
    assert non_max_suppression(boxes, scores, max_iou=0.3).tolist() == [1, 2]


def test_nothing_to_suppress_returns_empty() -> None:
    empty = np.empty((0, 4), dtype=np.float32)
    assert non_max_suppression(empty, np.empty(0, np.float32), 0.5).size == 0


def test_xywh_becomes_corners() -> None:
    boxes = np.array([[2, 3, 4, 5]], dtype=np.float32)
    assert xywh_to_xyxy(boxes).tolist() == [[2, 3, 6, 8]]


def test_similarity_transform_recovers_rotation_scale_and_shift() -> None:
    angle, scale, shift = np.deg2rad(25.0), 1.7, np.array([12.0, -4.0])
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    source = np.array([[0, 0], [10, 0], [5, 6], [1, 9], [9, 9]], dtype=np.float32)
    target = (scale * source @ rotation.T + shift).astype(np.float32)
    matrix = similarity_transform(source, target)
    np.testing.assert_allclose(matrix[:, :2], scale * rotation, atol=1e-4)
    np.testing.assert_allclose(matrix[:, 2], shift, atol=1e-3)


def test_similarity_transform_never_reflects() -> None:
    source = np.array([[0, 0], [10, 0], [0, 10]], dtype=np.float32)
    mirrored = source * np.array([-1.0, 1.0], dtype=np.float32)
    matrix = similarity_transform(source, mirrored)
    assert np.linalg.det(matrix[:, :2]) > 0
