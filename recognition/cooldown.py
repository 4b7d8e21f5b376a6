"""One alert per person or plate per camera, not one per frame (pure: the caller passes the time).

A subject (``"face:3:17"``, ``"plate:30A123BC"``) first seen makes a new alert; the caller binds
the alert to the subject once it is stored. While the subject keeps being seen with gaps shorter
than the cooldown, frames are *sightings* of that alert: one is recorded at most every
``sighting_interval_s`` so a person standing in front of a camera does not flood the timeline, and
the rest are quiet. A gap longer than the cooldown, or ``forget`` (the incident was closed), starts
over. Memory is bounded: past ``max_subjects`` the subject seen longest ago is forgotten.
"""

import enum
from collections import OrderedDict
from typing import Final, Generic, TypeVar

RefT = TypeVar("RefT")

DEFAULT_MAX_SUBJECTS: Final = 10_000


class Verdict(enum.Enum):
    NEW = "new"  # raise an alert, then bind it
    SIGHTING = "sighting"  # append a sighting to the bound alert
    QUIET = "quiet"  # seen again too soon to record


class _Subject(Generic[RefT]):
    __slots__ = ("last_recorded_s", "last_seen_s", "ref")

    def __init__(self, ref: RefT, now_s: float) -> None:
        self.ref = ref
        self.last_seen_s = now_s
        self.last_recorded_s = now_s


class Cooldown(Generic[RefT]):
    def __init__(
        self, sighting_interval_s: float, max_subjects: int = DEFAULT_MAX_SUBJECTS
    ) -> None:
        self.sighting_interval_s = sighting_interval_s
        self.max_subjects = max_subjects
        self._subjects: OrderedDict[str, _Subject[RefT]] = OrderedDict()  # oldest seen first

    def __len__(self) -> int:
        return len(self._subjects)

    def observe(self, key: str, now_s: float, cooldown_s: float) -> tuple[Verdict, RefT | None]:
        """What a new sighting of ``key`` at ``now_s`` should become."""
        subject = self._subjects.get(key)
        if subject is None or now_s - subject.last_seen_s > cooldown_s:
            return Verdict.NEW, None
        subject.last_seen_s = now_s
        self._subjects.move_to_end(key)
        if now_s - subject.last_recorded_s >= self.sighting_interval_s:
            subject.last_recorded_s = now_s
            return Verdict.SIGHTING, subject.ref
        return Verdict.QUIET, subject.ref

    def bind(self, key: str, ref: RefT, now_s: float) -> None:
        """Remember the alert just raised for ``key``."""
        self._subjects[key] = _Subject(ref, now_s)
        self._subjects.move_to_end(key)
        while len(self._subjects) > self.max_subjects:
            self._subjects.popitem(last=False)

    def forget(self, key: str) -> None:
        self._subjects.pop(key, None)

    def prune(self, now_s: float, cooldown_s: float) -> None:
        """Drop subjects whose cooldown is over (they would be NEW anyway)."""
        while self._subjects:
            key, subject = next(iter(self._subjects.items()))
            if now_s - subject.last_seen_s <= cooldown_s:
                return
            del self._subjects[key]
