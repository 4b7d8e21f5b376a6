"""Turn an Ultralytics YOLOv8 detection checkpoint (``.pt``) into an ONNX model, without torch.

Theory of operation. ``torch_pickle`` gives the checkpoint's module tree as recorded stand-ins
with numpy weights. The DetectionModel's ``model`` is a Sequential whose layers each name their
input(s) in ``f`` (-1: the previous layer); each layer is written as ONNX nodes in order, its
output kept by index for later Concats and the head:

- Conv: Conv2d with BatchNorm folded into weight and bias, then SiLU as x * Sigmoid(x);
- C2f: cv1, Split into two halves, n Bottlenecks each on the last part (residual if ``add``),
  Concat of every part, cv2;  SPPF: cv1, three chained 5x5 max pools, Concat, cv2;
- Upsample: nearest x2 (floor, as torch does);  Concat: along ``d``;
- Detect: per level cv2 (4 x reg_max box logits) and cv3 (class logits), flattened and joined.
  DFL's softmax-weighted bin sum and the distance-to-box arithmetic are one MatMul with a
  constant (4, 4 x reg_max) matrix, then x stride + anchor centre, precomputed for the fixed
  input size. Output (1, 4 + nc, anchors): cx, cy, w, h in input pixels, then sigmoid scores,
  as Ultralytics' own ONNX export (what ``plates.decode_yolo`` reads).

Weights are fp32 whatever the checkpoint stores; the input is ``images`` (1, 3, S, S), RGB 0..1.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from recognition.errors import ModelError
from recognition.modelprep.torch_pickle import AnyArray, Recorded, load_checkpoint

FloatArray = np.ndarray[Any, np.dtype[np.float32]]

OPSET: Final = 17
INPUT_NAME: Final = "images"
OUTPUT_NAME: Final = "output0"
ANCHOR_OFFSET: Final = 0.5  # anchor points sit at cell centres
SPPF_POOLS: Final = 3


def child(module: Recorded, name: str) -> Recorded:
    found = module.__dict__.get("_modules", {}).get(name)
    if not isinstance(found, Recorded):
        raise ModelError(f"{module.class_name} has no sub-module {name!r}")
    return found


def children(module: Recorded) -> list[Recorded]:
    return list(module.__dict__.get("_modules", {}).values())


def tensor(module: Recorded, name: str) -> FloatArray | None:
    """A parameter or buffer as fp32, None when the module has it switched off (e.g. bias)."""
    for table in ("_parameters", "_buffers"):
        value = module.__dict__.get(table, {}).get(name)
        if value is not None:
            return np.asarray(value, dtype=np.float32)
    return None


def fold_batch_norm(
    weight: FloatArray, bias: FloatArray | None, bn: Recorded
) -> tuple[FloatArray, FloatArray]:
    """Conv weight/bias with an inference-mode BatchNorm after it folded in."""
    gamma, beta = tensor(bn, "weight"), tensor(bn, "bias")
    mean, var = tensor(bn, "running_mean"), tensor(bn, "running_var")
    if gamma is None or beta is None or mean is None or var is None:
        raise ModelError("BatchNorm2d without affine weights or running statistics")
    scale = gamma / np.sqrt(var + float(bn.eps))
    folded_bias = beta + ((bias if bias is not None else 0.0) - mean) * scale
    return (weight * scale[:, None, None, None]).astype(np.float32), folded_bias.astype(np.float32)


def _pair(value: Any) -> list[int]:
    return [int(v) for v in value] if isinstance(value, tuple | list) else [int(value)] * 2


class GraphBuilder:
    """Collects nodes and fp32 initializers with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, array: AnyArray) -> str:
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], outputs: int = 1, **attrs: Any) -> list[str]:
        names = [self.name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, **attrs))
        return names

    def op1(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        return self.op(op_type, inputs, **attrs)[0]

    def conv2d(self, x: str, conv: Recorded, weight: FloatArray, bias: FloatArray | None) -> str:
        inputs = [x, self.const("w", weight)]
        if bias is not None:
            inputs.append(self.const("b", bias))
        pads = _pair(conv.padding)
        return self.op1(
            "Conv",
            inputs,
            kernel_shape=list(weight.shape[2:]),
            strides=_pair(conv.stride),
            pads=[*pads, *pads],
            dilations=_pair(conv.dilation),
            group=int(conv.groups),
        )

    def conv(self, x: str, module: Recorded) -> str:
        """Ultralytics Conv (Conv2d, BatchNorm2d, activation) or a bare Conv2d."""
        if module.class_name == "Conv2d":
            weight = tensor(module, "weight")
            if weight is None:
                raise ModelError("Conv2d without weights")
            return self.conv2d(x, module, weight, tensor(module, "bias"))
        conv2d = child(module, "conv")
        weight, bias = tensor(conv2d, "weight"), tensor(conv2d, "bias")
        if weight is None:
            raise ModelError("Conv2d without weights")
        if "bn" in module.__dict__.get("_modules", {}):
            weight, bias = fold_batch_norm(weight, bias, child(module, "bn"))
        y = self.conv2d(x, conv2d, weight, bias)
        activation = module.__dict__.get("_modules", {}).get("act")
        return self.activation(y, activation)

    def activation(self, x: str, module: Any) -> str:
        kind = module.class_name if isinstance(module, Recorded) else "Identity"
        if kind == "Identity":
            return x
        if kind == "SiLU":
            return self.op1("Mul", [x, self.op1("Sigmoid", [x])])
        raise ModelError(f"activation {kind} is not supported")


def _c2f(graph: GraphBuilder, x: str, module: Recorded) -> str:
    hidden = int(module.c)
    parts = graph.op(
        "Split",
        [graph.conv(x, child(module, "cv1")), graph.const("split", np.array([hidden] * 2))],
        outputs=2,
        axis=1,
    )
    for bottleneck in children(child(module, "m")):
        inner = graph.conv(
            graph.conv(parts[-1], child(bottleneck, "cv1")), child(bottleneck, "cv2")
        )
        parts.append(graph.op1("Add", [parts[-1], inner]) if bottleneck.add else inner)
    return graph.conv(graph.op1("Concat", parts, axis=1), child(module, "cv2"))


def _sppf(graph: GraphBuilder, x: str, module: Recorded) -> str:
    pool = child(module, "m")
    kernel, stride, pad = _pair(pool.kernel_size), _pair(pool.stride), _pair(pool.padding)
    parts = [graph.conv(x, child(module, "cv1"))]
    for _ in range(SPPF_POOLS):
        parts.append(
            graph.op1(
                "MaxPool", [parts[-1]], kernel_shape=kernel, strides=stride, pads=[*pad, *pad]
            )
        )
    return graph.conv(graph.op1("Concat", parts, axis=1), child(module, "cv2"))


def _upsample(graph: GraphBuilder, x: str, module: Recorded) -> str:
    if module.mode != "nearest" or module.scale_factor is None:
        raise ModelError(f"Upsample mode {module.mode} / size {module.size} is not supported")
    factor = float(module.scale_factor)
    scales = graph.const("scales", np.array([1.0, 1.0, factor, factor], np.float32))
    return graph.op1(
        "Resize",
        [x, "", scales],
        mode="nearest",
        coordinate_transformation_mode="asymmetric",
        nearest_mode="floor",
    )


def anchor_grid(input_px: int, strides: list[int]) -> tuple[FloatArray, FloatArray]:
    """Anchor centres (2, N) in input pixels and the stride of each anchor (N,), row-major per
    level, levels in order (Ultralytics' make_anchors times the stride)."""
    centres, per_anchor = [], []
    for stride in strides:
        cells = input_px // stride
        y, x = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        centres.append((np.stack([x.ravel(), y.ravel()]) + ANCHOR_OFFSET) * stride)
        per_anchor.append(np.full(cells * cells, stride))
    return (
        np.concatenate(centres, axis=1).astype(np.float32),
        np.concatenate(per_anchor).astype(np.float32),
    )


def dfl_box_matrix(bins: FloatArray) -> FloatArray:
    """(4, 4 x reg_max): softmaxed bins of the left, top, right, bottom distances to the box
    offset from its anchor (cx, cy) and size (w, h), in grid units."""
    # cx = (right - left) / 2, cy = (bottom - top) / 2, w = left + right, h = top + bottom
    sides = np.array([[-0.5, 0, 0.5, 0], [0, -0.5, 0, 0.5], [1, 0, 1, 0], [0, 1, 0, 1]], np.float32)
    return np.kron(sides, bins[None, :]).astype(np.float32)


def _head_outputs(graph: GraphBuilder, inputs: list[str], module: Recorded) -> tuple[str, str]:
    """Box logits (1, 4 x reg_max, N) and class logits (1, nc, N) of all levels, joined."""
    shapes = {"cv2": [1, 4 * int(module.reg_max), -1], "cv3": [1, int(module.nc), -1]}
    joined = []
    for branch, shape in shapes.items():
        flat = []
        for level_input, head in zip(inputs, children(child(module, branch)), strict=True):
            x = level_input
            for layer in children(head):
                x = graph.conv(x, layer)
            flat.append(graph.op1("Reshape", [x, graph.const("flat", np.array(shape, np.int64))]))
        joined.append(graph.op1("Concat", flat, axis=2))
    return joined[0], joined[1]


def _bin_values(module: Recorded) -> FloatArray:
    """What each DFL bin is worth: the DFL conv's fixed weights, 0 .. reg_max - 1."""
    if "dfl" in module.__dict__.get("_modules", {}):
        weight = tensor(child(child(module, "dfl"), "conv"), "weight")
        if weight is not None:
            return weight.reshape(-1)
    return np.arange(int(module.reg_max), dtype=np.float32)


def _detect(graph: GraphBuilder, inputs: list[str], module: Recorded, input_px: int) -> str:
    reg_max = int(module.reg_max)
    box_logits, class_logits = _head_outputs(graph, inputs, module)
    bins = graph.op1(
        "Reshape", [box_logits, graph.const("bins", np.array([1, 4, reg_max, -1], np.int64))]
    )
    probabilities = graph.op1(
        "Reshape",
        [
            graph.op1("Softmax", [bins], axis=2),
            graph.const("flat", np.array([1, 4 * reg_max, -1], np.int64)),
        ],
    )
    matrix = graph.const("dfl", dfl_box_matrix(_bin_values(module)))
    grid_boxes = graph.op1("MatMul", [matrix, probabilities])  # (1, 4, N) in grid units
    strides = [int(s) for s in np.asarray(module.stride).ravel()]
    centres, per_anchor = anchor_grid(input_px, strides)
    offsets = np.concatenate([centres, np.zeros_like(centres)])[None]  # (1, 4, N)
    scaled = graph.op1("Mul", [grid_boxes, graph.const("strides", per_anchor[None, None])])
    pixels = graph.op1("Add", [scaled, graph.const("anchors", offsets)])
    scores = graph.op1("Sigmoid", [class_logits])
    graph.nodes.append(helper.make_node("Concat", [pixels, scores], [OUTPUT_NAME], axis=1))
    return OUTPUT_NAME


def _layer(graph: GraphBuilder, layer: Recorded, inputs: list[str], input_px: int) -> str:
    match layer.class_name:
        case "Conv":
            return graph.conv(inputs[0], layer)
        case "C2f":
            return _c2f(graph, inputs[0], layer)
        case "SPPF":
            return _sppf(graph, inputs[0], layer)
        case "Upsample":
            return _upsample(graph, inputs[0], layer)
        case "Concat":
            return graph.op1("Concat", inputs, axis=int(layer.d))
        case "Detect":
            return _detect(graph, inputs, layer, input_px)
    raise ModelError(f"layer type {layer.class_name} is not supported")


def detection_model(checkpoint: Any) -> Recorded:
    """The DetectionModel of an Ultralytics checkpoint dict (the EMA copy when it is there)."""
    if not isinstance(checkpoint, Mapping):
        raise ModelError("checkpoint is not a dict")
    model = checkpoint.get("ema") or checkpoint.get("model")
    if not isinstance(model, Recorded) or model.class_name != "DetectionModel":
        raise ModelError("checkpoint holds no Ultralytics DetectionModel")
    return model


def convert(model: Recorded, input_px: int) -> onnx.ModelProto:
    """ONNX graph of a YOLOv8 DetectionModel for a square ``input_px`` input."""
    largest_stride = int(max(np.asarray(model.stride).ravel()))
    if input_px % largest_stride:
        raise ModelError(f"input size {input_px} is not a multiple of {largest_stride}")
    graph = GraphBuilder()
    outputs: list[str] = []
    for layer in children(child(model, "model")):
        sources = layer.f if isinstance(layer.f, list) else [layer.f]
        inputs = [outputs[s] if outputs else INPUT_NAME for s in sources]
        outputs.append(_layer(graph, layer, inputs, input_px))
    if outputs[-1] != OUTPUT_NAME:
        raise ModelError("the model's last layer is not a Detect head")
    classes = int(model.nc)
    anchors = int(sum((input_px // int(s)) ** 2 for s in np.asarray(model.stride).ravel()))
    built = helper.make_model(
        helper.make_graph(
            graph.nodes,
            "yolov8_detect",
            [
                helper.make_tensor_value_info(
                    INPUT_NAME, TensorProto.FLOAT, [1, 3, input_px, input_px]
                )
            ],
            [
                helper.make_tensor_value_info(
                    OUTPUT_NAME, TensorProto.FLOAT, [1, 4 + classes, anchors]
                )
            ],
            graph.initializers,
        ),
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="posbon.recognition.yolo_pt",
    )
    names = model.__dict__.get("names") or {}
    helper.set_model_props(built, {"names": repr(dict(names)), "imgsz": repr([input_px] * 2)})
    return built


def convert_checkpoint(path: Path, input_px: int) -> onnx.ModelProto:
    try:
        return convert(detection_model(load_checkpoint(path)), input_px)
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise ModelError(
            f"{path} is not a YOLOv8 detection checkpoint this converter reads: {err}"
        ) from err
