"""Accuracy on labelled photo sets and latency per 1280x720 frame: `posbon recognition eval DIR`
and bench/recognition_fps.py.

Layout of DIR (the one of tests/data, which holds a few photos of each set): ``plates/<set>/``
holds photos with one OpenALPR ground truth ``.txt`` each; ``faces/<set>/`` holds either one
folder per person (AT&T) or files named ``<person>.<condition>`` (Yale); a set with a ``train``
folder of person folders is read from there (face_recognition's examples). Faces: each photo's
largest face is embedded; the first photo of each person is enrolled and the rest probe, at the
shipped threshold (rank-1, hits, false alarms with the person left out). Plates: detection at
IoU >= 0.5, exact and O/0-I/1-folded reads, on each set's tune half, its holdout half (split by
the photos' bytes, ``split``: tune the code on the first only) and all of it.
``WHERE_TO_GET_SETS`` says where the whole sets are.
"""

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

import cv2
import msgspec
import numpy as np

from recognition.engine import Recognizer, largest_face
from recognition.evaluation.accuracy import (
    PlateTruth,
    identification,
    read_plate_truths,
    score_plates,
)
from recognition.evaluation.split import Half, split
from recognition.faces import ImageArray
from recognition.images import read_image
from recognition.models import ModelPaths
from recognition.plate_format import GRAMMARS, PlateGrammar, PlateKind, parse_plate
from recognition.runner import FloatArray
from recognition.watchlist import DEFAULT_MATCH_THRESHOLD, Watchlist

FRAME_SIZE_PX: Final = (1280, 720)
LATENCY_ENROLLED_FACES: Final = 100_000
ALL_PHOTOS: Final = "all"
WHERE_TO_GET_SETS: Final = """\
The whole labelled photo sets are not part of Posbon. Put each set in its own folder:
  DIR/plates/eu/, DIR/plates/us/: the photos and their ground-truth .txt files of
    endtoend/eu and endtoend/us in github.com/openalpr/benchmarks;
  DIR/faces/att/sNN/K.pgm: the AT&T (ORL) face database (AT&T Laboratories Cambridge);
  DIR/faces/yale/subjectNN.condition: the Yale face database;
  DIR/faces/face_recognition_examples/examples/: examples/ of github.com/ageitgey/face_recognition.
A checkout of Posbon holds a few photos of each in tests/data (origins in tests/data/SOURCES.md):
`posbon recognition eval tests/data` runs on those."""

Progress = Callable[[int], object]


class Options(msgspec.Struct, frozen=True, kw_only=True):
    intra_op_threads: int = 1
    min_face_px: int = 32
    face_detect_px: int = 1280
    compare_face_detect_px: tuple[int, ...] = (960, 640)  # extra latency rows: the trade-off
    repeats: int = 20
    threshold: float = DEFAULT_MATCH_THRESHOLD


