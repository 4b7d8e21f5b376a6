"""Redaction speed on one core: frames per second of ``propose`` (detect + track) and ``render``
(decode + pixelate + encode) on a clip the test suite's scene builder writes.

Run: .venv/bin/python -m bench.redaction [DATA_DIR] [--frames N] [--repeats N] [--size WxH]
(models are prepared into DATA_DIR/models, default var/). The process is pinned to one CPU, so
OpenCV's and FFmpeg's own threads share that core with onnxruntime's single inference thread;
each figure is the median of the repeats. Prints Markdown for BENCHMARKS.md.
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2

from bench.recognition_fps import machine
from recognition.faces import FaceDetector
from recognition.modelprep.prepare import prepare_models
from recognition.plates import PlateReader
from recognition.redaction import propose, render
from recognition.runner import ModelRunner
from tests.integration.test_recognition.redaction_video import write_scene_video

ROOT = Path(__file__).resolve().parents[1]
PROPOSE_CASES = (
    ("propose: faces + plates, every frame", 1, True),
    ("propose: faces only, every frame", 1, False),
    ("propose: faces + plates, every 5th frame", 5, True),
)


def _median_s(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _decode_only(video: Path) -> None:
    capture = cv2.VideoCapture(str(video))
    while capture.grab() and capture.retrieve()[0]:
        pass
    capture.release()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", nargs="?", type=Path, default=ROOT / "var")
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    width_px, height_px = (int(v) for v in args.size.split("x"))
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)
    paths = prepare_models(args.data_dir, wheel_dir=ROOT / "var" / "wheels")
    faces = FaceDetector(ModelRunner(paths.face_detector, intra_op_threads=1))
    plates = PlateReader(
        ModelRunner(paths.plate_detector, intra_op_threads=1),
        ModelRunner(paths.plate_reader, intra_op_threads=1),
    )
    with tempfile.TemporaryDirectory() as folder:
        clip = write_scene_video(
            Path(folder) / "clip.mp4",
            frame_count=args.frames,
            width_px=width_px,
            height_px=height_px,
        )
        rows = [
            ("decode only (baseline)", _median_s(lambda: _decode_only(clip.path), args.repeats))
        ]
        for label, every, with_plates in PROPOSE_CASES:

            def run(every: int = every, with_plates: bool = with_plates) -> None:
                propose(
                    clip.path, faces, plates if with_plates else None, detect_every_n_frames=every
                )

            rows.append((label, _median_s(run, args.repeats)))
        tracks = propose(clip.path, faces, plates).tracks
        suffix = render(clip.path, Path(folder) / "out", tracks).output_suffix
        render_s = _median_s(lambda: render(clip.path, Path(folder) / "out", tracks), args.repeats)
        rows.append((f"render: {len(tracks)} tracks pixelated, encoded", render_s))
    print("```")
    print(machine())
    print("```\n")
    print(
        f"{args.frames} frames of {width_px}x{height_px} MPEG-4 at {clip.fps:g} frames/s, one CPU, "
        f"median of {args.repeats}; derivative written as {suffix}\n"
    )
    print("| step | median | frames/s |")
    print("|---|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} s | {args.frames / seconds:.1f} |")


if __name__ == "__main__":
    main()
