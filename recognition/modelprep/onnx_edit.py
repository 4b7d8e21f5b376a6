"""Graph edits that turn the shipped model files into ones onnxruntime runs well.

All edits work on a copy and touch only initializers and declared shapes; the arithmetic of the
network is unchanged, so outputs equal the original's (checked against OpenCV for the face files).
"""

from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, numpy_helper

FloatArray = npt.NDArray[np.float32]


def dequantize_blocked(
    quantized: npt.NDArray[np.integer],
    scales: FloatArray,
    zero_points: npt.NDArray[np.integer],
    axis: int,
    block_size: int,
) -> FloatArray:
    """DequantizeLinear in numpy: per-tensor, per-axis or blocked (opset 21) scales."""
    if scales.ndim == 0 or scales.size == 1:
        return ((quantized.astype(np.float32) - zero_points.astype(np.float32)) * scales).astype(
            np.float32
        )
    if block_size == 0:  # per-axis: one scale per slice along `axis`
        shape = [1] * quantized.ndim
        shape[axis] = -1
        scales, zero_points = scales.reshape(shape), zero_points.reshape(shape)
    else:
        length = quantized.shape[axis]
        scales = np.repeat(scales, block_size, axis=axis).take(range(length), axis=axis)
        zero_points = np.repeat(zero_points, block_size, axis=axis).take(range(length), axis=axis)
    centred = quantized.astype(np.float32) - zero_points.astype(np.float32)
    return (centred * scales).astype(np.float32)


def _attribute_int(node: onnx.NodeProto, name: str, default: int) -> int:
    for attribute in node.attribute:
        if attribute.name == name:
            return int(attribute.i)
    return default


def fold_dequantize(model: onnx.ModelProto) -> onnx.ModelProto:
    """Replace every DequantizeLinear of constant weights by an fp32 initializer."""
    folded = onnx.ModelProto()
    folded.CopyFrom(model)
    graph = folded.graph
    constants = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    kept_nodes, new_constants = [], {}
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and all(name in constants for name in node.input):
            quantized, scales, *rest = (constants[name] for name in node.input)
            zero_points = rest[0] if rest else np.zeros_like(quantized)
            new_constants[node.output[0]] = dequantize_blocked(
                quantized,
                scales,
                zero_points,
                axis=_attribute_int(node, "axis", 1) % max(quantized.ndim, 1),
                block_size=_attribute_int(node, "block_size", 0),
            )
        else:
            kept_nodes.append(node)
    graph.ClearField("node")
    graph.node.extend(kept_nodes)
    graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in new_constants.items())
    return _drop_unused(folded)


def _drop_unused(model: onnx.ModelProto) -> onnx.ModelProto:
    """Remove initializers and graph inputs no node reads, and constants listed as inputs."""
    graph = model.graph
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    graph.ClearField("initializer")
    graph.initializer.extend(kept)
    constant_names = {init.name for init in kept}
    real_inputs = [
        value for value in graph.input if value.name in used and value.name not in constant_names
    ]
    graph.ClearField("input")
    graph.input.extend(real_inputs)
    return model


def make_dims_symbolic(
    model: onnx.ModelProto,
    dims: Mapping[str, Mapping[int, str]],
    *,
    all_outputs: bool = False,
) -> onnx.ModelProto:
    """Declare the given dimensions of inputs/outputs symbolic; optionally every output dim."""
    edited = onnx.ModelProto()
    edited.CopyFrom(model)
    graph = edited.graph
    for value in [*graph.input, *graph.output]:
        for index, name in dims.get(value.name, {}).items():
            value.type.tensor_type.shape.dim[index].dim_param = name
    if all_outputs:
        for value in graph.output:
            for index, dim in enumerate(value.type.tensor_type.shape.dim):
                dim.dim_param = f"{value.name}_{index}"
    graph.ClearField("value_info")  # stale intermediate shapes would contradict the new ones
    return edited


def to_float32_io(model: onnx.ModelProto) -> onnx.ModelProto:
    """Give an fp16-I/O model fp32 inputs and outputs by adding Cast nodes at the borders."""
    edited = onnx.ModelProto()
    edited.CopyFrom(model)
    graph = edited.graph
    casts_in, casts_out = [], []
    for value in graph.input:
        if value.type.tensor_type.elem_type == TensorProto.FLOAT16:
            inner = f"{value.name}_fp16"
            for node in graph.node:
                node.input[:] = [inner if name == value.name else name for name in node.input]
            casts_in.append(
                onnx.helper.make_node("Cast", [value.name], [inner], to=TensorProto.FLOAT16)
            )
            value.type.tensor_type.elem_type = TensorProto.FLOAT
    for value in graph.output:
        if value.type.tensor_type.elem_type == TensorProto.FLOAT16:
            inner = f"{value.name}_fp16"
            for node in graph.node:
                node.output[:] = [inner if name == value.name else name for name in node.output]
            casts_out.append(
                onnx.helper.make_node("Cast", [inner], [value.name], to=TensorProto.FLOAT)
            )
            value.type.tensor_type.elem_type = TensorProto.FLOAT
    nodes = [*casts_in, *graph.node, *casts_out]
    graph.ClearField("node")
    graph.node.extend(nodes)
    return edited


YOLO_STRIDES: Final = (8, 16, 32)


def _yolo_anchor_grid(size_px: int) -> tuple[FloatArray, FloatArray]:
    """Anchor centres (1, 2, N) and strides (1, N) of a YOLOv8 head for a square input."""
    centres, strides = [], []
    for stride in YOLO_STRIDES:
        cells = size_px // stride
        y, x = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        centres.append(np.stack([x.ravel(), y.ravel()]) + 0.5)
        strides.append(np.full(cells * cells, stride))
    return np.concatenate(centres, axis=1)[None], np.concatenate(strides)[None]


