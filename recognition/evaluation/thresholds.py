"""What a face threshold implies: the share of different-person pairs it matches (false matches)
and of same-person pairs it matches (true matches), on the labelled faces of the repository.

The scores are measured once with the real models and kept in ``face_scores.json`` beside this
module; the server only reads that file (``GET /api/v1/watchlists/threshold-rates``) and never
runs this code. To remake it after a model change::

    .venv/bin/posbon models prepare   # once: the four ONNX files under <data_dir>/models
    .venv/bin/python -m recognition.evaluation.thresholds tests/data/faces DATA_DIR/models

The pairs: inside each face set of tests/data/faces (AT&T s1-s10, 5 photos each; Yale subjects
01-03 under every light; the face_recognition examples' train folders), every two photos whose
largest face was found form one pair: the same person's two photos a genuine pair, two people's
an impostor pair. Pairs across sets are left out (their lighting and cameras differ so much that
they would make false matches look rarer than they are). The photo counts and pair counts are
written into the file; as shipped: 84 photos of 15 people, 255 same-person pairs (AT&T 100, Yale
155) and 1,467 different-person pairs (AT&T 1,125, Yale 341, examples 1). Nothing is tuned on
these scores: they only say what a threshold chosen by a person implies. A similarity is the
cosine of the two embeddings, the measure a watchlist compares with its threshold; a pair matches
when it is at or above the threshold.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import msgspec
import numpy as np

from recognition.models import ModelPaths
from recognition.runner import FloatArray

SCORES_FILE: Final = Path(__file__).with_name("face_scores.json")
STEP: Final = 0.01
LOWEST: Final = 0.20
HIGHEST: Final = 0.95
DECIMALS: Final = 4


class SetCount(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    photos: int
    faces_found: int
    persons: int
    genuine_pairs: int
    impostor_pairs: int


class ThresholdRate(msgspec.Struct, frozen=True, kw_only=True):
    threshold: float
    false_match_rate: float  # impostor pairs at or above the threshold / all impostor pairs
    true_match_rate: float  # genuine pairs at or above the threshold / all genuine pairs
    false_matches: int
    true_matches: int


class ScoreTable(msgspec.Struct, frozen=True, kw_only=True):
    """The file's content: how it was made, the scores, and the rates at each step."""

    made: str
    models: str
    sets: list[SetCount]
    genuine_pairs: int
    impostor_pairs: int
    genuine: list[float]  # sorted ascending
    impostor: list[float]  # sorted ascending
    rates: list[ThresholdRate]


def pair_scores(embeddings: FloatArray, labels: Sequence[str]) -> tuple[list[float], list[float]]:
    """(genuine, impostor) cosine similarities of every two rows of unit-length embeddings."""
    similarity = embeddings @ embeddings.T
    label_array = np.asarray(labels)
    same = label_array[:, None] == label_array[None, :]
    upper = np.triu(np.ones_like(same, dtype=bool), k=1)
    genuine = similarity[same & upper]
    impostor = similarity[~same & upper]
    return _rounded(genuine), _rounded(impostor)


def _rounded(values: FloatArray) -> list[float]:
    return sorted(round(float(v), DECIMALS) for v in values)


def _at_or_above(sorted_scores: Sequence[float], threshold: float) -> int:
    return len(sorted_scores) - bisect.bisect_left(sorted_scores, threshold)


def steps(lowest: float = LOWEST, highest: float = HIGHEST, step: float = STEP) -> list[float]:
    count = round((highest - lowest) / step)
    return [round(lowest + i * step, 2) for i in range(count + 1)]


def rates(
    genuine: Sequence[float], impostor: Sequence[float], thresholds: Sequence[float]
) -> list[ThresholdRate]:
    """The rates at each threshold; ``genuine`` and ``impostor`` sorted ascending."""
    table = []
    for threshold in thresholds:
        false_matches = _at_or_above(impostor, threshold)
        true_matches = _at_or_above(genuine, threshold)
        table.append(
            ThresholdRate(
                threshold=threshold,
                false_match_rate=round(false_matches / max(len(impostor), 1), 6),
                true_match_rate=round(true_matches / max(len(genuine), 1), 6),
                false_matches=false_matches,
                true_matches=true_matches,
            )
        )
    return table


def prepared(models_dir: Path) -> ModelPaths:
    """The four ready ONNX files of a prepared models folder (``posbon models prepare``)."""
    return ModelPaths(
        **{stage: models_dir / f"{stage}.onnx" for stage in ModelPaths.__struct_fields__}
    )


def measure(faces_dir: Path, paths: ModelPaths) -> ScoreTable:
    """Embed every photo's largest face with the real models and score the pairs (seconds)."""
    from recognition.engine import Recognizer, largest_face  # noqa: PLC0415
    from recognition.evaluation.benchmark import labelled_faces  # noqa: PLC0415
    from recognition.images import read_image  # noqa: PLC0415

    recognizer = Recognizer(paths, intra_op_threads=1)
    genuine: list[float] = []
    impostor: list[float] = []
    sets = []
    for set_dir in sorted(p for p in faces_dir.iterdir() if p.is_dir()):
        photos = labelled_faces(set_dir)
        vectors, labels = [], []
        for label, path in photos:
            best = largest_face(recognizer.faces(read_image(path)))
            if best is not None and best.embedding is not None:
                vectors.append(best.embedding)
                labels.append(label)
        if len(vectors) < 2:
            continue
        same, other = pair_scores(np.stack(vectors), labels)
        genuine += same
        impostor += other
        sets.append(
            SetCount(
                name=set_dir.name,
                photos=len(photos),
                faces_found=len(vectors),
                persons=len(set(labels)),
                genuine_pairs=len(same),
                impostor_pairs=len(other),
            )
        )
    genuine.sort()
    impostor.sort()
    return ScoreTable(
        made=f"{dt.datetime.now(dt.UTC):%Y-%m-%d} by recognition.evaluation.thresholds",
        models=f"{paths.face_detector.name} + {paths.face_embedder.name}",
        sets=sets,
        genuine_pairs=len(genuine),
        impostor_pairs=len(impostor),
        genuine=genuine,
        impostor=impostor,
        rates=rates(genuine, impostor, steps()),
    )


def load(path: Path = SCORES_FILE) -> ScoreTable:
    return msgspec.json.decode(path.read_bytes(), type=ScoreTable)


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(
            "usage: python -m recognition.evaluation.thresholds FACES_DIR MODELS_DIR\n"
        )
        return 2
    table = measure(Path(argv[0]), prepared(Path(argv[1])))
    SCORES_FILE.write_bytes(msgspec.json.format(msgspec.json.encode(table), indent=1) + b"\n")
    sys.stderr.write(f"{table.genuine_pairs} genuine, {table.impostor_pairs} impostor pairs\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
