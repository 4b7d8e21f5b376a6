"""Watchlist matching: which enrolled person, if any, a face embedding belongs to.

Theory of operation. Every enrolled photo is one row of a float32 matrix of unit vectors, so the
cosine similarity of a batch of probes against all photos is one matrix product (100,000 photos x
128 dimensions is 51 MB and a few milliseconds per probe). A person's score is their best photo.
Candidates are walked best first; a candidate is skipped when the probe is at least as close to
one of that person's *negative examples* ("this is not X", typically the regular visitor who keeps
triggering X) as to X's own photos. Only a similarity at or above the watchlist's threshold matches.
"""

from collections.abc import Sequence
from typing import Final

import msgspec
import numpy as np
import numpy.typing as npt

from recognition.faces import EMBEDDING_SIZE
from recognition.runner import FloatArray

DEFAULT_MATCH_THRESHOLD: Final = 0.5
"""Cosine similarity for a 1:N watchlist alarm. 1:1 verification uses 0.363 (OpenCV's SFace
default); 1:N needs more, since every probe gets N chances to collide. Measured on AT&T (40 people,
one photo enrolled each, every other photo a probe): see ``OPERATING_POINTS``."""

_CANDIDATE_ROWS: Final = 32
"""Best photo rows looked at per probe; more than any person has photos near the top."""
_INITIAL_CAPACITY_ROWS: Final = 64


class OperatingPoint(msgspec.Struct, frozen=True):
    threshold: float
    false_alarm_rate: float  # share of probes of non-enrolled people that raised an alarm
    hit_rate: float  # share of probes of enrolled people matched to the right person
    measured_on: str


_ATT_ONE_PHOTO: Final = "AT&T/ORL 40 people, 1 photo enrolled, 360 probes, leave-one-person-out"
OPERATING_POINTS: Final = (
    OperatingPoint(0.40, false_alarm_rate=0.0278, hit_rate=1.0, measured_on=_ATT_ONE_PHOTO),
    OperatingPoint(0.45, false_alarm_rate=0.0028, hit_rate=0.9944, measured_on=_ATT_ONE_PHOTO),
    OperatingPoint(0.50, false_alarm_rate=0.0, hit_rate=0.9917, measured_on=_ATT_ONE_PHOTO),
)
"""Measured with ``evaluation.accuracy.identification`` on all 400 AT&T photos (tests/integration/
test_recognition checks them on the few in tests/data); pick a threshold by the false-alarm rate."""


class WatchlistMatch(msgspec.Struct, frozen=True):
    person_id: str
    similarity: float