def resize_yolo_input(model: onnx.ModelProto, size_px: int) -> onnx.ModelProto:
    """Re-target an exported YOLOv8 model to a smaller square input.

    The export bakes the anchor count (8400 at 640 px) into two reshapes and the anchor grid and
    strides into constants; those are rewritten for ``size_px``, everything else is convolutional.
    """
    edited = onnx.ModelProto()
    edited.CopyFrom(model)
    graph = edited.graph
    old_anchors = sum((640 // s) ** 2 for s in YOLO_STRIDES)
    centres, strides = _yolo_anchor_grid(size_px)
    for index, init in enumerate(graph.initializer):
        array = numpy_helper.to_array(init)
        if array.dtype == np.int64 and array.ndim == 1 and array[-1] == old_anchors:
            replacement = np.concatenate([array[:-1], [-1]]).astype(np.int64)
        elif array.shape == (1, 2, old_anchors):
            replacement = centres.astype(array.dtype)
        elif array.shape == (1, old_anchors):
            replacement = strides.astype(array.dtype)
        else:
            continue
        graph.initializer[index].CopyFrom(numpy_helper.from_array(replacement, init.name))
    graph.input[0].type.tensor_type.shape.dim[2].dim_value = size_px
    graph.input[0].type.tensor_type.shape.dim[3].dim_value = size_px
    return make_dims_symbolic(edited, {}, all_outputs=True)


_SEGMENTATION_CONCAT_INPUTS: Final = 3  # boxes, class scores, mask coefficients


def _producers(graph: onnx.GraphProto) -> dict[str, onnx.NodeProto]:
    return {output: node for node in graph.node for output in node.output}


def _prune_to_outputs(graph: onnx.GraphProto) -> None:
    """Drop every node that no graph output depends on."""
    needed = {value.name for value in graph.output}
    kept = []
    for node in reversed(graph.node):
        if any(output in needed for output in node.output):
            kept.append(node)
            needed.update(node.input)
    graph.ClearField("node")
    graph.node.extend(reversed(kept))


def detection_only(model: onnx.ModelProto) -> onnx.ModelProto:
    """Reduce a YOLOv8 *segmentation* export to a detector: keep the first output without its
    mask coefficients and drop the mask prototypes, with every node only they needed.

    Boxes and scores are computed exactly as before; for platedet this is ~28 % less work. A
    plain detection export (whose last Concat has two inputs) keeps its first output as it is.
    """
    edited = onnx.ModelProto()
    edited.CopyFrom(model)
    graph = edited.graph
    first = graph.output[0]
    producers = _producers(graph)
    node = producers[first.name]
    while node.op_type == "Cast" and node.input[0] in producers:
        node = producers[node.input[0]]
    if node.op_type == "Concat" and len(node.input) == _SEGMENTATION_CONCAT_INPUTS:
        del node.input[_SEGMENTATION_CONCAT_INPUTS - 1]
        first.type.tensor_type.shape.dim[1].Clear()
        first.type.tensor_type.shape.dim[1].dim_param = "channels"
    del graph.output[1:]
    _prune_to_outputs(graph)
    return _drop_unused(edited)


def split_prelu(model: onnx.ModelProto) -> onnx.ModelProto:
    """Rewrite every PRelu with a per-channel constant slope as ``relu(x) + dw(relu(dw(x)))``.

    The first depthwise 1x1 convolution multiplies by -1, the second by -slope, so the sum is
    x where x >= 0 and slope * x below: the same function, built only from ops that onnxruntime
    runs in its blocked (NCHWc) layout, with each Relu fused into its convolution and the Add
    into the last one. onnxruntime's own PRelu is a generic broadcasting loop wrapped in layout
    reorders; in SFace it took more time than all the convolutions (16 of 32 ms per face)."""
    edited = onnx.ModelProto()
    edited.CopyFrom(model)
    graph = edited.graph
    constants = {init.name: init for init in graph.initializer}
    nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        slope = constants.get(node.input[1]) if node.op_type == "PRelu" else None
        slopes = None if slope is None else numpy_helper.to_array(slope).astype(np.float32)
        if slopes is None or slopes.size < 2 or slopes.size != slopes.shape[0]:
            nodes.append(node)  # not per-channel (or not PRelu): left as it is
            continue
        nodes += _prelu_as_convolutions(graph, node.input[0], node.output[0], slopes.reshape(-1))
    graph.ClearField("node")
    graph.node.extend(nodes)
    return _drop_unused(edited)


def _prelu_as_convolutions(
    graph: onnx.GraphProto, x: str, out: str, slopes: FloatArray
) -> list[onnx.NodeProto]:
    channels = len(slopes)
    kernel = (channels, 1, 1, 1)
    graph.initializer.extend(
        [
            numpy_helper.from_array(np.full(kernel, -1.0, np.float32), f"{out}/negate"),
            numpy_helper.from_array((-slopes).reshape(kernel), f"{out}/minus_slope"),
        ]
    )

    def depthwise(source: str, weights: str, result: str) -> onnx.NodeProto:
        return onnx.helper.make_node(
            "Conv", [source, weights], [result], group=channels, kernel_shape=[1, 1]
        )

    return [
        onnx.helper.make_node("Relu", [x], [f"{out}/positive"]),
        depthwise(x, f"{out}/negate", f"{out}/negated"),
        onnx.helper.make_node("Relu", [f"{out}/negated"], [f"{out}/negative_part"]),
        depthwise(f"{out}/negative_part", f"{out}/minus_slope", f"{out}/scaled"),
        onnx.helper.make_node("Add", [f"{out}/positive", f"{out}/scaled"], [out]),
    ]
