"""Watchlist actions: each change commits, then updates the in-memory index to match.

Enrolment embeds the photo's largest face in the recognition thread and keeps only the
embedding; the same photo sent again for the same person is recognised by its SHA-256 and
creates nothing (a retried upload, a re-run import).

Every action takes its actor for the audit log (the caller's Principal, or "cli:<os user>" for a
command) and has no default, so none is recorded as "system" by being left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, runtime_checkable

import msgspec
from litestar.di import NamedDependency

from recognition.engine import Recognizer
from recognition.enrolment import EnrolmentRefused, Refusal, choose_face
from recognition.faces import Face
from recognition.images import decode_image
from server.audit.log import Actor, record
from server.db import Database
from server.errors import NotFound, Unprocessable
from server.settings import Settings
from server.watchlists import repository
from server.watchlists.index import WatchlistIndex, from_bytes, to_bytes
from server.watchlists.repository import NewPhoto
from server.watchlists.schemas import (
    Person,
    PersonIn,
    PersonPatch,
    Photo,
    Watchlist,
    WatchlistIn,
    WatchlistPatch,
)

R = TypeVar("R")


@runtime_checkable  # litestar checks the injected dependency against it
class WatchlistRuntime(Protocol):
    """What watchlist actions need from the recognition runtime above them (server.recognition's
    ``Recognition``): the database, the index it matches against (kept in step here), and its
    models and crops for enrolment."""

    db: Database
    watchlists: WatchlistIndex
    settings: Settings

    async def indexes(self) -> None:
        """Load the indexes from the database, once."""

    async def run_request(self, work: Callable[[Recognizer], R]) -> R:
        """Run ``work`` with the loaded models in the recognition thread."""

    async def face_crop_embedding(self, crop_id: int) -> bytes | None:
        """The embedding stored with an alert's face crop (None: no such face crop)."""


WatchlistRuntimeDep = NamedDependency[WatchlistRuntime]
"""How a watchlist handler asks for the runtime: `recognition: WatchlistRuntimeDep`."""


class EnrolledFace(msgspec.Struct, frozen=True):
    face: Face
    embedding: bytes
    faces_in_photo: int


def enrol_face(
    recognizer: Recognizer, data: bytes, min_face_px: float, min_sharpness: float
) -> EnrolledFace:
    """The photo's one clear face, or EnrolmentRefused saying why there is none (runs in the
    recognition thread; recognition.enrolment decides)."""
    image = decode_image(data)
    results = recognizer.faces(image)
    best = choose_face(image, results, min_face_px=min_face_px, min_sharpness=min_sharpness)
    if best.embedding is None:  # choose_face refuses faces too small to embed
        raise EnrolmentRefused(Refusal.FACE_TOO_SMALL, faces=1, width_px=best.face.width_px)
    return EnrolledFace(best.face, to_bytes(best.embedding), len(results))


def refusal_error(err: EnrolmentRefused, min_face_px: float, min_sharpness: float) -> Unprocessable:
    """The 422 for a photo that cannot be enrolled: the reason, and what to send instead."""
    match err.reason:
        case Refusal.NO_FACE:
            return Unprocessable(
                "No face was found in the photo; send a photo in which the person's face is "
                "clearly visible.",
                code="no_usable_face",
            )
        case Refusal.SEVERAL_FACES:
            return Unprocessable(
                f"The photo shows {err.faces} faces, so it is unclear whom to enrol; send a "
                "photo of this person alone.",
                code="several_faces",
            )
        case Refusal.FACE_TOO_SMALL:
            return Unprocessable(
                f"The face in the photo is {err.width_px:.0f} px wide and enrolment needs at "
                f"least {min_face_px:.0f} px; send a closer or larger photo of the face.",
                code="face_too_small",
            )
        case Refusal.FACE_TOO_BLURRED:
            return Unprocessable(
                f"The face in the photo is too blurred to enrol (sharpness {err.sharpness:.0f}, "
                f"at least {min_sharpness:.0f} needed); send a sharp, well-focused photo.",
                code="face_too_blurred",
            )


def _changes(patch: msgspec.Struct) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}