class Watchlist:
    """The embeddings of one watchlist; mutations are cheap appends, removal compacts."""

    def __init__(self, threshold: float = DEFAULT_MATCH_THRESHOLD) -> None:
        self.threshold = threshold
        self._vectors = np.empty((_INITIAL_CAPACITY_ROWS, EMBEDDING_SIZE), dtype=np.float32)
        self._owners = np.empty(_INITIAL_CAPACITY_ROWS, dtype=np.int64)
        self._rows = 0
        self._person_index: dict[str, int] = {}
        self._person_ids: list[str] = []
        self._negatives: dict[int, FloatArray] = {}

    @classmethod
    def from_arrays(
        cls,
        person_ids: Sequence[str],
        embeddings: FloatArray,
        threshold: float = DEFAULT_MATCH_THRESHOLD,
    ) -> "Watchlist":
        """Build from stored rows in one step: ``person_ids[i]`` owns ``embeddings[i]``."""
        watchlist = cls(threshold)
        rows = _as_rows(embeddings)
        if len(rows) != len(person_ids):
            raise ValueError(f"{len(person_ids)} person ids for {len(rows)} embeddings")
        watchlist._vectors = _grown(rows, max(len(rows), _INITIAL_CAPACITY_ROWS))
        watchlist._owners = np.fromiter(
            (watchlist._index_of(p) for p in person_ids), np.int64, len(person_ids)
        )
        watchlist._owners.resize(len(watchlist._vectors), refcheck=False)
        watchlist._rows = len(rows)
        return watchlist

    def __len__(self) -> int:
        return self._rows

    @property
    def person_count(self) -> int:
        return len(set(self._owners[: self._rows].tolist()))

    def _index_of(self, person_id: str) -> int:
        if person_id not in self._person_index:
            self._person_index[person_id] = len(self._person_ids)
            self._person_ids.append(person_id)
        return self._person_index[person_id]

    def add_photos(self, person_id: str, embeddings: FloatArray) -> None:
        """Enrol one or more unit-length embeddings (shape (128,) or (k, 128)) for a person."""
        rows = _as_rows(embeddings)
        needed = self._rows + len(rows)
        if needed > len(self._vectors):
            capacity = max(needed, 2 * len(self._vectors))
            self._vectors = _grown(self._vectors, capacity)
            self._owners = np.resize(self._owners, capacity)
        self._vectors[self._rows : needed] = rows
        self._owners[self._rows : needed] = self._index_of(person_id)
        self._rows = needed

    def add_negatives(self, person_id: str, embeddings: FloatArray) -> None:
        """Record faces that are *not* this person although they resemble them."""
        index = self._index_of(person_id)
        previous = self._negatives.get(index, np.empty((0, EMBEDDING_SIZE), np.float32))
        self._negatives[index] = np.concatenate([previous, _as_rows(embeddings)])

    def remove_person(self, person_id: str) -> None:
        index = self._person_index.get(person_id)
        if index is None:
            return
        keep = self._owners[: self._rows] != index
        kept_rows = int(keep.sum())
        self._vectors[:kept_rows] = self._vectors[: self._rows][keep]
        self._owners[:kept_rows] = self._owners[: self._rows][keep]
        self._rows = kept_rows
        self._negatives.pop(index, None)

    def similarities(self, probes: FloatArray) -> FloatArray:
        """Cosine similarity (M, rows) of unit-length probes against every enrolled photo."""
        return _as_rows(probes) @ self._vectors[: self._rows].T

    def match(
        self, probes: FloatArray, threshold: float | None = None
    ) -> list[WatchlistMatch | None]:
        """The matching person for each probe, or None below threshold or when suppressed.

        ``threshold`` overrides the watchlist's own for this call (a camera with its own).
        """
        rows = _as_rows(probes)
        if not self._rows:
            return [None] * len(rows)
        scores = self.similarities(rows)
        limit = self.threshold if threshold is None else threshold
        return [
            self._best(probe, row_scores, limit)
            for probe, row_scores in zip(rows, scores, strict=True)
        ]

    def rank(self, probe: FloatArray, top_persons: int) -> list[WatchlistMatch]:
        """The best ``top_persons`` people for one probe, ignoring threshold and negatives."""
        scores = self.similarities(probe)[0]
        best: dict[int, float] = {}
        for row in np.argsort(-scores, kind="stable"):
            owner = int(self._owners[row])
            best.setdefault(owner, float(scores[row]))
            if len(best) == top_persons:
                break
        return [WatchlistMatch(self._person_ids[p], s) for p, s in best.items()]

    def _best(
        self, probe: FloatArray, scores: FloatArray, threshold: float
    ) -> WatchlistMatch | None:
        if float(np.max(scores)) < threshold:
            return None  # the usual case, a passer-by: no need to rank 100,000 rows
        count = min(_CANDIDATE_ROWS, len(scores))
        candidates = np.argpartition(-scores, count - 1)[:count]
        rejected: set[int] = set()
        for row in candidates[np.argsort(-scores[candidates], kind="stable")]:
            similarity = float(scores[row])
            if similarity < threshold:
                return None
            owner = int(self._owners[row])
            if owner in rejected:
                continue
            negatives = self._negatives.get(owner)
            if negatives is not None and float(np.max(negatives @ probe)) >= similarity:
                rejected.add(owner)
                continue
            return WatchlistMatch(self._person_ids[owner], similarity)
        return None


def _as_rows(embeddings: npt.ArrayLike) -> FloatArray:
    rows = np.asarray(embeddings, dtype=np.float32)
    rows = rows.reshape(1, -1) if rows.ndim == 1 else rows
    if rows.ndim != 2 or rows.shape[1] != EMBEDDING_SIZE:
        raise ValueError(f"expected embeddings of size {EMBEDDING_SIZE}, got shape {rows.shape}")
    return rows


def _grown(matrix: FloatArray, capacity: int) -> FloatArray:
    grown = np.empty((capacity, matrix.shape[1]), dtype=matrix.dtype)
    grown[: len(matrix)] = matrix
    return grown
