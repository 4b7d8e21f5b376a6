"""The real safelicensing checkpoint converted without torch, checked on a real photo."""

import sys
from pathlib import Path

import numpy as np
import pytest

from recognition.evaluation.accuracy import read_plate_truths
from recognition.geometry import iou_one_to_many
from recognition.images import read_image
from recognition.modelprep.prepare import PLATE_DETECTOR_INPUT_PX
from recognition.modelprep.sources import PLATE_DETECTOR, locate_source
from recognition.modelprep.torch_pickle import load_checkpoint
from recognition.modelprep.yolo_pt import detection_model
from recognition.models import ModelPaths
from recognition.plates import PlateReader
from recognition.runner import ModelRunner
from tests.datafiles import EU_PLATES
from tests.integration.test_recognition.conftest import WHEEL_DIR

pytestmark = pytest.mark.integration


def test_the_checkpoint_reads_as_yolov8n_without_torch(tmp_path: Path) -> None:
    model = detection_model(load_checkpoint(locate_source(PLATE_DETECTOR, WHEEL_DIR, tmp_path)))
    assert "torch" not in sys.modules
    assert "ultralytics" not in sys.modules
    assert model.nc == 1
    assert [int(s) for s in model.stride] == [8, 16, 32]
    assert len(model._modules["model"]._modules) == 23  # YOLOv8's 22 layers and the head


def test_the_converted_detector_finds_the_plate_of_a_real_photo(model_paths: ModelPaths) -> None:
    detector = ModelRunner(model_paths.plate_detector)
    side = PLATE_DETECTOR_INPUT_PX
    assert detector.input_shapes[0] == (1, 3, side, side)
    reader = PlateReader(detector, ModelRunner(model_paths.plate_reader))
    truth = read_plate_truths(EU_PLATES)[0]
    boxes, scores = reader.detect(read_image(EU_PLATES / truth.file))
    x, y, width, height = truth.box
    overlap = iou_one_to_many(np.array([x, y, x + width, y + height], np.float32), boxes)
    assert overlap[0] >= 0.5  # the best box is the plate
    assert scores[0] >= 0.5
