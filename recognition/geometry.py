"""Box arithmetic shared by the face and plate pipelines (pure numpy)."""

from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IndexArray = npt.NDArray[np.intp]

_EPSILON: Final = 1e-9


def xywh_to_xyxy(boxes: FloatArray) -> FloatArray:
    corners = boxes.copy()
    corners[:, 2:4] = boxes[:, 0:2] + boxes[:, 2:4]
    return corners


def iou_one_to_many(box: FloatArray, others: FloatArray) -> FloatArray:
    """Intersection over union of one xyxy box with each of several xyxy boxes."""
    top_left = np.maximum(box[:2], others[:, :2])
    bottom_right = np.minimum(box[2:4], others[:, 2:4])
    overlap = np.clip(bottom_right - top_left, 0.0, None).prod(axis=1)
    area = (box[2:4] - box[:2]).prod()
    areas = (others[:, 2:4] - others[:, :2]).prod(axis=1)
    iou: FloatArray = (overlap / (area + areas - overlap + _EPSILON)).astype(np.float32)
    return iou


def non_max_suppression(boxes_xyxy: FloatArray, scores: FloatArray, max_iou: float) -> IndexArray:
    """Indices of the boxes kept, best score first; a box overlapping a kept one is dropped."""
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    while order.size:
        best = int(order[0])
        kept.append(best)
        rest = order[1:]
        order = rest[iou_one_to_many(boxes_xyxy[best], boxes_xyxy[rest]) <= max_iou]
    return np.asarray(kept, dtype=np.intp)


def similarity_transform(source: FloatArray, target: FloatArray) -> FloatArray:
    """The 2x3 rotation+uniform scale+translation mapping ``source`` points onto ``target``.

    Least squares in the sense of Umeyama (1991): centre both point sets, take the SVD of their
    covariance, and correct the sign so the result is a rotation, never a reflection.
    """
    source_mean, target_mean = source.mean(axis=0), target.mean(axis=0)
    source_centred, target_centred = source - source_mean, target - target_mean
    covariance = target_centred.T @ source_centred / len(source)
    left, singular, right_t = np.linalg.svd(covariance)
    sign = np.eye(2)
    if np.linalg.det(left) * np.linalg.det(right_t) < 0:
        sign[1, 1] = -1.0
    rotation = left @ sign @ right_t
    source_variance = source_centred.var(axis=0).sum()
    scale = float((singular * np.diag(sign)).sum() / source_variance)
    matrix = np.empty((2, 3), dtype=np.float32)
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = target_mean - scale * rotation @ source_mean
    return matrix