async def get_watchlist(rec: WatchlistRuntime, watchlist_id: int) -> Watchlist:
    found = await repository.find_watchlist(rec.db, watchlist_id)
    if found is None:
        raise NotFound(f"There is no watchlist with id {watchlist_id}.")
    return found


async def create_watchlist(
    rec: WatchlistRuntime, data: WatchlistIn, *, actor: Actor | str
) -> Watchlist:
    async with rec.db.write():
        watchlist_id = await repository.insert_watchlist(
            rec.db, data.name, data.description, data.threshold
        )
        target = f"watchlist:{watchlist_id}"
        await record(rec.db, action="watchlist.create", actor=actor, target=target, after=data)
    rec.watchlists.put_watchlist(watchlist_id, data.name, data.threshold)
    return await get_watchlist(rec, watchlist_id)


async def update_watchlist(
    rec: WatchlistRuntime,
    watchlist_id: int,
    patch: WatchlistPatch,
    *,
    actor: Actor | str,
) -> Watchlist:
    before = await get_watchlist(rec, watchlist_id)
    async with rec.db.write():
        await repository.update_watchlist(rec.db, watchlist_id, _changes(patch))
        updated = await get_watchlist(rec, watchlist_id)
        await record(
            rec.db,
            action="watchlist.update",
            actor=actor,
            target=f"watchlist:{watchlist_id}",
            before=before,
            after=updated,
        )
    rec.watchlists.put_watchlist(updated.id, updated.name, updated.threshold)
    return updated


async def delete_watchlist(rec: WatchlistRuntime, watchlist_id: int, *, actor: Actor | str) -> None:
    before = await get_watchlist(rec, watchlist_id)
    async with rec.db.write():
        await repository.delete_watchlist(rec.db, watchlist_id)
        target = f"watchlist:{watchlist_id}"
        await record(rec.db, action="watchlist.delete", actor=actor, target=target, before=before)
    rec.watchlists.drop_watchlist(watchlist_id)


async def get_person(rec: WatchlistRuntime, watchlist_id: int, person_id: int) -> Person:
    found = await repository.find_person(rec.db, watchlist_id, person_id)
    if found is None:
        raise NotFound(f"Watchlist {watchlist_id} has no person with id {person_id}.")
    return found


async def create_person(
    rec: WatchlistRuntime, watchlist_id: int, data: PersonIn, *, actor: Actor | str
) -> Person:
    await get_watchlist(rec, watchlist_id)
    async with rec.db.write():
        person_id = await repository.insert_person(rec.db, watchlist_id, data.name, data.note)
        target = f"watchlist:{watchlist_id}/person:{person_id}"
        await record(
            rec.db, action="watchlist.person_create", actor=actor, target=target, after=data
        )
    return await get_person(rec, watchlist_id, person_id)


async def update_person(
    rec: WatchlistRuntime,
    watchlist_id: int,
    person_id: int,
    patch: PersonPatch,
    *,
    actor: Actor | str,
) -> Person:
    before = await get_person(rec, watchlist_id, person_id)
    async with rec.db.write():
        await repository.update_person(rec.db, person_id, _changes(patch))
        updated = await get_person(rec, watchlist_id, person_id)
        await record(
            rec.db,
            action="watchlist.person_update",
            actor=actor,
            target=f"watchlist:{watchlist_id}/person:{person_id}",
            before=before,
            after=updated,
        )
    rec.watchlists.rename_person(person_id, updated.name)
    return updated


async def delete_person(
    rec: WatchlistRuntime, watchlist_id: int, person_id: int, *, actor: Actor | str
) -> None:
    before = await get_person(rec, watchlist_id, person_id)
    async with rec.db.write():
        await repository.delete_person(rec.db, person_id)
        await record(
            rec.db,
            action="watchlist.person_delete",
            actor=actor,
            target=f"watchlist:{watchlist_id}/person:{person_id}",
            before=before,
        )
    rec.watchlists.drop_person(watchlist_id, person_id)


