"""`posbon watchlist import DIR`: a folder per person, every photo in it enrolled.

Each photo is embedded in the recognition thread (its largest face) and only the embedding is
stored. Photos with no usable face are reported, not fatal; a photo enrolled before is skipped by
its SHA-256, so re-running an import after adding photos enrols only the new ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Final

import msgspec

from server.audit.log import Actor
from server.errors import BadRequest, Unprocessable
from server.watchlists import repository, service
from server.watchlists.schemas import PersonIn, WatchlistIn

IMAGE_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".webp"})


class PhotoProblem(msgspec.Struct, frozen=True):
    path: str
    reason: str


class FolderReport(msgspec.Struct, frozen=True, kw_only=True):
    watchlist_id: int
    persons: int
    enrolled: int
    already_enrolled: int
    problems: list[PhotoProblem]


def photos_by_person(folder: Path) -> list[tuple[str, Path]]:
    """(person name, photo) for every image in every sub-folder, in a stable order."""
    return [
        (person_dir.name, photo)
        for person_dir in sorted(p for p in folder.iterdir() if p.is_dir())
        for photo in sorted(person_dir.iterdir())
        if photo.is_file() and photo.suffix.lower() in IMAGE_SUFFIXES
    ]


async def _watchlist_id(
    rec: service.WatchlistRuntime, name: str, threshold: float | None, actor: Actor | str
) -> int:
    existing = await repository.find_watchlist_by_name(rec.db, name)
    if existing is not None:
        return existing.id
    data = (
        WatchlistIn(name=name) if threshold is None else WatchlistIn(name=name, threshold=threshold)
    )
    return (await service.create_watchlist(rec, data, actor=actor)).id


async def _person_id(
    rec: service.WatchlistRuntime, watchlist_id: int, name: str, actor: Actor | str
) -> int:
    existing = await repository.find_person_by_name(rec.db, watchlist_id, name)
    if existing is not None:
        return existing.id
    person = PersonIn(name=name)
    return (await service.create_person(rec, watchlist_id, person, actor=actor)).id


async def import_folder(
    rec: service.WatchlistRuntime,
    folder: Path,
    watchlist_name: str,
    *,
    actor: Actor | str,
    threshold: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> FolderReport:
    """Enrol every photo of every person's sub-folder; `actor` is who the audit log names for
    each watchlist, person and photo made (the command's "cli:<os user>")."""
    photos = await asyncio.to_thread(photos_by_person, folder)
    watchlist_id = await _watchlist_id(rec, watchlist_name, threshold, actor)
    persons: dict[str, int] = {}
    enrolled = already = 0
    problems = []
    for name, path in photos:
        if name not in persons:
            persons[name] = await _person_id(rec, watchlist_id, name, actor)
        image = await asyncio.to_thread(path.read_bytes)
        try:
            _, created = await service.add_photo(
                rec, watchlist_id, persons[name], image, negative=False, actor=actor
            )
        except (Unprocessable, BadRequest) as err:
            problems.append(PhotoProblem(str(path), err.detail))
        else:
            enrolled += created
            already += not created
        if progress is not None:
            progress(1)
    return FolderReport(
        watchlist_id=watchlist_id,
        persons=len(persons),
        enrolled=enrolled,
        already_enrolled=already,
        problems=problems,
    )
