"""Every watchlist's embeddings in memory, matched from the recognition thread.

The database is the truth (``watchlist_photos``); this index is loaded from it once, on first
use, and then kept in step by the service that changes the rows, after each change commits.
Changes made on other nodes (or by a command in its own process) arrive as a whole list reloaded
(`put_stored`, server.recognition.lists), each list with the revision it was loaded at.
Matching runs in the recognition worker thread while changes arrive on the event loop, so one
lock guards both; either side holds it for milliseconds (one matrix product, one append).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Final

import msgspec
import numpy as np

from recognition.runner import FloatArray
from recognition.watchlist import Watchlist, WatchlistMatch

EMBEDDING_DTYPE = np.dtype("<f4")
"""Stored embeddings are little-endian float32, 512 bytes each."""
CHANGED_PREFIX: Final = "recognition-list:watchlist:"
"""The doorbell a committed change of a watchlist rings: the prefix, then the watchlist's id."""


def changed_signal(watchlist_id: int) -> str:
    return f"{CHANGED_PREFIX}{watchlist_id}"


def to_bytes(embedding: FloatArray) -> bytes:
    return np.asarray(embedding, dtype=EMBEDDING_DTYPE).tobytes()


def from_bytes(data: bytes) -> FloatArray:
    vector: FloatArray = np.frombuffer(data, dtype=EMBEDDING_DTYPE).astype(np.float32)
    return vector


class StoredPhoto(msgspec.Struct, frozen=True):
    person_id: int
    person_name: str
    negative: bool
    embedding: bytes


class StoredWatchlist(msgspec.Struct, frozen=True):
    id: int
    name: str
    threshold: float
    photos: list[StoredPhoto]
    revision: int = 0
    """The list's revision when it was read: read before its photos, so they are at least as
    new as it says (migration 0029)."""


class WatchlistHit(msgspec.Struct, frozen=True, kw_only=True):
    watchlist_id: int
    watchlist: str
    person_id: int
    person: str
    similarity: float
    threshold: float


class _Entry:
    def __init__(self, name: str, matcher: Watchlist, revision: int = -1) -> None:
        self.name = name
        self.matcher = matcher
        self.revision = revision  # as loaded; -1: built here, so the next check reloads it


def _build(stored: StoredWatchlist) -> Watchlist:
    matcher = Watchlist(stored.threshold)
    positives = [p for p in stored.photos if not p.negative]
    if positives:
        matrix = np.stack([from_bytes(p.embedding) for p in positives])
        matcher = Watchlist.from_arrays(
            [str(p.person_id) for p in positives], matrix, stored.threshold
        )
    for photo in stored.photos:
        if photo.negative:
            matcher.add_negatives(str(photo.person_id), from_bytes(photo.embedding))
    return matcher


class WatchlistIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lists: dict[int, _Entry] = {}
        self._person_names: dict[int, str] = {}
        self.loaded = False
        self.generation = 0  # counts changes, so a load that raced with one is redone

    def replace_all(self, stored: Iterable[StoredWatchlist]) -> None:
        lists, names = {}, {}
        for watchlist in stored:
            lists[watchlist.id] = _Entry(watchlist.name, _build(watchlist), watchlist.revision)
            names.update({p.person_id: p.person_name for p in watchlist.photos})
        with self._lock:
            self._lists, self._person_names = lists, names
            self.loaded = True

    def put_stored(self, stored: StoredWatchlist) -> None:
        """Replace one watchlist with what was read of it (its matcher is built off the lock)."""
        self.generation += 1
        entry = _Entry(stored.name, _build(stored), stored.revision)
        with self._lock:
            self._lists[stored.id] = entry
            self._person_names.update({p.person_id: p.person_name for p in stored.photos})

    def revisions(self) -> dict[int, int]:
        """Each loaded watchlist's revision, by id."""
        with self._lock:
            return {list_id: entry.revision for list_id, entry in self._lists.items()}

    def put_watchlist(self, watchlist_id: int, name: str, threshold: float) -> None:
        self.generation += 1
        with self._lock:
            entry = self._lists.get(watchlist_id)
            if entry is None:
                self._lists[watchlist_id] = _Entry(name, Watchlist(threshold))
            else:
                entry.name, entry.matcher.threshold = name, threshold

    def drop_watchlist(self, watchlist_id: int) -> None:
        self.generation += 1
        with self._lock:
            self._lists.pop(watchlist_id, None)

    def add_embedding(
        self,
        watchlist_id: int,
        person_id: int,
        person: str,
        embedding: FloatArray,
        *,
        negative: bool,
    ) -> None:
        self.generation += 1
        with self._lock:
            entry = self._lists.get(watchlist_id)
            if entry is None:
                return  # not loaded yet: the first load reads it from the database
            self._person_names[person_id] = person
            if negative:
                entry.matcher.add_negatives(str(person_id), embedding)
            else:
                entry.matcher.add_photos(str(person_id), embedding)

    def drop_person(self, watchlist_id: int, person_id: int) -> None:
        self.generation += 1
        with self._lock:
            entry = self._lists.get(watchlist_id)
            if entry is not None:
                entry.matcher.remove_person(str(person_id))

    def rename_person(self, person_id: int, name: str) -> None:
        self.generation += 1
        with self._lock:
            if person_id in self._person_names:
                self._person_names[person_id] = name

    def match(
        self,
        probes: FloatArray,
        *,
        watchlist_id: int | None = None,
        threshold: float | None = None,
    ) -> list[WatchlistHit | None]:
        """The best hit per probe over one watchlist or all of them; ``threshold`` overrides
        each watchlist's own (a camera with its own threshold)."""
        best: list[WatchlistHit | None] = [None] * len(probes)
        if not len(probes):
            return best
        with self._lock:
            for list_id, entry in self._lists.items():
                if watchlist_id is not None and list_id != watchlist_id:
                    continue
                limit = entry.matcher.threshold if threshold is None else threshold
                for index, found in enumerate(entry.matcher.match(probes, limit)):
                    if found is not None and _beats(found, best[index]):
                        best[index] = self._hit(list_id, entry, found, limit)
        return best

    def _hit(
        self, list_id: int, entry: _Entry, found: WatchlistMatch, limit: float
    ) -> WatchlistHit:
        person_id = int(found.person_id)
        return WatchlistHit(
            watchlist_id=list_id,
            watchlist=entry.name,
            person_id=person_id,
            person=self._person_names.get(person_id, ""),
            similarity=round(found.similarity, 4),
            threshold=limit,
        )


def _beats(found: WatchlistMatch, current: WatchlistHit | None) -> bool:
    return current is None or found.similarity > current.similarity