class PlateSetResult(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    half: str  # "tune", "holdout" (recognition/evaluation/split.py) or "all"
    grammar: str
    images: int
    detection_rate: float
    exact_rate: float
    raw_exact_rate: float
    folded_rate: float
    format_exact_rate: float


class FaceSetResult(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    photos: int
    faces_found: int
    persons: int
    probes: int
    threshold: float
    rank1_rate: float
    hit_rate: float
    false_alarm_rate: float


class Latency(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    median_ms: float
    p90_ms: float
    best_ms: float  # on a machine shared with other work, the best run is the uncontended cost

    @property
    def fps(self) -> float:
        return 1000 / self.median_ms if self.median_ms else 0.0


class Report(msgspec.Struct, frozen=True, kw_only=True):
    plates: list[PlateSetResult]
    faces: list[FaceSetResult]
    latency: list[Latency]


def _is_image(path: Path) -> bool:
    """By content, not name: Yale's files are GIFs named ``subject01.happy``."""
    return path.is_file() and bool(cv2.haveImageReader(str(path)))


def labelled_faces(set_dir: Path) -> list[tuple[str, Path]]:
    """(person, photo) pairs of a face set in any of the layouts above."""
    trains = sorted(set_dir.rglob("train"))
    root = trains[0] if trains else set_dir
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    if folders:
        return [
            (folder.name, photo)
            for folder in folders
            for photo in sorted(folder.iterdir(), key=_natural)
            if _is_image(photo)
        ]
    return [(p.name.split(".")[0], p) for p in sorted(root.iterdir()) if _is_image(p)]


def _natural(path: Path) -> tuple[int, str]:
    return (int(path.stem), "") if path.stem.isdigit() else (1 << 30, path.name)


def evaluate_faces(
    recognizer: Recognizer,
    name: str,
    photos: list[tuple[str, Path]],
    threshold: float,
    progress: Progress,
) -> FaceSetResult:
    vectors, labels = [], []
    for label, path in photos:
        best = largest_face(recognizer.faces(read_image(path)))
        if best is not None and best.embedding is not None:
            vectors.append(best.embedding)
            labels.append(label)
        progress(1)
    result = identification(np.stack(vectors), labels, threshold)
    return FaceSetResult(
        name=name,
        photos=len(photos),
        faces_found=len(vectors),
        persons=len(set(labels)),
        probes=result.probes,
        threshold=threshold,
        rank1_rate=result.rank1_rate,
        hit_rate=result.hit_rate,
        false_alarm_rate=result.false_alarm_rate,
    )


def grammar_for(set_name: str, default: PlateGrammar) -> PlateGrammar:
    """A plate set named after a grammar ("eu", "us") is read in it, as a deployment there is."""
    return GRAMMARS.get(set_name, default)


def evaluate_plates(
    recognizer: Recognizer, set_dir: Path, progress: Progress
) -> list[PlateSetResult]:
    """The set's scores on its tune half, its holdout half and on all of it, from one read of
    each photo: only the holdout says how the reading does on plates it was not tuned on."""
    truths = read_plate_truths(set_dir)
    grammar = grammar_for(set_dir.name, recognizer.plate_grammar)
    readings = {}
    for truth in truths:
        readings[truth.file] = recognizer.plates(read_image(set_dir / truth.file), grammar)
        progress(1)
    halves = split(truths, lambda truth: set_dir / truth.file)
    parts: list[tuple[str, list[PlateTruth]]] = [(str(h), t) for h, t in halves.items()]
    results = []
    for half, part in [*parts, (ALL_PHOTOS, truths)]:
        score = score_plates(part, [readings[t.file] for t in part], grammar=grammar)
        results.append(
            PlateSetResult(
                name=set_dir.name,
                half=half,
                grammar=grammar.name,
                images=score.images,
                detection_rate=score.detection_rate,
                exact_rate=score.exact_rate,
                raw_exact_rate=score.raw_exact_rate,
                folded_rate=score.folded_rate,
                format_exact_rate=score.format_exact_rate,
            )
        )
    return results


def in_frame(image: ImageArray) -> ImageArray:
    """The photo scaled into a black 1280x720 frame, as a camera would deliver it."""
    width, height = FRAME_SIZE_PX
    canvas = np.zeros((height, width, 3), np.uint8)
    scale = min(width / image.shape[1], height / image.shape[0])
    resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    canvas[: resized.shape[0], : resized.shape[1]] = resized
    return canvas


def timed(stage: str, action: Callable[[], object], repeats: int) -> Latency:
    action()  # warm-up: first runs allocate
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) > 1 else samples[0]
    return Latency(
        stage=stage,
        median_ms=statistics.median(samples) * 1000,
        p90_ms=p90 * 1000,
        best_ms=min(samples) * 1000,
    )


def _face_latency(recognizer: Recognizer, photo: Path, options: Options) -> list[Latency]:
    frame = in_frame(read_image(photo))
    rows = np.random.default_rng(0).normal(size=(LATENCY_ENROLLED_FACES, 128))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    enrolled = Watchlist.from_arrays(
        [str(i) for i in range(LATENCY_ENROLLED_FACES)], rows.astype(np.float32)
    )
    detector, _ = recognizer.face_pipeline()
    stages = []
    for side_px in (options.face_detect_px, *options.compare_face_detect_px):
        detector.max_side_px = side_px
        stages.append(
            timed(f"face: detect at {side_px} px", lambda: detector.detect(frame), options.repeats)
        )
        stages.append(
            timed(
                f"face: detect at {side_px} px + embed + match {LATENCY_ENROLLED_FACES:,}",
                lambda: _match_all(recognizer, frame, enrolled),
                options.repeats,
            )
        )
    detector.max_side_px = options.face_detect_px
    return stages


def _plate_latency(recognizer: Recognizer, photo: Path, repeats: int) -> list[Latency]:
    """A plate of the photo's set, read in that set's grammar (as a deployment there would):
    a plate that fits it is read once; one that does not gets a second look (one more crop),
    timed apart as the worst case."""
    frame = in_frame(read_image(photo))
    reader = recognizer.plate_reader()
    local = grammar_for(photo.parent.name, recognizer.plate_grammar)
    unknown = PlateGrammar("none", ())
    return [
        timed("plate: detect", lambda: reader.detect(frame), repeats),
        timed("plate: detect + read", lambda: reader.read(frame, local), repeats),
        timed("plate: detect + read + second look", lambda: reader.read(frame, unknown), repeats),
    ]


def latency(
    recognizer: Recognizer, face_photo: Path | None, plate_photo: Path | None, options: Options
) -> list[Latency]:
    stages = [] if face_photo is None else _face_latency(recognizer, face_photo, options)
    if plate_photo is not None:
        stages += _plate_latency(recognizer, plate_photo, options.repeats)
    return stages


def _match_all(recognizer: Recognizer, frame: ImageArray, enrolled: Watchlist) -> None:
    embedded = [r.embedding for r in recognizer.faces(frame) if r.embedding is not None]
    if embedded:
        probes: FloatArray = np.stack(embedded)
        enrolled.match(probes)


def photo_sets(folder: Path) -> tuple[list[Path], list[Path]]:
    """The plate sets and the face sets under FOLDER (both empty if it holds none)."""
    plate_sets = sorted(p for p in (folder / "plates").glob("*") if any(p.glob("*.txt")))
    face_sets = sorted(p for p in (folder / "faces").glob("*") if p.is_dir())
    return plate_sets, face_sets


def run(paths: ModelPaths, folder: Path, options: Options, progress: Progress) -> Report:
    recognizer = Recognizer(
        paths,
        intra_op_threads=options.intra_op_threads,
        min_face_px=options.min_face_px,
        face_detect_px=options.face_detect_px,
    )
    plate_sets, face_sets = photo_sets(folder)
    plates = [result for p in plate_sets for result in evaluate_plates(recognizer, p, progress)]
    labelled = {p.name: labelled_faces(p) for p in face_sets}
    faces = [
        evaluate_faces(recognizer, name, photos, options.threshold, progress)
        for name, photos in labelled.items()
        if photos
    ]
    face_photo = _first_colour_photo(labelled)
    plate_photo = None if not plate_sets else _typical_plate(plate_sets[0], recognizer)
    return Report(
        plates=plates,
        faces=faces,
        latency=latency(recognizer, face_photo, plate_photo, options),
    )


def _typical_plate(set_dir: Path, recognizer: Recognizer) -> Path:
    """The set's first photo whose plate fits the set's grammar (the common case to time)."""
    grammar = grammar_for(set_dir.name, recognizer.plate_grammar)
    truths = read_plate_truths(set_dir)
    typical = [t for t in truths if parse_plate(t.text, grammar).kind != PlateKind.FOREIGN]
    return set_dir / (typical or truths)[0].file


def _first_colour_photo(labelled: dict[str, list[tuple[str, Path]]]) -> Path | None:
    """A colour photo if there is one (closer to a camera frame), else any photo."""
    every = [path for photos in labelled.values() for _, path in photos]
    colour = [path for path in every if path.suffix.lower() in {".jpg", ".jpeg", ".png"}]
    chosen = colour or every
    return chosen[0] if chosen else None


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def _halves_side_by_side(plates: list[PlateSetResult]) -> list[str]:
    """Tune and holdout exact rates of each set in one row: the gap says how much of the
    tune figure is fit to the photos tuned on."""
    by_set: dict[str, dict[str, PlateSetResult]] = {}
    for result in plates:
        by_set.setdefault(result.name, {})[result.half] = result
    lines = [
        "| plate set | tune: images | tune: exact (in layout) | holdout: images "
        "| holdout: exact (in layout) | holdout - tune: exact (in layout) |",
        "|---|---|---|---|---|---|",
    ]
    for name, halves in by_set.items():
        tune, holdout = halves[str(Half.TUNE)], halves[str(Half.HOLDOUT)]
        gap = (holdout.exact_rate - tune.exact_rate) * 100
        layout_gap = (holdout.format_exact_rate - tune.format_exact_rate) * 100
        lines.append(
            f"| {name} | {tune.images} | {_both(tune)} | {holdout.images} | {_both(holdout)} "
            f"| {gap:+.1f} ({layout_gap:+.1f}) points |"
        )
    return [*lines, ""]


def _both(result: PlateSetResult) -> str:
    return f"{_percent(result.exact_rate)} ({_percent(result.format_exact_rate)})"


def render(report: Report) -> str:
    """Markdown tables, as pasted into BENCHMARKS.md."""
    lines = _halves_side_by_side(report.plates) if report.plates else []
    lines += [
        "| plate set | half | grammar | images | detected | exact | exact, truth in its layout "
        "| exact as read (no grammar) | folded (O=0, I=1) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {p.name} | {p.half} | {p.grammar} | {p.images} | {_percent(p.detection_rate)} "
        f"| {_percent(p.exact_rate)} | {_percent(p.format_exact_rate)} "
        f"| {_percent(p.raw_exact_rate)} | {_percent(p.folded_rate)} |"
        for p in report.plates
    ]
    lines += [
        "",
        "| face set | photos | faces found | persons | probes | threshold | rank-1 | hits "
        "| false alarms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {f.name} | {f.photos} | {f.faces_found} | {f.persons} | {f.probes} | {f.threshold} "
        f"| {_percent(f.rank1_rate)} | {_percent(f.hit_rate)} | {_percent(f.false_alarm_rate)} |"
        for f in report.faces
    ]
    lines += [
        "",
        "| stage (1280x720 frame, one thread) | median | p90 | best | frames/s (median) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {t.stage} | {t.median_ms:.1f} ms | {t.p90_ms:.1f} ms | {t.best_ms:.1f} ms "
        f"| {t.fps:.1f} |"
        for t in report.latency
    ]
    return "\n".join(lines)