async def _store(
    rec: WatchlistRuntime, person: Person, photo: NewPhoto, actor: Actor | str
) -> tuple[int, bool]:
    """Store an embedding once; returns (photo id, created)."""
    async with rec.db.write():
        existing = await repository.find_photo(rec.db, photo)
        if existing is not None:
            return existing, False
        photo_id = await repository.insert_photo(rec.db, photo)
        await record(
            rec.db,
            action="watchlist.negative_add" if photo.negative else "watchlist.photo_add",
            actor=actor,
            target=f"watchlist:{person.watchlist_id}/person:{person.id}/photo:{photo_id}",
            after={"source_sha256": photo.source_sha256, "face_width_px": photo.face_width_px},
        )
    rec.watchlists.add_embedding(
        person.watchlist_id,
        person.id,
        person.name,
        from_bytes(photo.embedding),
        negative=photo.negative,
    )
    return photo_id, True


async def add_photo(
    rec: WatchlistRuntime,
    watchlist_id: int,
    person_id: int,
    image: bytes,
    *,
    negative: bool,
    actor: Actor | str,
) -> tuple[Photo, bool]:
    """Enrol the photo's largest face for the person (or as a negative example)."""
    person = await get_person(rec, watchlist_id, person_id)
    await rec.indexes()  # the index must hold the stored rows before this one is added

    min_face_px = rec.settings.enrol_min_face_px
    min_sharpness = rec.settings.enrol_min_sharpness

    def enrol(recognizer: Recognizer) -> EnrolledFace:
        return enrol_face(recognizer, image, min_face_px, min_sharpness)

    try:
        enrolled = await rec.run_request(enrol)
    except EnrolmentRefused as err:
        raise refusal_error(err, min_face_px, min_sharpness) from err
    photo = NewPhoto(
        person_id=person.id,
        watchlist_id=watchlist_id,
        negative=negative,
        embedding=enrolled.embedding,
        source_sha256=hashlib.sha256(image).hexdigest(),
        face_width_px=enrolled.face.width_px,
    )
    photo_id, created = await _store(rec, person, photo, actor)
    return (
        Photo(
            id=photo_id,
            person_id=person.id,
            negative=negative,
            face_box=enrolled.face.box,
            face_score=round(enrolled.face.score, 4),
            face_width_px=round(enrolled.face.width_px, 1),
            faces_in_photo=enrolled.faces_in_photo,
        ),
        created,
    )


async def add_negative_from_crop(
    rec: WatchlistRuntime,
    watchlist_id: int,
    person_id: int,
    crop_id: int,
    *,
    actor: Actor | str,
) -> tuple[Photo, bool]:
    """ "This alert was not X": the face of a stored face-match crop becomes a negative example."""
    person = await get_person(rec, watchlist_id, person_id)
    await rec.indexes()
    embedding = await rec.face_crop_embedding(crop_id)
    if embedding is None:
        raise NotFound(f"There is no face crop with id {crop_id} (it may have expired).")
    photo = NewPhoto(
        person_id=person.id,
        watchlist_id=watchlist_id,
        negative=True,
        embedding=embedding,
        source_sha256=f"crop:{crop_id}",
        face_width_px=0.0,
    )
    photo_id, created = await _store(rec, person, photo, actor)
    box = (0.0, 0.0, 0.0, 0.0)
    return (
        Photo(
            id=photo_id,
            person_id=person.id,
            negative=True,
            face_box=box,
            face_score=0.0,
            face_width_px=0.0,
            faces_in_photo=1,
        ),
        created,
    )


async def remove_photo(
    rec: WatchlistRuntime, person_id: int, photo_id: int, *, actor: Actor | str
) -> None:
    """Delete one enrolled face or negative example (a review's negative taken back), then
    rebuild the index from the database (redone if a change raced with the read)."""
    async with rec.db.write():
        await repository.delete_photo(rec.db, person_id, photo_id)
        target = f"person:{person_id}/photo:{photo_id}"
        await record(rec.db, action="watchlist.photo_remove", actor=actor, target=target)
    while True:
        before = rec.watchlists.generation
        stored = await repository.load_all(rec.db)
        if rec.watchlists.generation == before:
            rec.watchlists.generation += 1
            rec.watchlists.replace_all(stored)
            return
