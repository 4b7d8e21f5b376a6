"""The .pt reader and the YOLOv8 converter, on tiny checkpoints written here (no torch, no model
files), run through the real ModelRunner and checked against numpy."""

import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import pytest
from onnx import TensorProto, helper

from recognition.errors import ModelError
from recognition.modelprep.prepare import prepare_models
from recognition.modelprep.torch_pickle import Recorded, load_checkpoint
from recognition.modelprep.yolo_pt import OPSET, GraphBuilder, convert_checkpoint
from recognition.runner import ModelRunner
from tests.unit.test_recognition.test_modelprep.checkpoint_writer import (
    CheckpointWriter,
    FakeModule,
)

Array = npt.NDArray[np.float32]
ULTRALYTICS = "ultralytics.nn.modules"
TORCH_NN = "torch.nn.modules"
BN_EPS = 1e-3
REG_MAX = 4
INPUT_PX = 64


def _sigmoid(x: Array) -> Array:
    return (1 / (1 + np.exp(-x))).astype(np.float32)


def _conv(
    writer: CheckpointWriter,
    rng: np.random.Generator,
    channels: tuple[int, int],
    kernel: int = 1,
    stride: int = 1,
    dtype: type = np.float16,
) -> FakeModule:
    """An Ultralytics Conv: Conv2d without bias, BatchNorm2d, SiLU."""
    c_in, c_out = channels
    weight: npt.NDArray[Any] = rng.normal(0, 0.5, (c_out, c_in, kernel, kernel)).astype(dtype)
    conv2d = writer.module(
        f"{TORCH_NN}.conv.Conv2d",
        _parameters={"weight": writer.tensor(weight), "bias": None},
        stride=(stride, stride),
        padding=(kernel // 2, kernel // 2),
        dilation=(1, 1),
        groups=1,
    )
    bn = writer.module(
        f"{TORCH_NN}.batchnorm.BatchNorm2d",
        eps=BN_EPS,
        _parameters={
            "weight": writer.tensor(rng.uniform(0.5, 1.5, c_out).astype(dtype)),
            "bias": writer.tensor(rng.normal(0, 0.5, c_out).astype(dtype)),
        },
        _buffers={
            "running_mean": writer.tensor(rng.normal(0, 0.5, c_out).astype(dtype)),
            "running_var": writer.tensor(rng.uniform(0.5, 2, c_out).astype(dtype)),
        },
    )
    act = writer.module(f"{TORCH_NN}.activation.SiLU", inplace=True)
    return writer.module(f"{ULTRALYTICS}.Conv", _modules={"conv": conv2d, "bn": bn, "act": act})


def _numpy_conv_bn_silu(x: Array, module: Recorded) -> Array:
    """The reference: direct convolution, then BatchNorm and SiLU, as PyTorch defines them."""
    conv, bn = module._modules["conv"], module._modules["bn"]
    weight = conv._parameters["weight"].astype(np.float32)
    kernel, stride, pad = weight.shape[2], conv.stride[0], conv.padding[0]
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kernel, kernel), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride]
    y = np.einsum("bchwij,ocij->bohw", windows, weight)
    params = {**bn._parameters, **bn._buffers}
    gamma, beta, mean, var = (
        params[k].astype(np.float32).reshape(1, -1, 1, 1)
        for k in ("weight", "bias", "running_mean", "running_var")
    )
    y = (y - mean) / np.sqrt(var + bn.eps) * gamma + beta
    silu: Array = (y * _sigmoid(y)).astype(np.float32)
    return silu


def _run_subgraph(
    graph: GraphBuilder, x: Array, output: str, shape: list[int], tmp_path: Path
) -> Array:
    model = helper.make_model(
        helper.make_graph(
            graph.nodes,
            "part",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, shape)],
            graph.initializers,
        ),
        opset_imports=[helper.make_opsetid("", OPSET)],
    )
    onnx.checker.check_model(model)
    path = tmp_path / "part.onnx"
    onnx.save(model, str(path))
    runner = ModelRunner(path)
    return runner.run({"x": x})[0]


