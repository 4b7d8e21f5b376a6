"""A node's watchlists and plate lists follow changes made elsewhere (server.recognition.lists),
on both engines: every change bumps its list's revision and rings its doorbell once committed;
a ring reloads the list it names; the revision check finds a change that rang no one.

"Elsewhere" is a second runtime on the same database whose commits ring nothing, as a
`posbon plates import` in its own process does; no model is needed (embeddings are written
through the repository, as an enrolment writes them).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import numpy as np
import pytest

from server.db import Database
from server.plates import service as plates
from server.plates.index import changed_signal as plates_signal
from server.plates.schemas import PlateEntryIn, PlateListIn, PlateListKind, PlateListPatch
from server.recognition.lists import ListKeeper
from server.recognition.runtime import Recognition
from server.settings import Settings
from server.watchlists import repository as watchlists_repository
from server.watchlists import service as watchlists
from server.watchlists.index import changed_signal as watchlist_signal
from server.watchlists.index import to_bytes
from server.watchlists.repository import NewPhoto
from server.watchlists.schemas import PersonIn, PersonPatch, WatchlistIn
from sync.hlc import HybridClock
from tests.eventually import eventually, step_loop

pytestmark = pytest.mark.integration

ACTOR = "test"
PLATE = "01A123BC"
MAX_EDITS = 0


def _runtime(settings: Settings, db: Database) -> Recognition:
    return Recognition(settings, db, HybridClock())


class _Heard:
    """The doorbells the database's commits ring."""

    def __init__(self, db: Database) -> None:
        self.names: list[frozenset[str]] = []
        db.commit_hooks.append(self.names.append)

    def take(self) -> set[str]:
        heard = set().union(*self.names)
        self.names.clear()
        return heard


async def _revision(db: Database, table: str, list_id: int) -> int:
    row = await db.fetch_one(f"SELECT revision FROM {table} WHERE id = {{}}", list_id)
    assert row is not None
    return int(row["revision"])


@contextlib.asynccontextmanager
async def _keeping(rec: Recognition) -> AsyncIterator[ListKeeper]:
    """A loaded node's keeper, its reloads running."""
    await rec.indexes()
    keeper = ListKeeper(rec)
    task = asyncio.create_task(keeper.run_reloads())
    try:
        yield keeper
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _wanted(rec: Recognition) -> str | None:
    found = rec.plates.find(PLATE, PlateListKind.WANTED, None, MAX_EDITS)
    return None if found is None else found.plate


async def test_every_change_of_a_plate_list_bumps_its_revision_and_rings_after_commit(
    settings: Settings, db: Database
) -> None:
    rec = _runtime(settings, db)
    heard = _Heard(db)
    created = await plates.create_list(
        rec, PlateListIn(name="stolen", kind=PlateListKind.WANTED), actor=ACTOR
    )
    ring = plates_signal(created.id)
    assert heard.take() == {ring}
    changes: list[Callable[[], Awaitable[object]]] = [
        lambda: plates.add_entry(rec, created.id, PlateEntryIn(plate=PLATE), actor=ACTOR),
        lambda: plates.update_list(rec, created.id, PlateListPatch(name="cars"), actor=ACTOR),
        lambda: plates.import_entries(rec, created.id, "plate\n40B555AA\n", actor=ACTOR),
    ]
    revision = await _revision(db, "plate_lists", created.id)
    for change in changes:
        await change()
        assert await _revision(db, "plate_lists", created.id) > revision
        assert heard.take() == {ring}
        revision = await _revision(db, "plate_lists", created.id)
    (entry, _) = await plates.add_entry(
        rec, created.id, PlateEntryIn(plate="30C000CC"), actor=ACTOR
    )
    heard.take()
    revision = await _revision(db, "plate_lists", created.id)
    await plates.delete_entry(rec, created.id, entry.id, actor=ACTOR)
    assert await _revision(db, "plate_lists", created.id) == revision + 1
    assert heard.take() == {ring}
    await plates.delete_list(rec, created.id, actor=ACTOR)
    assert heard.take() == {ring}


