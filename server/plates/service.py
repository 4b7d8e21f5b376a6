"""Plate list actions: each change commits, then the list is reloaded into the index."""

from __future__ import annotations

from typing import Any, Final, Protocol, runtime_checkable

import msgspec
from litestar.di import NamedDependency

from server.db import Database
from server.errors import NotFound
from server.imports import ImportReport, Progress, apply, parse_csv
from server.plates import repository
from server.plates.index import PlateIndex
from server.plates.schemas import PlateEntry, PlateEntryIn, PlateList, PlateListIn, PlateListPatch
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


async def _refresh(rec: PlateRuntime, list_id: int) -> None:
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


async def create_list(rec: PlateRuntime, data: PlateListIn) -> PlateList:
    await _check_site(rec.db, data.site_id)
    async with rec.db.write():
        list_id = await repository.insert_list(rec.db, data.name, data.kind, data.site_id)
    await _refresh(rec, list_id)
    return await get_list(rec, list_id)


async def update_list(rec: PlateRuntime, list_id: int, patch: PlateListPatch) -> PlateList:
    await get_list(rec, list_id)
    changes: dict[str, Any] = {
        k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET
    }
    if "site_id" in changes:
        await _check_site(rec.db, changes["site_id"])
    async with rec.db.write():
        await repository.update_list(rec.db, list_id, changes)
    await _refresh(rec, list_id)
    return await get_list(rec, list_id)


async def delete_list(rec: PlateRuntime, list_id: int) -> None:
    await get_list(rec, list_id)
    async with rec.db.write():
        await repository.delete_list(rec.db, list_id)
    rec.plates.drop_list(list_id)


async def add_entry(rec: PlateRuntime, list_id: int, data: PlateEntryIn) -> tuple[PlateEntry, bool]:
    await get_list(rec, list_id)
    async with rec.db.write():
        entry, created = await repository.upsert_entry(rec.db, list_id, data.plate, data.note)
    await _refresh(rec, list_id)
    return entry, created


async def delete_entry(rec: PlateRuntime, list_id: int, entry_id: int) -> None:
    await get_list(rec, list_id)
    async with rec.db.write():
        deleted = await repository.delete_entry(rec.db, list_id, entry_id)
    if not deleted:
        raise NotFound(f"Plate list {list_id} has no entry with id {entry_id}.")
    await _refresh(rec, list_id)


async def import_entries(
    rec: PlateRuntime,
    list_id: int,
    text: str,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """CSV with a `plate` column (and optionally `note`): all rows or none, like other imports."""
    await get_list(rec, list_id)
    parsed = parse_csv(text, PlateEntryIn, ENTRY_COLUMNS)

    async def store(row: PlateEntryIn) -> None:
        await repository.upsert_entry(rec.db, list_id, row.plate, row.note)

    report = await apply(parsed, store, rec.db, skip_invalid=skip_invalid, progress=progress)
    await _refresh(rec, list_id)
    return report
