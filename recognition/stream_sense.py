"""Stream sense: a person or plate counts as seen by a camera only when it is in k of the camera's
last n analysed frames, and the alert it raises carries the best shot of those frames.

One frame's match is weak evidence: a face half-turned in a crowd can pass a threshold once, and
a plate reader can misread one frame into a listed plate. A real passer-by is in several frames
in a row, so requiring k of the last n (default 3 of 5) removes most one-frame false alarms and
costs about (k - 1) frame intervals of delay on a true one. A frame where a subject is absent is
a miss for it: the window counts frames, not sightings, and frames dropped before analysis are
not frames here (the camera never saw anything in them as far as recognition knows).

Pure and sans-I/O: the caller hands over each analysed frame's matched subjects, each with a
score (larger is better: for faces area x sharpness x frontalness, for plates the read's
confidence) and its payload (whatever the alert needs: crop, box, details); ``frame`` answers
which subjects are confirmed in this frame and, for each, the payload of its best-scoring shot in
the window. Once a subject is confirmed, the caller's cooldown decides what the next confirmed
frames become (one alert, then sightings), exactly as for single frames before.

Memory is bounded: a subject with no hit in the last n frames is forgotten, and at most
``max_subjects`` are held per camera (the least recently seen go first).
"""

from collections import OrderedDict, deque
from collections.abc import Mapping
from typing import Final, Generic, NamedTuple, TypeVar

PayloadT = TypeVar("PayloadT")

DEFAULT_CONFIRM_K: Final = 3
DEFAULT_CONFIRM_N: Final = 5
DEFAULT_MAX_SUBJECTS: Final = 1_000


class Shot(NamedTuple, Generic[PayloadT]):
    """One frame's sighting of a subject: which frame, how good, and what to alert with."""

    frame: int
    score: float
    payload: PayloadT


class StreamSense(Generic[PayloadT]):
    """k-of-n confirmation for one camera (one instance per camera)."""

    def __init__(self, k: int, n: int, max_subjects: int = DEFAULT_MAX_SUBJECTS) -> None:
        if not 1 <= k <= n:
            raise ValueError(f"k-of-n needs 1 <= k <= n, got k={k}, n={n}")
        self.k = k
        self.n = n
        self.max_subjects = max_subjects
        self.frames = 0
        """Analysed frames so far; the current frame's number once ``frame`` has run."""
        self._shots: OrderedDict[str, deque[Shot[PayloadT]]] = OrderedDict()

    def __len__(self) -> int:
        """Subjects with at least one hit in the window."""
        return len(self._shots)

    def frame(self, seen: Mapping[str, tuple[float, PayloadT]]) -> dict[str, PayloadT]:
        """One analysed frame and the subjects matched in it, each with (score, payload).

        Returns the subjects of this frame that are now in at least k of the last n frames,
        each with the payload of its best shot among those frames (the earliest on a tie)."""
        self.frames += 1
        for subject, (score, payload) in seen.items():
            shots = self._shots.get(subject)
            if shots is None:
                shots = self._shots[subject] = deque(maxlen=self.n)
            shots.append(Shot(self.frames, score, payload))
            self._shots.move_to_end(subject)
        self._expire()
        confirmed = {}
        for subject in seen:
            shots = self._shots.get(subject)
            if shots is not None and len(shots) >= self.k:
                confirmed[subject] = max(shots, key=_shot_order).payload
        return confirmed

    def hits(self, subject: str) -> int:
        """How many of the last n frames held the subject."""
        shots = self._shots.get(subject)
        return 0 if shots is None else len(shots)

    def _expire(self) -> None:
        oldest_kept = self.frames - self.n + 1
        for subject in list(self._shots):
            shots = self._shots[subject]
            while shots and shots[0].frame < oldest_kept:
                shots.popleft()
            if not shots:
                del self._shots[subject]
        while len(self._shots) > self.max_subjects:
            self._shots.popitem(last=False)


def _shot_order(shot: Shot[PayloadT]) -> tuple[float, int]:
    return shot.score, -shot.frame


def best_of(
    candidates: list[tuple[str, float, PayloadT]],
) -> dict[str, tuple[float, PayloadT]]:
    """One frame's candidates (subject, score, payload), the best per subject: a frame can hold
    the same person twice (a reflection, a poster) and must count once for them."""
    best: dict[str, tuple[float, PayloadT]] = {}
    for subject, score, payload in candidates:
        if subject not in best or score > best[subject][0]:
            best[subject] = (score, payload)
    return best
