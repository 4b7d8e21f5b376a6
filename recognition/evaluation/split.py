"""The fixed tune/holdout split of every labelled photo set.

A figure measured on the photos the code was tuned on says how well the tuning fits those photos,
not how well the code reads plates it has never seen. So every photo belongs, once and for all, to
one half: the *tune* half, whose misses may be looked at and fixed, and the *holdout* half, which is
only ever measured. The half is a function of the photo's bytes alone (the first byte of its
SHA-256: even is tune, odd is holdout), so it does not move when files are renamed, reordered,
added or removed, needs no list kept beside the photos, and cannot be chosen by looking at how a
photo reads. Never change the rule: a new rule would put photos already tuned on into the holdout.
"""

import enum
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

Item = TypeVar("Item")


class Half(enum.StrEnum):
    TUNE = "tune"
    HOLDOUT = "holdout"


def half_of_digest(sha256_hex: str) -> Half:
    """The half of the photo whose SHA-256 is given in hex: its first byte even is tune."""
    return Half.TUNE if int(sha256_hex[:2], 16) % 2 == 0 else Half.HOLDOUT


def half_of(photo: bytes) -> Half:
    """The half a photo belongs to, from its bytes."""
    return half_of_digest(hashlib.sha256(photo).hexdigest())


def half_of_file(path: Path) -> Half:
    return half_of(path.read_bytes())


def split(items: Iterable[Item], photo_of: Callable[[Item], Path]) -> dict[Half, list[Item]]:
    """The items in each half, in their given order; both halves are present, maybe empty."""
    halves: dict[Half, list[Item]] = {half: [] for half in Half}
    for item in items:
        halves[half_of_file(photo_of(item))].append(item)
    return halves
