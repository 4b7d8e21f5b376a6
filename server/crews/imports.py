from __future__ import annotations

import functools
from typing import Final

from server.crews.repository import find_id_by_name
from server.crews.schemas import CrewCsvRow, CrewIn, CrewPatch
from server.crews.service import create_crew, update_crew
from server.db import Database
from server.imports import BATCH_ROWS, ImportReport, Progress, apply, parse_csv_aside

CREW_COLUMNS: Final = ("name",)


def _members(row: CrewCsvRow) -> list[str]:
    return [name.strip() for name in row.members.split(";") if name.strip()]


async def _store(db: Database, row: CrewCsvRow) -> None:
    existing = await find_id_by_name(db, row.name)
    if existing is None:
        await create_crew(
            db,
            CrewIn(
                name=row.name,
                members=_members(row),
                district=row.district,
                lat=row.lat,
                lon=row.lon,
            ),
        )
    else:
        patch = CrewPatch(members=_members(row), district=row.district)
        await update_crew(db, existing, patch)


async def import_crews(
    db: Database,
    text: str,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    parsed = await parse_csv_aside(text, CrewCsvRow, CREW_COLUMNS)
    return await apply(
        parsed,
        functools.partial(_store, db),
        db,
        skip_invalid=skip_invalid,
        progress=progress,
        batch_rows=batch_rows,
    )