def test_conv_with_batch_norm_matches_numpy(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    writer = CheckpointWriter()
    root = {"layer": _conv(writer, rng, (3, 5), kernel=3, stride=2)}
    loaded = load_checkpoint(writer.write(tmp_path / "conv.pt", root))
    layer = loaded["layer"]
    assert layer.class_name == "Conv"
    assert layer._modules["conv"]._parameters["weight"].dtype == np.float16
    x = rng.normal(size=(1, 3, 9, 9)).astype(np.float32)
    graph = GraphBuilder()
    output = graph.conv("x", layer)
    actual = _run_subgraph(graph, x, output, [1, 5, 5, 5], tmp_path)
    expected = _numpy_conv_bn_silu(x, layer)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


def test_tensor_views_keep_storage_offset_and_strides(tmp_path: Path) -> None:
    writer = CheckpointWriter()
    matrix = writer.tensor(np.arange(12, dtype=np.float32))
    matrix.offset, matrix.shape, matrix.stride = 2, (3, 2), (1, 3)  # a transposed view
    loaded = load_checkpoint(writer.write(tmp_path / "view.pt", {"t": matrix}))
    np.testing.assert_array_equal(loaded["t"], [[2, 5], [3, 6], [4, 7]])


def test_a_view_past_its_storage_is_refused(tmp_path: Path) -> None:
    writer = CheckpointWriter()
    vector = writer.tensor(np.arange(4, dtype=np.float32))
    vector.offset = 3
    path = writer.write(tmp_path / "past.pt", {"t": vector})
    with pytest.raises(ModelError, match="storage"):
        load_checkpoint(path)


def test_a_global_outside_the_allow_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("evil/data.pkl", pickle.dumps(Path("x"), protocol=2))
    with pytest.raises(ModelError, match="does not allow"):
        load_checkpoint(path)


def test_a_file_that_is_not_a_checkpoint_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "text.pt"
    path.write_text("not a zip")
    with pytest.raises(ModelError, match="cannot read checkpoint"):
        load_checkpoint(path)


def _head_branch(
    writer: CheckpointWriter, rng: np.random.Generator, c_in: int, bias: Array
) -> FakeModule:
    """cv2/cv3 of one level: two Convs, then a 1x1 Conv2d with zero weights and the given bias,
    so the head's output is known exactly whatever the features."""
    last = writer.module(
        f"{TORCH_NN}.conv.Conv2d",
        _parameters={
            "weight": writer.tensor(np.zeros((bias.size, 4, 1, 1), np.float16)),
            "bias": writer.tensor(bias.astype(np.float16)),
        },
        stride=(1, 1),
        padding=(0, 0),
        dilation=(1, 1),
        groups=1,
    )
    layers = {
        "0": _conv(writer, rng, (c_in, 4), kernel=3),
        "1": _conv(writer, rng, (4, 4), kernel=3),
        "2": last,
    }
    return writer.module(f"{TORCH_NN}.container.Sequential", _modules=layers)


def _tiny_yolo(writer: CheckpointWriter, box_bias: Array, class_bias: Array) -> dict[str, Any]:
    """Every layer kind of YOLOv8 once: three strides, C2f, SPPF, Upsample, Concat, Detect."""
    rng = np.random.default_rng(7)
    bottleneck = writer.module(
        f"{ULTRALYTICS}.Bottleneck",
        add=True,
        _modules={"cv1": _conv(writer, rng, (4, 4), 3), "cv2": _conv(writer, rng, (4, 4), 3)},
    )
    pool = writer.module(f"{TORCH_NN}.pooling.MaxPool2d", kernel_size=5, stride=1, padding=2)
    ml = f"{TORCH_NN}.container.ModuleList"
    layers: list[FakeModule] = [
        _conv(writer, rng, (3, 4), 3, 2),
        _conv(writer, rng, (4, 4), 3, 2),
        _conv(writer, rng, (4, 8), 3, 2),
        writer.module(
            f"{ULTRALYTICS}.C2f",
            c=4,
            _modules={
                "cv1": _conv(writer, rng, (8, 8)),
                "cv2": _conv(writer, rng, (12, 8)),
                "m": writer.module(ml, _modules={"0": bottleneck}),
            },
        ),
        _conv(writer, rng, (8, 8), 3, 2),
        _conv(writer, rng, (8, 8), 3, 2),
        writer.module(
            f"{ULTRALYTICS}.SPPF",
            _modules={
                "cv1": _conv(writer, rng, (8, 4)),
                "cv2": _conv(writer, rng, (16, 8)),
                "m": pool,
            },
        ),
        writer.module(
            f"{TORCH_NN}.upsampling.Upsample", mode="nearest", scale_factor=2.0, size=None
        ),
        writer.module(f"{ULTRALYTICS}.Concat", d=1),
    ]
    dfl_conv = writer.module(
        f"{TORCH_NN}.conv.Conv2d",
        _parameters={
            "weight": writer.tensor(np.arange(REG_MAX, dtype=np.float32).reshape(1, -1, 1, 1))
        },
    )
    channels = (8, 16, 8)
    layers.append(
        writer.module(
            f"{ULTRALYTICS}.Detect",
            nc=class_bias.size,
            reg_max=REG_MAX,
            stride=writer.tensor(np.array([8, 16, 32], np.float16)),
            _modules={
                "cv2": writer.module(
                    ml,
                    _modules={
                        str(i): _head_branch(writer, rng, c, box_bias)
                        for i, c in enumerate(channels)
                    },
                ),
                "cv3": writer.module(
                    ml,
                    _modules={
                        str(i): _head_branch(writer, rng, c, class_bias)
                        for i, c in enumerate(channels)
                    },
                ),
                "dfl": writer.module(f"{ULTRALYTICS}.DFL", _modules={"conv": dfl_conv}),
            },
        )
    )
    froms: list[Any] = [-1] * 8 + [[-1, 4], [3, 8, 6]]
    for layer, source in zip(layers, froms, strict=True):
        layer.__dict__["f"] = source
    sequential = writer.module(
        f"{TORCH_NN}.container.Sequential", _modules={str(i): m for i, m in enumerate(layers)}
    )
    model = writer.module(
        "ultralytics.nn.tasks.DetectionModel",
        nc=class_bias.size,
        names={0: "plate", 1: "other"},
        stride=writer.tensor(np.array([8, 16, 32], np.float32)),
        _modules={"model": sequential},
    )
    return {"epoch": -1, "model": model, "ema": None}


def test_tiny_yolo_decodes_boxes_around_each_anchor(tmp_path: Path) -> None:
    peak = 30.0  # softmax of a bin this far above the others is 1 to float precision
    box_bias = np.zeros((4, REG_MAX), np.float32)
    box_bias[[0, 1, 2, 3], [0, 1, 3, 2]] = peak  # left 0, top 1, right 3, bottom 2 cells
    class_bias = np.array([0.0, 1.0], np.float32)
    writer = CheckpointWriter()
    path = writer.write(tmp_path / "tiny.pt", _tiny_yolo(writer, box_bias.ravel(), class_bias))
    model = convert_checkpoint(path, INPUT_PX)
    onnx.checker.check_model(model)
    onnx.save(model, str(tmp_path / "tiny.onnx"))
    runner = ModelRunner(tmp_path / "tiny.onnx")
    assert runner.input_shapes[0] == (1, 3, INPUT_PX, INPUT_PX)
    output = runner.run({"images": np.random.default_rng(0).random((1, 3, 64, 64), np.float32)})[0]
    anchors = (8 * 8) + (4 * 4) + (2 * 2)
    assert output.shape == (1, 6, anchors)
    level_strides = np.repeat([8, 16, 32], [64, 16, 4]).astype(np.float32)
    cells = [np.indices((n, n))[::-1].reshape(2, -1) for n in (8, 4, 2)]  # (x, y) row-major
    centres = (np.concatenate(cells, axis=1) + 0.5) * level_strides
    expected_boxes = np.stack(
        [
            centres[0] + 1.5 * level_strides,  # cx = anchor + (right - left) / 2
            centres[1] + 0.5 * level_strides,  # cy = anchor + (bottom - top) / 2
            3 * level_strides,  # w = left + right
            3 * level_strides,  # h = top + bottom
        ]
    )
    np.testing.assert_allclose(output[0, :4], expected_boxes, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(
        output[0, 4:], np.repeat(_sigmoid(class_bias)[:, None], anchors, 1), rtol=1e-5
    )


def test_input_size_must_be_a_multiple_of_the_largest_stride(tmp_path: Path) -> None:
    writer = CheckpointWriter()
    path = writer.write(
        tmp_path / "tiny.pt", _tiny_yolo(writer, np.zeros(16, np.float32), np.zeros(1, np.float32))
    )
    with pytest.raises(ModelError, match="multiple of 32"):
        convert_checkpoint(path, 100)


def test_an_unknown_plate_detector_is_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="yolov8n"):
        prepare_models(tmp_path, plate_detector="yolov9")
    assert not any(tmp_path.iterdir())
