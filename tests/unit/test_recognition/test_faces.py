import numpy as np

from recognition.faces import (
    SFACE_TEMPLATE_PX,
    YUNET_STRIDES,
    align_face,
    alignment_matrix,
    decode_yunet,
    l2_normalise,
    pad_to_multiple,
)

HEIGHT, WIDTH = 64, 96


def _empty_outputs() -> dict[str, np.ndarray]:
    outputs = {}
    for stride in YUNET_STRIDES:
        cells = (HEIGHT // stride) * (WIDTH // stride)
        outputs[f"cls_{stride}"] = np.zeros((1, cells, 1), np.float32)
        outputs[f"obj_{stride}"] = np.zeros((1, cells, 1), np.float32)
        outputs[f"bbox_{stride}"] = np.zeros((1, cells, 4), np.float32)
        outputs[f"kps_{stride}"] = np.zeros((1, cells, 10), np.float32)
    return outputs


def test_one_confident_cell_decodes_to_its_box_and_landmarks() -> None:
    outputs = _empty_outputs()
    row, column, stride = 2, 3, 16
    cell = row * (WIDTH // stride) + column
    outputs["cls_16"][0, cell] = 0.81
    outputs["obj_16"][0, cell] = 1.0
    outputs["bbox_16"][0, cell] = [0.5, 0.25, np.log(2.0), 0.0]  # centre offset, log size in cells
    outputs["kps_16"][0, cell, :2] = [-0.5, 1.0]
    boxes, scores, landmarks = decode_yunet(outputs, HEIGHT, WIDTH, min_score=0.5)
    centre_x, centre_y = (column + 0.5) * stride, (row + 0.25) * stride
    np.testing.assert_allclose(boxes, [[centre_x - 16, centre_y - 8, 32, 16]], atol=1e-4)
    np.testing.assert_allclose(scores, [0.9], atol=1e-6)
    np.testing.assert_allclose(landmarks[0, 0], [(column - 0.5) * stride, (row + 1) * stride])


def test_cells_below_min_score_are_dropped() -> None:
    outputs = _empty_outputs()
    outputs["cls_8"][0, 0] = 0.25
    outputs["obj_8"][0, 0] = 1.0
    boxes, scores, landmarks = decode_yunet(outputs, HEIGHT, WIDTH, min_score=0.6)
    assert boxes.shape == (0, 4)
    assert scores.shape == (0,)
    assert landmarks.shape == (0, 5, 2)


def test_padding_reaches_the_next_multiple_on_bottom_and_right() -> None:
    image = np.full((70, 33, 3), 200, np.uint8)
    padded = pad_to_multiple(image, 32)
    assert padded.shape == (96, 64, 3)
    assert (padded[:70, :33] == 200).all()
    assert (padded[70:] == 0).all()


def test_landmarks_on_the_template_need_no_transform() -> None:
    matrix = alignment_matrix(SFACE_TEMPLATE_PX)
    np.testing.assert_allclose(matrix, [[1, 0, 0], [0, 1, 0]], atol=1e-4)


def test_a_face_twice_as_large_is_halved_by_alignment() -> None:
    landmarks = SFACE_TEMPLATE_PX * 2 + np.array([30, 40], dtype=np.float32)
    matrix = alignment_matrix(landmarks)
    mapped = landmarks @ matrix[:, :2].T + matrix[:, 2]
    np.testing.assert_allclose(mapped, SFACE_TEMPLATE_PX, atol=1e-3)
    image = np.zeros((400, 400, 3), np.uint8)
    assert align_face(image, landmarks).shape == (112, 112, 3)


def test_embeddings_are_unit_length() -> None:
    vectors = np.array([[3, 4], [0, 0]], dtype=np.float32)
    normalised = l2_normalise(vectors)
    np.testing.assert_allclose(normalised[0], [0.6, 0.8])
    assert not np.isnan(normalised).any()