async def test_every_change_of_a_watchlist_bumps_its_revision_and_rings_after_commit(
    settings: Settings, db: Database
) -> None:
    rec = _runtime(settings, db)
    heard = _Heard(db)
    created = await watchlists.create_watchlist(rec, WatchlistIn(name="wanted"), actor=ACTOR)
    ring = watchlist_signal(created.id)
    assert heard.take() == {ring}
    person = await watchlists.create_person(rec, created.id, PersonIn(name="Ali"), actor=ACTOR)
    assert await _revision(db, "watchlists", created.id) == 1
    async with db.write():
        photo_id = await watchlists_repository.insert_photo(db, _photo(created.id, person.id, 1))
    patch = PersonPatch(name="Ali Valiyev")
    changes: list[Callable[[], Awaitable[object]]] = [
        lambda: watchlists.update_person(rec, created.id, person.id, patch, actor=ACTOR),
        lambda: watchlists.remove_photo(rec, person.id, photo_id, actor=ACTOR),
        lambda: watchlists.delete_person(rec, created.id, person.id, actor=ACTOR),
    ]
    assert heard.take() == {ring}
    for revision, change in enumerate(changes, start=3):
        await change()
        assert await _revision(db, "watchlists", created.id) == revision
        assert heard.take() == {ring}
    await watchlists.delete_watchlist(rec, created.id, actor=ACTOR)
    assert heard.take() == {ring}


def _photo(watchlist_id: int, person_id: int, seed: int) -> NewPhoto:
    vector = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return NewPhoto(
        person_id=person_id,
        watchlist_id=watchlist_id,
        negative=False,
        embedding=to_bytes(vector / np.linalg.norm(vector)),
        source_sha256=f"seed:{seed}",
        face_width_px=100.0,
    )


async def test_a_plate_list_changed_elsewhere_is_reloaded_when_its_doorbell_rings(
    settings: Settings, db: Database
) -> None:
    node, elsewhere = _runtime(settings, db), _runtime(settings, db)
    async with _keeping(node) as keeper:
        created = await plates.create_list(
            elsewhere, PlateListIn(name="stolen", kind=PlateListKind.WANTED), actor=ACTOR
        )
        await plates.add_entry(elsewhere, created.id, PlateEntryIn(plate=PLATE), actor=ACTOR)
        assert _wanted(node) is None  # nothing rang here yet
        keeper.heard(frozenset({plates_signal(created.id)}))
        assert await eventually(lambda: _wanted(node)) == PLATE

        loaded = node.plates.generation
        keeper.heard(frozenset({plates_signal(created.id)}))  # the same ring again: an echo
        await step_loop()  # its reload has begun: a later ask waits behind it
        other = await plates.create_list(
            elsewhere, PlateListIn(name="other", kind=PlateListKind.OWN), actor=ACTOR
        )
        keeper.heard(frozenset({plates_signal(other.id)}))
        await eventually(lambda: other.id in node.plates.revisions())
        assert node.plates.generation == loaded + 1  # the echo read no rows, put no list


async def test_a_change_that_rang_no_one_is_found_by_the_revision_check(
    settings: Settings, db: Database
) -> None:
    node, elsewhere = _runtime(settings, db), _runtime(settings, db)
    gone = await plates.create_list(
        elsewhere, PlateListIn(name="old", kind=PlateListKind.WANTED), actor=ACTOR
    )
    async with _keeping(node) as keeper:
        assert node.plates.revisions() == {gone.id: 0}
        created = await plates.create_list(
            elsewhere, PlateListIn(name="stolen", kind=PlateListKind.WANTED), actor=ACTOR
        )
        await plates.add_entry(elsewhere, created.id, PlateEntryIn(plate=PLATE), actor=ACTOR)
        await plates.delete_list(elsewhere, gone.id, actor=ACTOR)
        watchlist = await watchlists.create_watchlist(
            elsewhere, WatchlistIn(name="wanted"), actor=ACTOR
        )
        person = await watchlists.create_person(
            elsewhere, watchlist.id, PersonIn(name="Ali"), actor=ACTOR
        )
        photo = _photo(watchlist.id, person.id, 7)
        async with db.write():
            await watchlists_repository.insert_photo(db, photo)

        await keeper.check()

        assert await eventually(lambda: _wanted(node)) == PLATE
        assert await eventually(lambda: gone.id not in node.plates.revisions())
        probe = np.stack([np.frombuffer(photo.embedding, dtype="<f4")])

        def matched() -> str | None:
            (hit,) = node.watchlists.match(probe)
            return None if hit is None else hit.person

        assert await eventually(matched) == "Ali"
        assert node.watchlists.revisions() == {watchlist.id: 2}
