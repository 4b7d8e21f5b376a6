"""Plate list actions: each change commits, then the list is reloaded into the index.

Besides its entries a list holds the readings reviewers said are not an entry's car ("not
matches", taught by a "wrong" verdict on a possible match, server.recognition.review): those run
inside the review's own write, so the review's caller reloads the list after its commit.
"""

from __future__ import annotations

from typing import Any, Final, Protocol, runtime_checkable

import msgspec
from litestar.di import NamedDependency

from server.audit.log import Actor, record
from server.db import Database
from server.errors import NotFound
from server.imports import ImportReport, Progress, apply, parse_csv
from server.plates import repository
from server.plates.index import PlateIndex
from server.plates.schemas import (
    NotMatch,
    PlateEntry,
    PlateEntryIn,
    PlateList,
    PlateListIn,
    PlateListPatch,
)
from server.sites.repository import sites

ENTRY_COLUMNS: Final = ("plate",)


@runtime_checkable  # litestar checks the injected dependency against it
class PlateRuntime(Protocol):
    """What plate actions need from the recognition runtime above them (server.recognition's
    ``Recognition``): the database and the index it matches against, kept in step here."""

    db: Database
    plates: PlateIndex


PlateRuntimeDep = NamedDependency[PlateRuntime]
"""How a plate handler asks for the runtime: `recognition: PlateRuntimeDep`."""


async def reload_list(rec: PlateRuntime, list_id: int) -> None:
    """Put the list as stored (entries and not matches) into the index, or drop it if gone."""
    stored = await repository.load(rec.db, list_id)
    if stored is None:
        rec.plates.drop_list(list_id)
    else:
        rec.plates.put_list(stored)


async def get_list(rec: PlateRuntime, list_id: int) -> PlateList:
    found = await repository.find_list(rec.db, list_id)
    if found is None:
        raise NotFound(f"There is no plate list with id {list_id}.")
    return found


async def _check_site(db: Database, site_id: int | None) -> None:
    if site_id is not None:
        await sites.get(db, site_id)


async def create_list(
    rec: PlateRuntime, data: PlateListIn, *, actor: Actor | str = "system"
) -> PlateList:
    await _check_site(rec.db, data.site_id)
    async with rec.db.write():
        list_id = await repository.insert_list(rec.db, data.name, data.kind, data.site_id)
        target = f"plate_list:{list_id}"
        await record(rec.db, action="plate_list.create", actor=actor, target=target, after=data)
    await reload_list(rec, list_id)
    return await get_list(rec, list_id)


async def update_list(
    rec: PlateRuntime, list_id: int, patch: PlateListPatch, *, actor: Actor | str = "system"
) -> PlateList:
    before = await get_list(rec, list_id)
    changes: dict[str, Any] = {
        k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET
    }
    if "site_id" in changes:
        await _check_site(rec.db, changes["site_id"])
    async with rec.db.write():
        await repository.update_list(rec.db, list_id, changes)
        await record(
            rec.db,
            action="plate_list.update",
            actor=actor,
            target=f"plate_list:{list_id}",
            before=before,
            after=await get_list(rec, list_id),
        )
    await reload_list(rec, list_id)
    return await get_list(rec, list_id)


async def delete_list(rec: PlateRuntime, list_id: int, *, actor: Actor | str = "system") -> None:
    before = await get_list(rec, list_id)
    async with rec.db.write():
        await repository.delete_list(rec.db, list_id)
        target = f"plate_list:{list_id}"
        await record(rec.db, action="plate_list.delete", actor=actor, target=target, before=before)
    rec.plates.drop_list(list_id)


async def add_entry(
    rec: PlateRuntime, list_id: int, data: PlateEntryIn, *, actor: Actor | str = "system"
) -> tuple[PlateEntry, bool]:
    await get_list(rec, list_id)
    async with rec.db.write():
        entry, created = await repository.upsert_entry(rec.db, list_id, data.plate, data.note)
        await record(
            rec.db,
            action="plate_list.entry_add" if created else "plate_list.entry_update",
            actor=actor,
            target=f"plate_list:{list_id}/entry:{entry.id}",
            after=entry,
        )
    await reload_list(rec, list_id)
    return entry, created


async def delete_entry(
    rec: PlateRuntime, list_id: int, entry_id: int, *, actor: Actor | str = "system"
) -> None:
    await get_list(rec, list_id)
    async with rec.db.write():
        deleted = await repository.delete_entry(rec.db, list_id, entry_id)
        if deleted:
            target = f"plate_list:{list_id}/entry:{entry_id}"
            await record(rec.db, action="plate_list.entry_delete", actor=actor, target=target)
    if not deleted:
        raise NotFound(f"Plate list {list_id} has no entry with id {entry_id}.")
    await reload_list(rec, list_id)


async def import_entries(
    rec: PlateRuntime,
    list_id: int,
    text: str,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    actor: Actor | str = "system",
) -> ImportReport:
    """CSV with a `plate` column (and optionally `note`): all rows or none, like other imports.
    The import is one audit entry with its counts, not one per plate."""
    await get_list(rec, list_id)
    parsed = parse_csv(text, PlateEntryIn, ENTRY_COLUMNS)

    async def store(row: PlateEntryIn) -> None:
        await repository.upsert_entry(rec.db, list_id, row.plate, row.note)

    report = await apply(parsed, store, rec.db, skip_invalid=skip_invalid, progress=progress)
    if report.applied:
        async with rec.db.write():
            await record(
                rec.db,
                action="plate_list.import",
                actor=actor,
                target=f"plate_list:{list_id}",
                detail=f"{report.imported} imported, {len(report.rejected)} rejected",
            )
    await reload_list(rec, list_id)
    return report


async def add_not_match(
    db: Database, list_id: int, listed_plate: str, read: str, alert_id: int, *, actor: Actor
) -> NotMatch | None:
    """Remember, audited, that the reading ``read`` is not the car of ``listed_plate`` on the
    list (None when the list is gone). Joins the caller's write; `reload_list` after commit."""
    if await repository.find_list(db, list_id) is None:
        return None
    async with db.write():
        taught = await repository.insert_not_match(
            db, list_id, listed_plate, read, alert_id, actor.actor
        )
        target = f"plate_list:{list_id}/not_match:{taught.id}"
        await record(
            db, action="plate_list.not_match_add", actor=actor, target=target, after=taught
        )
    return taught


async def remove_not_matches(db: Database, alert_id: int, *, actor: Actor) -> list[NotMatch]:
    """Forget, audited, what a verdict on the alert taught (it was turned to "correct"). Joins
    the caller's write; `reload_list` each returned row's list after commit."""
    async with db.write():
        removed = await repository.delete_not_matches(db, alert_id)
        for gone in removed:
            target = f"plate_list:{gone.list_id}/not_match:{gone.id}"
            await record(
                db, action="plate_list.not_match_remove", actor=actor, target=target, before=gone
            )
    return removed
