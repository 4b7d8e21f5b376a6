"""Which recognition worker serves which camera, given the workers alive now (sans-I/O).

Rendezvous (highest-random-weight) hashing: every worker scores every camera with a hash of the
pair, and the camera goes to the worker with the highest score. Each worker computes the same
answer from the same list of live workers, with no coordinator and no stored table, and when a
worker joins or leaves only the cameras it wins or held move (about 1/N of them); the others stay
where their stream state, and the frames queued for them, already are.

The hash is BLAKE2b over the two names, so the answer is the same on every machine and every
Python (``hash()`` is salted per process).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping


def score(worker: str, camera: str) -> int:
    """The weight of ``camera`` at ``worker``: the highest one takes the camera."""
    digest = hashlib.blake2b(f"{worker}\x00{camera}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def owner(camera: str, workers: Iterable[str]) -> str | None:
    """The worker that serves ``camera``; None when no worker is alive. Ties (equal 64-bit
    scores) go to the smaller name, so the answer never depends on the order given."""
    best: tuple[int, str] | None = None
    for worker in workers:
        weight = score(worker, camera)
        if best is None or weight > best[0] or (weight == best[0] and worker < best[1]):
            best = (weight, worker)
    return None if best is None else best[1]


def assign(cameras: Iterable[str], workers: Iterable[str]) -> dict[str, list[str]]:
    """Every live worker with the cameras it serves, in the order given (a worker may get none)."""
    live = sorted(set(workers))
    shares: dict[str, list[str]] = {worker: [] for worker in live}
    for camera in cameras:
        chosen = owner(camera, live)
        if chosen is not None:
            shares[chosen].append(camera)
    return shares


def moved(before: Mapping[str, list[str]], after: Mapping[str, list[str]]) -> set[str]:
    """The cameras whose worker changed between two assignments (or that appeared or went)."""

    def by_camera(shares: Mapping[str, list[str]]) -> dict[str, str]:
        return {camera: worker for worker, cameras in shares.items() for camera in cameras}

    old, new = by_camera(before), by_camera(after)
    return {camera for camera in old.keys() | new.keys() if old.get(camera) != new.get(camera)}
