"""Recognition latency on one core: a 1280x720 frame with one face, and with one plate.

Run: .venv/bin/python -m bench.recognition_fps [DATA_DIR]   (models are prepared into DATA_DIR)
Prints the median and 90th percentile per stage and frames per second.
"""

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from recognition.faces import FaceDetector, FaceEmbedder
from recognition.images import read_image
from recognition.models import prepare_models
from recognition.plates import PlateReader
from recognition.runner import ModelRunner
from recognition.watchlist import Watchlist

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FRAME_SIZE = (1280, 720)
REPEATS = 30
ENROLLED_FACES = 100_000


def _timed(label: str, action: Callable[[], object]) -> float:
    action()  # warm-up
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1]
    print(
        f"{label:<34} median {median * 1000:7.1f} ms  p90 {p90 * 1000:7.1f} ms",
        f" {1 / median:6.1f} fps",
    )
    return median


def _frame(photo: Path) -> np.ndarray:
    """The photo scaled into a 1280x720 frame, as a camera would deliver it."""
    image = read_image(photo)
    canvas = np.zeros((FRAME_SIZE[1], FRAME_SIZE[0], 3), np.uint8)
    scale = min(FRAME_SIZE[0] / image.shape[1], FRAME_SIZE[1] / image.shape[0])
    resized = cv2.resize(image, None, fx=scale, fy=scale)
    canvas[: resized.shape[0], : resized.shape[1]] = resized
    return canvas


def main() -> None:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var"
    paths = prepare_models(data_dir, wheel_dir=ROOT / "var" / "wheels")
    detector = FaceDetector(ModelRunner(paths.face_detector, intra_op_threads=1))
    embedder = FaceEmbedder(ModelRunner(paths.face_embedder, intra_op_threads=1))
    face_frame = _frame(SHARED / "faces" / "face_recognition_examples" / "examples" / "obama.jpg")
    faces = detector.detect(face_frame)
    print(f"face frame: {len(faces)} face(s), width {faces[0].width_px:.0f} px")
    watchlist = Watchlist()
    rng = np.random.default_rng(0)
    enrolled = rng.normal(size=(ENROLLED_FACES, 128)).astype(np.float32)
    enrolled /= np.linalg.norm(enrolled, axis=1, keepdims=True)
    watchlist = Watchlist.from_arrays([str(i // 2) for i in range(ENROLLED_FACES)], enrolled)
    probe = embedder.embed(face_frame, faces)[0].embedding
    detect = _timed("face detect", lambda: detector.detect(face_frame))
    embed = _timed("face embed (1 face)", lambda: embedder.embed(face_frame, faces))
    match = _timed(f"watchlist match ({ENROLLED_FACES:,} faces)", lambda: watchlist.match(probe))
    print(
        f"{'face frame total':<34} median {(detect + embed + match) * 1000:7.1f} ms  "
        f"{1 / (detect + embed + match):6.1f} fps"
    )

    reader = PlateReader(
        ModelRunner(paths.plate_detector, intra_op_threads=1),
        ModelRunner(paths.plate_reader, intra_op_threads=1),
    )
    plate_frame = _frame(SHARED / "plates" / "eu" / "eu1.jpg")
    print(f"plate frame: {[r.raw for r in reader.read(plate_frame)]}")
    boxes_time = _timed("plate detect", lambda: reader.detect(plate_frame))
    total = _timed("plate detect + read", lambda: reader.read(plate_frame))
    print(f"{'plate read only':<34} median {(total - boxes_time) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
